/**
 * Where a server listens: the port checked before binding, and what every running server tells about itself, in
 * one shape (`ProxyServer`, `HttpProxy`, `AdminServer` and the testing kit's servers).
 *
 * @since 0.1.0
 */

/**
 * A running server's address.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerAddress {
  /** The bound port (useful with `port: 0`). */
  readonly port: number
  /** `host:port` (an IPv6 host in brackets). */
  readonly address: string
  /**
   * The address with its scheme, as Centrifugo's proxy `endpoint` wants it: `grpc://host:port`, or `http://host:port`
   * (an HTTP proxy's endpoint is this plus the route path).
   */
  readonly url: string
}

/** Why `port` cannot be bound, if it cannot (`0` is any free port). */
export const portProblem = (port: number): string | undefined =>
  Number.isInteger(port) && port >= 0 && port <= 65535
    ? undefined
    : `port ${port} is not a port number (0-65535; 0 = any free port)`

/** The address of a server bound to `host` and `port`, with `scheme` in its URL. */
export const make = (scheme: "grpc" | "http", host: string, port: number): ServerAddress => {
  const address = `${host.includes(":") ? `[${host}]` : host}:${port}`
  return { port, address, url: `${scheme}://${address}` }
}

/**
 * The defaults every part of the library shares: where each server listens, the HTTP routes' prefix, the names of
 * the environment variables that carry the proxies' credentials, and where Centrifugo answers. The servers
 * (`ProxyServer.layerConfig`, `HttpProxy.layerConfig`), the CLI's `config` and `init`, and the docs all read these,
 * so a config written by the CLI points at the port a server started with its defaults listens on.
 *
 * @since 0.1.0
 */

/**
 * The gRPC proxy server (`ProxyServer.layerConfig`).
 *
 * @since 0.1.0
 * @category constants
 */
export const grpc = {
  host: "0.0.0.0",
  port: 10001,
  /** The environment variables `ProxyServer.layerConfig` reads the proxies' `grpc.credentials_key/value` from. */
  credentialsEnv: { key: "PROXY_CREDENTIALS_KEY", value: "PROXY_CREDENTIALS_VALUE" }
} as const

/**
 * The HTTP proxy server (`HttpProxy.layerConfig`).
 *
 * @since 0.1.0
 * @category constants
 */
export const http = {
  host: "0.0.0.0",
  port: 10002,
  /** The routes' prefix: `/centrifugo/connect`, `/centrifugo/rpc`, ... */
  prefix: "/centrifugo",
  /** The environment variables `HttpProxy.layerConfig` reads the header name and value of the credentials from. */
  credentialsEnv: { key: "PROXY_HTTP_CREDENTIALS_KEY", value: "PROXY_HTTP_CREDENTIALS_VALUE" }
} as const

/**
 * The proxy transports Centrifugo can call a backend over.
 *
 * @since 0.1.0
 * @category models
 */
export type Transport = "grpc" | "http"

/**
 * The metadata key / header name the CLI gives the proxies' credentials.
 *
 * @since 0.1.0
 * @category constants
 */
export const credentialsKey = "x-centrifugo-proxy"

/**
 * Centrifugo's own HTTP port (WebSocket, server API, health) and its server API's URL from the backend.
 *
 * @since 0.1.0
 * @category constants
 */
export const centrifugo = { httpPort: 8000, apiUrl: "http://127.0.0.1:8000" } as const

/**
 * The endpoint Centrifugo's proxies use to reach a backend on this machine that runs with its defaults:
 * `127.0.0.1:10001` (gRPC) or `http://127.0.0.1:10002` (HTTP; each event then at `<endpoint>/centrifugo/<event>`).
 *
 * @since 0.1.0
 * @category utils
 */
export const endpoint = (transport: Transport): string =>
  transport === "grpc" ? `127.0.0.1:${grpc.port}` : `http://127.0.0.1:${http.port}`

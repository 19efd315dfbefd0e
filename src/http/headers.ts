/**
 * The request headers a handler sees over HTTP: what Centrifugo forwarded (`http_headers`, `emulated_headers`,
 * `http.static_headers`), lower-cased as on gRPC, without the headers that only describe the HTTP message between
 * Centrifugo and us (gRPC never shows those either).
 *
 * @since 0.1.0
 */
import type * as ProxyRequest from "../ProxyRequest.ts"

/** Headers that describe the HTTP message itself, not the client: never forwarded to handlers. */
export const MESSAGE_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "content-length",
  "content-type",
  "accept-encoding",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "proxy-connection"
])

/** The forwarded headers of a request (names already lower-cased by Node), without `secretName`. */
export const forwardedHeaders = (
  headers: Readonly<Record<string, string>>,
  secretName: string | undefined
): ProxyRequest.Headers => {
  const out: Record<string, string> = {}
  for (const name of Object.keys(headers)) {
    if (MESSAGE_HEADERS.has(name) || name === secretName) continue
    out[name] = headers[name]!
  }
  return out
}

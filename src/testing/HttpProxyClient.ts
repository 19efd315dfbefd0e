/**
 * An HTTP client that calls a running HTTP proxy exactly as Centrifugo does: a POST of the event's JSON body (in
 * Centrifugo's `encoding/json` form: snake_case names, `data` embedded as raw JSON) to the event's URL, with
 * `Content-Type: application/json`, Go's user agent and the forwarded headers; the request is aborted when
 * `timeoutMs` passes (Centrifugo's proxy `timeout`) or `signal` aborts. For integration tests without Centrifugo.
 *
 * ```ts
 * import { expect, it } from "@effect/vitest"
 * import { Effect } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 * import { HttpProxyClient, TestServer } from "effect-centrifugo/testing"
 *
 * it("accepts the connection", async () => {
 *   const handlers = HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "42" })) })
 *   const server = await TestServer.startHttp(handlers)
 *   const client = HttpProxyClient.make(server.url)
 *   const reply = await client.connect({ client: "c1", transport: "websocket", data: { token: "t" } })
 *   expect(reply.json?.result?.user).toBe("42")
 *   await server.stop()
 * })
 * ```
 *
 * @since 0.1.0
 */
import { request as httpRequest } from "node:http"
import * as Defaults from "../Defaults.ts"

/**
 * Options of one call: headers to send, a timeout, an abort signal, or another HTTP method.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /** Headers to send (Centrifugo sends static headers, emulated and forwarded client headers). */
  readonly headers?: Readonly<Record<string, string>>
  /** Abort the request after this many milliseconds, as Centrifugo does when its proxy `timeout` passes. */
  readonly timeoutMs?: number
  /** Aborting closes the request. */
  readonly signal?: AbortSignal
  /** Another method than POST (to test the 405). */
  readonly method?: string
}

/**
 * A body in Centrifugo's JSON form, e.g. `{ client: "c1", transport: "websocket", data: { token: "t" } }`.
 *
 * @since 0.1.0
 * @category models
 */
export type WireRequest = Readonly<Record<string, unknown>>

/**
 * A response body in Centrifugo's JSON form.
 *
 * @since 0.1.0
 * @category models
 */
export interface WireReply {
  readonly result?: Record<string, unknown>
  readonly error?: { readonly code?: number; readonly message?: string; readonly temporary?: boolean }
  readonly disconnect?: { readonly code?: number; readonly reason?: string }
}

/**
 * An HTTP proxy answer as received: status, headers, the body text and, for a 200, the parsed reply.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpReply {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  /** The body as received. */
  readonly text: string
  /** The body parsed, for a 200 answer. */
  readonly json?: WireReply
}

/**
 * Calls an HTTP proxy server the way Centrifugo does: one function per event, plus `raw` for arbitrary bodies.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpProxyClient {
  readonly connect: (body: WireRequest, options?: CallOptions) => Promise<HttpReply>
  readonly refresh: (body: WireRequest, options?: CallOptions) => Promise<HttpReply>
  readonly subscribe: (body: WireRequest, options?: CallOptions) => Promise<HttpReply>
  readonly publish: (body: WireRequest, options?: CallOptions) => Promise<HttpReply>
  readonly rpc: (body: WireRequest, options?: CallOptions) => Promise<HttpReply>
  readonly subRefresh: (body: WireRequest, options?: CallOptions) => Promise<HttpReply>
  readonly mapPublish: (body: WireRequest, options?: CallOptions) => Promise<HttpReply>
  readonly mapRemove: (body: WireRequest, options?: CallOptions) => Promise<HttpReply>
  readonly sharedPollRefresh: (body: WireRequest, options?: CallOptions) => Promise<HttpReply>
  /** Posts raw bytes to a path (e.g. `/centrifugo/connect`). */
  readonly raw: (path: string, body: string | Uint8Array, options?: CallOptions) => Promise<HttpReply>
}

/**
 * `url` is the server's base, e.g. `http://127.0.0.1:10002`; `prefix` the routes' prefix.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (url: string, prefix: string = Defaults.http.prefix): HttpProxyClient => {
  const raw = (path: string, body: string | Uint8Array, options: CallOptions = {}): Promise<HttpReply> =>
    new Promise((resolve, reject) => {
      const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body)
      const target = new URL(path, url)
      const req = httpRequest(target, {
        method: options.method ?? "POST",
        headers: {
          // What Go's net/http client and Centrifugo's proxy set; the caller's headers come on top.
          "user-agent": "Go-http-client/1.1",
          "accept-encoding": "gzip",
          "content-length": String(bytes.length),
          ...options.headers,
          "content-type": "application/json"
        },
        ...(options.signal === undefined ? {} : { signal: options.signal })
      }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("error", reject)
        res.on("end", () => {
          clearTimeout(timer)
          const text = Buffer.concat(chunks).toString("utf8")
          const status = res.statusCode ?? 0
          resolve({
            status,
            headers: res.headers,
            text,
            ...(status === 200 ? { json: JSON.parse(text) as WireReply } : {})
          })
        })
      })
      const timer = options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)), options.timeoutMs)
      req.on("error", (error) => {
        clearTimeout(timer)
        reject(error)
      })
      req.end(bytes)
    })

  const post = (event: string) => (body: WireRequest, options?: CallOptions) =>
    raw(`${prefix}/${event}`, JSON.stringify(body), options)

  return {
    connect: post("connect"),
    refresh: post("refresh"),
    subscribe: post("subscribe"),
    publish: post("publish"),
    rpc: post("rpc"),
    subRefresh: post("sub_refresh"),
    mapPublish: post("map_publish"),
    mapRemove: post("map_remove"),
    sharedPollRefresh: post("shared_poll_refresh"),
    raw
  }
}

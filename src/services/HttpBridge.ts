/**
 * The HttpBridge bridge: the application's own `effect/http` app, called in-process (no socket) from proxy handlers.
 *
 * `HttpBridge.layer(routes)` turns an `HttpRouter` app Layer into the `HttpBridge` service; its routes' services become the
 * Layer's requirements. `HttpBridge.rpc` is an `rpc` handler that forwards RPC calls named `method:uri` to it:
 *
 * | client call | HTTP request to the app |
 * |---|---|
 * | `rpc("get:news/123", { lang: "en" })` | `GET /news/123?lang=en` (data as query parameters for GET and HEAD) |
 * | `rpc("post:news/store", { title: "..." })` | `POST /news/store` with the data as a JSON body (POST, PUT, PATCH, DELETE) |
 *
 * A query in the method is kept and the data's parameters are added to it (`get:whoami?admin=true` with
 * `{ lang: "en" }` is `GET /whoami?admin=true&lang=en`); a `#` in the method is refused (**107**).
 *
 * Forwarded headers (`authorization`, ...) travel with it, except `host`, the hop-by-hop headers (`connection` and
 * the headers it names, `keep-alive`, `proxy-connection`, `proxy-authenticate`, `proxy-authorization`,
 * `transfer-encoding`, `upgrade`, `te`, `trailer`) and `content-length`/`content-type`/`user-agent`, and headers
 * whose value HTTP cannot carry. Added: `x-centrifugo-user` and `x-centrifugo-client`, always percent-encoded
 * (`encodeURIComponent`: `用户` arrives as `%E7%94%A8%E6%88%B7`; `ann-42` is unchanged), so read them with
 * `decodeURIComponent`.
 *
 * The RPC result is `{ status, body }`: the response status and its body (parsed JSON when the response says
 * `application/json`, else text) — so a 422 with validation errors, or a 404, reaches the client as data to show,
 * like any other answer. Calls that cannot become an HTTP request are errors: a method without `:` gets
 * **104** "method not found", a verb other than GET/HEAD/POST/PUT/PATCH/DELETE gets **107** "unsupported HTTP
 * method", data that cannot be encoded (say nested too deeply for `JSON.stringify`) gets **107** too; each such
 * refusal is logged as a warning. A path no route serves is a 404 result; a failure inside the app that it did not
 * turn into a response is a 500 result (logged with its cause), as a real server would answer.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { provider } from "../internal/context.ts"
import { safe } from "../internal/logText.ts"
import * as Reply from "../Reply.ts"
import type { RpcRequest } from "../ProxyRequest.ts"

/**
 * An HTTP response as the bridge reports it.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpResult {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** Parsed JSON for `application/json` responses, the text otherwise (`""` for none). */
  readonly body: unknown
}

/**
 * The application's own HTTP app as a service: runs a `ProxyRequest` through it in-process and reports the response.
 *
 * @since 0.1.0
 * @category services
 */
export interface HttpBridge {
  /** Runs one request through the app, in-process. */
  readonly request: (request: globalThis.Request) => Effect.Effect<HttpResult>
}

export const HttpBridge: Context.Service<HttpBridge, HttpBridge> = Context.Service<HttpBridge>("effect-centrifugo/HttpBridge")

const readResult = (response: globalThis.Response): Effect.Effect<HttpResult> =>
  Effect.promise(async () => {
    const text = await response.text()
    const json = (response.headers.get("content-type") ?? "").includes("application/json") && text !== ""
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      body: json ? JSON.parse(text) : text
    }
  })

/**
 * The `HttpBridge` service from an `HttpRouter` app Layer (routes made with `HttpRouter.add`, ...). The app is built
 * once, with the Layer; each request runs in its own scope.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { HttpRouter, HttpServerResponse } from "effect/http"
 * import { HandlerSet, HttpBridge } from "effect-centrifugo"
 *
 * const Routes = HttpRouter.add("GET", "/news/:id", Effect.map(HttpRouter.params, ({ id }) =>
 *   HttpServerResponse.jsonUnsafe({ id, title: "Hello" })))
 *
 * // A client's `rpc("get:news/1", {})` gets `{ status: 200, body: { id: "1", title: "Hello" } }`.
 * const MyHandlers = HandlerSet.layer({ rpc: HttpBridge.rpc }).pipe(Layer.provide(HttpBridge.layer(Routes)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <A, E, R>(
  app: Layer.Layer<A, E, R>
): Layer.Layer<
  HttpBridge,
  HttpRouter.Request.Without<E>,
  | Exclude<HttpRouter.Request.Without<R>, HttpRouter.HttpRouter>
  | HttpRouter.Request.Only<"Requires", R>
  | HttpRouter.Request.Only<"GlobalRequires", R>
> =>
  Layer.effect(
    HttpBridge,
    Effect.gen(function*() {
      const handle = yield* HttpRouter.toHttpEffect(app)
      // The routes' per-request services, resolved from this Layer's context once.
      const context = yield* Effect.context<
        HttpRouter.Request.Only<"Requires", R> | HttpRouter.Request.Only<"GlobalRequires", R>
      >()
      // Merged into the caller's context once per caller's context, not copied on every call (Effect.provideContext).
      const provide = provider(context as Context.Context<never>)
      const request = (webRequest: globalThis.Request): Effect.Effect<HttpResult> =>
        handle.pipe(
          // Failures the app did not answer become the response a real server sends (404 for no route, 500 for a
          // defect), and a defect is logged with its cause.
          Effect.catchCause((cause) =>
            Effect.flatMap(HttpServerError.causeResponse(cause), ([response, rest]) =>
              response.status >= 500
                ? Effect.as(Effect.logError(`HttpBridge: ${webRequest.method} ${new URL(webRequest.url).pathname} failed`, rest), response)
                : Effect.succeed(response))
          ),
          Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(webRequest)),
          Effect.map((response) => HttpServerResponse.toWeb(response)),
          Effect.flatMap(readResult),
          Effect.scoped,
          provide
        ) as Effect.Effect<HttpResult>
      return { request }
    })
  )

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"])
const QUERY_METHODS = new Set(["GET", "HEAD"])

/**
 * Headers never forwarded to the app: `host` (the app's host is the bridge's, not the client's) and the hop-by-hop
 * headers of RFC 9110 7.6.1 / RFC 2616 13.5.1, which describe the client's connection to Centrifugo, not this
 * request (plus any header the `connection` header names). `content-type` is the bridge's own for bodies.
 */
const NOT_FORWARDED = new Set([
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "content-length",
  "content-type",
  "user-agent"
])

const badRequest = (message: string): Reply.ErrorReply => Reply.error(Reply.ErrorCode.BadRequest, message)

/** JSON text of `value`, or undefined when it cannot be encoded (too deeply nested for the stack, cycles, bigint). */
const jsonText = (value: unknown): string | undefined => {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}

/** Adds RPC data as query parameters (scalars as text, arrays repeated, objects as JSON); false if it cannot. */
const appendQuery = (params: URLSearchParams, data: unknown): boolean => {
  if (typeof data !== "object" || data === null) return true
  for (const [key, value] of Object.entries(data)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined) continue
      const text = typeof item === "object" && item !== null ? jsonText(item) : String(item)
      if (text === undefined) return false
      params.append(key, text)
    }
  }
  return true
}

/** The forwarded headers the app may see (see NOT_FORWARDED); values a `Headers` refuses are dropped. */
const forwardedHeaders = (from: Readonly<Record<string, string>>): Headers => {
  const named = new Set((from.connection ?? "").split(",").map((token) => token.trim().toLowerCase()))
  const headers = new Headers()
  for (const [name, value] of Object.entries(from)) {
    const lower = name.toLowerCase()
    // Transport headers of the gRPC call are not the client's.
    if (lower.startsWith(":") || lower.startsWith("grpc-") || NOT_FORWARDED.has(lower) || named.has(lower)) continue
    try {
      headers.set(name, value)
    } catch {
      // Not a valid HTTP header (say a value outside Latin-1): the app could not have received it over HTTP either.
    }
  }
  return headers
}

/** The in-process HTTP request for an RPC call named `method:uri`, or the error reply when there is none. */
const toHttpRequest = (request: RpcRequest): globalThis.Request | Reply.ErrorReply => {
  const separator = request.method.indexOf(":")
  if (separator <= 0) {
    return Reply.error(Reply.ErrorCode.MethodNotFound, `method not found: ${request.method} (expected "verb:path")`)
  }
  const verb = request.method.slice(0, separator).toUpperCase()
  const target = request.method.slice(separator + 1).replace(/^\/+/, "")
  if (!BODY_METHODS.has(verb) && !QUERY_METHODS.has(verb)) return badRequest(`unsupported HTTP method: ${verb}`)
  // A fragment never reaches a server, and the data's query would end up inside it.
  if (target.includes("#")) return badRequest("the method path must not contain `#`")

  const queryStart = target.indexOf("?")
  const path = queryStart === -1 ? target : target.slice(0, queryStart)
  const params = new URLSearchParams(queryStart === -1 ? "" : target.slice(queryStart + 1))
  const withBody = BODY_METHODS.has(verb) && request.data !== undefined
  const body = withBody ? jsonText(request.data) : undefined
  if (withBody && body === undefined) return badRequest("the RPC data cannot be encoded as a JSON body")
  if (QUERY_METHODS.has(verb) && !appendQuery(params, request.data)) {
    return badRequest("the RPC data cannot be encoded as query parameters")
  }
  const query = params.toString()

  const headers = forwardedHeaders(request.headers)
  // Header values must be Latin-1: IDs are percent-encoded (UTF-8), always, so `decodeURIComponent` reads them back.
  headers.set("x-centrifugo-user", encodeURIComponent(request.user))
  headers.set("x-centrifugo-client", encodeURIComponent(request.client))
  if (body !== undefined) headers.set("content-type", "application/json")
  try {
    return new Request(`http://centrifugo.rpc/${path}${query === "" ? "" : `?${query}`}`, {
      method: verb,
      headers,
      ...(body === undefined ? {} : { body })
    })
  } catch {
    return badRequest(`not a valid request path: ${path}`)
  }
}

/**
 * An `rpc` handler forwarding `method:uri` calls to the `HttpBridge` app; the result is `{ status, body }`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const rpc = (request: RpcRequest): Effect.Effect<Reply.RpcReply, never, HttpBridge> => {
  const httpRequest = toHttpRequest(request)
  if (Reply.isRejection(httpRequest)) {
    // Escaped and shortened: the method, and the reason that quotes a part of it, are the client's text.
    return Effect.as(
      Effect.logWarning(`HttpBridge: rpc ${safe(JSON.stringify(request.method))} not forwarded: ${safe(httpRequest.message)}`),
      httpRequest
    )
  }
  return Effect.flatMap(Effect.service(HttpBridge), (http) =>
    Effect.map(http.request(httpRequest), (result) => Reply.rpc({ data: { status: result.status, body: result.body } })))
}

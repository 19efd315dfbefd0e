/**
 * The Http bridge: the application's own `effect/http` app, called in-process (no socket) from proxy handlers.
 *
 * `Http.layer(routes)` turns an `HttpRouter` app Layer into the `Http` service; its routes' services become the
 * Layer's requirements. `Http.rpc` is an `rpc` handler that forwards RPC calls named `method:uri` to it:
 *
 * | client call | HTTP request to the app |
 * |---|---|
 * | `rpc("get:news/123", { lang: "en" })` | `GET /news/123?lang=en` (data as query parameters for GET and HEAD) |
 * | `rpc("post:news/store", { title: "..." })` | `POST /news/store` with the data as a JSON body (POST, PUT, PATCH, DELETE) |
 *
 * Forwarded headers (`authorization`, ...) travel with it, plus `x-centrifugo-user` and `x-centrifugo-client`.
 * The RPC result is `{ status, body }`: the response status and its body (parsed JSON when the response says
 * `application/json`, else text) — so a 422 with validation errors, or a 404, reaches the client as data to show,
 * like any other answer. Calls that cannot become an HTTP request are errors: a method without `:` gets
 * **104** "method not found", a verb other than GET/HEAD/POST/PUT/PATCH/DELETE gets **107** "unsupported HTTP
 * method". A path no route serves is a 404 result; a failure inside the app that it did not turn into a response
 * is a 500 result (logged with its cause), as a real server would answer.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import { HttpRouter, HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"
import * as Reply from "../Reply.ts"
import type { RpcRequest } from "../Request.ts"

/** An HTTP response as the bridge reports it. */
export interface HttpResult {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** Parsed JSON for `application/json` responses, the text otherwise (`""` for none). */
  readonly body: unknown
}

export interface Http {
  /** Runs one request through the app, in-process. */
  readonly request: (request: globalThis.Request) => Effect.Effect<HttpResult>
}

export const Http: Context.Service<Http, Http> = Context.Service<Http>("effect-centrifugo/Http")

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
 * The `Http` service from an `HttpRouter` app Layer (routes made with `HttpRouter.add`, ...). The app is built
 * once, with the Layer; each request runs in its own scope.
 */
export const layer = <A, E, R>(
  app: Layer.Layer<A, E, R>
): Layer.Layer<
  Http,
  HttpRouter.Request.Without<E>,
  | Exclude<HttpRouter.Request.Without<R>, HttpRouter.HttpRouter>
  | HttpRouter.Request.Only<"Requires", R>
  | HttpRouter.Request.Only<"GlobalRequires", R>
> =>
  Layer.effect(
    Http,
    Effect.gen(function*() {
      const handle = yield* HttpRouter.toHttpEffect(app)
      // The routes' per-request services, resolved from this Layer's context once.
      const context = yield* Effect.context<
        HttpRouter.Request.Only<"Requires", R> | HttpRouter.Request.Only<"GlobalRequires", R>
      >()
      const request = (webRequest: globalThis.Request): Effect.Effect<HttpResult> =>
        handle.pipe(
          // Failures the app did not answer become the response a real server sends (404 for no route, 500 for a
          // defect), and a defect is logged with its cause.
          Effect.catchCause((cause) =>
            Effect.flatMap(HttpServerError.causeResponse(cause), ([response, rest]) =>
              response.status >= 500
                ? Effect.as(Effect.logError(`Http: ${webRequest.method} ${new URL(webRequest.url).pathname} failed`, rest), response)
                : Effect.succeed(response))
          ),
          Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(webRequest)),
          Effect.map((response) => HttpServerResponse.toWeb(response)),
          Effect.flatMap(readResult),
          Effect.scoped,
          Effect.provideContext(context)
        ) as Effect.Effect<HttpResult>
      return { request }
    })
  )

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"])
const QUERY_METHODS = new Set(["GET", "HEAD"])

/** Query parameters from RPC data: scalars as text, arrays repeated, objects as JSON. */
const toQuery = (data: unknown): string => {
  if (typeof data !== "object" || data === null) return ""
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(data)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined) continue
      params.append(key, typeof item === "object" && item !== null ? JSON.stringify(item) : String(item))
    }
  }
  const query = params.toString()
  return query === "" ? "" : `?${query}`
}

/** The in-process HTTP request for an RPC call named `method:uri`, or the error reply when there is none. */
export const toHttpRequest = (request: RpcRequest): globalThis.Request | Reply.ErrorReply => {
  const separator = request.method.indexOf(":")
  if (separator <= 0) {
    return Reply.error(Reply.ErrorCode.MethodNotFound, `method not found: ${request.method} (expected "verb:path")`)
  }
  const verb = request.method.slice(0, separator).toUpperCase()
  const path = request.method.slice(separator + 1).replace(/^\/+/, "")
  if (!BODY_METHODS.has(verb) && !QUERY_METHODS.has(verb)) {
    return Reply.error(Reply.ErrorCode.BadRequest, `unsupported HTTP method: ${verb}`)
  }
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    // Transport headers of the gRPC call are not the client's.
    if (name.startsWith(":") || name.startsWith("grpc-") || name === "content-type" || name === "user-agent" || name === "te") continue
    headers.set(name, value)
  }
  headers.set("x-centrifugo-user", request.user)
  headers.set("x-centrifugo-client", request.client)
  const withBody = BODY_METHODS.has(verb) && request.data !== undefined
  if (withBody) headers.set("content-type", "application/json")
  return new Request(`http://centrifugo.rpc/${path}${QUERY_METHODS.has(verb) ? toQuery(request.data) : ""}`, {
    method: verb,
    headers,
    ...(withBody ? { body: JSON.stringify(request.data) } : {})
  })
}

/** An `rpc` handler forwarding `method:uri` calls to the `Http` app; the result is `{ status, body }`. */
export const rpc = (request: RpcRequest): Effect.Effect<Reply.RpcReply, never, Http> => {
  const httpRequest = toHttpRequest(request)
  if (Reply.isRejection(httpRequest)) return Effect.succeed(httpRequest)
  return Effect.flatMap(Effect.service(Http), (http) =>
    Effect.map(http.request(httpRequest), (result) => Reply.rpc({ data: { status: result.status, body: result.body } })))
}

/**
 * The HTTP transport: Centrifugo's HTTP proxies answered by the same `Handlers` (and interceptors) as the gRPC
 * server, one POST route per event under a prefix (`/centrifugo/connect`, `/centrifugo/rpc`, ...).
 *
 * - `HttpProxy.routes(options)` registers the routes on an `effect/http` `HttpRouter`: mount them in your own app
 *   (one port for your API and the proxy);
 * - `HttpProxy.layer(options)` / `layerConfig()` serve them alone on Node's HTTP server (`PROXY_HTTP_HOST` /
 *   `PROXY_HTTP_PORT`, default 0.0.0.0:10002), with a graceful drain on shutdown. This one is a plain `node:http`
 *   request listener (`listener.ts`): about twice as fast per call as the router.
 * Both decide every answer in `exchange.ts`, so they answer alike (the integration tests run against both).
 *
 * Per request, with a test for each rule:
 * - the body is decoded (Centrifugo's JSON, see `codec.ts`) and run through the core pipeline: a failure or defect
 *   the handler did not turn into a reply is logged once and answered `failureReply` (default error 100,
 *   temporary) with HTTP 200; refresh and sub-refresh answer HTTP 500 instead, which Centrifugo treats as "try
 *   again later" (a refresh is extended by 60 s) rather than ending the session over an ignored error field;
 * - a payload that is not JSON, or nested deeper than 512 levels: error 107 (refresh: HTTP 400), handler not called;
 * - a body that is not a request of the event: HTTP 400 with the reason;
 * - another method than POST: 405; an unknown event path under the prefix: 404 listing the known ones;
 * - a body over `maxBodySize` (default 4 MiB): 413, refused from its Content-Length before it is read, or as soon
 *   as the bytes read pass the limit (a chunked body);
 * - an event without a handler: 501 naming the missing handler;
 * - HTTP has no deadline header: every call is bounded by `timeout`, and Centrifugo giving up (its proxy
 *   `timeout` closes the request) interrupts the handler's fiber, running its finalizers;
 * - `requireHeader`: requests without the header's exact value (constant-time) answer 401 and reach no handler;
 *   the header is removed from `request.headers`; one warning per 10 s;
 * - `request.headers` holds what Centrifugo forwarded (`http_headers`, `emulated_headers`, `http.static_headers`),
 *   lower-cased, without the headers that only describe the HTTP message (host, content-length, ...).
 *
 * @since 0.2.0
 */
import * as ByteSize from "effect/ByteSize"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { createServer } from "node:http"
import type { Handler } from "../Handlers.ts"
import { Handlers } from "../Handlers.ts"
import * as Pipeline from "../internal/pipeline.ts"
import * as Readiness from "../ops/Readiness.ts"
import * as Defaults from "../Defaults.ts"
import { DEFAULT_PREFIX, httpEvents } from "./events.ts"
import * as Exchange from "./exchange.ts"
import * as Listener from "./listener.ts"
import * as Secret from "./secret.ts"
import { type ConfigurableOptions, read, readOptional } from "../internal/configurable.ts"
import { warnAboutMismatches } from "../internal/configCheck.ts"

export interface HttpProxyRoutesOptions {
  /** The routes' prefix: `${prefix}/connect`, `${prefix}/rpc`, ... Default `/centrifugo`. */
  readonly prefix?: string
  /** The error reply for failures and defects that handlers did not turn into a reply. */
  readonly failureReply?: { readonly code: number; readonly message: string; readonly temporary: boolean }
  /**
   * Upper bound of a call (HTTP carries no deadline). Default 30 s. Set it a little below the proxy `timeout` of
   * Centrifugo's config (default 1 s) so Centrifugo gets the failure reply rather than a timeout; when Centrifugo
   * gives up first, it closes the request and the handler is interrupted anyway.
   */
  readonly timeout?: Duration.Input
  /** Largest body accepted, in bytes; larger ones answer 413. Default 4 MiB. */
  readonly maxBodySize?: number
  /**
   * A header every request must carry with this exact value: put it in the proxy's `http.static_headers`, and never
   * list its name in `http_headers` or `emulated_headers` (Centrifugo lets a forwarded client header of the same
   * name replace a static one). Requests without it answer 401; the header is removed from `request.headers`.
   * An empty name or value fails at start.
   */
  readonly requireHeader?: { readonly name: string; readonly value: Redacted.Redacted<string> | string }
}

export interface HttpProxyOptions extends HttpProxyRoutesOptions {
  /** Interface to bind. Default `0.0.0.0`. */
  readonly host?: string
  /** Port to bind; `0` picks a free one (read it from the `HttpProxy` service). Default 10002. */
  readonly port?: number
  /** How long in-flight requests may run after shutdown starts before they are interrupted. Default 10 s. */
  readonly shutdownTimeout?: Duration.Input
  /**
   * How long an idle keep-alive connection is kept open. Default: as long as Centrifugo keeps it (`0`, never closed
   * by us). Centrifugo's HTTP proxy client keeps idle connections without a time limit and does not retry a POST
   * that meets a connection closed under it, so a server closing idle connections (Node's default: after 5 s) now
   * and then fails a call that raced the close. Dead peers are found by TCP keep-alive probes instead.
   */
  readonly keepAliveTimeout?: Duration.Input
  /**
   * The path of the Centrifugo config this server is meant for (`layerConfig`: `PROXY_CENTRIFUGO_CONFIG`). At start,
   * each proxy in it that reaches no handler, each handler no proxy reaches, and proxies that call gRPC instead of
   * HTTP are logged as warnings.
   */
  readonly centrifugoConfig?: string
}

/** The running standalone server. */
export interface HttpProxy {
  /** The bound port (useful with `port: 0`). */
  readonly port: number
  /** `http://host:port`: Centrifugo's proxy `endpoint` is this plus the route path. */
  readonly url: string
  /** The routes' prefix. */
  readonly prefix: string
}

export const HttpProxy: Context.Service<HttpProxy, HttpProxy> = Context.Service<HttpProxy>(
  "effect-centrifugo/HttpProxy"
)

/** The HTTP proxy could not start: it cannot bind, or its configuration is unsafe or invalid. */
export interface HttpProxyError {
  readonly _tag: "HttpProxyError"
  readonly message: string
  readonly cause?: unknown
}

export const HttpProxyError = (message: string, cause?: unknown): HttpProxyError => {
  const error = { _tag: "HttpProxyError" as const, message, ...(cause === undefined ? {} : { cause }) }
  return Object.defineProperty(error, "toString", { value: () => `HttpProxyError: ${message}`, enumerable: false })
}

/** The default body limit: 4 MiB, as the gRPC server's message limit. */
export const DEFAULT_MAX_BODY_SIZE = 4 * 1024 * 1024

/** The route paths of every event under `prefix`, e.g. `{ connect: "/centrifugo/connect", ... }`. */
export const paths = (prefix: string = DEFAULT_PREFIX): Readonly<Record<string, string>> =>
  Object.fromEntries(httpEvents.map((event) => [event.path, `${normalizePrefix(prefix)}/${event.path}`]))

const normalizePrefix = (prefix: string): string => {
  const trimmed = prefix.replace(/\/+$/, "")
  return trimmed === "" || trimmed.startsWith("/") ? trimmed : `/${trimmed}`
}

/** Refuses a secret that would protect nothing (an empty name or value) at start, before anything listens. */
const validateSecret = (required: HttpProxyRoutesOptions["requireHeader"]) => {
  const problem = Secret.problem(required)
  return problem === undefined ? Effect.void : Effect.fail(HttpProxyError(problem))
}

/** An answer decided by `exchange.ts` as an `effect/http` response (logging its line, if any). */
const respondWith = (answer: Exchange.Answer) => {
  const response = HttpServerResponse.text(answer.body, {
    status: answer.status,
    contentType: answer.contentType,
    ...(answer.allow === undefined ? {} : { headers: { allow: answer.allow } })
  })
  return answer.log === undefined ? Effect.succeed(response) : Effect.as(answer.log, response)
}

const isBodyTooLarge = (error: unknown): boolean => {
  const reason = (error as { reason?: { _tag?: unknown; reason?: unknown } } | undefined)?.reason
  return reason?._tag === "RequestParseError" && reason.reason === "BodyTooLarge"
}

/** One event's route on the `effect/http` router: the same decisions as the standalone listener. */
const route = (settings: Exchange.EventRoute) => {
  const limit = ByteSize.bytes(settings.maxBodySize)
  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    // Read once: the platform's request rebuilds its headers record on every access.
    const headers = request.headers
    const refused = Exchange.admit(settings, request.method, headers)
    if (refused !== undefined) return yield* respondWith(refused)
    const read = yield* Effect.result(
      Effect.provideService(request.arrayBuffer, HttpServerRequest.MaxBodySize, limit)
    )
    if (read._tag === "Failure") {
      return yield* respondWith(
        isBodyTooLarge(read.failure) ? Exchange.bodyTooLarge(settings) : Exchange.unreadableBody(settings, read.failure)
      )
    }
    const pipeline = settings.pipeline!
    const decoded = Exchange.decode(settings, Buffer.from(read.success), headers)
    if (decoded._tag === "Answer") return yield* respondWith(decoded.answer)
    const outcome = decoded._tag === "InvalidJson"
      ? yield* pipeline.invalidJson(decoded.field, decoded.reason)
      // Centrifugo closing the request interrupts this fiber (and so the handler's): effect/http does it on abort.
      : yield* pipeline.run(decoded.request, settings.timeout)
    return yield* respondWith(Exchange.answerOf(outcome))
  })
}

/** The route of every event, keyed by its full path; fails on an invalid `failureReply`, secret or body limit. */
const eventRoutes = (options: HttpProxyRoutesOptions) =>
  Effect.gen(function*() {
    yield* validateSecret(options.requireHeader)
    const maxBodySize = options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE
    if (!(Number.isInteger(maxBodySize) && maxBodySize > 0)) {
      return yield* Effect.fail(HttpProxyError(`maxBodySize ${maxBodySize} is not a positive integer`))
    }
    const handlers = yield* Handlers
    const prefix = normalizePrefix(options.prefix ?? DEFAULT_PREFIX)
    const failureReply = options.failureReply ?? Pipeline.DEFAULT_FAILURE_REPLY
    const timeout = options.timeout === undefined ? Pipeline.DEFAULT_TIMEOUT : Duration.fromInputUnsafe(options.timeout)
    const secret = Secret.check(options.requireHeader)
    const refuse = Exchange.refuser()
    const tooLarge = `effect-centrifugo: the body is larger than ${maxBodySize} bytes (maxBodySize)`
    const routes = new Map<string, Exchange.EventRoute>()
    for (const event of httpEvents) {
      const handler = handlers[event.spec.event] as Handler<never, never> | undefined
      const pipeline = handler === undefined ? undefined : yield* Effect.try({
        try: () => Pipeline.make(event.spec, handler, event.encode as (reply: unknown) => string, { failureReply }),
        catch: (error) => HttpProxyError(`invalid failureReply: ${String(error)}`, error)
      })
      routes.set(`${prefix}/${event.path}`, {
        event,
        pipeline,
        timeout,
        maxBodySize,
        secret,
        tooLarge,
        refuse: () => refuse(event.spec.tag)
      })
    }
    return { prefix, routes }
  })

/**
 * The proxy routes, registered on the `HttpRouter` of your app. Requires `Handlers`; fails with `HttpProxyError`
 * when `failureReply` or `requireHeader` is invalid.
 *
 * ```ts
 * const App = Layer.mergeAll(MyApiRoutes, HttpProxy.routes()).pipe(Layer.provide(MyHandlers))
 * HttpRouter.serve(App).pipe(Layer.provide(NodeHttpServer.layer(createServer, { port: 3000 })))
 * ```
 */
export const routes = (
  options: HttpProxyRoutesOptions = {}
): Layer.Layer<never, HttpProxyError, HttpRouter.HttpRouter | Handlers> =>
  HttpRouter.use((router) =>
    Effect.gen(function*() {
      const { prefix, routes } = yield* eventRoutes(options)
      for (const [path, settings] of routes) {
        yield* router.add("*", path as HttpRouter.PathInput, route(settings))
      }
      // Under a prefix of its own, an unknown event gets a 404 that says what exists; at the root (prefix "") the
      // app's own not-found handling stays in charge.
      if (prefix === "") return
      const known = httpEvents.map((event) => event.path).join(", ")
      yield* router.add(
        "*",
        `${prefix}/*` as HttpRouter.PathInput,
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          return yield* respondWith(Exchange.unknownEvent(request.url, known))
        })
      )
    })
  )

/**
 * The routes served alone on Node's HTTP server, with the plain request listener of `listener.ts` (the same answers
 * as `routes`, without the router's per-request cost): listening once built, drained when its scope closes. Beside
 * the proxy routes it serves `GET /healthz` (live) and `GET /readyz` (`503` from the moment the drain starts, or
 * while the `Readiness` check fails), sharing the `Readiness` in context with the other servers (a private one
 * without).
 *
 * The drain: `/readyz` turns 503 (and the gRPC health NOT_SERVING, when the `Readiness` is shared), the server stops
 * accepting connections and closes idle ones; in-flight requests are answered (each on a connection then closed)
 * for up to `shutdownTimeout`, after which their handlers are interrupted and they answer 503.
 */
export const layer = (options: HttpProxyOptions = {}): Layer.Layer<HttpProxy, HttpProxyError, Handlers> =>
  Layer.effect(HttpProxy, make(options))

const make = Effect.fnUntraced(function*(options: HttpProxyOptions) {
  const host = options.host ?? Defaults.http.host
  const port = options.port ?? Defaults.http.port
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    return yield* Effect.fail(HttpProxyError(`port ${port} is not a port number (0-65535; 0 = any free port)`))
  }
  // Checked before binding, so an unsafe configuration never listens.
  const { prefix, routes } = yield* eventRoutes(options)
  const shutdownTimeout = Duration.fromInputUnsafe(options.shutdownTimeout ?? Duration.seconds(10))
  const readiness = yield* Readiness.currentOrPrivate
  const fork = Effect.runForkWith(yield* Effect.context<never>())
  const inflight = new Set<Fiber.Fiber<unknown, unknown>>()
  let closing = false
  const server = createServer(
    // TCP keep-alive probes on every connection: an idle connection whose peer vanished is found and closed.
    { keepAlive: true, keepAliveInitialDelay: 60_000 },
    Listener.make({ routes, prefix, readiness, fork, inflight, closing: () => closing })
  )
  server.keepAliveTimeout = Duration.toMillis(Duration.fromInputUnsafe(options.keepAliveTimeout ?? Duration.zero))

  // Registered before binding, so it runs even if binding fails (then there is nothing to drain).
  yield* Effect.addFinalizer(() =>
    Effect.gen(function*() {
      yield* readiness.drain
      if (!server.listening) return
      closing = true
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Every answer from now on closes its connection; a connection that went idle just before (its answer was
      // already on its way) is closed by this sweep, so the drain ends with the last in-flight request.
      server.closeIdleConnections()
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
      const drained = yield* Effect.promise(() => closed).pipe(
        Effect.as(true),
        Effect.timeoutOrElse({ duration: shutdownTimeout, orElse: () => Effect.succeed(false) }),
        Effect.ensuring(Effect.sync(() => clearInterval(sweep)))
      )
      if (!drained) {
        if (inflight.size > 0) {
          yield* Effect.logWarning(
            `${inflight.size} request(s) still running ${Duration.format(shutdownTimeout)} after shutdown began; ` +
              "interrupting them"
          )
          yield* Fiber.interruptAll([...inflight])
        }
        // Their 503 answers close their connections; force whatever is left (a client still sending) after a moment.
        yield* Effect.promise(() => closed).pipe(
          Effect.timeoutOrElse({
            duration: STATUS_FLUSH_TIMEOUT,
            orElse: () => Effect.sync(() => server.closeAllConnections())
          })
        )
      }
      yield* Effect.logInfo("Centrifugo HTTP proxy stopped")
    })
  )

  const bound = yield* Effect.callback<number, HttpProxyError>((resume) => {
    const failed = (error: Error) => resume(Effect.fail(HttpProxyError(`cannot bind ${host}:${port}: ${error.message}`, error)))
    server.once("error", failed)
    server.listen(port, host, () => {
      server.off("error", failed)
      const address = server.address()
      resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : port))
    })
  })
  // After binding, a server error (rare: the listening socket failing) is logged; connections' errors are Node's.
  server.on("error", (error) => void fork(Effect.logError("Centrifugo HTTP proxy server error", error)))
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${bound}`
  yield* Effect.logInfo(`Centrifugo HTTP proxy listening on ${url}${prefix}/{${httpEvents.map((e) => e.path).join(",")}}`)
  if (options.centrifugoConfig !== undefined) yield* warnAboutMismatches(options.centrifugoConfig, yield* Handlers, "http")
  return HttpProxy.of({ port: bound, url, prefix })
})

/** How often a draining server closes the connections that went idle. */
const IDLE_SWEEP_MS = 50

/** After interrupting what outlived the grace period: time for their 503 answers to reach Centrifugo. */
const STATUS_FLUSH_TIMEOUT = Duration.seconds(1)

/** An option given as a value, or as a `Config` read when the Layer is built. */
export type { Configurable } from "../internal/configurable.ts"

export type HttpProxyConfig = ConfigurableOptions<HttpProxyOptions>

/**
 * The standalone server configured from the environment: `PROXY_HTTP_HOST` (default `0.0.0.0`), `PROXY_HTTP_PORT`
 * (default 10002), `PROXY_HTTP_TIMEOUT` (a duration, default 30 seconds), `PROXY_HTTP_SHUTDOWN_TIMEOUT` (default
 * 10 seconds), and `PROXY_HTTP_SECRET_HEADER` with `PROXY_HTTP_SECRET` (optional: a header Centrifugo sends from the
 * proxy's `http.static_headers`, then required on every request; setting only one of them, or an empty one, fails
 * at start), and `PROXY_CENTRIFUGO_CONFIG` (the path of Centrifugo's config: mismatches with the handlers are logged
 * at start). Any option may be given as a value or a `Config` of your own instead.
 */
export const layerConfig = (
  config: HttpProxyConfig = {}
): Layer.Layer<HttpProxy, HttpProxyError | Config.ConfigError, Handlers> =>
  Layer.unwrap(Effect.gen(function*() {
    const host = yield* read(config.host, Config.String("PROXY_HTTP_HOST").pipe(Config.withDefault(Defaults.http.host)))
    const port = yield* read(config.port, Config.Int("PROXY_HTTP_PORT").pipe(Config.withDefault(Defaults.http.port)))
    const timeout = yield* read<Duration.Input>(
      config.timeout,
      Config.Duration("PROXY_HTTP_TIMEOUT").pipe(Config.withDefault(Pipeline.DEFAULT_TIMEOUT))
    )
    const shutdownTimeout = yield* read<Duration.Input>(
      config.shutdownTimeout,
      Config.Duration("PROXY_HTTP_SHUTDOWN_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10)))
    )
    const requireHeader = config.requireHeader !== undefined
      ? yield* read(config.requireHeader, Config.succeed(undefined))
      : yield* secretFromEnv
    const rest: Record<string, unknown> = {}
    const centrifugoConfig = yield* read<string | undefined>(
      config.centrifugoConfig,
      Config.String("PROXY_CENTRIFUGO_CONFIG").pipe(Config.withDefault(undefined))
    )
    for (const key of ["prefix", "failureReply", "maxBodySize", "keepAliveTimeout"] as const) {
      const value = config[key]
      if (value !== undefined) rest[key] = yield* readOptional<unknown>(value)
    }
    return layer({
      ...(rest as HttpProxyOptions),
      host,
      port,
      timeout,
      shutdownTimeout,
      ...(requireHeader === undefined ? {} : { requireHeader }),
      ...(centrifugoConfig === undefined ? {} : { centrifugoConfig })
    })
  }))

/** PROXY_HTTP_SECRET_HEADER + PROXY_HTTP_SECRET: both or neither, never empty. */
const secretFromEnv = Effect.gen(function*() {
  const { name, value } = yield* Config.all({
    name: Config.String(Defaults.http.secretEnv.name).pipe(Config.option),
    value: Config.Redacted(Defaults.http.secretEnv.value).pipe(Config.option)
  })
  if (name._tag === "None" && value._tag === "None") return undefined
  if (name._tag === "None") {
    return yield* Effect.fail(
      HttpProxyError("PROXY_HTTP_SECRET is set but PROXY_HTTP_SECRET_HEADER is not: set both, or neither")
    )
  }
  if (value._tag === "None") {
    return yield* Effect.fail(
      HttpProxyError("PROXY_HTTP_SECRET_HEADER is set but PROXY_HTTP_SECRET is not: set both, or neither")
    )
  }
  return { name: name.value, value: value.value }
})

/**
 * The HTTP transport: Centrifugo's HTTP proxies answered by the same `HandlerSet` (and interceptors) as the gRPC
 * server, one POST route per event under a prefix (`/centrifugo/connect`, `/centrifugo/rpc`, ...).
 *
 * - `HttpProxy.routes(options)` registers the routes on an `effect/http` `HttpRouter`: mount them in your own app
 *   (one port for your API and the proxy);
 * - `HttpProxy.layer(options)` / `layerConfig()` serve them alone on Node's HTTP server (`PROXY_HTTP_HOST` /
 *   `PROXY_HTTP_PORT`, default 0.0.0.0:10002), with a graceful drain on shutdown. This one is a plain `node:http`
 *   request listener (`listener.ts`): about twice as fast per call as the router.
 * Both decide every answer in `exchange.ts`, so they answer alike (the integration tests run against both).
 *
 * What the routes answer in every situation (failures, bad bodies, oversized or slow bodies, missing handlers, the
 * secret header, connection bounds, drain and shutdown) is listed once, for both transports, in the guarantees
 * reference (`docs/reference/guarantees.md`); each row has a test. `request.headers` holds what Centrifugo
 * forwarded (`http_headers`, `emulated_headers`, `http.static_headers`), lower-cased, without the headers that only
 * describe the HTTP message (host, content-length, ...).
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import { createServer } from "node:http"
import type { Handler } from "../Handler.ts"
import { HandlerSet } from "../HandlerSet.ts"
import * as Pipeline from "../internal/pipeline.ts"
import * as Readiness from "../ops/Readiness.ts"
import * as Defaults from "../Defaults.ts"
import { DEFAULT_PREFIX, httpEvents } from "./events.ts"
import * as Exchange from "./exchange.ts"
import * as Listener from "./listener.ts"
import * as Mounted from "./mounted.ts"
import * as Secret from "./secret.ts"
import { type ConfigurableOptions, read, readOptional } from "../internal/configurable.ts"
import { warnAboutMismatches } from "../internal/configCheck.ts"

/**
 * Options of the HTTP proxy routes: path prefix, failure reply, call timeout, body limit and a required secret
 * header.
 *
 * @since 0.1.0
 * @category models
 */
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
   * How long a request's body may take to arrive once its headers are in; a slower one answers 408 and its
   * connection is closed (a client trickling a body cannot hold it and its buffer for minutes). Default 10 s.
   */
  readonly bodyTimeout?: Duration.Input
  /**
   * A header every request must carry with this exact value: put it in the proxy's `http.static_headers`, and never
   * list its name in `http_headers` or `emulated_headers` (Centrifugo lets a forwarded client header of the same
   * name replace a static one). Requests without it answer 401; the header is removed from `request.headers`.
   * An empty name or value fails at start.
   */
  readonly requireHeader?: { readonly name: string; readonly value: Redacted.Redacted<string> | string }
}

/**
 * Options of the standalone HTTP proxy server: the route options plus address, shutdown timeout and keep-alive.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpProxyOptions extends HttpProxyRoutesOptions {
  /** Interface to bind. Default `0.0.0.0`. */
  readonly host?: string
  /** Port to bind; `0` picks a free one (read it from the `HttpProxy` service). Default 10002. */
  readonly port?: number
  /** How long in-flight requests may run after shutdown starts before they are interrupted. Default 10 s. */
  readonly shutdownTimeout?: Duration.Input
  /**
   * How long the server keeps accepting connections and calls after shutdown starts while `/readyz` already
   * answers 503: time for probes and load balancers to notice (as the gRPC server's `drainDelay`). Default 0.
   */
  readonly drainDelay?: Duration.Input
  /**
   * How long an idle keep-alive connection is kept open. Default: as long as Centrifugo keeps it (`0`, never closed
   * by us). Centrifugo's HTTP proxy client keeps idle connections without a time limit and does not retry a POST
   * that meets a connection closed under it, so a server closing idle connections (Node's default: after 5 s) now
   * and then fails a call that raced the close. Dead peers are found by TCP keep-alive probes instead.
   */
  readonly keepAliveTimeout?: Duration.Input
  /**
   * Most connections open at once; more are refused (closed at once) with a warning, at most one per 10 s. Keep it
   * below the process's file descriptor limit (`ulimit -n`, often 1024) minus what the rest of the process uses.
   * Default 900. Centrifugo's kept connections go on being answered when a stranger holds the rest.
   */
  readonly maxConnections?: number
  /**
   * The path of the Centrifugo config this server is meant for (`layerConfig`: `PROXY_CENTRIFUGO_CONFIG`). At start,
   * each proxy in it that reaches no handler, each handler no proxy reaches, and proxies that call gRPC instead of
   * HTTP are logged as warnings.
   */
  readonly centrifugoConfig?: string
}

/**
 * The running standalone server.
 *
 * @since 0.1.0
 * @category services
 */
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

/**
 * The HTTP proxy could not start: it cannot bind, or its configuration is unsafe or invalid.
 *
 * @since 0.1.0
 * @category errors
 */
export interface HttpProxyError {
  readonly _tag: "HttpProxyError"
  readonly message: string
  readonly cause?: unknown
}

export const HttpProxyError = (message: string, cause?: unknown): HttpProxyError => {
  const error = { _tag: "HttpProxyError" as const, message, ...(cause === undefined ? {} : { cause }) }
  return Object.defineProperty(error, "toString", { value: () => `HttpProxyError: ${message}`, enumerable: false })
}

/**
 * The default time a request's headers, then its body, may take to arrive.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBodyTimeout = Duration.seconds(10)

/**
 * The default connection cap of the standalone server: below the common `ulimit -n` of 1024, with room to spare.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxConnections = 900

/**
 * The default body limit: 4 MiB, as the gRPC server's message limit.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxBodySize = 4 * 1024 * 1024

/**
 * The route paths of every event under `prefix`, e.g. `{ connect: "/centrifugo/connect", ... }`.
 *
 * @since 0.1.0
 * @category utils
 */
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

/** The route of every event, keyed by its full path; fails on an invalid `failureReply`, secret or body limit. */
const eventRoutes = (options: HttpProxyRoutesOptions) =>
  Effect.gen(function*() {
    yield* validateSecret(options.requireHeader)
    const maxBodySize = options.maxBodySize ?? defaultMaxBodySize
    if (!(Number.isInteger(maxBodySize) && maxBodySize > 0)) {
      return yield* Effect.fail(HttpProxyError(`maxBodySize ${maxBodySize} is not a positive integer`))
    }
    const handlers = yield* HandlerSet
    const prefix = normalizePrefix(options.prefix ?? DEFAULT_PREFIX)
    const failureReply = options.failureReply ?? Pipeline.DEFAULT_FAILURE_REPLY
    const timeout = options.timeout === undefined ? Pipeline.DEFAULT_TIMEOUT : Duration.fromInputUnsafe(options.timeout)
    const bodyTimeout = Duration.fromInputUnsafe(options.bodyTimeout ?? defaultBodyTimeout)
    if (!(Duration.toMillis(bodyTimeout) >= 1)) {
      return yield* Effect.fail(HttpProxyError(`bodyTimeout ${Duration.format(bodyTimeout)} is shorter than 1 ms`))
    }
    const secret = Secret.check(options.requireHeader)
    const refuse = Exchange.refuser()
    const tooLarge = `effect-centrifugo: the body is larger than ${maxBodySize} bytes (maxBodySize)`
    const routes = new Map<string, Exchange.EventRoute>()
    for (const event of httpEvents) {
      const handler = handlers[event.spec.name] as Handler<never, never> | undefined
      const pipeline = handler === undefined ? undefined : yield* Effect.try({
        try: () => Pipeline.make(event.spec, handler, event.encode as (reply: unknown) => string, { failureReply }),
        catch: (error) => HttpProxyError(`invalid failureReply: ${String(error)}`, error)
      })
      routes.set(`${prefix}/${event.path}`, {
        event,
        pipeline,
        timeout,
        maxBodySize,
        bodyTimeout,
        secret,
        tooLarge,
        refuse: (kind, message) => refuse(event, kind, message)
      })
    }
    return { prefix, routes }
  })

/**
 * The proxy routes, registered on the `HttpRouter` of your app. Requires `HandlerSet`; fails with `HttpProxyError`
 * when `failureReply` or `requireHeader` is invalid.
 *
 * ```ts
 * import { NodeHttpServer } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { HttpRouter, HttpServerResponse } from "effect/http"
 * import { type HandlerSet, HttpProxy } from "effect-centrifugo"
 * import { createServer } from "node:http"
 *
 * declare const MyHandlers: Layer.Layer<HandlerSet.HandlerSet>
 *
 * const MyApiRoutes = HttpRouter.add("GET", "/api/health", HttpServerResponse.text("ok"))
 * const App = Layer.mergeAll(MyApiRoutes, HttpProxy.routes()).pipe(Layer.provide(MyHandlers))
 * const Server = HttpRouter.serve(App).pipe(Layer.provide(NodeHttpServer.layer(createServer, { port: 3000 })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const routes = (
  options: HttpProxyRoutesOptions = {}
): Layer.Layer<never, HttpProxyError, HttpRouter.HttpRouter | HandlerSet> =>
  HttpRouter.use((router) =>
    Effect.gen(function*() {
      const { prefix, routes } = yield* eventRoutes(options)
      const known = httpEvents.map((event) => event.path).join(", ")
      // As the standalone server: under the prefix, a 404 that says what exists; elsewhere a plain 404.
      const notFound = (url: string) =>
        prefix !== "" && Mounted.pathOf(url).startsWith(`${prefix}/`) ? Exchange.unknownEvent(url, known) : Exchange.NOT_FOUND
      for (const [path, settings] of routes) {
        yield* router.add("*", path as HttpRouter.PathInput, Mounted.route(path, settings, notFound))
      }
      // Under a prefix of its own, an unknown event gets a 404 that says what exists; at the root (prefix "") the
      // app's own not-found handling stays in charge.
      if (prefix === "") return
      yield* router.add(
        "*",
        `${prefix}/*` as HttpRouter.PathInput,
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          return yield* Mounted.respondWith(notFound(request.url))
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
 * The drain: `/readyz` turns 503 (and the gRPC health NOT_SERVING, when the `Readiness` is shared), the server keeps
 * serving for `drainDelay` (default 0) so load balancers notice, then stops accepting connections and closes idle ones; in-flight requests are answered (each on a connection then closed)
 * for up to `shutdownTimeout`, after which their handlers are interrupted and they answer 503.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { HandlerSet, HttpProxy, Main, Reply } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "" })) })
 *
 * // Centrifugo's HTTP proxies call http://backend:10002/centrifugo/connect, /centrifugo/rpc, ...
 * Main.run(HttpProxy.layer({ port: 10002, timeout: "900 millis" }).pipe(Layer.provide(MyHandlers)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: HttpProxyOptions = {}): Layer.Layer<HttpProxy, HttpProxyError, HandlerSet> =>
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
  const drainDelay = Duration.fromInputUnsafe(options.drainDelay ?? Duration.zero)
  const readiness = yield* Readiness.currentOrPrivate
  const fork = Effect.runForkWith(yield* Effect.context<never>())
  const inflight = new Set<Fiber.Fiber<unknown, unknown>>()
  let closing = false
  const maxConnections = options.maxConnections ?? defaultMaxConnections
  if (!(Number.isInteger(maxConnections) && maxConnections > 0)) {
    return yield* Effect.fail(HttpProxyError(`maxConnections ${maxConnections} is not a positive integer`))
  }
  // Headers get the body's bound too (Node's own default is 60 s, checked every 30 s); the body's is ours.
  const slowRequestMs = Duration.toMillis(Duration.fromInputUnsafe(options.bodyTimeout ?? defaultBodyTimeout))
  const server = createServer(
    {
      // TCP keep-alive probes on every connection: an idle connection whose peer vanished is found and closed.
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
      headersTimeout: slowRequestMs,
      requestTimeout: 0,
      connectionsCheckingInterval: Math.min(1_000, slowRequestMs)
    },
    Listener.make({ routes, prefix, readiness, fork, inflight, closing: () => closing })
  )
  server.keepAliveTimeout = Duration.toMillis(Duration.fromInputUnsafe(options.keepAliveTimeout ?? Duration.zero))
  server.maxConnections = maxConnections
  Listener.warnOnDrop(server, fork)

  // Registered before binding, so it runs even if binding fails (then there is nothing to drain).
  yield* Effect.addFinalizer(() =>
    Effect.gen(function*() {
      yield* readiness.drain
      if (!server.listening) return
      if (!Duration.isZero(drainDelay)) {
        yield* Effect.logInfo(`Centrifugo HTTP proxy draining: not ready, still serving for ${Duration.format(drainDelay)}`)
        yield* Effect.sleep(drainDelay)
      }
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
  if (options.centrifugoConfig !== undefined) yield* warnAboutMismatches(options.centrifugoConfig, yield* HandlerSet, "http")
  return HttpProxy.of({ port: bound, url, prefix })
})

/** How often a draining server closes the connections that went idle. */
const IDLE_SWEEP_MS = 50

/** After interrupting what outlived the grace period: time for their 503 answers to reach Centrifugo. */
const STATUS_FLUSH_TIMEOUT = Duration.seconds(1)

/** An option given as a value, or as a `Config` read when the Layer is built. */
export type { Configurable } from "../internal/configurable.ts"

/**
 * `layerConfig`'s options: every option of `HttpProxyOptions` as a value or a `Config`.
 *
 * @since 0.1.0
 * @category models
 */
export type HttpProxyConfig = ConfigurableOptions<HttpProxyOptions>

/**
 * The standalone server configured from the environment: `PROXY_HTTP_HOST` (default `0.0.0.0`), `PROXY_HTTP_PORT`
 * (default 10002), `PROXY_HTTP_TIMEOUT` (a duration, default 30 seconds), `PROXY_HTTP_SHUTDOWN_TIMEOUT` (default
 * 10 seconds), `PROXY_DRAIN_DELAY` (default 0, shared with the gRPC server), `PROXY_HTTP_BODY_TIMEOUT` (default
 * 10 seconds), `PROXY_HTTP_MAX_CONNECTIONS` (default 900), and `PROXY_HTTP_SECRET_HEADER` with `PROXY_HTTP_SECRET` (optional: a header Centrifugo sends from the
 * proxy's `http.static_headers`, then required on every request; setting only one of them, or an empty one, fails
 * at start), and `PROXY_CENTRIFUGO_CONFIG` (the path of Centrifugo's config: mismatches with the handlers are logged
 * at start). Any option may be given as a value or a `Config` of your own instead.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: HttpProxyConfig = {}
): Layer.Layer<HttpProxy, HttpProxyError | Config.ConfigError, HandlerSet> =>
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
    // One variable for both transports: a pod leaves its load balancers once, whichever it serves.
    const drainDelay = yield* read<Duration.Input>(
      config.drainDelay,
      Config.Duration("PROXY_DRAIN_DELAY").pipe(Config.withDefault(Duration.zero))
    )
    const bodyTimeout = yield* read<Duration.Input>(
      config.bodyTimeout,
      Config.Duration("PROXY_HTTP_BODY_TIMEOUT").pipe(Config.withDefault(defaultBodyTimeout))
    )
    const maxConnections = yield* read(
      config.maxConnections,
      Config.Int("PROXY_HTTP_MAX_CONNECTIONS").pipe(Config.withDefault(defaultMaxConnections))
    )
    const requireHeader = config.requireHeader !== undefined
      ? yield* read(config.requireHeader, Config.succeed(undefined))
      : yield* Effect.mapError(Secret.fromEnv, (error) => typeof error === "string" ? HttpProxyError(error) : error)
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
      drainDelay,
      bodyTimeout,
      maxConnections,
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

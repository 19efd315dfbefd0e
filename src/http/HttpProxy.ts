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
 * credentials header, connection bounds, drain and shutdown) is listed once, for both transports, in the guarantees
 * reference (`docs/reference/guarantees.md`); each row has a test. `request.headers` holds what Centrifugo
 * forwarded (`http_headers`, `emulated_headers`, `http.static_headers`), lower-cased, without the headers that only
 * describe the HTTP message (host, content-length, ...).
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Defaults from "../Defaults.ts"
import { HandlerSet } from "../HandlerSet.ts"
import { warnAboutMismatches } from "../internal/configCheck.ts"
import type { ServerAddress } from "../server/address.ts"
import * as ServerConfig from "../server/config.ts"
import type { RequiredCredentials } from "../server/credentials.ts"
import type { StartFailure } from "../server/startFailure.ts"
import * as EventRoutes from "./eventRoutes.ts"
import { httpEvents } from "./events.ts"
import * as Exchange from "./exchange.ts"
import * as Mounted from "./mounted.ts"
import * as Server from "./server.ts"
import { type TaggedError, taggedError } from "../internal/tagged.ts"

/**
 * The credentials every request must carry (`requireCredentials`): a header's name and its value.
 *
 * @since 0.1.0
 * @category models
 */
export type { RequiredCredentials } from "../server/credentials.ts"

/**
 * Options of the HTTP proxy routes: path prefix, failure reply, call timeout, body limit and the credentials every
 * request must carry.
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
   * Upper bound of every call, as on the gRPC transport (where a call's deadline may cut it shorter; HTTP carries
   * none). Default 30 s. Set it a little below the proxy `timeout` of Centrifugo's config (default 1 s) so
   * Centrifugo gets the failure reply rather than a timeout; when Centrifugo gives up first, it closes the request
   * and the handler is interrupted anyway.
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
   * A header every request must carry with this exact value (`key` is the header's name): put it in the proxy's
   * `http.static_headers`, and never list its name in `http_headers` or `emulated_headers` (Centrifugo lets a
   * forwarded client header of the same name replace a static one). Requests without it answer 401; the header is
   * removed from `request.headers`. An empty key or value, or a header of the HTTP message itself, fails at start.
   * The gRPC transport's option of the same name checks call metadata instead.
   */
  readonly requireCredentials?: RequiredCredentials
  /**
   * The path of the Centrifugo config these routes are meant for (`layerConfig`: `PROXY_CENTRIFUGO_CONFIG`). At
   * start, each proxy in it that reaches no handler, each handler no proxy reaches, and proxies that call gRPC
   * instead of HTTP are logged as warnings.
   */
  readonly centrifugoConfig?: string
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
}

/**
 * The running standalone server: its port, `host:port` and `http://host:port` (Centrifugo's proxy `endpoint` is
 * this plus the route path), the shape every running server of the library has.
 *
 * @since 0.1.0
 * @category services
 */
export interface HttpProxy extends ServerAddress {}

export const HttpProxy: Context.Service<HttpProxy, HttpProxy> = Context.Service<HttpProxy>(
  "effect-centrifugo/HttpProxy"
)

/**
 * The HTTP proxy could not start: it cannot bind, or its configuration is unsafe or invalid.
 *
 * @since 0.1.0
 * @category errors
 */
export interface HttpProxyError extends TaggedError<"HttpProxyError"> {}

/**
 * Builds an `HttpProxyError`; it prints as `HttpProxyError: <message>` with its cause.
 *
 * @since 0.1.0
 * @category errors
 */
export const HttpProxyError = taggedError<HttpProxyError>("HttpProxyError")

const toError = (failure: StartFailure): HttpProxyError => HttpProxyError({ message: failure.message, ...(failure.cause === undefined ? {} : { cause: failure.cause }) })

/**
 * The default time a request's headers, then its body, may take to arrive.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBodyTimeout: Duration.Duration = EventRoutes.defaultBodyTimeout

/**
 * The default connection cap of the standalone server: below the common `ulimit -n` of 1024, with room to spare.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxConnections: number = Server.defaultMaxConnections

/**
 * The default body limit: 4 MiB, as the gRPC server's message limit.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxBodySize: number = EventRoutes.defaultMaxBodySize

/**
 * The proxy routes, registered on the `HttpRouter` of your app. Requires `HandlerSet`; fails with `HttpProxyError`
 * when `failureReply` or `requireCredentials` is invalid.
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
      const { prefix, routes } = yield* Effect.mapError(EventRoutes.make(options), toError)
      const known = httpEvents.map((event) => event.path).join(", ")
      // As the standalone server: under the prefix, a 404 that says what exists; elsewhere a plain 404.
      const notFound = (url: string) =>
        prefix !== "" && Mounted.pathOf(url).startsWith(`${prefix}/`) ? Exchange.unknownEvent(url, known) : Exchange.NOT_FOUND
      for (const [path, settings] of routes) {
        yield* router.add("*", path as HttpRouter.PathInput, Mounted.route(path, settings, notFound))
      }
      if (options.centrifugoConfig !== undefined) {
        yield* warnAboutMismatches(options.centrifugoConfig, yield* HandlerSet, "http")
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
 * without; `Main.run` provides one).
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
  Layer.effect(
    HttpProxy,
    Effect.map(Effect.mapError(Server.make(options), toError), (address) => HttpProxy.of(address))
  )

/**
 * The options `layerConfig` reads when it is given none: each from its environment variable, with the default of
 * `layer`.
 */
const fromEnv: Config.Wrap<HttpProxyOptions> = {
  ...ServerConfig.common("PROXY_HTTP_", Defaults.http),
  bodyTimeout: Config.Duration("PROXY_HTTP_BODY_TIMEOUT").pipe(Config.withDefault(defaultBodyTimeout)),
  maxConnections: Config.Int("PROXY_HTTP_MAX_CONNECTIONS").pipe(Config.withDefault(defaultMaxConnections))
}

/**
 * The standalone server configured from the environment: `PROXY_HTTP_HOST` (default `0.0.0.0`), `PROXY_HTTP_PORT`
 * (default 10002), `PROXY_HTTP_TIMEOUT` (a duration, default 30 seconds), `PROXY_HTTP_SHUTDOWN_TIMEOUT` (default
 * 10 seconds), `PROXY_DRAIN_DELAY` (default 0, shared with the gRPC server), `PROXY_HTTP_BODY_TIMEOUT` (default
 * 10 seconds), `PROXY_HTTP_MAX_CONNECTIONS` (default 900), `PROXY_HTTP_CREDENTIALS_KEY` with
 * `PROXY_HTTP_CREDENTIALS_VALUE` (optional: the name and value of a header Centrifugo sends from the proxy's
 * `http.static_headers`, then required on every request; setting only one of them, or an empty one, fails at
 * start), and `PROXY_CENTRIFUGO_CONFIG` (the path of Centrifugo's config: mismatches with the handlers are logged
 * at start).
 *
 * Options are a `Config.Wrap` (as `NodeHttpServer.layerConfig` takes them): an option given as a `Config` replaces
 * its variable, and options given as one `Config` replace them all. Every missing or invalid variable is named in
 * one `ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Wrap<HttpProxyOptions> = {}
): Layer.Layer<HttpProxy, HttpProxyError | Config.ConfigError, HandlerSet> =>
  Layer.unwrap(Effect.map(ServerConfig.read(options, fromEnv), layer))

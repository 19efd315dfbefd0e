/**
 * The admin HTTP server (opt-in): `GET /metrics` (Prometheus text of Effect's metrics, process metrics included),
 * `GET /healthz` and `GET /readyz` (see `Probes`), on its own port so that scrapes and probes never share a listener
 * with Centrifugo's traffic. Served by `effect/http` on `@effect/platform-node`'s HTTP server.
 *
 * ```ts
 * import { Layer } from "effect"
 * import { Admin, type HandlerSet, ProxyServer, Readiness } from "effect-centrifugo"
 *
 * declare const AppHandlers: Layer.Layer<HandlerSet.HandlerSet>
 *
 * const Server = Layer.mergeAll(ProxyServer.layerConfig(), Admin.layerConfig()).pipe(
 *   Layer.provide(AppHandlers),
 *   Layer.provide(Readiness.layer()) // shared: /readyz answers 503 as soon as the proxy server drains
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import type * as HttpServerError from "effect/http/HttpServerError"
import { createServer } from "node:http"
import { workerId } from "../Workers.ts"
import * as ClusterAdmin from "./ClusterAdmin.ts"
import * as Metrics from "./Metrics.ts"
import * as Probes from "./Probes.ts"
import * as Address from "../server/address.ts"
import type { ServerAddress } from "../server/address.ts"
import * as Readiness from "./Readiness.ts"
import { currentOrPrivate } from "../server/readiness.ts"

/**
 * Options of the admin server: the address it binds and the path of its Prometheus endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface AdminOptions {
  /**
   * Interface to bind. Default `127.0.0.1`: the admin server has no authentication, so it is reachable from this
   * machine only unless you say otherwise. In Kubernetes the kubelet's probes and Prometheus come to the pod IP:
   * set `0.0.0.0` (`PROXY_ADMIN_HOST=0.0.0.0`, as examples/deploy/kubernetes.yaml does) and keep the port off any Service.
   */
  readonly host?: string
  /** Port; `0` picks a free one (read it from the `AdminServer` service). */
  readonly port: number
  /** Path of the Prometheus endpoint. Default `/metrics`. */
  readonly metricsPath?: `/${string}`
}

/**
 * The running admin server: its port, `host:port` and `http://host:port`, the shape every running server of the
 * library has.
 *
 * @since 0.1.0
 * @category services
 */
export interface AdminServer extends ServerAddress {}

export const AdminServer: Context.Service<AdminServer, AdminServer> = Context.Service<AdminServer>(
  "effect-centrifugo/AdminServer"
)

/**
 * The admin server as a scoped Layer: listening once built, closed with its scope.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: AdminOptions): Layer.Layer<AdminServer, HttpServerError.ServeError> =>
  Layer.provide(serve(options), sharedReadiness)

/** The `Readiness` in context, or a private one: as the proxy servers, the admin server runs without one too. */
const sharedReadiness = Layer.effect(Readiness.Readiness, currentOrPrivate)

const serve = (options: AdminOptions): Layer.Layer<AdminServer, HttpServerError.ServeError, Readiness.Readiness> => {
  const host = options.host ?? defaultHost
  // A worker of Workers.run: the primary serves the port for the whole group (see ClusterAdmin).
  if (workerId() !== undefined) {
    return Layer.effect(
      AdminServer,
      Effect.map(
        ClusterAdmin.asWorker({ host, port: options.port, metricsPath: options.metricsPath ?? "/metrics" }),
        (port) => AdminServer.of(Address.make("http", host, port))
      )
    )
  }
  const routes = Layer.mergeAll(
    Metrics.route(options.metricsPath === undefined ? {} : { path: options.metricsPath }),
    Probes.routes
  )
  // Scrapes every few seconds would drown the log: no access log.
  const served = HttpRouter.serve(routes, { disableLogger: true, disableListenLog: true })
  const running = Layer.effect(
    AdminServer,
    Effect.gen(function*() {
      const server = yield* HttpServer.HttpServer
      const port = "port" in server.address ? server.address.port : options.port
      const address = Address.make("http", host, port)
      yield* Effect.logInfo(
        `Admin server listening on ${address.url} (${options.metricsPath ?? "/metrics"}, /healthz, /readyz)`
      )
      return AdminServer.of(address)
    })
  )
  // Node's HTTP server module (and what it pulls in: ~15 MiB) is loaded only when an admin server is built.
  const nodeServer = Layer.unwrap(Effect.map(
    Effect.promise(() => import("@effect/platform-node/NodeHttpServer")),
    (NodeHttpServer) =>
      NodeHttpServer.layer(createServer, { port: options.port, host, gracefulShutdownTimeout: "1 second" })
  ))
  return Layer.merge(served, running).pipe(Layer.provide(nodeServer))
}

/**
 * The interface the admin server binds unless told: loopback (it has no authentication).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultHost = "127.0.0.1"

/**
 * The admin server when `PROXY_ADMIN_PORT` is set (`PROXY_ADMIN_HOST`, default `127.0.0.1`); nothing otherwise. Under
 * `Workers.run`, the primary serves it for every worker (one scrape, one readiness answer for the group).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (): Layer.Layer<never, HttpServerError.ServeError | Config.ConfigError> =>
  Layer.unwrap(Effect.map(
    Config.all({
      port: Config.Port("PROXY_ADMIN_PORT").pipe(Config.option),
      host: Config.String("PROXY_ADMIN_HOST").pipe(Config.withDefault(defaultHost))
    }),
    ({ host, port }) => Option.isSome(port) ? Layer.effectDiscard(Layer.build(layer({ host, port: port.value }))) : Layer.empty
  ))

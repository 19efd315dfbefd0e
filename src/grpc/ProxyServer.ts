/**
 * The gRPC server runtime: a scoped Layer that serves `CentrifugoProxy` with the `HandlerSet` in context.
 *
 * Per call: decode the bytes into a domain request, run its handler on a fiber with the context captured when the
 * Layer was built, encode exactly one reply. What the server answers in every situation (failures, deadlines,
 * missing handlers, credentials, bad bytes, oversized messages, health, drain and shutdown) is listed once, for
 * both transports, in the guarantees reference (`docs/reference/guarantees.md`); each row has a test.
 *
 * @since 0.1.0
 */
import type * as grpc from "@grpc/grpc-js"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Defaults from "../Defaults.ts"
import type { HandlerSet } from "../HandlerSet.ts"
import { type TaggedError, taggedError } from "../internal/tagged.ts"
import type { ServerAddress } from "../server/address.ts"
import * as ServerConfig from "../server/config.ts"
import type { RequiredCredentials } from "../server/credentials.ts"
import { make } from "./server.ts"

/**
 * The credentials every call must carry (`requireCredentials`): a metadata key and its value.
 *
 * @since 0.1.0
 * @category models
 */
export type { RequiredCredentials } from "../server/credentials.ts"

/**
 * Options of the gRPC proxy server: address, failure reply, call timeouts and shutdown, TLS and required credentials,
 * limits, connection lifetime and keepalive, and the Centrifugo config to check at start.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProxyServerOptions {
  /** Interface to bind. Default `0.0.0.0`. */
  readonly host?: string
  /** Port to bind; `0` picks a free one (read it from the `ProxyServer` service). Default 10001. */
  readonly port?: number
  /** The error reply for failures and defects that handlers did not turn into a reply. */
  readonly failureReply?: { readonly code: number; readonly message: string; readonly temporary: boolean }
  /** How long in-flight calls may run after shutdown starts before they are interrupted. Default 10 seconds. */
  readonly shutdownTimeout?: Duration.Input
  /**
   * How long the server keeps serving after shutdown starts while its health service already answers NOT_SERVING,
   * before it stops accepting calls: time for probes and load balancers to notice. Default 0 (Kubernetes: a few
   * seconds, more than the readiness probe's period).
   */
  readonly drainDelay?: Duration.Input
  /**
   * Upper bound of every call, as on the HTTP transport. A call's gRPC deadline (Centrifugo always sends one: its
   * proxy `timeout`) less `deadlineMargin` bounds it too, whichever comes first. Default 30 s.
   */
  readonly timeout?: Duration.Input
  /**
   * How long before a call's deadline a handler still running is interrupted and the call answered with
   * `failureReply`, so the answer reaches Centrifugo before its deadline and it never has to reset the stream (many
   * resets trip Node's HTTP/2 rapid-reset protection, which then fails every call on the connection). Default: a
   * fifth of the time the call had left when it arrived, at most 250 ms.
   */
  readonly deadlineMargin?: Duration.Input
  /**
   * Node's HTTP/2 rapid-reset protection: a client that resets more than `burst` streams, then more than
   * `ratePerSecond`, gets GOAWAY, which fails every call in flight on its connection. Centrifugo resets a call
   * whenever its proxy `timeout` passes, so an overloaded backend would turn late calls into failures of all the
   * others. The server answers before deadlines to avoid resets; these raised limits are the second line.
   * Default `{ burst: 10000, ratePerSecond: 1000 }` (Node's: 1000 and 33). Keep the proxy port private.
   */
  readonly streamResetLimit?: { readonly burst: number; readonly ratePerSecond: number }
  /**
   * The path of the Centrifugo config this server is meant for (`layerConfig`: `PROXY_CENTRIFUGO_CONFIG`). At start, each
   * proxy in it that reaches no handler, and each handler no proxy reaches, is logged as a warning.
   */
  readonly centrifugoConfig?: string
  /** Largest request accepted, in bytes; larger ones get RESOURCE_EXHAUSTED. Default 4 MiB (grpc-js default). */
  readonly maxReceiveMessageLength?: number
  /** TLS or other credentials for the listener. Default: plaintext. */
  readonly credentials?: grpc.ServerCredentials
  /** Most `grpc.health.v1` Watch streams open at once; more answer RESOURCE_EXHAUSTED. Default 100. */
  readonly maxHealthWatches?: number
  /**
   * A metadata pair every call must carry: what Centrifugo sends when a proxy has `grpc.credentials_key` and
   * `grpc.credentials_value`. Calls without it (or with another value) answer UNAUTHENTICATED and reach no handler;
   * the pair is removed from `request.headers`, so the secret never reaches handlers or logs. An empty key or value
   * fails the Layer at start (it would otherwise look like protection and be none). The HTTP transport's option of
   * the same name checks a header instead.
   */
  readonly requireCredentials?: RequiredCredentials
  /**
   * Close each connection after about this long (grpc-js adds up to 10% jitter): the server sends GOAWAY, the client
   * opens a new connection for its next calls and the calls in flight finish on the old one. Centrifugo keeps one
   * long-lived connection per proxy kind, so without this a load balancer or `Workers` never moves its calls to
   * another backend process. Default: never (grpc-js `grpc.max_connection_age_ms`).
   * grpc-js stops accepting streams on the connection right after its GOAWAY, so a call the client sent before it
   * saw the GOAWAY is refused (REFUSED_STREAM, before any handler runs); grpc-go, Centrifugo's client, retries it on
   * the new connection (tested: no call fails), while a grpc-js client retries it only once.
   */
  readonly maxConnectionAge?: Duration.Input
  /**
   * How long calls still running on a connection past `maxConnectionAge` may take before it is closed under them.
   * Default: unlimited (each call is still bounded by its own deadline). grpc-js `grpc.max_connection_age_grace_ms`.
   */
  readonly maxConnectionAgeGrace?: Duration.Input
  /**
   * Ping a connection after this long without activity to detect a dead peer (a load balancer or NAT that dropped
   * it silently). Default: never (grpc-js `grpc.keepalive_time_ms`).
   */
  readonly keepaliveTime?: Duration.Input
  /** How long a keepalive ping may go unanswered before the connection is closed. Default 20 s (grpc-js). */
  readonly keepaliveTimeout?: Duration.Input
}

/**
 * The running server: its port, `host:port` and `grpc://host:port` (Centrifugo's proxy `endpoint`), the shape every
 * running server of the library has.
 *
 * @since 0.1.0
 * @category services
 */
export interface ProxyServer extends ServerAddress {}

export const ProxyServer: Context.Service<ProxyServer, ProxyServer> = Context.Service<ProxyServer>(
  "effect-centrifugo/ProxyServer"
)

/**
 * The server could not start: it cannot bind, or its configuration is unsafe or invalid.
 *
 * @since 0.1.0
 * @category errors
 */
export interface ProxyServerError extends TaggedError<"ProxyServerError"> {}

/**
 * Builds a `ProxyServerError`; it prints as `ProxyServerError: <message>` with its cause (where
 * NodeRuntime.runMain reports it, for one).
 *
 * @since 0.1.0
 * @category errors
 */
export const ProxyServerError = taggedError<ProxyServerError>("ProxyServerError")

const start = (options: ProxyServerOptions) =>
  Effect.map(
    Effect.mapError(make(options), (failure) => ProxyServerError({ message: failure.message, ...(failure.cause === undefined ? {} : { cause: failure.cause }) })),
    (address) => ProxyServer.of(address)
  )

/**
 * The server as a scoped Layer: listening once built, shut down gracefully when its scope closes.
 *
 * @example
 * ```ts
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { HandlerSet, ProxyServer, Reply } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "" })) })
 *
 * // Point Centrifugo's gRPC proxies at this address (`grpc://backend:10001`).
 * const Server = ProxyServer.layer({ port: 10001, shutdownTimeout: "10 seconds" }).pipe(Layer.provide(MyHandlers))
 * Layer.launch(Server).pipe(NodeRuntime.runMain)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: ProxyServerOptions = {}): Layer.Layer<ProxyServer, ProxyServerError, HandlerSet> =>
  Layer.effect(ProxyServer, start(options))

/**
 * The options `layerConfig` reads when it is given none: each from its environment variable, with the default of
 * `layer`.
 */
const fromEnv: Config.Wrap<ProxyServerOptions> = {
  ...ServerConfig.common("PROXY_", Defaults.grpc),
  maxConnectionAge: ServerConfig.optional(Config.Duration("PROXY_MAX_CONNECTION_AGE")),
  maxConnectionAgeGrace: ServerConfig.optional(Config.Duration("PROXY_MAX_CONNECTION_AGE_GRACE")),
  keepaliveTime: ServerConfig.optional(Config.Duration("PROXY_KEEPALIVE_TIME")),
  keepaliveTimeout: ServerConfig.optional(Config.Duration("PROXY_KEEPALIVE_TIMEOUT"))
}

/**
 * The server configured from the environment: `PROXY_HOST` (default `0.0.0.0`), `PROXY_PORT` (default 10001),
 * `PROXY_TIMEOUT` (a duration such as `30 seconds`: `timeout`), `PROXY_SHUTDOWN_TIMEOUT` (default 10 seconds),
 * `PROXY_DRAIN_DELAY` (default 0), `PROXY_CREDENTIALS_KEY` with `PROXY_CREDENTIALS_VALUE` (optional: the
 * `grpc.credentials_key`/`credentials_value` of Centrifugo's proxies, then required on every call; setting only one
 * of them, or an empty one, fails at start naming the missing variable), `PROXY_MAX_CONNECTION_AGE`,
 * `PROXY_MAX_CONNECTION_AGE_GRACE`, `PROXY_KEEPALIVE_TIME` and `PROXY_KEEPALIVE_TIMEOUT` (durations, optional), and
 * `PROXY_CENTRIFUGO_CONFIG` (the path of Centrifugo's config: mismatches with the handlers are logged at start).
 *
 * Options are a `Config.Wrap` (as `NodeHttpServer.layerConfig` takes them): an option given as a `Config` replaces
 * its variable (`layerConfig({ port: Config.Int("GRPC_PORT"), timeout: Config.succeed("5 seconds") })`), and
 * options given as one `Config` replace them all. Every missing or invalid variable is named in one `ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Wrap<ProxyServerOptions> = {}
): Layer.Layer<ProxyServer, ProxyServerError | Config.ConfigError, HandlerSet> =>
  Layer.effect(ProxyServer, Effect.flatMap(ServerConfig.read(options, fromEnv), start))

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
import * as grpc from "@grpc/grpc-js"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { timingSafeEqual } from "node:crypto"
import * as Defaults from "../Defaults.ts"
import type { Handler } from "../Handler.ts"
import { eventNames, HandlerSet } from "../HandlerSet.ts"
import { warnAboutMismatches } from "../internal/configCheck.ts"
import { noHandlerMessage } from "../internal/events.ts"
import { named } from "../internal/tagged.ts"
import { safe, throttle } from "../internal/logText.ts"
import * as Pipeline from "../internal/pipeline.ts"
import * as Health from "../ops/Health.ts"
import * as Readiness from "../ops/Readiness.ts"
import { isInvalidJson } from "../Payload.ts"
import type { ProxyRequest } from "../ProxyRequest.ts"
import { headersFromMetadata, isDecodeFailure } from "./codec/index.ts"
import { pathOf, SERVICE, streamEvents, type UnaryMethod, unaryMethods } from "./methods.ts"
import { status, UNAUTHENTICATED_DETAILS } from "./status.ts"
import * as Streams from "./streams.ts"
import { type ConfigurableOptions, read, readOptional } from "../internal/configurable.ts"

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
   * Upper bound for a call that arrives without a gRPC deadline (Centrifugo sends one with every unary call), such
   * as the first reply of a stream subscription. Default 30 s.
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
   * fails the Layer at start (it would otherwise look like protection and be none).
   */
  readonly requireCredentials?: { readonly key: string; readonly value: Redacted.Redacted<string> | string }
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
 * The running server.
 *
 * @since 0.1.0
 * @category services
 */
export interface ProxyServer {
  /** The bound port (useful with `port: 0`). */
  readonly port: number
  /** `host:port` as Centrifugo's `endpoint` wants it (with `grpc://` in front). */
  readonly address: string
}

export const ProxyServer: Context.Service<ProxyServer, ProxyServer> = Context.Service<ProxyServer>(
  "effect-centrifugo/ProxyServer"
)

/**
 * The server could not start: it cannot bind, or its configuration is unsafe or invalid.
 *
 * @since 0.1.0
 * @category errors
 */
export interface ProxyServerError {
  readonly _tag: "ProxyServerError"
  readonly message: string
  readonly cause?: unknown
}

/** Prints as `ProxyServerError: <message>` (with its cause) where NodeRuntime.runMain reports it. */
export const ProxyServerError = (message: string, cause?: unknown): ProxyServerError =>
  named({ _tag: "ProxyServerError", message, ...(cause === undefined ? {} : { cause }) })

type AnyFiber = Fiber.Fiber<unknown, unknown>

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
  Layer.effect(ProxyServer, make(options))

/** An option given as a value, or as a `Config` read when the Layer is built. */
export type { Configurable } from "../internal/configurable.ts"

/**
 * `layerConfig`'s options: every option as a value or a `Config`.
 *
 * @since 0.1.0
 * @category models
 */
export type ProxyServerConfig = ConfigurableOptions<ProxyServerOptions>

/**
 * The server configured from the environment: `PROXY_HOST` (default `0.0.0.0`), `PROXY_PORT` (default 10001),
 * `PROXY_SHUTDOWN_TIMEOUT` (a duration such as `10 seconds`), `PROXY_DRAIN_DELAY` (a duration, default 0), and
 * `PROXY_CREDENTIALS_KEY` with `PROXY_CREDENTIALS_VALUE` (optional: the `grpc.credentials_key`/`credentials_value`
 * of Centrifugo's proxies, then required on every call; setting only one of them, or an empty one, fails at start
 * naming the missing variable). `PROXY_MAX_CONNECTION_AGE`, `PROXY_MAX_CONNECTION_AGE_GRACE`, `PROXY_KEEPALIVE_TIME`
 * and `PROXY_KEEPALIVE_TIMEOUT` (durations, optional: `maxConnectionAge` ... below), and `PROXY_CENTRIFUGO_CONFIG` (the
 * path of Centrifugo's config: mismatches with the handlers are logged at start).
 * Any option may be given as a value or as a `Config` of your own instead
 * (`layerConfig({ port: Config.Port("GRPC_PORT") })`); the environment names above are the defaults.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: ProxyServerConfig = {}
): Layer.Layer<ProxyServer, ProxyServerError | Config.ConfigError, HandlerSet> =>
  Layer.effect(
    ProxyServer,
    Effect.gen(function*() {
      const host = yield* read(config.host, Config.String("PROXY_HOST").pipe(Config.withDefault(Defaults.grpc.host)))
      // Config.Int, not Config.Port: port 0 (any free port) is allowed; make() checks the range.
      const port = yield* read(config.port, Config.Int("PROXY_PORT").pipe(Config.withDefault(Defaults.grpc.port)))
      const shutdownTimeout = yield* read<Duration.Input>(
        config.shutdownTimeout,
        Config.Duration("PROXY_SHUTDOWN_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10)))
      )
      const drainDelay = yield* read<Duration.Input>(
        config.drainDelay,
        Config.Duration("PROXY_DRAIN_DELAY").pipe(Config.withDefault(Duration.zero))
      )
      const requireCredentials = config.requireCredentials !== undefined
        ? yield* read(config.requireCredentials, Config.succeed(undefined))
        : yield* credentialsFromEnv
      const centrifugoConfig = yield* read<string | undefined>(
        config.centrifugoConfig,
        Config.String("PROXY_CENTRIFUGO_CONFIG").pipe(Config.withDefault(undefined))
      )
      const rest: Record<string, unknown> = {}
      for (
        const key of [
          "failureReply",
          "timeout",
          "deadlineMargin",
          "streamResetLimit",
          "maxReceiveMessageLength",
          "credentials"
        ] as const
      ) {
        const value = config[key]
        if (value !== undefined) rest[key] = yield* readOptional<unknown>(value)
      }
      for (const [key, name] of connectionEnv) {
        const value = yield* read<Duration.Input | undefined>(config[key], Config.Duration(name).pipe(Config.option, Config.map(Option.getOrUndefined)))
        if (value !== undefined) rest[key] = value
      }
      return yield* make({
        ...(rest as ProxyServerOptions),
        host,
        port,
        shutdownTimeout,
        drainDelay,
        ...(requireCredentials === undefined ? {} : { requireCredentials }),
        ...(centrifugoConfig === undefined ? {} : { centrifugoConfig })
      })
    })
  )

/** The connection lifetime and keepalive options and the environment variables `layerConfig` reads them from. */
const connectionEnv = [
  ["maxConnectionAge", "PROXY_MAX_CONNECTION_AGE"],
  ["maxConnectionAgeGrace", "PROXY_MAX_CONNECTION_AGE_GRACE"],
  ["keepaliveTime", "PROXY_KEEPALIVE_TIME"],
  ["keepaliveTimeout", "PROXY_KEEPALIVE_TIMEOUT"]
] as const

/** The connection lifetime and keepalive options as grpc-js channel options (only those that were given). */
const connectionOptions = (options: ProxyServerOptions): Record<string, number> => {
  const out: Record<string, number> = {}
  const set = (key: string, value: Duration.Input | undefined) => {
    if (value !== undefined) out[key] = Math.max(1, Math.round(Duration.toMillis(Duration.fromInputUnsafe(value))))
  }
  set("grpc.max_connection_age_ms", options.maxConnectionAge)
  set("grpc.max_connection_age_grace_ms", options.maxConnectionAgeGrace)
  set("grpc.keepalive_time_ms", options.keepaliveTime)
  set("grpc.keepalive_timeout_ms", options.keepaliveTimeout)
  return out
}

/** PROXY_CREDENTIALS_KEY + PROXY_CREDENTIALS_VALUE: both or neither, never empty. */
const credentialsFromEnv = Effect.gen(function*() {
  const { key, value } = yield* Config.all({
    key: Config.String(Defaults.grpc.secretEnv.name).pipe(Config.option),
    value: Config.Redacted(Defaults.grpc.secretEnv.value).pipe(Config.option)
  })
  if (key._tag === "None" && value._tag === "None") return undefined
  if (key._tag === "None") {
    return yield* Effect.fail(
      ProxyServerError("PROXY_CREDENTIALS_VALUE is set but PROXY_CREDENTIALS_KEY is not: set both, or neither")
    )
  }
  if (value._tag === "None") {
    return yield* Effect.fail(
      ProxyServerError("PROXY_CREDENTIALS_KEY is set but PROXY_CREDENTIALS_VALUE is not: set both, or neither")
    )
  }
  return { key: key.value, value: value.value }
})

/**
 * The check for `requireCredentials`: constant-time, on the first value of the lower-cased key.
 *
 * @since 0.1.0
 * @category utils
 */
export const credentialsCheck = (required: ProxyServerOptions["requireCredentials"]) => {
  if (required === undefined) return undefined
  const key = required.key.toLowerCase()
  const expected = Buffer.from(typeof required.value === "string" ? required.value : Redacted.value(required.value))
  return {
    key,
    ok: (metadata: grpc.Metadata): boolean => {
      const given = metadata.get(key)[0]
      if (given === undefined) return false
      const bytes = Buffer.from(typeof given === "string" ? given : given.toString())
      return bytes.length === expected.length && timingSafeEqual(bytes, expected)
    }
  }
}

/** Refuses credentials that would protect nothing: an empty key or value. */
const validateCredentials = (required: ProxyServerOptions["requireCredentials"]) => {
  if (required === undefined) return Effect.void
  const value = typeof required.value === "string" ? required.value : Redacted.value(required.value)
  if (required.key.trim() === "") {
    return Effect.fail(ProxyServerError("requireCredentials.key (PROXY_CREDENTIALS_KEY) is empty"))
  }
  if (value === "") {
    return Effect.fail(ProxyServerError("requireCredentials.value (PROXY_CREDENTIALS_VALUE) is empty"))
  }
  return Effect.void
}

// A fifth of the call's time, at most 250 ms: enough for the answer to reach the client before its deadline timer
// fires even when this process's event loop lags (measured: 100 ms lost ~8% of 4,000 late calls on a loaded
// 2-core machine; 250 ms lost none), little enough to leave handlers most of Centrifugo's default 1 s timeout.
const DEFAULT_MAX_MARGIN = Duration.millis(250)
const DEFAULT_MARGIN_SHARE = 0.2

/** The time a call may run: until shortly before its deadline, or `timeout` without one; 0 when already past it. */
const budgetOf = (
  deadline: grpc.Deadline,
  timeout: Duration.Duration,
  margin: Duration.Duration | undefined
): Duration.Duration => {
  const at = Number(deadline)
  if (!Number.isFinite(at)) return timeout
  const left = at - Date.now()
  if (left <= 0) return Duration.zero
  const marginMs = margin !== undefined
    ? Duration.toMillis(margin)
    : Math.min(Duration.toMillis(DEFAULT_MAX_MARGIN), left * DEFAULT_MARGIN_SHARE)
  return Duration.millis(Math.max(0, left - marginMs))
}

const DEFAULT_STREAM_RESET_LIMIT = { burst: 10_000, ratePerSecond: 1_000 }

/**
 * grpc-js has no option for Node's `streamResetBurst`/`streamResetRate` (http2.createServer options), but creates
 * its HTTP/2 servers from an options object built in its constructor: set them there, before binding. Checked
 * against grpc-js 1.14; if a later version renames the field, the server still runs with Node's defaults and says so.
 */
const setStreamResetLimit = (server: grpc.Server, limit: { readonly burst: number; readonly ratePerSecond: number }) => {
  const common = (server as unknown as { commonServerOptions?: Record<string, unknown> }).commonServerOptions
  if (common === undefined) {
    return Effect.logWarning("grpc-js has no commonServerOptions: Node's default HTTP/2 reset limits apply")
  }
  common.streamResetBurst = limit.burst
  common.streamResetRate = limit.ratePerSecond
  return Effect.void
}

let grpcLoggerRouted = false

/**
 * grpc-js writes its own errors to stderr (`E No address added out of total 1 resolved` beside our bind error).
 * Route them through the Effect logger at Debug: the server logs what matters itself, with context.
 */
const routeGrpcLogs = (run: Run) => {
  if (grpcLoggerRouted) return
  grpcLoggerRouted = true
  const log = (...args: Array<unknown>) => void run(Effect.logDebug(`grpc-js: ${args.map(String).join(" ")}`))
  grpc.setLogger({ error: log, info: log, debug: log } as Partial<Console> as Console)
}

const make = Effect.fnUntraced(function*(options: ProxyServerOptions) {
  yield* validateCredentials(options.requireCredentials)
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
    return yield* Effect.fail(ProxyServerError(`port ${options.port} is not a port number (0-65535; 0 = any free port)`))
  }
  const handlers = yield* HandlerSet
  const context = yield* Effect.context<never>()
  const run = Effect.runForkWith(context)
  const host = options.host ?? Defaults.grpc.host
  const requestedPort = options.port ?? Defaults.grpc.port
  const shutdownTimeout = Duration.fromInputUnsafe(options.shutdownTimeout ?? Duration.seconds(10))
  const drainDelay = Duration.fromInputUnsafe(options.drainDelay ?? Duration.zero)
  const readiness = yield* Readiness.currentOrPrivate
  const timeout = options.timeout === undefined ? Pipeline.DEFAULT_TIMEOUT : Duration.fromInputUnsafe(options.timeout)
  const deadlineMargin = options.deadlineMargin === undefined ? undefined : Duration.fromInputUnsafe(options.deadlineMargin)
  const failureReply = options.failureReply ?? Pipeline.DEFAULT_FAILURE_REPLY
  const inflight = new Set<AnyFiber>()
  const credentials = credentialsCheck(options.requireCredentials)
  const refuse = refuser(run)
  routeGrpcLogs(run)

  const server = new grpc.Server({
    "grpc.max_receive_message_length": options.maxReceiveMessageLength ?? 4 * 1024 * 1024,
    ...connectionOptions(options)
  })
  yield* setStreamResetLimit(server, options.streamResetLimit ?? DEFAULT_STREAM_RESET_LIMIT)

  const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {}
  const implementation: grpc.UntypedServiceImplementation = {}

  for (const method of unaryMethods) {
    definition[method.spec.method] = rawMethod(method.path, false, false)
    const handler = handlers[method.spec.name] as Handler<never, never> | undefined
    implementation[method.spec.method] = handler === undefined
      ? unimplementedUnary(run, method.spec.method, noHandlerMessage(method.spec.name), credentials, refuse)
      : yield* Effect.try({
        try: () =>
          unaryCall({
            method,
            pipeline: Pipeline.make(method.spec, handler, method.encode as (reply: unknown) => Buffer, { failureReply }),
            run,
            inflight,
            timeout,
            deadlineMargin,
            credentials,
            refuse
          }),
        catch: (error) => ProxyServerError(`invalid failureReply: ${String(error)}`, error)
      })
  }
  for (const event of streamEvents) {
    definition[event.method] = rawMethod(pathOf(event), event.kind === "bidiStream", true)
    const handler = handlers[event.name]
    const streamOptions: Streams.StreamCallOptions = {
      event,
      budget: (call) => budgetOf(call.getDeadline(), timeout, deadlineMargin),
      run,
      inflight,
      failureReply,
      refuse,
      ...(credentials === undefined ? {} : { credentials })
    }
    implementation[event.method] = handler === undefined
      ? unimplementedStream(run, event.method, noHandlerMessage(event.name), credentials, refuse)
      : event.kind === "bidiStream"
      ? Streams.bidirectional(handler as Streams.BidirectionalHandler, streamOptions)
      : Streams.unidirectional(handler as Streams.UnidirectionalHandler, streamOptions)
  }
  server.addService(definition, implementation)
  const health = Health.make({
    readiness,
    services: [SERVICE],
    run,
    ...(options.maxHealthWatches === undefined ? {} : { maxWatches: options.maxHealthWatches })
  })
  server.addService(health.definition, health.implementation)

  // Registered before binding, so it runs even if a later step fails.
  yield* Effect.addFinalizer(() =>
    Effect.andThen(drain(readiness, health, drainDelay), shutdown(server, inflight, shutdownTimeout))
  )

  const port = yield* Effect.callback<number, ProxyServerError>((resume) => {
    server.bindAsync(
      `${host}:${requestedPort}`,
      options.credentials ?? grpc.ServerCredentials.createInsecure(),
      (error, port) =>
        resume(
          error
            ? Effect.fail(ProxyServerError(`cannot bind ${host}:${requestedPort}: ${bindReason(error)}`, error))
            : Effect.succeed(port)
        )
    )
  })
  const address = `${host.includes(":") ? `[${host}]` : host}:${port}`
  yield* Effect.logInfo(`Centrifugo proxy listening on ${address}`).pipe(
    Effect.annotateLogs({ handlers: eventNames(handlers).join(",") })
  )
  if (options.centrifugoConfig !== undefined) yield* warnAboutMismatches(options.centrifugoConfig, handlers, "grpc")
  return ProxyServer.of({ port, address })
})

/** grpc-js wraps the listen error: "No address added out of total 1 resolved errors: [listen EADDRINUSE: ...]". */
const bindReason = (error: Error): string => /\[(.+)\]\s*$/.exec(error.message)?.[1] ?? error.message

// Our own codec runs inside the call (so its failures become replies), so grpc-js only moves bytes.
const identity = <A>(value: A): A => value
const rawMethod = (path: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
  path,
  requestStream,
  responseStream,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity
})

type Run = ReturnType<typeof Effect.runForkWith<never>>

const logOutside = (run: Run, effect: Effect.Effect<void>): void => {
  run(effect)
}

/**
 * The warning for calls refused for want of credentials, at most once per 10 s per server: a flood of such calls
 * (a misconfigured Centrifugo, or a scan) must not flood the log. Each line says how many were left out.
 */
const refuser = (run: Run) => {
  const shouldLog = throttle(10_000)
  return (method: string): void => {
    const suppressed = shouldLog()
    if (suppressed === undefined) return
    logOutside(
      run,
      Effect.logWarning(
        `${method}: ${UNAUTHENTICATED_DETAILS}${suppressed > 0 ? ` (and ${suppressed} more such calls not logged)` : ""}`
      ).pipe(Effect.annotateLogs({ method }))
    )
  }
}

const unimplementedUnary = (
  run: Run,
  method: string,
  message: string,
  credentials: ReturnType<typeof credentialsCheck>,
  refuse: (method: string) => void
): grpc.handleUnaryCall<Buffer, Buffer> =>
(call, callback) => {
  if (credentials !== undefined && !credentials.ok(call.metadata)) {
    refuse(method)
    return callback(status(grpc.status.UNAUTHENTICATED, UNAUTHENTICATED_DETAILS))
  }
  logOutside(run, Effect.logWarning(`${method}: ${message}`).pipe(Effect.annotateLogs({ method })))
  callback(status(grpc.status.UNIMPLEMENTED, `effect-centrifugo: ${method}: ${message}`))
}

const unimplementedStream = (
  run: Run,
  method: string,
  message: string,
  credentials: ReturnType<typeof credentialsCheck>,
  refuse: (method: string) => void
) =>
(call: grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>) => {
  if (credentials !== undefined && !credentials.ok(call.metadata)) {
    refuse(method)
    return void call.emit("error", status(grpc.status.UNAUTHENTICATED, UNAUTHENTICATED_DETAILS))
  }
  logOutside(run, Effect.logWarning(`${method}: ${message}`).pipe(Effect.annotateLogs({ method })))
  call.emit("error", status(grpc.status.UNIMPLEMENTED, `effect-centrifugo: ${method}: ${message}`))
}

interface UnaryCallOptions {
  readonly method: UnaryMethod
  readonly pipeline: Pipeline.EventPipeline<Buffer>
  readonly run: Run
  readonly inflight: Set<AnyFiber>
  readonly timeout: Duration.Duration
  readonly deadlineMargin: Duration.Duration | undefined
  readonly credentials: ReturnType<typeof credentialsCheck>
  readonly refuse: (method: string) => void
}

/** The pipeline's outcome as grpc-js wants it: the reply bytes, or a status for what a reply cannot say. */
const respond = (callback: grpc.sendUnaryData<Buffer>, outcome: Pipeline.Outcome<Buffer>): void => {
  if (!Pipeline.isUnanswerable(outcome)) callback(null, outcome)
  else if (outcome._tag === "Failed") callback(status(grpc.status.INTERNAL, outcome.message))
  else callback(status(grpc.status.INVALID_ARGUMENT, outcome.message))
}

const unaryCall = (options: UnaryCallOptions): grpc.handleUnaryCall<Buffer, Buffer> => {
  const { credentials, inflight, method, pipeline, refuse, run, timeout, deadlineMargin } = options
  const name = method.spec.method

  return (call, callback) => {
    if (credentials !== undefined && !credentials.ok(call.metadata)) {
      refuse(name)
      callback(status(grpc.status.UNAUTHENTICATED, UNAUTHENTICATED_DETAILS))
      return
    }
    // grpc-js reports a cancellation that came before this point only through this flag, never as an event later.
    if (call.cancelled) return
    const budget = budgetOf(call.getDeadline(), timeout, deadlineMargin)
    if (Duration.isZero(budget)) {
      logOutside(
        run,
        Effect.logWarning(`${name}: arrived past its deadline; answered DEADLINE_EXCEEDED without running the handler`)
          .pipe(Effect.annotateLogs({ method: name }))
      )
      callback(status(grpc.status.DEADLINE_EXCEEDED, "effect-centrifugo: the call arrived past its deadline"))
      return
    }
    let request: ProxyRequest
    try {
      request = method.decode(call.request, headersFromMetadata(call.metadata, credentials?.key))
    } catch (error) {
      if (isInvalidJson(error)) {
        const fiber = run(pipeline.invalidJson(error.field, error.reason))
        fiber.addObserver((exit) => {
          if (Exit.isSuccess(exit)) respond(callback, exit.value)
        })
      } else if (isDecodeFailure(error)) {
        logOutside(run, Effect.logWarning(`${name}: ${safe(error.message)}`).pipe(Effect.annotateLogs({ method: name })))
        callback(status(grpc.status.INVALID_ARGUMENT, error.message))
      } else {
        logOutside(run, Effect.logError(`${name}: unexpected decode error`, error).pipe(Effect.annotateLogs({ method: name })))
        callback(status(grpc.status.INTERNAL, "internal error while decoding the request"))
      }
      return
    }

    // `answer` may run before `start` returns (a handler that completes synchronously): track the fiber only if not.
    let answered = false
    let fiber: AnyFiber | undefined
    fiber = pipeline.start(request, budget, run, (outcome) => {
      answered = true
      if (fiber !== undefined) inflight.delete(fiber)
      if (outcome !== undefined) respond(callback, outcome)
      // Interrupted from outside: the call was cancelled (nobody to answer) or the server is shutting down.
      else if (!call.cancelled) callback(status(grpc.status.UNAVAILABLE, "server shutting down"))
    })
    if (answered) return
    inflight.add(fiber)
    const running = fiber
    // Not removed when the call ends: the call object is this request's alone, and interrupting a finished fiber
    // does nothing.
    call.on("cancelled", () => running.interruptUnsafe())
  }
}

/** After interrupting what outlived the grace period: time for their UNAVAILABLE statuses to reach the clients. */
const STATUS_FLUSH_TIMEOUT = Duration.seconds(1)
/**
 * The first step of shutdown: health answers NOT_SERVING at once (the shared Readiness flips, so `/readyz` does
 * too), calls are still served for `delay`, then the health watches end so that graceful shutdown can finish.
 */
const drain = (readiness: Readiness.Readiness, health: Health.HealthService, delay: Duration.Duration) =>
  Effect.gen(function*() {
    yield* readiness.drain
    if (!Duration.isZero(delay)) {
      yield* Effect.logInfo(`Centrifugo proxy draining: not ready, still serving for ${Duration.format(delay)}`)
      yield* Effect.sleep(delay)
    }
    health.close()
  })

const shutdown = (server: grpc.Server, inflight: Set<AnyFiber>, grace: Duration.Duration) =>
  Effect.gen(function*() {
    // tryShutdown stops accepting calls and closes each connection once its calls have ended.
    let closed: () => void = () => {}
    const allClosed = new Promise<void>((resolve) => (closed = resolve))
    server.tryShutdown(() => closed())
    const waitClosed = Effect.promise(() => allClosed)
    yield* waitClosed.pipe(
      Effect.timeoutOrElse({
        duration: grace,
        orElse: () =>
          Effect.gen(function*() {
            yield* Effect.logWarning(
              `${inflight.size} call(s) still running ${Duration.format(grace)} after shutdown began; interrupting them`
            )
            const running = [...inflight]
            for (const fiber of running) fiber.interruptUnsafe()
            // Their observers answer UNAVAILABLE (streams end with it); once written, the connections close by
            // themselves. Force them closed only if that takes too long.
            yield* Fiber.awaitAll(running)
            yield* waitClosed.pipe(Effect.timeoutOrElse({ duration: STATUS_FLUSH_TIMEOUT, orElse: () => Effect.void }))
            server.forceShutdown()
          })
      })
    )
    yield* Effect.logInfo(`Centrifugo proxy (${SERVICE}) stopped`)
  })

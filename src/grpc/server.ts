/**
 * The gRPC server's start: a grpc-js server with every CentrifugoProxy method registered (a handler's pipeline, or
 * the UNIMPLEMENTED answer), the health service, the drain and shutdown as a finalizer, and the bind.
 *
 * @since 0.1.0
 */
import * as grpc from "@grpc/grpc-js"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Defaults from "../Defaults.ts"
import type { Handler } from "../Handler.ts"
import { eventNames, HandlerSet } from "../HandlerSet.ts"
import { warnAboutMismatches } from "../internal/configCheck.ts"
import { forkIn } from "../internal/context.ts"
import { noHandlerMessage } from "../internal/events.ts"
import * as Pipeline from "../internal/pipeline.ts"
import * as Health from "./health.ts"
import * as Address from "../server/address.ts"
import * as Credentials from "../server/credentials.ts"
import type * as Inflight from "../server/inflight.ts"
import { currentOrPrivate } from "../server/readiness.ts"
import * as Shutdown from "../server/shutdown.ts"
import { type StartFailure, startFailure } from "../server/startFailure.ts"
import * as Calls from "./calls.ts"
import { pathOf, SERVICE, streamEvents, unaryMethods } from "./methods.ts"
import type { ProxyServerOptions } from "./ProxyServer.ts"
import * as Streams from "./streams.ts"

const NAME = "Centrifugo proxy"

/** The server started, listening once this succeeds and drained when the scope closes. */
export const make = Effect.fnUntraced(function*(options: ProxyServerOptions) {
  const problem = Credentials.problem(options.requireCredentials, Defaults.grpc.credentialsEnv) ??
    (options.port === undefined ? undefined : Address.portProblem(options.port))
  if (problem !== undefined) return yield* Effect.fail(startFailure(problem))
  const handlers = yield* HandlerSet
  const run: Calls.Run = forkIn(yield* Effect.context<never>())
  const host = options.host ?? Defaults.grpc.host
  const requestedPort = options.port ?? Defaults.grpc.port
  const readiness = yield* currentOrPrivate
  const inflight: Inflight.Inflight = new Set()
  const context: Calls.CallContext = {
    run,
    inflight,
    credentials: Calls.metadataCheck(Credentials.check(options.requireCredentials)),
    refuse: Calls.refuser(run)
  }
  routeGrpcLogs(run)

  const server = new grpc.Server({
    "grpc.max_receive_message_length": options.maxReceiveMessageLength ?? 4 * 1024 * 1024,
    ...connectionOptions(options)
  })
  yield* setStreamResetLimit(server, options.streamResetLimit ?? DEFAULT_STREAM_RESET_LIMIT)
  const proxy = yield* register(handlers, context, options)
  server.addService(proxy.definition, proxy.implementation)
  const health = Health.make({
    readiness,
    services: [SERVICE],
    run,
    ...(options.maxHealthWatches === undefined ? {} : { maxWatches: options.maxHealthWatches })
  })
  server.addService(health.definition, health.implementation)

  // Registered before binding, so it runs even if a later step fails.
  const drainDelay = Duration.fromInputUnsafe(options.drainDelay ?? Duration.zero)
  const grace = Duration.fromInputUnsafe(options.shutdownTimeout ?? Duration.seconds(10))
  yield* Effect.addFinalizer(() =>
    Effect.gen(function*() {
      yield* Shutdown.drain(readiness, drainDelay, NAME)
      // The health watches end, so that graceful shutdown can finish.
      health.close()
      // tryShutdown stops accepting calls and closes each connection once its calls have ended.
      const closed = new Promise<void>((resolve) => server.tryShutdown(() => resolve()))
      yield* Shutdown.close({ closed, inflight, grace, noun: "call(s)", force: () => server.forceShutdown() })
      yield* Effect.logInfo(`${NAME} (${SERVICE}) stopped`)
    })
  )

  const port = yield* Effect.callback<number, StartFailure>((resume) => {
    server.bindAsync(
      `${host}:${requestedPort}`,
      options.credentials ?? grpc.ServerCredentials.createInsecure(),
      (error, port) =>
        resume(
          error
            ? Effect.fail(startFailure(`cannot bind ${host}:${requestedPort}: ${bindReason(error)}`, error))
            : Effect.succeed(port)
        )
    )
  })
  const address = Address.make("grpc", host, port)
  yield* Effect.logInfo(`${NAME} listening on ${address.address}`).pipe(
    Effect.annotateLogs({ handlers: eventNames(handlers).join(",") })
  )
  if (options.centrifugoConfig !== undefined) yield* warnAboutMismatches(options.centrifugoConfig, handlers, "grpc")
  return address
})

/** The CentrifugoProxy service: each method answered by its handler's pipeline, or UNIMPLEMENTED without one. */
const register = (handlers: HandlerSet, context: Calls.CallContext, options: ProxyServerOptions) =>
  Effect.gen(function*() {
    const timeout = Pipeline.timeoutOf(options.timeout)
    const deadlineMargin = options.deadlineMargin === undefined
      ? undefined
      : Duration.fromInputUnsafe(options.deadlineMargin)
    const failureReply = Pipeline.failureReplyOf(options.failureReply)
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {}
    const implementation: grpc.UntypedServiceImplementation = {}

    for (const method of unaryMethods) {
      definition[method.spec.method] = rawMethod(method.path, false, false)
      const handler = handlers[method.spec.name] as Handler<never, never> | undefined
      implementation[method.spec.method] = handler === undefined
        ? Calls.unimplemented(context, method.spec.method, noHandlerMessage(method.spec.name)).unary
        : yield* Effect.try({
          try: () =>
            Calls.unary(context, {
              method,
              pipeline: Pipeline.make(method.spec, handler, method.encode as (reply: unknown) => Buffer, { failureReply }),
              timeout,
              deadlineMargin
            }),
          catch: (error) => startFailure(`invalid failureReply: ${String(error)}`, error)
        })
    }
    for (const event of streamEvents) {
      definition[event.method] = rawMethod(pathOf(event), event.kind === "bidiStream", true)
      const handler = handlers[event.name]
      const streamOptions: Streams.StreamCallOptions = {
        ...context,
        event,
        budget: (call) => Calls.budgetOf(call.getDeadline(), timeout, deadlineMargin),
        failureReply
      }
      implementation[event.method] = handler === undefined
        ? Calls.unimplemented(context, event.method, noHandlerMessage(event.name)).stream
        : event.kind === "bidiStream"
        ? Streams.bidirectional(handler as Streams.BidirectionalHandler, streamOptions)
        : Streams.unidirectional(handler as Streams.UnidirectionalHandler, streamOptions)
    }
    return { definition, implementation }
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
const routeGrpcLogs = (run: Calls.Run) => {
  if (grpcLoggerRouted) return
  grpcLoggerRouted = true
  const log = (...args: Array<unknown>) => void run(Effect.logDebug(`grpc-js: ${args.map(String).join(" ")}`))
  grpc.setLogger({ error: log, info: log, debug: log } as Partial<Console> as Console)
}

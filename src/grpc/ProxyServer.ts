/**
 * The gRPC server runtime: a scoped Layer that serves `CentrifugoProxy` with the `Handlers` in context.
 *
 * Per call: decode the bytes into a domain request, run its handler on a fiber with the context captured when the
 * Layer was built, encode exactly one reply. The rules, each of which has a test:
 * - a failure or defect the handler did not turn into a reply is logged once, with its cause, and answered with
 *   `failureReply` (default: error 100 "internal server error", temporary); refresh and sub-refresh answer a gRPC
 *   INTERNAL status instead, because Centrifugo ignores their error field and would end the session;
 * - `Effect.fail(Reply.error(...))` / `Effect.fail(Reply.disconnect(...))` are answered as those replies;
 * - the call's cancellation (Centrifugo gave up, or its deadline passed) interrupts the fiber, so no work keeps
 *   running for nobody; calls without a deadline are bounded by `timeout`;
 * - a method without a handler answers UNIMPLEMENTED naming the missing handler;
 * - bytes that do not decode answer INVALID_ARGUMENT; a JSON payload that does not parse answers error 107
 *   "bad request" and the handler is not called;
 * - messages over `maxReceiveMessageLength` are refused by grpc-js with RESOURCE_EXHAUSTED;
 * - closing the scope stops accepting calls, lets in-flight calls finish for `shutdownTimeout`, then interrupts
 *   the rest (they answer UNAVAILABLE) and closes the transport.
 *
 * @since 0.1.0
 */
import * as grpc from "@grpc/grpc-js"
import { Cause, Config, Context, Duration, Effect, Exit, type Fiber, Layer, Redacted } from "effect"
import { timingSafeEqual } from "node:crypto"
import type { Handler } from "../Handlers.ts"
import { Handlers } from "../Handlers.ts"
import { isInvalidJson } from "../Payload.ts"
import { isClientRequest, type ProxyRequest } from "../Request.ts"
import * as Pipeline from "../internal/pipeline.ts"
import { headersFromMetadata, isDecodeFailure } from "../proto/codec.ts"
import { SERVICE, streamMethods, type UnaryMethod, unaryMethods } from "./methods.ts"
import { status, UNAUTHENTICATED_DETAILS } from "./status.ts"
import * as Streams from "./streams.ts"

export interface ProxyServerOptions {
  /** Interface to bind. Default `0.0.0.0`. */
  readonly host?: string
  /** Port to bind; `0` picks a free one (read it from the `ProxyServer` service). Default 10001. */
  readonly port?: number
  /** The error reply for failures and defects that handlers did not turn into a reply. */
  readonly failureReply?: { readonly code: number; readonly message: string; readonly temporary: boolean }
  /** How long in-flight calls may run after shutdown starts before they are interrupted. Default 10 seconds. */
  readonly shutdownTimeout?: Duration.Input
  /** Upper bound for a call that arrives without a gRPC deadline (Centrifugo always sends one). Default 30 s. */
  readonly timeout?: Duration.Input
  /** Largest request accepted, in bytes; larger ones get RESOURCE_EXHAUSTED. Default 4 MiB (grpc-js default). */
  readonly maxReceiveMessageLength?: number
  /** TLS or other credentials for the listener. Default: plaintext. */
  readonly credentials?: grpc.ServerCredentials
  /**
   * A metadata pair every call must carry: what Centrifugo sends when a proxy has `grpc.credentials_key` and
   * `grpc.credentials_value`. Calls without it (or with another value) answer UNAUTHENTICATED and reach no handler;
   * the pair is removed from `request.headers`, so the secret never reaches handlers or logs.
   */
  readonly requireCredentials?: { readonly key: string; readonly value: Redacted.Redacted<string> | string }
}

/** The running server. */
export interface ProxyServer {
  /** The bound port (useful with `port: 0`). */
  readonly port: number
  /** `host:port` as Centrifugo's `endpoint` wants it (with `grpc://` in front). */
  readonly address: string
}

export const ProxyServer: Context.Service<ProxyServer, ProxyServer> = Context.Service<ProxyServer>(
  "effect-centrifugo/ProxyServer"
)

/** The server could not start. */
export interface ProxyServerError {
  readonly _tag: "ProxyServerError"
  readonly message: string
  readonly cause: unknown
}

type AnyFiber = Fiber.Fiber<unknown, unknown>

/**
 * The server as a scoped Layer: listening once built, shut down gracefully when its scope closes.
 */
export const layer = (options: ProxyServerOptions = {}): Layer.Layer<ProxyServer, ProxyServerError, Handlers> =>
  Layer.effect(ProxyServer, make(options))

/**
 * The server configured from the environment: `PROXY_HOST` (default `0.0.0.0`), `PROXY_PORT` (default 10001),
 * `PROXY_SHUTDOWN_TIMEOUT` (a duration such as `10 seconds`), and `PROXY_CREDENTIALS_KEY` with
 * `PROXY_CREDENTIALS_VALUE` (optional: the `grpc.credentials_key`/`credentials_value` of Centrifugo's proxies, then
 * required on every call). Other options as in `layer`.
 */
export const layerConfig = (
  options: Omit<ProxyServerOptions, "host" | "port" | "shutdownTimeout" | "requireCredentials"> = {}
): Layer.Layer<ProxyServer, ProxyServerError | Config.ConfigError, Handlers> =>
  Layer.effect(
    ProxyServer,
    Effect.gen(function*() {
      const config = yield* Config.all({
        host: Config.String("PROXY_HOST").pipe(Config.withDefault("0.0.0.0")),
        port: Config.Port("PROXY_PORT").pipe(Config.withDefault(10001)),
        shutdownTimeout: Config.Duration("PROXY_SHUTDOWN_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10))),
        credentialsKey: Config.String("PROXY_CREDENTIALS_KEY").pipe(Config.option),
        credentialsValue: Config.Redacted("PROXY_CREDENTIALS_VALUE").pipe(Config.option)
      })
      const { credentialsKey, credentialsValue, ...rest } = config
      const requireCredentials = credentialsKey._tag === "Some" && credentialsValue._tag === "Some"
        ? { requireCredentials: { key: credentialsKey.value, value: credentialsValue.value } }
        : {}
      return yield* make({ ...options, ...rest, ...requireCredentials })
    })
  )

/** The check for `requireCredentials`: constant-time, on the first value of the lower-cased key. */
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

const make = Effect.fnUntraced(function*(options: ProxyServerOptions) {
  const handlers = yield* Handlers
  const context = yield* Effect.context<never>()
  const run = Effect.runForkWith(context)
  const host = options.host ?? "0.0.0.0"
  const requestedPort = options.port ?? 10001
  const shutdownTimeout = Duration.fromInputUnsafe(options.shutdownTimeout ?? Duration.seconds(10))
  const timeout = options.timeout === undefined ? Pipeline.DEFAULT_TIMEOUT : Duration.fromInputUnsafe(options.timeout)
  const pipeline: Pipeline.PipelineOptions = {
    failureReply: options.failureReply ?? Pipeline.DEFAULT_FAILURE_REPLY,
    timeout
  }
  const inflight = new Set<AnyFiber>()
  const credentials = credentialsCheck(options.requireCredentials)

  const server = new grpc.Server({
    "grpc.max_receive_message_length": options.maxReceiveMessageLength ?? 4 * 1024 * 1024
  })

  const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {}
  const implementation: grpc.UntypedServiceImplementation = {}

  for (const method of unaryMethods) {
    definition[method.method] = rawMethod(method.path, false, false)
    const handler = handlers[method.event] as Handler<never, never> | undefined
    implementation[method.method] = handler === undefined
      ? unimplementedUnary(
        run,
        method.method,
        `no \`${method.event}\` handler: add one to Handlers.layer({ ... })`,
        credentials
      )
      : unaryCall({ method, handler, run, inflight, pipeline, credentials })
  }
  for (const method of streamMethods) {
    definition[method.method] = rawMethod(method.path, method.requestStream, true)
    const handler = handlers[method.event]
    const streamOptions: Streams.StreamCallOptions = {
      method,
      run,
      inflight,
      failureReply: pipeline.failureReply,
      ...(credentials === undefined ? {} : { credentials })
    }
    implementation[method.method] = handler === undefined
      ? unimplementedStream(
        run,
        method.method,
        `no \`${method.event}\` handler: add one to Handlers.layer({ ... })`,
        credentials
      )
      : method.requestStream
      ? Streams.bidirectional(handler as Streams.BidirectionalHandler, streamOptions)
      : Streams.unidirectional(handler as Streams.UnidirectionalHandler, streamOptions)
  }
  server.addService(definition, implementation)

  // Registered before binding, so it runs even if a later step fails.
  yield* Effect.addFinalizer(() => shutdown(server, inflight, shutdownTimeout))

  const port = yield* Effect.callback<number, ProxyServerError>((resume) => {
    server.bindAsync(
      `${host}:${requestedPort}`,
      options.credentials ?? grpc.ServerCredentials.createInsecure(),
      (error, port) =>
        resume(
          error
            ? Effect.fail({ _tag: "ProxyServerError", message: `cannot bind ${host}:${requestedPort}: ${error.message}`, cause: error })
            : Effect.succeed(port)
        )
    )
  })
  const address = `${host.includes(":") ? `[${host}]` : host}:${port}`
  yield* Effect.logInfo(`Centrifugo proxy listening on ${address}`).pipe(
    Effect.annotateLogs({ handlers: Object.keys(handlers).join(",") })
  )
  return ProxyServer.of({ port, address })
})

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

const unimplementedUnary = (
  run: Run,
  method: string,
  message: string,
  credentials: ReturnType<typeof credentialsCheck>
): grpc.handleUnaryCall<Buffer, Buffer> =>
(call, callback) => {
  if (credentials !== undefined && !credentials.ok(call.metadata)) {
    return callback(status(grpc.status.UNAUTHENTICATED, UNAUTHENTICATED_DETAILS))
  }
  logOutside(run, Effect.logWarning(`${method}: ${message}`).pipe(Effect.annotateLogs({ method })))
  callback(status(grpc.status.UNIMPLEMENTED, `effect-centrifugo: ${method}: ${message}`))
}

const unimplementedStream = (
  run: Run,
  method: string,
  message: string,
  credentials: ReturnType<typeof credentialsCheck>
) =>
(call: grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>) => {
  if (credentials !== undefined && !credentials.ok(call.metadata)) {
    return void call.emit("error", status(grpc.status.UNAUTHENTICATED, UNAUTHENTICATED_DETAILS))
  }
  logOutside(run, Effect.logWarning(`${method}: ${message}`).pipe(Effect.annotateLogs({ method })))
  call.emit("error", status(grpc.status.UNIMPLEMENTED, `effect-centrifugo: ${method}: ${message}`))
}

interface UnaryCallOptions {
  readonly method: UnaryMethod
  readonly handler: Handler<never, never>
  readonly run: Run
  readonly inflight: Set<AnyFiber>
  readonly pipeline: Pipeline.PipelineOptions
  readonly credentials: ReturnType<typeof credentialsCheck>
}


const respond = (callback: grpc.sendUnaryData<Buffer>, outcome: Pipeline.Outcome): void => {
  if (Buffer.isBuffer(outcome)) callback(null, outcome)
  else callback(status(outcome.code, outcome.details))
}

const unaryCall = (options: UnaryCallOptions): grpc.handleUnaryCall<Buffer, Buffer> => {
  const { inflight, method, run } = options
  const name = method.method
  const pipeline = Pipeline.make(method, options.handler, options.pipeline)

  const { credentials } = options
  return (call, callback) => {
    if (credentials !== undefined && !credentials.ok(call.metadata)) {
      logOutside(run, Effect.logWarning(`${name}: ${UNAUTHENTICATED_DETAILS}`).pipe(Effect.annotateLogs({ method: name })))
      callback(status(grpc.status.UNAUTHENTICATED, UNAUTHENTICATED_DETAILS))
      return
    }
    let request: ProxyRequest
    try {
      request = method.decode(call.request, headersFromMetadata(call.metadata, credentials?.key))
    } catch (error) {
      if (isDecodeFailure(error)) {
        logOutside(run, Effect.logWarning(`${name}: ${error.message}`).pipe(Effect.annotateLogs({ method: name })))
        callback(status(grpc.status.INVALID_ARGUMENT, error.message))
      } else if (isInvalidJson(error)) {
        logOutside(
          run,
          Effect.logWarning(`${name}: ${error.field} is not valid JSON (${error.reason}); answered 107 bad request`)
            .pipe(Effect.annotateLogs({ method: name }))
        )
        respond(callback, pipeline.invalidJson(error.field))
      } else {
        logOutside(run, Effect.logError(`${name}: unexpected decode error`, Cause.die(error)))
        callback(status(grpc.status.INTERNAL, "internal error while decoding the request"))
      }
      return
    }

    const hasDeadline = Number.isFinite(Number(call.getDeadline()))
    const fiber = run(pipeline.run(request as never, isClientRequest(request) ? request.client : "", hasDeadline))
    inflight.add(fiber)
    // Not removed when the call ends: the call object is this request's alone, and interrupting a finished fiber
    // does nothing.
    call.on("cancelled", () => fiber.interruptUnsafe())
    fiber.addObserver((exit) => {
      inflight.delete(fiber)
      if (Exit.isSuccess(exit)) respond(callback, exit.value)
      // Only interruption gets here (the pipeline catches everything else): the server is shutting down.
      else if (!call.cancelled) callback(status(grpc.status.UNAVAILABLE, "server shutting down"))
    })
  }
}

const shutdown = (server: grpc.Server, inflight: Set<AnyFiber>, grace: Duration.Duration) =>
  Effect.gen(function*() {
    const graceful = Effect.callback<void>((resume) => server.tryShutdown(() => resume(Effect.void)))
    yield* graceful.pipe(
      Effect.timeoutOrElse({
        duration: grace,
        orElse: () =>
          Effect.gen(function*() {
            yield* Effect.logWarning(
              `${inflight.size} call(s) still running ${Duration.format(grace)} after shutdown began; interrupting them`
            )
            for (const fiber of inflight) fiber.interruptUnsafe()
            // Their observers answer UNAVAILABLE; give grpc-js a turn to write those before closing the transport.
            yield* Effect.yieldNow
            server.forceShutdown()
          })
      })
    )
    yield* Effect.logInfo(`Centrifugo proxy (${SERVICE}) stopped`)
  })

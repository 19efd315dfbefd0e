/**
 * The `grpc.health.v1.Health` service for the proxy's grpc-js server (what it answers is documented on the public
 * `Health` module, src/ops/Health.ts).
 *
 * The two messages have one field each, so they are encoded here by hand with `@bufbuild/protobuf/wire` instead
 * of generating code from `health.proto`: the wire facts are `HealthCheckRequest { string service = 1; }` and
 * `HealthCheckResponse { ServingStatus status = 1; }` (UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3).
 *
 * @since 0.1.0
 */
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire"
import * as grpc from "@grpc/grpc-js"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { throttle } from "../internal/logText.ts"
import { liveness, serviceName } from "../ops/Health.ts"
import type { Readiness } from "../ops/Readiness.ts"

/**
 * The health protocol's serving states, by name (`SERVING`, `NOT_SERVING`, ...), with their wire numbers.
 */
export const ServingStatus = {
  UNKNOWN: 0,
  SERVING: 1,
  NOT_SERVING: 2,
  SERVICE_UNKNOWN: 3
} as const
export type ServingStatus = typeof ServingStatus[keyof typeof ServingStatus]

/**
 * `HealthCheckRequest.service`; throws on bytes that are not a valid message.
 */
const decodeRequest = (bytes: Uint8Array): string => {
  const reader = new BinaryReader(bytes)
  let service = ""
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag()
    if (field === 1 && wireType === WireType.LengthDelimited) service = reader.string()
    else reader.skip(wireType, field)
  }
  return service
}

/**
 * A `HealthCheckResponse` with `status`.
 */
const encodeResponse = (status: ServingStatus): Buffer => {
  const writer = new BinaryWriter()
  // proto3: the default (UNKNOWN) is not written.
  if (status !== 0) writer.tag(1, WireType.Varint).int32(status)
  return Buffer.from(writer.finish())
}

type Run = <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>

/**
 * Options of the health service: the readiness it reports, the service names it answers, and the Watch interval.
 */
export interface HealthOptions {
  readonly readiness: Readiness
  /** Service names answered like `""` (the proxy service). */
  readonly services: ReadonlyArray<string>
  readonly run: Run
  /** How often the readiness check is re-run while any Watch follows it (one run for all). Default 5 seconds. */
  readonly watchInterval?: Duration.Input
  /** Most Watch streams open at once; more are refused with RESOURCE_EXHAUSTED. Default 100. */
  readonly maxWatches?: number
}

/**
 * The default cap on open Watch streams: far more than probes and load balancers hold.
 */
const defaultMaxWatches = 100

/**
 * The health service ready to add to a grpc-js server: its definition, implementation, and `close` for shutdown.
 */
export interface HealthService {
  readonly definition: grpc.ServiceDefinition
  readonly implementation: grpc.UntypedServiceImplementation
  /** Ends every open Watch with UNAVAILABLE (they would otherwise hold the server's graceful shutdown open). */
  readonly close: () => void
}

const identity = <A>(value: A): A => value
const method = (name: string, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `/${serviceName}/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity
})

const unavailable = (details: string): grpc.ServerErrorResponse =>
  Object.assign(new Error(details), { code: grpc.status.UNAVAILABLE, details })

/**
 * Builds the `grpc.health.v1.Health` service (Check and Watch) answering from `options.readiness`.
 */
export const make = (options: HealthOptions): HealthService => {
  const { readiness, run } = options
  const known = new Set(["", ...options.services])
  const interval = Duration.fromInputUnsafe(options.watchInterval ?? Duration.seconds(5))
  const maxWatches = options.maxWatches ?? defaultMaxWatches

  /** The status of a service name, or undefined for a name this server does not know. */
  const statusOf = (service: string): Effect.Effect<ServingStatus | undefined> =>
    service === liveness
      ? Effect.succeed(ServingStatus.SERVING)
      : !known.has(service)
      ? Effect.succeed(undefined)
      : Effect.map(readiness.status, (s) => s.ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING)

  const decode = (bytes: Buffer): string | grpc.ServerErrorResponse => {
    try {
      return decodeRequest(bytes)
    } catch (error) {
      const details = `invalid HealthCheckRequest: ${error instanceof Error ? error.message : String(error)}`
      run(Effect.logWarning(`${serviceName}: ${details}; answered INVALID_ARGUMENT`))
      return Object.assign(new Error(details), { code: grpc.status.INVALID_ARGUMENT, details })
    }
  }

  const Check: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const service = decode(call.request)
    if (typeof service !== "string") return callback(service)
    run(statusOf(service)).addObserver((exit) => {
      if (Exit.isFailure(exit)) return callback(unavailable("health check interrupted"))
      if (exit.value === undefined) {
        return callback(Object.assign(new Error("unknown service"), { code: grpc.status.NOT_FOUND, details: "unknown service" }))
      }
      callback(null, encodeResponse(exit.value))
    })
  }

  /** Resolves on the next readiness change, or after `interval`. */
  const nextChange = Effect.race(
    Effect.callback<void>((resume) => {
      const off = readiness.onChange(() => resume(Effect.void))
      return Effect.sync(off)
    }),
    Effect.sleep(interval)
  )

  // Every open watch, to end them at shutdown; those of the proxy's names, which follow the readiness status.
  const open = new Set<grpc.ServerWritableStream<Buffer, Buffer>>()
  const following = new Map<grpc.ServerWritableStream<Buffer, Buffer>, { last: ServingStatus | undefined }>()
  // One readiness check per interval for all the watches (not one each), run only while someone watches.
  let shared: ServingStatus | undefined
  let poller: Fiber.Fiber<unknown, unknown> | undefined

  const send = (call: grpc.ServerWritableStream<Buffer, Buffer>, state: { last: ServingStatus | undefined }) => {
    if (shared === undefined || state.last === shared || call.cancelled) return
    state.last = shared
    call.write(encodeResponse(shared))
  }

  const poll = Effect.gen(function*() {
    while (true) {
      const status = yield* readiness.status
      shared = status.ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING
      for (const [call, state] of following) send(call, state)
      yield* nextChange
    }
  })

  const follow = (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
    const state = { last: undefined }
    following.set(call, state)
    // The status last seen at once (at most `interval` old; a drain is seen at once), then every change.
    send(call, state)
    if (poller === undefined) {
      const fiber = run(poll)
      poller = fiber
      fiber.addObserver(() => {
        if (poller === fiber) poller = undefined
        shared = undefined
      })
    }
  }

  const forget = (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
    open.delete(call)
    following.delete(call)
    if (following.size === 0 && poller !== undefined) {
      const fiber = poller
      poller = undefined
      shared = undefined
      fiber.interruptUnsafe()
    }
  }

  const shouldWarn = throttle(10_000)

  const Watch: grpc.handleServerStreamingCall<Buffer, Buffer> = (call) => {
    const service = decode(call.request)
    if (typeof service !== "string") return void call.emit("error", service)
    if (open.size >= maxWatches) {
      const suppressed = shouldWarn()
      if (suppressed !== undefined) {
        run(Effect.logWarning(
          `${serviceName}: ${maxWatches} watches open (maxWatches): refused a Watch with RESOURCE_EXHAUSTED` +
            (suppressed > 0 ? ` (and ${suppressed} more not logged)` : "")
        ))
      }
      const details = `too many health watches (at most ${maxWatches})`
      return void call.emit("error", Object.assign(new Error(details), { code: grpc.status.RESOURCE_EXHAUSTED, details }))
    }
    open.add(call)
    call.once("cancelled", () => forget(call))
    if (service === liveness) call.write(encodeResponse(ServingStatus.SERVING))
    else if (!known.has(service)) call.write(encodeResponse(ServingStatus.SERVICE_UNKNOWN))
    else follow(call)
  }

  return {
    definition: { Check: method("Check", false), Watch: method("Watch", true) },
    implementation: { Check, Watch },
    close: () => {
      for (const call of [...open]) {
        forget(call)
        if (!call.cancelled) call.emit("error", unavailable("server shutting down"))
      }
    }
  }
}

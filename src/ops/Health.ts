/**
 * The standard gRPC health service, `grpc.health.v1.Health` (Check and Watch), for the proxy's grpc-js server: what
 * Kubernetes' `grpc:` probes, `grpc_health_probe` and load balancers ask.
 *
 * Answers, per service name:
 * - `""` (the whole server) and `centrifugal.centrifugo.proxy.CentrifugoProxy`: SERVING while `Readiness` says
 *   ready; NOT_SERVING from the moment a drain starts (before the listener closes), or while the user's readiness
 *   check fails;
 * - `liveness`: SERVING whenever the server answers at all (for a liveness probe, which must not fail on a drain or
 *   a slow database);
 * - any other name: Check answers NOT_FOUND, Watch sends SERVICE_UNKNOWN and keeps watching (as the standard says).
 * Watch sends the status at once and again whenever it changes (a drain is seen at once, the user check every
 * `watchInterval`); the server ends the watches with UNAVAILABLE when it shuts down.
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
import type { Readiness } from "./Readiness.ts"

/**
 * The health service's full name.
 *
 * @since 0.1.0
 * @category constants
 */
export const SERVICE = "grpc.health.v1.Health"

/**
 * The service name a liveness probe asks for: SERVING as long as the server answers.
 *
 * @since 0.1.0
 * @category constants
 */
export const LIVENESS = "liveness"

/**
 * The health protocol's serving states, by name (`SERVING`, `NOT_SERVING`, ...), with their wire numbers.
 *
 * @since 0.1.0
 * @category constants
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
 *
 * @since 0.1.0
 * @category utils
 */
export const decodeRequest = (bytes: Uint8Array): string => {
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
 *
 * @since 0.1.0
 * @category utils
 */
export const encodeResponse = (status: ServingStatus): Buffer => {
  const writer = new BinaryWriter()
  // proto3: the default (UNKNOWN) is not written.
  if (status !== 0) writer.tag(1, WireType.Varint).int32(status)
  return Buffer.from(writer.finish())
}

type Run = <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>

/**
 * Options of the health service: the readiness it reports, the service names it answers, and the Watch interval.
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthOptions {
  readonly readiness: Readiness
  /** Service names answered like `""` (the proxy service). */
  readonly services: ReadonlyArray<string>
  readonly run: Run
  /** How often a Watch re-runs the user's readiness check. Default 5 seconds. */
  readonly watchInterval?: Duration.Input
}

/**
 * The health service ready to add to a grpc-js server: its definition, implementation, and `close` for shutdown.
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthService {
  readonly definition: grpc.ServiceDefinition
  readonly implementation: grpc.UntypedServiceImplementation
  /** Ends every open Watch with UNAVAILABLE (they would otherwise hold the server's graceful shutdown open). */
  readonly close: () => void
}

const identity = <A>(value: A): A => value
const method = (name: string, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `/${SERVICE}/${name}`,
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
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: HealthOptions): HealthService => {
  const { readiness, run } = options
  const known = new Set(["", ...options.services])
  const interval = Duration.fromInputUnsafe(options.watchInterval ?? Duration.seconds(5))
  const watches = new Set<Fiber.Fiber<unknown, unknown>>()

  /** The status of a service name, or undefined for a name this server does not know. */
  const statusOf = (service: string): Effect.Effect<ServingStatus | undefined> =>
    service === LIVENESS
      ? Effect.succeed(ServingStatus.SERVING)
      : !known.has(service)
      ? Effect.succeed(undefined)
      : Effect.map(readiness.status, (s) => s.ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING)

  const decode = (bytes: Buffer): string | grpc.ServerErrorResponse => {
    try {
      return decodeRequest(bytes)
    } catch (error) {
      const details = `invalid HealthCheckRequest: ${error instanceof Error ? error.message : String(error)}`
      run(Effect.logWarning(`${SERVICE}: ${details}; answered INVALID_ARGUMENT`))
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

  const Watch: grpc.handleServerStreamingCall<Buffer, Buffer> = (call) => {
    const service = decode(call.request)
    if (typeof service !== "string") return void call.emit("error", service)
    const program = Effect.gen(function*() {
      let last: ServingStatus | undefined
      // Bounded by the call: cancellation or the server's shutdown interrupts it.
      while (true) {
        const status = (yield* statusOf(service)) ?? ServingStatus.SERVICE_UNKNOWN
        if (status !== last) {
          call.write(encodeResponse(status))
          last = status
        }
        yield* nextChange
      }
    })
    const fiber = run(program)
    watches.add(fiber)
    call.once("cancelled", () => fiber.interruptUnsafe())
    fiber.addObserver(() => {
      watches.delete(fiber)
      if (!call.cancelled) call.emit("error", unavailable("server shutting down"))
    })
  }

  return {
    definition: { Check: method("Check", false), Watch: method("Watch", true) },
    implementation: { Check, Watch },
    close: () => {
      for (const fiber of [...watches]) fiber.interruptUnsafe()
    }
  }
}

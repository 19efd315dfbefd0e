/**
 * Readiness: whether this process should get new traffic.
 *
 * One small shared state that every server consults and flips: the gRPC server (its `grpc.health.v1` service) and
 * the HTTP probes (`/readyz`) answer "not ready" as soon as any server sharing it starts its drain, so load balancers
 * and Kubernetes stop sending work before a listener closes. A user-supplied check (say, "the database answers") can
 * make the process not ready too; liveness never depends on it (a slow database must not get the pod restarted).
 *
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Admin, type HandlerSet, ProxyServer, Readiness } from "effect-centrifugo"
 *
 * declare const pingDatabase: Effect.Effect<void, Error>
 * declare const AppHandlers: Layer.Layer<HandlerSet.HandlerSet>
 *
 * const Ready = Readiness.layer({ check: pingDatabase })
 * const Server = Layer.mergeAll(ProxyServer.layerConfig(), Admin.layerConfig()).pipe(
 *   Layer.provide(AppHandlers),
 *   Layer.provide(Ready)
 * )
 * ```
 *
 * Every server (gRPC, HTTP, admin) uses the `Readiness` in context, or a private one without (so a gRPC health
 * service still turns NOT_SERVING on shutdown). `Main.run` and `Workers.run` provide one shared by everything they
 * run; provide one yourself to add a check, or when you launch the Layer another way.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The answer of a readiness check.
 *
 * @since 0.1.0
 * @category models
 */
export interface Status {
  readonly ready: boolean
  /** Why not, when not ready: `draining`, or the check's failure. */
  readonly reason?: string
}

/**
 * The process's shared ready/draining state: probes and health checks read it, servers start their drain with it.
 *
 * @since 0.1.0
 * @category services
 */
export interface Readiness {
  /** True once a drain started: never false again in this process. */
  readonly isDraining: () => boolean
  /** Marks the process as draining and tells every watcher. Idempotent. */
  readonly drain: Effect.Effect<void>
  /** Not draining, and the user check (if any) passed within its timeout. */
  readonly status: Effect.Effect<Status>
  /** Calls `listener` on every change the state itself knows of (a drain); returns the unsubscribe function. */
  readonly onChange: (listener: () => void) => () => void
}

export const Readiness: Context.Service<Readiness, Readiness> = Context.Service<Readiness>("effect-centrifugo/Readiness")

/**
 * Options of the readiness state: the user's readiness check and its timeout.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadinessOptions {
  /**
   * Must succeed for the process to be ready; its failure (or defect) makes it not ready, with the failure as the
   * reason. It runs on every probe, so keep it cheap.
   */
  readonly check?: Effect.Effect<unknown, unknown>
  /** A check that takes longer counts as failed. Default 1 second. */
  readonly checkTimeout?: Duration.Input
}

const describe = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.findErrorOption(cause)
  if (failure._tag === "None") return "readiness check died"
  const error = failure.value
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message)
  return String(error)
}

/**
 * A fresh readiness state (what `layer` provides).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: ReadinessOptions = {}): Readiness => {
  let draining = false
  const listeners = new Set<() => void>()
  const timeout = Duration.fromInputUnsafe(options.checkTimeout ?? Duration.seconds(1))
  const check = options.check === undefined
    ? undefined
    : options.check.pipe(
      Effect.timeoutOrElse({
        duration: timeout,
        orElse: () => Effect.fail({ message: `readiness check took longer than ${Duration.format(timeout)}` })
      }),
      Effect.matchCause({
        onFailure: (cause): Status => ({ ready: false, reason: describe(cause) }),
        onSuccess: (): Status => ({ ready: true })
      })
    )
  const notDraining: Status = { ready: true }
  const drainingStatus: Status = { ready: false, reason: "draining" }
  return {
    isDraining: () => draining,
    drain: Effect.sync(() => {
      if (draining) return
      draining = true
      for (const listener of [...listeners]) listener()
    }),
    status: Effect.suspend(() =>
      draining ? Effect.succeed(drainingStatus) : check === undefined ? Effect.succeed(notDraining) : check
    ),
    onChange: (listener) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    }
  }
}

/**
 * A readiness state shared by everything built with this Layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: ReadinessOptions = {}): Layer.Layer<Readiness> =>
  Layer.sync(Readiness, () => make(options))

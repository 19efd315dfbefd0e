/**
 * How both servers stop when their scope closes: first the drain (the shared `Readiness` turns not ready, calls are
 * still served for `drainDelay` so load balancers notice), then the close (no new connections, in-flight calls
 * finish within `shutdownTimeout`, those still running are interrupted and answered, and whatever is left is
 * forced closed a moment later).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Readiness from "../ops/Readiness.ts"
import type { Inflight } from "./inflight.ts"

/** After interrupting what outlived the grace period: time for their answers (UNAVAILABLE, 503) to reach Centrifugo. */
export const statusFlushTimeout = Duration.seconds(1)

/**
 * The first step of shutdown: the `Readiness` drains at once (gRPC health NOT_SERVING, `/readyz` 503 in every server
 * sharing it), then calls are still served for `delay`. `name` begins the log line.
 */
export const drain = (readiness: Readiness.Readiness, delay: Duration.Duration, name: string) =>
  Effect.gen(function*() {
    yield* readiness.drain
    if (Duration.isZero(delay)) return
    yield* Effect.logInfo(`${name} draining: not ready, still serving for ${Duration.format(delay)}`)
    yield* Effect.sleep(delay)
  })

/** What `close` needs of a server that has stopped accepting connections. */
export interface CloseOptions {
  /** Resolves once every connection is closed (each closes once its calls have ended). */
  readonly closed: Promise<void>
  readonly inflight: Inflight
  /** How long in-flight calls may go on (`shutdownTimeout`). */
  readonly grace: Duration.Duration
  /** What a call is called in the warning: "call(s)", "request(s)". */
  readonly noun: string
  /** Closes every connection at once. */
  readonly force: () => void
}

/**
 * Waits up to `grace` for the connections to close; then interrupts the calls still running (their fibers answer
 * as the server is shutting down) and forces the connections closed if their answers take longer than
 * `statusFlushTimeout` to go out.
 */
export const close = (options: CloseOptions) =>
  Effect.gen(function*() {
    const closed = Effect.promise(() => options.closed)
    const drained = yield* closed.pipe(
      Effect.as(true),
      Effect.timeoutOrElse({ duration: options.grace, orElse: () => Effect.succeed(false) })
    )
    if (drained) return
    if (options.inflight.size > 0) {
      yield* Effect.logWarning(
        `${options.inflight.size} ${options.noun} still running ${Duration.format(options.grace)} after shutdown ` +
          "began; interrupting them"
      )
      yield* Fiber.interruptAll([...options.inflight])
    }
    yield* closed.pipe(Effect.timeoutOrElse({ duration: statusFlushTimeout, orElse: () => Effect.sync(options.force) }))
  })

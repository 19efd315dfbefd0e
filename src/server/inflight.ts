/**
 * The calls a server is running, for its drain: each call's fiber is tracked from its start until it answers, so
 * shutdown can interrupt those still running after the grace period. A call whose handler answers inside the
 * pipeline's `start` (synchronously) is never added: there is nothing left to interrupt.
 *
 * @since 0.1.0
 */
import type * as Fiber from "effect/Fiber"

/** A call's fiber, whatever it computes. */
export type AnyFiber = Fiber.Fiber<unknown, unknown>

/** The fibers of the calls in flight. */
export type Inflight = Set<AnyFiber>

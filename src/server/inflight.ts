/**
 * The calls a server is running, for its drain: each call's fiber is tracked from its start until it answers, so
 * shutdown can interrupt those still running after the grace period.
 *
 * @since 0.1.0
 */
import type * as Fiber from "effect/Fiber"

/** A call's fiber, whatever it computes. */
export type AnyFiber = Fiber.Fiber<unknown, unknown>

/** The fibers of the calls in flight. */
export type Inflight = Set<AnyFiber>

/**
 * Starts a call with `start` and tracks its fiber until `done` runs. `done` may run before `start` returns (a handler
 * that completes synchronously): the fiber is then never tracked, and `undefined` is returned (nothing to cancel).
 */
export const track = <O>(
  inflight: Inflight,
  start: (done: (outcome: O) => void) => AnyFiber,
  done: (outcome: O) => void
): AnyFiber | undefined => {
  let answered = false
  let fiber: AnyFiber | undefined
  fiber = start((outcome) => {
    answered = true
    if (fiber !== undefined) inflight.delete(fiber)
    done(outcome)
  })
  if (answered) return undefined
  inflight.add(fiber)
  return fiber
}

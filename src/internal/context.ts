/**
 * Providing a captured context on every call, cheaply.
 *
 * `Effect.provideContext` merges by copying the caller's context per call. Handler and interceptor wrappers run
 * on every request, and almost every request arrives with the same parent context (the server's), so the merged
 * context is cached for the last parent seen: same semantics (the captured services win), one copy per distinct
 * parent instead of one per call. Contexts are immutable, so a cached one is safe to share.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

export const provider = (context: Context.Context<never>) => {
  let lastParent: Context.Context<never> | undefined
  let lastMerged: Context.Context<never> = context
  const merge = (parent: Context.Context<never>): Context.Context<never> => {
    if (parent !== lastParent) {
      lastParent = parent
      lastMerged = Context.merge(parent, context)
    }
    return lastMerged
  }
  // An Exit (`Effect.succeed(reply)`, `Effect.fail(...)`) reads no service: nothing to provide, nothing to restore.
  return <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, never> => {
    const provided = effect as Effect.Effect<A, E, never>
    return Exit.isExit(provided) ? provided : Effect.updateContext(provided, merge)
  }
}

/**
 * Providing a captured context on every call, cheaply.
 *
 * `Effect.provideContext` merges by copying the caller's context per call. Handler and interceptor wrappers run
 * on every request, and almost every request arrives with the same parent context (the server's), so the merged
 * context is cached for the last parent seen: same semantics (the captured services win), one copy per distinct
 * parent instead of one per call. Contexts are immutable, so a cached one is safe to share.
 *
 * A handler wrapped by `providing` also says what it wraps, so the pipeline can start its fiber in the merged
 * context at once and call the unwrapped handler: the same context for the handler, without the per-call
 * `updateContext` (its closures, its finalizer restoring the parent: ~370 bytes a call, `bench:pipeline --alloc`).
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

const ProvidedTypeId: unique symbol = Symbol.for("effect-centrifugo/context/Provided")

/** What a `providing` handler wraps: `run` called in a fiber whose context is `merge(parent, context)`. */
export interface Provided<Req> {
  readonly run: (request: Req) => Effect.Effect<unknown, unknown, unknown>
  readonly context: Context.Context<never>
}

/** `run` with `context` provided on every call (merged over the caller's), marked with what it wraps. */
export const providing = <Req, A, E, R>(
  run: (request: Req) => Effect.Effect<A, E, R>,
  context: Context.Context<never>
): (request: Req) => Effect.Effect<A, E, never> => {
  const provide = provider(context)
  const handler = (request: Req) => provide(run(request))
  const provided: Provided<Req> = { run, context }
  return Object.assign(handler, { [ProvidedTypeId]: provided })
}

/** What a handler made by `providing` wraps; undefined for any other function. */
export const providedOf = <Req>(handler: (request: Req) => unknown): Provided<Req> | undefined =>
  (handler as { readonly [ProvidedTypeId]?: Provided<Req> })[ProvidedTypeId]

const forkContexts = new WeakMap<object, Context.Context<never>>()

/** `Effect.runForkWith(context)`, remembering its context (for `contextOfFork`). */
export const forkIn = (context: Context.Context<never>) => {
  const fork = Effect.runForkWith(context)
  forkContexts.set(fork, context)
  return fork
}

/** The context a fork made by `forkIn` starts fibers in; undefined for any other. */
export const contextOfFork = (fork: object): Context.Context<never> | undefined => forkContexts.get(fork)

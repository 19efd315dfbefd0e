/**
 * The mechanics behind `Interceptor.make`: a handler-set Layer whose handlers are the inner set's, each wrapped by
 * `around` (or only those of `events`), described as the inner set plus what the interceptor contributes. The
 * built-in interceptors (src/interceptors/) are made with it too.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Contribution, Described, EventName } from "../HandlerSet.ts"
import { HandlerSet } from "../HandlerSet.ts"
import type { Around, Interceptor, Next } from "../Interceptor.ts"
import type { ProxyRequest } from "../ProxyRequest.ts"
import { provider, providing } from "./context.ts"
import { contribute, described } from "./description.ts"

/** Which events to wrap (all by default), and what the interceptor adds to the set's description. */
export interface WrapOptions {
  readonly events?: ReadonlyArray<EventName> | undefined
  readonly description?: Contribution | undefined
}

/** An interceptor from `around`; its type parameters say what it provides, requires and adds as failures. */
export const intercept = <Provides, Requires, Fails>(
  around: Around<Requires>,
  options: WrapOptions = {}
): Interceptor<Provides, Requires, Fails> =>
  (<R, F, E>(handlers: Described<R, F, E>) =>
    described(
      wrapLayer(around, options.events, handlers),
      contribute(handlers.description, options.description)
    )) as Interceptor<Provides, Requires, Fails>

const wrapLayer = <R, E, RIn>(
  around: Around<R>,
  events: ReadonlyArray<EventName> | undefined,
  handlers: Layer.Layer<HandlerSet, E, RIn>
): Layer.Layer<HandlerSet, E, RIn | R> =>
  Layer.effect(
    HandlerSet,
    Effect.gen(function*() {
      const inner = yield* HandlerSet
      const context = yield* Effect.context<R>()
      const selected = events === undefined ? undefined : new Set<string>(events)
      const provide = provider(context)
      const table: Record<string, unknown> = {}
      for (const [name, handler] of Object.entries(inner) as Array<[EventName, Next | undefined]>) {
        if (handler === undefined) continue
        if (selected !== undefined && !selected.has(name)) {
          table[name] = handler
        } else if (name === "subscribeBidirectional") {
          // The client's publications are not part of the request: `next` carries them on to the handler.
          const bidirectional = handler as (request: ProxyRequest, incoming: unknown) => ReturnType<Next>
          table[name] = (request: ProxyRequest, incoming: unknown) =>
            provide(around(request, (forwarded) => bidirectional(forwarded, incoming), name))
        } else {
          table[name] = providing((request: ProxyRequest) => around(request, handler, name), context)
        }
      }
      return table as HandlerSet
    })
  ).pipe(Layer.provide(handlers))

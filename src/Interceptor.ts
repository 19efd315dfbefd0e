/**
 * Interceptors: transformations of the handler set, `HandlerSet.Described -> HandlerSet.Described`, that wrap every
 * handler call (or the calls of chosen events) with code of their own, and keep the set's description.
 *
 * ```ts
 * import { Auth, type HandlerSet, Interceptor } from "effect-centrifugo"
 *
 * declare const AppHandlers: HandlerSet.Described<Auth.CurrentUser>
 *
 * const Served = AppHandlers.pipe(
 *   Auth.authenticate(),                       // inner: runs second, provides CurrentUser to the handlers
 *   Interceptor.timeout("2 seconds"),
 *   Interceptor.logging()                      // outer: runs first, sees the final reply and the total time
 * )
 * ```
 *
 * Order: `handlers.pipe(a, b, c)` makes `c` the outermost. A call enters `c`, then `b`, then `a`, then the handler;
 * the reply travels back out through `a`, `b`, `c`. An interceptor limited to some events (`{ events: [...] }`)
 * keeps its place in that order for those events and is skipped for the others.
 *
 * What an interceptor can do, all with `Interceptor.make((request, next) => ...)`:
 * - run code before and after `next(request)`, with the request and the reply (or failure) in hand;
 * - answer without calling `next` (short-circuit), e.g. `Effect.succeed(Reply.error(...))`;
 * - call `next` with a changed request;
 * - turn failures into replies (`Effect.catchTag` around `next`, or `Interceptor.mapFailures`).
 * An interceptor that provides a request-scoped service (`Interceptor.provide`, `Auth.authenticate`) applies to
 * every event, and removes that service from the Layer's requirements: a handler that needs `CurrentUser` only
 * compiles into a server when such an interceptor wraps it.
 *
 * The services an interceptor itself needs (a TokenStorage, a clock) are resolved once when the Layer is built.
 * The built-in interceptors live in `src/interceptors/` (logging, timeout, metrics and tracing).
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { Contribution, Described, EventName } from "./HandlerSet.ts"
import { intercept } from "./internal/intercept.ts"
import type { ProxyRequest } from "./ProxyRequest.ts"
import * as Reply from "./Reply.ts"

export { logging } from "./interceptors/logging.ts"
export { metrics, type MetricsOptions, tracing } from "./interceptors/observability.ts"
export { HandlerTimeoutError, timeout } from "./interceptors/timeout.ts"

/**
 * The rest of the pipeline: inner interceptors and the handler.
 *
 * @since 0.1.0
 * @category models
 */
export type Next = (request: ProxyRequest) => Effect.Effect<Reply.AnyReply, unknown>

/**
 * The code an interceptor wraps around a call. `event` is the event's name, its handler's key (`rpc`,
 * `subRefresh`, `subscribeUnidirectional`): label calls by it rather than by `request._tag`, which stream subscriptions
 * share with `subscribe`.
 *
 * @since 0.1.0
 * @category models
 */
export type Around<R> = (
  request: ProxyRequest,
  next: Next,
  event: EventName
) => Effect.Effect<Reply.AnyReply, unknown, R>

/**
 * A handler-set transformation, `HandlerSet.Described -> HandlerSet.Described` (the description carries over).
 * `Provides` leaves the requirements of the wrapped set (request-scoped services it hands to the handlers);
 * `Requires` joins them (services the interceptor uses itself); `Fails` joins its failures (failures of its own).
 *
 * @since 0.1.0
 * @category models
 */
export interface Interceptor<Provides = never, Requires = never, Fails = never> {
  <R, F, E>(handlers: Described<R, F, E>): Described<Exclude<R, Provides> | Requires, F | Fails, E>
}

/**
 * Which events an interceptor wraps (all by default), and what it adds to the handler set's description.
 *
 * @since 0.1.0
 * @category models
 */
export interface InterceptorOptions {
  /** The events to wrap; default: all. */
  readonly events?: ReadonlyArray<EventName>
  /** What the interceptor adds to the set's description, e.g. `{ usesConnectionMeta: true }` when it reads the meta. */
  readonly description?: Contribution
}

/**
 * `(request, next) => ...` around the calls of every event, or of `options.events`. An interceptor that fails with
 * failures of its own names them as `Fails` (`make<R, MyError>(...)`), so `mapFailures` cases outside it can
 * match them.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { type HandlerSet, Interceptor, Reply } from "effect-centrifugo"
 *
 * declare const AppHandlers: HandlerSet.Described
 *
 * // Refuses publications into read-only channels before the handler runs; other events are not wrapped.
 * const readOnly = Interceptor.make(
 *   (request, next) =>
 *     "channel" in request && request.channel.startsWith("ro:")
 *       ? Effect.succeed(Reply.error(403, "read-only channel"))
 *       : next(request),
 *   { events: ["publish"] }
 * )
 * const Served = AppHandlers.pipe(readOnly)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <R = never, Fails = never>(
  around: Around<R>,
  options: InterceptorOptions = {}
): Interceptor<never, R, Fails> => intercept(around, options)

/**
 * Like `make`, for an interceptor that hands a request-scoped service to everything inside it: the only way on to
 * the handler is `next(request, service)`, so every call that reaches a handler has the service. It may still
 * answer without calling `next` (an unauthenticated call, say). Applies to every event, so the service leaves the
 * Layer's requirements.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeProviding = <I, S, R = never, Fails = never>(
  key: Context.Key<I, S>,
  around: (
    request: ProxyRequest,
    next: (request: ProxyRequest, service: S) => Effect.Effect<Reply.AnyReply, unknown>
  ) => Effect.Effect<Reply.AnyReply, unknown, R>,
  options: { readonly description?: Contribution } = {}
): Interceptor<I, R, Fails> =>
  intercept(
    (request, next) => around(request, (forwarded, service) => Effect.provideService(next(forwarded), key, service)),
    options
  )

/**
 * Provides a request-scoped service resolved per call from the request (for example the user behind a token).
 * `resolve` may fail with `Reply.error(...)` / `Reply.disconnect(...)` to reject the call.
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { type HandlerSet, Interceptor, Reply, ProxyRequest } from "effect-centrifugo"
 *
 * interface Tenant {
 *   readonly id: string
 * }
 * const Tenant = Context.Service<Tenant>("app/Tenant")
 *
 * declare const AppHandlers: HandlerSet.Described<Tenant> // its handlers `yield* Tenant`
 *
 * // A call without the header is rejected before any handler runs; `Served` no longer requires Tenant.
 * const withTenant = Interceptor.provide(Tenant, (request) => {
 *   const id = ProxyRequest.header(request, "x-tenant")
 *   return id === undefined ? Effect.fail(Reply.error(400, "no tenant")) : Effect.succeed({ id })
 * })
 * const Served: HandlerSet.Described<never, Reply.ErrorReply> = AppHandlers.pipe(withTenant)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const provide = <I, S, R = never, E = never>(
  key: Context.Key<I, S>,
  resolve: (request: ProxyRequest) => Effect.Effect<S, E, R>
): Interceptor<I, R, E> =>
  makeProviding(key, (request, next) => Effect.flatMap(resolve(request), (service) => next(request, service)))

/**
 * A tagged failure value.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tagged {
  readonly _tag: string
}

/** The tags of the tagged members of `F`. */
type Tags<F> = F extends { readonly _tag: infer T extends string } ? T : never

/**
 * A `mapFailures` case: the failure (typed by its tag) and the request, to a reply or an Effect of one.
 *
 * @since 0.1.0
 * @category models
 */
export type FailureCase<F> = (failure: F, request: ProxyRequest) => Reply.AnyReply | Effect.Effect<Reply.AnyReply, unknown>

/**
 * The cases `mapFailures` accepts for a handler set failing with `F`: one per tag of `F`, each given the failure of
 * that tag; a tag `F` does not have is a compile error. When `F` is `unknown` (not known), any tag, given a `Tagged`.
 *
 * @since 0.1.0
 * @category models
 */
export type FailureCases<F> = unknown extends F ? { readonly [tag: string]: FailureCase<Tagged> }
  : { readonly [K in Tags<F>]?: FailureCase<Extract<F, { readonly _tag: K }>> }

/** What the cases themselves may fail with: a rejection they answer, or their Effects' failures. */
type CaseFailures<Cases> = {
  [K in keyof Cases]: Cases[K] extends (...args: never) => infer Answer
    ? Answer extends Effect.Effect<infer _A, infer E, infer _R> ? E : never
    : never
}[keyof Cases]

/**
 * Turns tagged failures into replies: `mapFailures({ NotFound: (e) => Reply.error(1404, "not found") })`.
 * A case returns a reply (answered) or an Effect of one. Failures with other tags pass through unchanged.
 * Cases are typed by the handler set's failures: each receives the failure of its tag, and a tag the handlers
 * cannot fail with does not compile.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HandlerSet, Interceptor, Reply } from "effect-centrifugo"
 *
 * interface NotFound {
 *   readonly _tag: "NotFound"
 *   readonly id: string
 * }
 * declare const findNews: (id: string) => Effect.Effect<string, NotFound>
 *
 * // The handlers fail with the application's own tagged errors; the interceptor answers them.
 * const Served = HandlerSet.layer({
 *   rpc: (request) => Effect.map(findNews(request.method), (title) => Reply.rpc({ data: { title } }))
 * }).pipe(
 *   Interceptor.mapFailures({
 *     NotFound: (failure) => Reply.error(1404, `no news ${failure.id}`)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category interceptors
 */
export const mapFailures = <
  F,
  const Cases extends
    & FailureCases<F>
    & (unknown extends F ? unknown : { readonly [K in Exclude<keyof Cases, Tags<F>>]: never })
>(
  cases: Cases,
  options: InterceptorOptions = {}
) =>
<R, E>(
  handlers: Described<R, F, E>
): Described<R, Exclude<F, { readonly _tag: keyof Cases }> | CaseFailures<Cases>, E> => {
  const table = cases as unknown as Readonly<Record<string, FailureCase<Tagged>>>
  return intercept<never, never, never>((request, next) =>
    Effect.catchIf(
      next(request),
      (failure): failure is Tagged =>
        typeof failure === "object" && failure !== null && typeof (failure as Tagged)._tag === "string" &&
        Object.hasOwn(table, (failure as Tagged)._tag),
      (failure) => {
        const answer = table[failure._tag]!(failure, request)
        return Effect.isEffect(answer) ? answer : Reply.isRejection(answer) ? Effect.fail(answer) : Effect.succeed(answer)
      }
    ), options)(handlers) as Described<R, Exclude<F, { readonly _tag: keyof Cases }> | CaseFailures<Cases>, E>
}

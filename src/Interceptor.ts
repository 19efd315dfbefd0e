/**
 * Interceptors: transformations of the handler-set Layer, `Layer<HandlerSet> -> Layer<HandlerSet>`, that wrap every
 * handler call (or the calls of chosen events) with code of their own.
 *
 * ```ts
 * import type { Layer } from "effect"
 * import { Auth, type HandlerSet, Interceptor } from "effect-centrifugo"
 *
 * declare const AppHandlers: Layer.Layer<HandlerSet.HandlerSet, never, Auth.CurrentUser>
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
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import * as Metrics from "./ops/Metrics.ts"
import * as Tracing from "./ops/Tracing.ts"
import { describe, type EventName, HandlerSet, withDescription } from "./HandlerSet.ts"
import { provider } from "./internal/context.ts"
import { eventOfTag } from "./internal/events.ts"
import { safe } from "./internal/logText.ts"
import * as Reply from "./Reply.ts"
import { isClientRequest, type ProxyRequest } from "./ProxyRequest.ts"

/**
 * Any event's reply.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyReply = Reply.AnyReply

/**
 * The rest of the pipeline: inner interceptors and the handler.
 *
 * @since 0.1.0
 * @category models
 */
export type Next = (request: ProxyRequest) => Effect.Effect<AnyReply, unknown>

/**
 * The code an interceptor wraps around a call.
 *
 * @since 0.1.0
 * @category models
 */
export type Around<R> = (request: ProxyRequest, next: Next) => Effect.Effect<AnyReply, unknown, R>

/**
 * A handler-set transformation. `Provides` leaves the requirements of the wrapped Layer (request-scoped services it
 * hands to the handlers); `Requires` joins them (services the interceptor uses itself).
 *
 * @since 0.1.0
 * @category models
 */
export interface Interceptor<Provides = never, Requires = never> {
  <E, R>(handlers: Layer.Layer<HandlerSet, E, R>): Layer.Layer<HandlerSet, E, Exclude<R, Provides> | Requires>
}

/**
 * Which events an interceptor wraps (all by default).
 *
 * @since 0.1.0
 * @category models
 */
export interface InterceptorOptions {
  /** The events to wrap; default: all. */
  readonly events?: ReadonlyArray<EventName>
}

/**
 * `(request, next) => ...` around the calls of every event, or of `options.events`.
 *
 * @example
 * ```ts
 * import { Effect, type Layer } from "effect"
 * import { type HandlerSet, Interceptor, Reply } from "effect-centrifugo"
 *
 * declare const AppHandlers: Layer.Layer<HandlerSet.HandlerSet>
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
export const make = <R = never>(around: Around<R>, options: InterceptorOptions = {}): Interceptor<never, R> =>
  wrap(around, options.events) as Interceptor<never, R>

const wrap = <R>(around: Around<R>, events: ReadonlyArray<EventName> | undefined) =>
<E, RIn>(handlers: Layer.Layer<HandlerSet, E, RIn>): Layer.Layer<HandlerSet, E, RIn | R> => {
  // The wrapped Layer answers the same events: its description carries over (see `HandlerSet.describe`).
  const description = describe(handlers)
  const wrapped = wrapLayer(around, events, handlers)
  return description === undefined ? wrapped : withDescription(wrapped, description)
}

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
      const table: Record<string, unknown> = {}
      for (const [name, handler] of Object.entries(inner) as Array<[EventName, Next | undefined]>) {
        if (handler === undefined) continue
        const provide = provider(context)
        if (selected !== undefined && !selected.has(name)) {
          table[name] = handler
        } else if (name === "subscribeBidirectional") {
          // The client's publications are not part of the request: `next` carries them on to the handler.
          const bidirectional = handler as (request: ProxyRequest, incoming: unknown) => ReturnType<Next>
          table[name] = (request: ProxyRequest, incoming: unknown) =>
            provide(around(request, (forwarded) => bidirectional(forwarded, incoming)))
        } else {
          table[name] = (request: ProxyRequest) => provide(around(request, handler))
        }
      }
      return table as HandlerSet
    })
  ).pipe(Layer.provide(handlers))

/**
 * Like `make`, for an interceptor that hands a request-scoped service to everything inside it: the only way on to
 * the handler is `next(request, service)`, so every call that reaches a handler has the service. It may still
 * answer without calling `next` (an unauthenticated call, say). Applies to every event, so the service leaves the
 * Layer's requirements.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeProviding = <I, S, R = never>(
  key: Context.Key<I, S>,
  around: (
    request: ProxyRequest,
    next: (request: ProxyRequest, service: S) => Effect.Effect<AnyReply, unknown>
  ) => Effect.Effect<AnyReply, unknown, R>
): Interceptor<I, R> =>
  wrap<R>(
    (request, next) => around(request, (forwarded, service) => Effect.provideService(next(forwarded), key, service)),
    undefined
  ) as Interceptor<I, R>

/**
 * Provides a request-scoped service resolved per call from the request (for example the user behind a token).
 * `resolve` may fail with `Reply.error(...)` / `Reply.disconnect(...)` to reject the call.
 *
 * @example
 * ```ts
 * import { Context, Effect, type Layer } from "effect"
 * import { type HandlerSet, Interceptor, Reply, ProxyRequest } from "effect-centrifugo"
 *
 * interface Tenant {
 *   readonly id: string
 * }
 * const Tenant = Context.Service<Tenant>("app/Tenant")
 *
 * declare const AppHandlers: Layer.Layer<HandlerSet.HandlerSet, never, Tenant> // its handlers `yield* Tenant`
 *
 * // A call without the header is rejected before any handler runs; `Served` no longer requires Tenant.
 * const withTenant = Interceptor.provide(Tenant, (request) => {
 *   const id = ProxyRequest.header(request, "x-tenant")
 *   return id === undefined ? Effect.fail(Reply.error(400, "no tenant")) : Effect.succeed({ id })
 * })
 * const Served: Layer.Layer<HandlerSet.HandlerSet> = AppHandlers.pipe(withTenant)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const provide = <I, S, R = never>(
  key: Context.Key<I, S>,
  resolve: (request: ProxyRequest) => Effect.Effect<S, unknown, R>
): Interceptor<I, R> =>
  makeProviding(key, (request, next) => Effect.flatMap(resolve(request), (service) => next(request, service)))

// ---------------------------------------------------------------------------------------------------------------
// Ready-made interceptors
// ---------------------------------------------------------------------------------------------------------------

/** What a request is about, for logs: the channel or RPC method when there is one (escaped: it is client text). */
const subject = (request: ProxyRequest): string =>
  "channel" in request ? ` ${safe(request.channel)}` : "method" in request ? ` ${safe(request.method)}` : ""

const describeReply = (reply: AnyReply): string =>
  reply._tag === "ErrorReply"
    ? `error ${reply.code}`
    : reply._tag === "DisconnectReply"
    ? `disconnect ${reply.code}`
    : reply._tag === "StreamResult"
    ? "stream"
    : "ok"

/** The user a call is about: the request's, or on Connect the user the reply accepted. */
const userOf = (request: ProxyRequest, reply: AnyReply | undefined): string | undefined =>
  "user" in request
    ? request.user
    : reply !== undefined && reply._tag === "ConnectResult"
    ? reply.user
    : undefined

/**
 * One log line per answered call: event, subject, outcome and duration, annotated with `event`, `client`, `user`
 * (on Connect: the user the reply accepted), `channel`/`method`. Replies and rejections are logged at `level`
 * (default Info). A call that fails is not logged here: the server logs it once, at Error, with its cause, the same
 * annotations and the duration. Client-supplied text is escaped, so it cannot forge log lines.
 * Put it outermost to time the whole pipeline.
 *
 * @since 0.1.0
 * @category interceptors
 */
export const logging = (
  options: InterceptorOptions & { readonly level?: LogLevel.Severity } = {}
): Interceptor => {
  const log = Effect.logWithLevel(options.level ?? "Info")
  return make((request, next) =>
    Effect.suspend(() => {
      const started = performance.now()
      return Effect.onExit(next(request), (exit) => {
        let reply: AnyReply | undefined
        if (Exit.isSuccess(exit)) reply = exit.value
        else {
          const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
          if (failure === undefined || !Reply.isRejection(failure.error)) return Effect.void
          reply = failure.error
        }
        const fields: Record<string, string> = { event: eventOfTag(request._tag).name }
        if (isClientRequest(request)) fields.client = safe(request.client)
        const user = userOf(request, reply)
        if (user !== undefined) fields.user = safe(user)
        return log(
          `${request._tag}${subject(request)} -> ${describeReply(reply)} in ${(performance.now() - started).toFixed(1)} ms`
        ).pipe(Effect.annotateLogs(fields))
      })
    }), options)
}

/**
 * The failure of a call that `Interceptor.timeout` stopped.
 *
 * @since 0.1.0
 * @category errors
 */
export interface HandlerTimeout {
  readonly _tag: "HandlerTimeout"
  readonly event: string
  readonly message: string
}

/**
 * Bounds the calls of every event (or `options.events`) by `duration`: the inner pipeline is interrupted and the
 * call fails with `HandlerTimeout` (answered like any unhandled failure: error 100, temporary), or answers
 * `options.orElse(request)`. Centrifugo's own deadline still applies; use this to answer sooner, or per event.
 *
 * @since 0.1.0
 * @category interceptors
 */
export const timeout = (
  duration: Duration.Input,
  options: InterceptorOptions & { readonly orElse?: (request: ProxyRequest) => Effect.Effect<AnyReply, unknown> } = {}
): Interceptor => {
  const limit = Duration.fromInputUnsafe(duration)
  return make((request, next) =>
    Effect.timeoutOrElse(next(request), {
      duration: limit,
      orElse: () =>
        options.orElse !== undefined
          ? options.orElse(request)
          : Effect.fail<HandlerTimeout>({
            _tag: "HandlerTimeout",
            event: request._tag,
            message: `${request._tag} handler did not answer within ${Duration.format(limit)}`
          })
    }), options)
}

/**
 * A tagged failure value.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tagged {
  readonly _tag: string
}

/**
 * Turns tagged failures into replies: `mapFailures({ NotFound: (e) => Reply.error(1404, "not found") })`.
 * A case returns a reply (answered) or an Effect of one. Failures with other tags pass through unchanged.
 *
 * @example
 * ```ts
 * import type { Layer } from "effect"
 * import { type HandlerSet, Interceptor, Reply } from "effect-centrifugo"
 *
 * // HandlerSet fail with the application's own tagged errors; the interceptor answers them.
 * declare const AppHandlers: Layer.Layer<HandlerSet.HandlerSet>
 *
 * const Served = AppHandlers.pipe(
 *   Interceptor.mapFailures({
 *     NotFound: () => Reply.error(1404, "not found"),
 *     RateLimited: () => Reply.error(1429, "slow down", true)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category interceptors
 */
export const mapFailures = (
  cases: Readonly<Record<string, (failure: Tagged, request: ProxyRequest) => AnyReply | Effect.Effect<AnyReply, unknown>>>,
  options: InterceptorOptions = {}
): Interceptor =>
  make((request, next) =>
    Effect.catchIf(
      next(request),
      (failure): failure is Tagged =>
        typeof failure === "object" && failure !== null && typeof (failure as Tagged)._tag === "string" &&
        Object.hasOwn(cases, (failure as Tagged)._tag),
      (failure) => {
        const answer = cases[failure._tag]!(failure, request)
        return Effect.isEffect(answer) ? answer : Reply.isRejection(answer) ? Effect.fail(answer) : Effect.succeed(answer)
      }
    ), options)

// ---------------------------------------------------------------------------------------------------------------
// Observability
// ---------------------------------------------------------------------------------------------------------------

/** How a call ended, for metrics and spans: `ok`, `error`, `disconnect`, `failed` or `interrupted`. */
const outcomeOf = (exit: Exit.Exit<AnyReply, unknown>): string => {
  if (Exit.isSuccess(exit)) {
    const tag = exit.value._tag
    return tag === "ErrorReply" ? "error" : tag === "DisconnectReply" ? "disconnect" : "ok"
  }
  if (Exit.hasInterrupts(exit)) return "interrupted"
  const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  return failure !== undefined && Reply.isRejection(failure.error)
    ? (failure.error._tag === "ErrorReply" ? "error" : "disconnect")
    : "failed"
}

/**
 * Calls answered, by `event` (the gRPC method) and `outcome` (see `Metrics` for every metric and its labels).
 *
 * @since 0.1.0
 * @category metrics
 */
export const callsTotal = Metrics.callsTotal

/**
 * Time to answer, in seconds, by `event`: a histogram with buckets from 0.5 ms to 10 s.
 *
 * @since 0.1.0
 * @category metrics
 */
export const callDuration = Metrics.callDuration

/**
 * Options of `Interceptor.metrics`: the events to wrap and the RPC methods counted under their own label.
 *
 * @since 0.1.0
 * @category models
 */
export interface MetricsOptions extends InterceptorOptions {
  /**
   * The RPC methods to count separately (`Object.keys` of the methods you gave `RpcRouter.make`): RPC calls then carry
   * a `method` label, with `other` for any method not listed, so a client cannot grow the label set.
   */
  readonly rpcMethods?: Iterable<string>
}

/**
 * Effect metrics per call: `centrifugo_proxy_calls_total{event, outcome}` (plus `method` on RPC calls with
 * `rpcMethods`), `centrifugo_proxy_call_duration_seconds{event}` and `centrifugo_proxy_calls_in_flight{event}`.
 * Serve them with `Admin` (Prometheus `/metrics`), export them with `OtlpMetrics` from `effect/observability`, or
 * read them with `Metric.value`.
 *
 * @since 0.1.0
 * @category interceptors
 */
export const metrics = (options: MetricsOptions = {}): Interceptor => {
  const rpcMethods = options.rpcMethods === undefined ? undefined : new Set(options.rpcMethods)
  // Label sets are few and bounded (events x outcomes x listed methods): the attributed metrics are built once per
  // set, not per call (Metric.withAttributes allocates).
  const inFlightOf = memo((event: string) => Metric.withAttributes(Metrics.callsInFlight, { event }))
  const durationOf = memo((event: string) => Metric.withAttributes(callDuration, { event }))
  const totalOf = memo((key: string) => {
    const [event, outcome, method] = key.split("\u0000") as [string, string, string | undefined]
    return Metric.withAttributes(callsTotal, method === undefined ? { event, outcome } : { event, method, outcome })
  })
  return make((request, next) =>
    Effect.suspend(() => {
      const event = request._tag
      const method = rpcMethods !== undefined && request._tag === "RPC"
        ? (rpcMethods.has(request.method) ? request.method : "other")
        : undefined
      const inFlight = inFlightOf(event)
      const started = performance.now()
      return Effect.acquireUseRelease(Metric.modify(inFlight, 1), () => next(request), (_, exit) =>
        Effect.all([
          Metric.modify(inFlight, -1),
          Metric.update(
            totalOf(method === undefined ? `${event}\u0000${outcomeOf(exit)}` : `${event}\u0000${outcomeOf(exit)}\u0000${method}`),
            1
          ),
          Metric.update(durationOf(event), (performance.now() - started) / 1000)
        ], { discard: true }))
    }), options)
}

/** A function of a string key computed once per key (for small, bounded key sets). */
const memo = <A>(compute: (key: string) => A) => {
  const cache = new Map<string, A>()
  return (key: string): A => {
    let value = cache.get(key)
    if (value === undefined) {
      value = compute(key)
      cache.set(key, value)
    }
    return value
  }
}

/**
 * A server span per call, `centrifugo.<Event>`, with the client, user, channel or method as attributes and the
 * outcome; handlers' own spans (and `CentrifugoApi` calls) nest under it. A valid W3C `traceparent` among the
 * request's headers (forwarded by Centrifugo when listed in the proxy's `http_headers` or `emulated_headers`)
 * becomes the span's parent, so the trace a client or an upstream started continues here. Spans go to whatever
 * Tracer the application provides (e.g. `Tracing.layerConfig()`, OTLP from `effect/observability`).
 *
 * @since 0.1.0
 * @category interceptors
 */
export const tracing = (options: InterceptorOptions = {}): Interceptor =>
  make((request, next) => {
    const attributes: Record<string, unknown> = { "centrifugo.event": request._tag }
    if (isClientRequest(request)) {
      attributes["centrifugo.client"] = request.client
      attributes["centrifugo.transport"] = request.transport
      if ("user" in request) attributes["centrifugo.user"] = request.user
    }
    if ("channel" in request) attributes["centrifugo.channel"] = request.channel
    if ("method" in request) attributes["centrifugo.rpc_method"] = request.method
    const parent = Tracing.parentOf(request.headers)
    return Effect.withSpan(
      Effect.onExit(next(request), (exit) => Effect.annotateCurrentSpan("centrifugo.outcome", outcomeOf(exit))),
      `centrifugo.${request._tag}`,
      { attributes, kind: "server", ...(parent === undefined ? {} : { parent }) }
    )
  }, options)

/**
 * Interceptors: transformations of the handler-set Layer, `Layer<Handlers> -> Layer<Handlers>`, that wrap every
 * handler call (or the calls of chosen events) with code of their own.
 *
 * ```ts
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
import { Context, Duration, Effect, Exit, Layer, type LogLevel, Metric } from "effect"
import { describe, type EventName, Handlers, withDescription } from "./Handlers.ts"
import { provider } from "./internal/context.ts"
import * as Reply from "./Reply.ts"
import { isClientRequest, type ProxyRequest } from "./Request.ts"

/** Any event's reply. */
export type AnyReply =
  | Reply.ConnectReply
  | Reply.RefreshReply
  | Reply.SubscribeReply
  | Reply.PublishReply
  | Reply.RpcReply
  | Reply.SubRefreshReply
  | Reply.StreamReply
  | Reply.MapPublishReply
  | Reply.MapRemoveReply
  | Reply.SharedPollRefreshReply
  | Reply.NotifyCacheEmptyReply
  | Reply.NotifyChannelStateReply

/** The rest of the pipeline: inner interceptors and the handler. */
export type Next = (request: ProxyRequest) => Effect.Effect<AnyReply, unknown>

/** The code an interceptor wraps around a call. */
export type Around<R> = (request: ProxyRequest, next: Next) => Effect.Effect<AnyReply, unknown, R>

/**
 * A handler-set transformation. `Provides` leaves the requirements of the wrapped Layer (request-scoped services it
 * hands to the handlers); `Requires` joins them (services the interceptor uses itself).
 */
export interface Interceptor<Provides = never, Requires = never> {
  <E, R>(handlers: Layer.Layer<Handlers, E, R>): Layer.Layer<Handlers, E, Exclude<R, Provides> | Requires>
}

export interface InterceptorOptions {
  /** The events to wrap; default: all. */
  readonly events?: ReadonlyArray<EventName>
}

/** `(request, next) => ...` around the calls of every event, or of `options.events`. */
export const make = <R = never>(around: Around<R>, options: InterceptorOptions = {}): Interceptor<never, R> =>
  wrap(around, options.events) as Interceptor<never, R>

const wrap = <R>(around: Around<R>, events: ReadonlyArray<EventName> | undefined) =>
<E, RIn>(handlers: Layer.Layer<Handlers, E, RIn>): Layer.Layer<Handlers, E, RIn | R> => {
  // The wrapped Layer answers the same events: its description carries over (see `Handlers.describe`).
  const description = describe(handlers)
  const wrapped = wrapLayer(around, events, handlers)
  return description === undefined ? wrapped : withDescription(wrapped, description)
}

const wrapLayer = <R, E, RIn>(
  around: Around<R>,
  events: ReadonlyArray<EventName> | undefined,
  handlers: Layer.Layer<Handlers, E, RIn>
): Layer.Layer<Handlers, E, RIn | R> =>
  Layer.effect(
    Handlers,
    Effect.gen(function*() {
      const inner = yield* Handlers
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
      return table as Handlers
    })
  ).pipe(Layer.provide(handlers))

/**
 * Like `make`, for an interceptor that hands a request-scoped service to everything inside it: the only way on to
 * the handler is `next(request, service)`, so every call that reaches a handler has the service. It may still
 * answer without calling `next` (an unauthenticated call, say). Applies to every event, so the service leaves the
 * Layer's requirements.
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
 */
export const provide = <I, S, R = never>(
  key: Context.Key<I, S>,
  resolve: (request: ProxyRequest) => Effect.Effect<S, unknown, R>
): Interceptor<I, R> =>
  makeProviding(key, (request, next) => Effect.flatMap(resolve(request), (service) => next(request, service)))

// ---------------------------------------------------------------------------------------------------------------
// Ready-made interceptors
// ---------------------------------------------------------------------------------------------------------------

/** What a request is about, for logs: the channel or RPC method when there is one. */
const subject = (request: ProxyRequest): string =>
  "channel" in request ? ` ${request.channel}` : "method" in request ? ` ${request.method}` : ""

const describeReply = (reply: AnyReply): string =>
  reply._tag === "ErrorReply"
    ? `error ${reply.code}`
    : reply._tag === "DisconnectReply"
    ? `disconnect ${reply.code}`
    : reply._tag === "StreamResult"
    ? "stream"
    : "ok"

const describeFailure = (exit: Exit.Exit<AnyReply, unknown>): string => {
  if (Exit.isSuccess(exit)) return describeReply(exit.value)
  if (Exit.hasInterrupts(exit)) return "interrupted"
  const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  return failure !== undefined && Reply.isRejection(failure.error) ? describeReply(failure.error) : "failed"
}

/**
 * One log line per call: event, subject, outcome and duration, annotated with `client` and `user`.
 * Put it outermost to time the whole pipeline. Failures are described, not logged with their cause: the server
 * logs the cause once when it answers.
 */
export const logging = (
  options: InterceptorOptions & { readonly level?: LogLevel.Severity } = {}
): Interceptor => {
  const log = Effect.logWithLevel(options.level ?? "Info")
  return make((request, next) =>
    Effect.suspend(() => {
      const started = performance.now()
      return Effect.onExit(next(request), (exit) =>
        log(
          `${request._tag}${subject(request)} -> ${describeFailure(exit)} in ${(performance.now() - started).toFixed(1)} ms`
        ).pipe(Effect.annotateLogs(
          isClientRequest(request) ? { client: request.client, user: "user" in request ? request.user : "" } : {}
        )))
    }), options)
}

/** The failure of a call that `Interceptor.timeout` stopped. */
export interface HandlerTimeout {
  readonly _tag: "HandlerTimeout"
  readonly event: string
  readonly message: string
}

/**
 * Bounds the calls of every event (or `options.events`) by `duration`: the inner pipeline is interrupted and the
 * call fails with `HandlerTimeout` (answered like any unhandled failure: error 100, temporary), or answers
 * `options.orElse(request)`. Centrifugo's own deadline still applies; use this to answer sooner, or per event.
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

/** A tagged failure value. */
export interface Tagged {
  readonly _tag: string
}

/**
 * Turns tagged failures into replies: `mapFailures({ NotFound: (e) => Reply.error(1404, "not found") })`.
 * A case returns a reply (answered) or an Effect of one. Failures with other tags pass through unchanged.
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

/** Calls answered, by `event` (the gRPC method) and `outcome`. */
export const callsTotal = Metric.counter("centrifugo_proxy_calls_total", {
  description: "Proxy calls answered, by event and outcome"
})

/** Time to answer, by `event`. */
export const callDuration = Metric.timer("centrifugo_proxy_call_duration", {
  description: "Time from a proxy call's arrival at the handler to its answer"
})

/**
 * Effect metrics per call: `centrifugo_proxy_calls_total{event, outcome}` and
 * `centrifugo_proxy_call_duration{event}`. Export them with any Effect metrics exporter (e.g. OTLP from
 * `effect/observability`), or read them with `Metric.value`.
 */
export const metrics = (options: InterceptorOptions = {}): Interceptor =>
  make((request, next) =>
    Effect.suspend(() => {
      const started = performance.now()
      return Effect.onExit(next(request), (exit) =>
        Effect.andThen(
          Metric.update(Metric.withAttributes(callsTotal, { event: request._tag, outcome: outcomeOf(exit) }), 1),
          Metric.update(
            Metric.withAttributes(callDuration, { event: request._tag }),
            Duration.millis(performance.now() - started)
          )
        ))
    }), options)

/**
 * A server span per call, `centrifugo.<Event>`, with the client, user, channel or method as attributes and the
 * outcome; handlers' own spans nest under it. Spans go to whatever Tracer the application provides (e.g.
 * `OtlpTracer.layer` from `effect/observability`).
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
    return Effect.withSpan(
      Effect.onExit(next(request), (exit) => Effect.annotateCurrentSpan("centrifugo.outcome", outcomeOf(exit))),
      `centrifugo.${request._tag}`,
      { attributes, kind: "server" }
    )
  }, options)

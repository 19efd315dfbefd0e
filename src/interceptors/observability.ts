/**
 * `Interceptor.metrics` and `Interceptor.tracing`: Effect metrics and a server span per call.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import { intercept } from "../internal/intercept.ts"
import type { Interceptor, InterceptorOptions } from "../Interceptor.ts"
import * as Metrics from "../ops/Metrics.ts"
import * as Tracing from "../ops/Tracing.ts"
import { isClientRequest } from "../ProxyRequest.ts"
import * as Reply from "../Reply.ts"

/** How a call ended, for metrics and spans: `ok`, `error`, `disconnect`, `failed` or `interrupted`. */
const outcomeOf = (exit: Exit.Exit<Reply.AnyReply, unknown>): string => {
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
 * Effect metrics per call, labelled by the event's name (`connect`, `rpc`, `subRefresh`, `subscribeUnidirectional`):
 * `centrifugo_proxy_calls_total{event, outcome}` (plus `method` on RPC calls with `rpcMethods`), `centrifugo_proxy_call_duration_seconds{event}` and `centrifugo_proxy_calls_in_flight{event}`.
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
  const durationOf = memo((event: string) => Metric.withAttributes(Metrics.callDuration, { event }))
  const totalOf = memo((key: string) => {
    const [event, outcome, method] = key.split("\u0000") as [string, string, string | undefined]
    return Metric.withAttributes(Metrics.callsTotal, method === undefined ? { event, outcome } : { event, method, outcome })
  })
  return intercept((request, next, event) =>
    Effect.suspend(() => {
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
 * A server span per call, `centrifugo.<event>` (the event's name, e.g. `centrifugo.subRefresh`), with the client, user, channel or method as attributes and the
 * outcome; handlers' own spans (and `CentrifugoApi` calls) nest under it. A valid W3C `traceparent` among the
 * request's headers (forwarded by Centrifugo when listed in the proxy's `http_headers` or `emulated_headers`)
 * becomes the span's parent, so the trace a client or an upstream started continues here. Spans go to whatever
 * Tracer the application provides (e.g. `Tracing.layerConfig()`, OTLP from `effect/observability`).
 *
 * @since 0.1.0
 * @category interceptors
 */
export const tracing = (options: InterceptorOptions = {}): Interceptor =>
  intercept((request, next, event) => {
    const attributes: Record<string, unknown> = { "centrifugo.event": event }
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
      `centrifugo.${event}`,
      { attributes, kind: "server", ...(parent === undefined ? {} : { parent }) }
    )
  }, options)

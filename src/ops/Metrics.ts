/**
 * The metrics this library records, their names and buckets, and their Prometheus text.
 *
 * Names follow Prometheus conventions (a unit suffix, `_total` on counters); every label value is bounded: the
 * event (its name, the handler's key), the outcome, the API method, and an RPC method only when it is one the
 * application registered (else `other`): never a channel, user or client.
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `centrifugo_proxy_calls_total` | counter | `event` (the event's name: `connect`, `rpc`, `subRefresh`, ...), `outcome` (`ok`, `error`, `disconnect`, `failed`, `interrupted`), `method` (RPC, with `Interceptor.metrics({ rpcMethods })`) |
 * | `centrifugo_proxy_call_duration_seconds` | histogram, 0.5 ms .. 10 s | `event` |
 * | `centrifugo_proxy_calls_in_flight` | gauge | `event` |
 * | `centrifugo_proxy_stream_subscriptions_open` | gauge | `event` (`subscribeUnidirectional`, `subscribeBidirectional`) |
 * | `centrifugo_api_calls_total` | counter | `method` (API method), `outcome` (`ok`, `error`, `unauthorized`, `transport_error`, `interrupted`) |
 * | `centrifugo_otlp_spans_dropped_total` | counter | (spans not exported: `maxExportsInFlight` exports were pending) |
 * | `process_resident_memory_bytes`, `nodejs_heap_used_bytes`, `nodejs_heap_total_bytes` | gauge | |
 * | `nodejs_eventloop_delay_p99_seconds`, `nodejs_eventloop_delay_max_seconds` | gauge | (since the previous scrape) |
 *
 * `text` renders everything in Effect's metric registry with `PrometheusMetrics` from `effect/observability`;
 * `route` serves it as `GET /metrics` on an `effect/http` router.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import type * as Scope from "effect/Scope"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as PrometheusMetrics from "effect/observability/PrometheusMetrics"
import { monitorEventLoopDelay } from "node:perf_hooks"

/**
 * Upper bounds of the call-duration buckets, in seconds: 0.5 ms to 10 s (Centrifugo's proxy timeouts are ~1 s).
 *
 * @since 0.1.0
 * @category constants
 */
export const durationBuckets: ReadonlyArray<number> = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  10
]

/**
 * Calls answered, by `event` and `outcome` (and RPC `method` when the interceptor knows the methods).
 *
 * @since 0.1.0
 * @category metrics
 */
export const callsTotal = Metric.counter("centrifugo_proxy_calls_total", {
  description: "Proxy calls answered, by event and outcome"
})

/**
 * Time to answer a call, in seconds, by `event`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const callDuration = Metric.histogram("centrifugo_proxy_call_duration_seconds", {
  description: "Time from a proxy call's arrival at the handler to its answer, in seconds",
  boundaries: durationBuckets
})

/**
 * Calls being handled right now, by `event`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const callsInFlight = Metric.gauge("centrifugo_proxy_calls_in_flight", {
  description: "Proxy calls being handled, by event"
})

/**
 * Stream subscriptions (SubscribeUnidirectional / SubscribeBidirectional calls) open right now.
 *
 * @since 0.1.0
 * @category metrics
 */
export const streamsOpen = Metric.gauge("centrifugo_proxy_stream_subscriptions_open", {
  description: "Open stream subscriptions, by event"
})

/**
 * Calls of Centrifugo's server API, by API `method` and `outcome`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const apiCallsTotal = Metric.counter("centrifugo_api_calls_total", {
  description: "Calls of Centrifugo's server API, by method and outcome"
})

/**
 * The process's resident set size, in bytes (`process_resident_memory_bytes`), sampled at each scrape.
 *
 * @since 0.1.0
 * @category metrics
 */
export const residentMemory = Metric.gauge("process_resident_memory_bytes", {
  description: "Resident set size of the process, in bytes"
})
/**
 * The V8 heap in use, in bytes (`nodejs_heap_used_bytes`), sampled at each scrape.
 *
 * @since 0.1.0
 * @category metrics
 */
export const heapUsed = Metric.gauge("nodejs_heap_used_bytes", { description: "V8 heap in use, in bytes" })
/**
 * The V8 heap allocated, in bytes (`nodejs_heap_total_bytes`), sampled at each scrape.
 *
 * @since 0.1.0
 * @category metrics
 */
export const heapTotal = Metric.gauge("nodejs_heap_total_bytes", { description: "V8 heap allocated, in bytes" })
/**
 * The 99th percentile of the event-loop delay since the previous scrape, in seconds.
 *
 * @since 0.1.0
 * @category metrics
 */
export const eventLoopDelayP99 = Metric.gauge("nodejs_eventloop_delay_p99_seconds", {
  description: "99th percentile of the event-loop delay since the previous scrape, in seconds"
})
/**
 * The longest event-loop delay since the previous scrape, in seconds.
 *
 * @since 0.1.0
 * @category metrics
 */
export const eventLoopDelayMax = Metric.gauge("nodejs_eventloop_delay_max_seconds", {
  description: "Longest event-loop delay since the previous scrape, in seconds"
})

/**
 * Samples the process metrics into their gauges. The event-loop delay is measured by a monitor that runs for the
 * scope's lifetime and is reset at each sample, so each scrape sees the delay of its own interval.
 *
 * @since 0.1.0
 * @category metrics
 */
export const processSampler: Effect.Effect<Effect.Effect<void>, never, Scope.Scope> = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => {
      const monitor = monitorEventLoopDelay({ resolution: 10 })
      monitor.enable()
      return monitor
    }),
    (monitor) => Effect.sync(() => monitor.disable())
  ),
  (monitor) =>
    Effect.suspend(() => {
      const memory = process.memoryUsage()
      // percentile() is NaN-free but 0 before the first sample; values are nanoseconds.
      const p99 = monitor.count > 0 ? monitor.percentile(99) / 1e9 : 0
      const max = monitor.count > 0 ? monitor.max / 1e9 : 0
      monitor.reset()
      return Effect.all([
        Metric.update(residentMemory, memory.rss),
        Metric.update(heapUsed, memory.heapUsed),
        Metric.update(heapTotal, memory.heapTotal),
        Metric.update(eventLoopDelayP99, p99),
        Metric.update(eventLoopDelayMax, max)
      ], { discard: true })
    })
)

/**
 * `text/plain; version=0.0.4`: the Prometheus exposition format's content type.
 *
 * @since 0.1.0
 * @category constants
 */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"

/**
 * Every metric in Effect's registry as Prometheus text, after sampling the process metrics with `sample`.
 *
 * @since 0.1.0
 * @category utils
 */
export const text = (sample: Effect.Effect<void> = Effect.void): Effect.Effect<string> =>
  Effect.andThen(sample, PrometheusMetrics.format())

/**
 * `GET /metrics` (or `path`) on the `effect/http` router: Prometheus text of Effect's metrics with the process
 * metrics sampled at each scrape. Mount it on any router (the admin server does).
 *
 * @since 0.1.0
 * @category layers
 */
export const route = (options: { readonly path?: `/${string}` } = {}): Layer.Layer<never, never, HttpRouter.HttpRouter> =>
  Layer.effectDiscard(Effect.gen(function*() {
    const router = yield* HttpRouter.HttpRouter
    const sample = yield* processSampler
    yield* router.add(
      "GET",
      options.path ?? "/metrics",
      Effect.map(text(sample), (body) => HttpServerResponse.text(body, { contentType: contentType }))
    )
  }))

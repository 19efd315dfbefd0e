/**
 * Trace export and W3C trace context.
 *
 * - `layerConfig()`: spans exported over OTLP/HTTP with `OtlpTracer` from `effect/observability`, configured by the
 *   standard variables: `OTEL_EXPORTER_OTLP_ENDPOINT` (the collector's base URL, `/v1/traces` is appended) or
 *   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full URL), `OTEL_SERVICE_NAME` (default `effect-centrifugo`),
 *   `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the default, or `http/json`), `OTEL_EXPORTER_OTLP_HEADERS`
 *   (`key=value,...`), `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` / `OTEL_EXPORTER_OTLP_TIMEOUT` (milliseconds, default
 *   10000), `OTEL_TRACES_EXPORTER` (`otlp`, the default, or `none`), `OTEL_SDK_DISABLED`. Without an endpoint
 *   nothing is exported (spans stay in-process, as before). Export is bounded: each request by its timeout, and at
 *   most `maxExportsInFlight` (2) pending, spans ending meanwhile dropped and counted (`spansDropped`).
 * - `parentOf(headers)`: the `traceparent` header Centrifugo forwarded (list it in the proxy's `http_headers`, or
 *   `emulated_headers` for a client-sent one) as the parent of the server span `Interceptor.tracing` opens.
 * - `traceparent(span)`: the header value that continues the current trace in a call to another service
 *   (`CentrifugoApi` sends it to Centrifugo).
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as Headers from "effect/http/Headers"
import * as HttpTraceContext from "effect/http/HttpTraceContext"
import * as OtlpSerialization from "effect/observability/OtlpSerialization"
import * as OtlpTracer from "effect/observability/OtlpTracer"
import { throttle } from "../internal/logText.ts"

/**
 * The W3C `traceparent` value of a span: `00-<trace id>-<span id>-<flags>`.
 *
 * @since 0.1.0
 * @category utils
 */
export const traceparent = (span: Tracer.AnySpan): string =>
  `00-${span.traceId.padStart(32, "0")}-${span.spanId}-${span.sampled ? "01" : "00"}`

/**
 * The span a valid `traceparent` header names, as a parent for a local span; undefined without a valid one.
 *
 * @since 0.1.0
 * @category utils
 */
export const parentOf = (headers: Readonly<Record<string, string>>): Tracer.ExternalSpan | undefined =>
  headers.traceparent === undefined
    ? undefined
    : Option.getOrUndefined(HttpTraceContext.w3c(headers as unknown as Headers.Headers))

/**
 * Options of the OTLP trace exporter: endpoint, service name and version, protocol, headers and export interval.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtlpOptions {
  /** The traces endpoint, e.g. `http://collector:4318/v1/traces`. */
  readonly url: string
  readonly serviceName: string
  readonly serviceVersion?: string
  readonly protocol?: "http/protobuf" | "http/json"
  readonly headers?: Readonly<Record<string, string>>
  /** How often batches are sent. Default 5 seconds; the rest is flushed when the Layer's scope closes. */
  readonly exportInterval?: Duration.Input
  /** Spans per export request; a full batch is sent at once. Default 1000. */
  readonly maxBatchSize?: number
  /** How long an export request may wait for the collector's answer. Default 10 seconds (OTLP's default). */
  readonly exportTimeout?: Duration.Input
  /**
   * Most export requests pending at once. While that many wait for the collector, ended spans are dropped and
   * counted (`centrifugo_otlp_spans_dropped_total`, and a warning at most every 10 s) instead of queued: a slow or
   * hung collector costs at most about `(maxExportsInFlight + 1) * maxBatchSize` spans of memory. Default 2.
   */
  readonly maxExportsInFlight?: number
}

/**
 * Spans ended while `maxExportsInFlight` exports were pending, so never exported.
 *
 * @since 0.1.0
 * @category metrics
 */
export const spansDropped = Metric.counter("centrifugo_otlp_spans_dropped_total", {
  description: "Spans dropped because maxExportsInFlight OTLP exports were already pending"
})

const transportError = (request: HttpClientRequest.HttpClientRequest, description: string) =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, description }) })

/**
 * The platform's `fetch` client, each request bounded by `timeout` and counted in `inFlight` while pending; with
 * `max` pending, another is refused unsent (the exporter retries it later), so the cap holds even for batches that
 * filled before the tracer saw the exports start.
 */
const boundedClient = (inFlight: { count: number }, timeout: Duration.Duration, max: number) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(Effect.service(HttpClient.HttpClient), (client) =>
      HttpClient.transform(client, (response, request) =>
        Effect.suspend(() => {
          if (inFlight.count >= max) {
            return Effect.fail(transportError(request, `${max} exports already pending (maxExportsInFlight)`))
          }
          inFlight.count++
          return response.pipe(
            Effect.timeoutOrElse({
              duration: timeout,
              orElse: () => Effect.fail(transportError(request, `no answer within ${Duration.format(timeout)} (exportTimeout)`))
            }),
            Effect.ensuring(Effect.sync(() => inFlight.count--))
          )
        })))
  ).pipe(Layer.provide(FetchHttpClient.layer))

/** The exporting tracer, dropping (and counting) the spans that end while `max` exports are pending. */
const dropWhenFull = (inFlight: { readonly count: number }, max: number) =>
  Layer.effect(
    Tracer.Tracer,
    Effect.gen(function*() {
      const inner = yield* Effect.tracer
      const context = yield* Effect.context<never>()
      const fork = Effect.runForkWith(context)
      const shouldWarn = throttle(10_000)
      return Tracer.make({
        span(options) {
          const span = inner.span(options)
          if (!span.sampled) return span
          const end = span.end
          span.end = (endTime, exit) => {
            if (inFlight.count < max) return end.call(span, endTime, exit)
            spansDropped.updateUnsafe(1, context)
            const suppressed = shouldWarn()
            if (suppressed !== undefined) {
              fork(Effect.logWarning(
                `OTLP export: ${max} exports pending (maxExportsInFlight), the collector is slow or down: dropping ` +
                  `spans${suppressed > 0 ? ` (${suppressed} more dropped since the last warning)` : ""}`
              ))
            }
          }
          return span
        },
        ...(inner.context === undefined ? {} : { context: inner.context })
      })
    })
  )

/**
 * Spans exported to `options.url` over OTLP/HTTP with the platform's `fetch`, with bounded time and memory.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: OtlpOptions): Layer.Layer<never> => {
  const inFlight = { count: 0 }
  const timeout = Duration.fromInputUnsafe(options.exportTimeout ?? Duration.seconds(10))
  const max = options.maxExportsInFlight ?? 2
  const exporter = OtlpTracer.layer({
    url: options.url,
    resource: {
      serviceName: options.serviceName,
      ...(options.serviceVersion === undefined ? {} : { serviceVersion: options.serviceVersion })
    },
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.exportInterval === undefined ? {} : { exportInterval: options.exportInterval }),
    ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize })
  }).pipe(
    Layer.provide(options.protocol === "http/json" ? OtlpSerialization.layerJson : OtlpSerialization.layerProtobuf),
    Layer.provide(boundedClient(inFlight, timeout, max))
  )
  return dropWhenFull(inFlight, max).pipe(Layer.provide(exporter))
}

/** `OTEL_EXPORTER_OTLP_HEADERS`: `key=value` pairs separated by commas, values URL-encoded. */
const parseHeaders = (text: string): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const pair of text.split(",")) {
    const at = pair.indexOf("=")
    if (at <= 0) continue
    headers[pair.slice(0, at).trim().toLowerCase()] = decodeURIComponent(pair.slice(at + 1).trim())
  }
  return headers
}

/**
 * The OTLP trace exporter from the standard `OTEL_*` variables (see the module comment); nothing without them.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (): Layer.Layer<never, Config.ConfigError> =>
  Layer.unwrap(Effect.map(
    Config.all({
      disabled: Config.Boolean("OTEL_SDK_DISABLED").pipe(Config.withDefault(false)),
      exporter: Config.String("OTEL_TRACES_EXPORTER").pipe(Config.withDefault("otlp")),
      tracesEndpoint: Config.String("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").pipe(Config.option),
      endpoint: Config.String("OTEL_EXPORTER_OTLP_ENDPOINT").pipe(Config.option),
      protocol: Config.Literals(["http/protobuf", "http/json"], "OTEL_EXPORTER_OTLP_PROTOCOL").pipe(
        Config.withDefault("http/protobuf" as const)
      ),
      headers: Config.String("OTEL_EXPORTER_OTLP_HEADERS").pipe(Config.option),
      serviceName: Config.String("OTEL_SERVICE_NAME").pipe(Config.withDefault("effect-centrifugo")),
      serviceVersion: Config.String("OTEL_SERVICE_VERSION").pipe(Config.option),
      // OTLP's timeouts are integers of milliseconds; the traces one wins.
      tracesTimeout: Config.Int("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT").pipe(Config.option),
      timeout: Config.Int("OTEL_EXPORTER_OTLP_TIMEOUT").pipe(Config.option)
    }),
    (config): Layer.Layer<never> => {
      const url = Option.isSome(config.tracesEndpoint)
        ? config.tracesEndpoint.value
        : Option.isSome(config.endpoint)
        ? `${config.endpoint.value.replace(/\/+$/, "")}/v1/traces`
        : undefined
      const exporters = config.exporter.split(",").map((name) => name.trim().toLowerCase())
      if (url === undefined || config.disabled || !exporters.includes("otlp")) return Layer.empty
      const timeout = Option.orElse(config.tracesTimeout, () => config.timeout)
      return layer({
        url,
        serviceName: config.serviceName,
        protocol: config.protocol,
        ...(Option.isSome(timeout) ? { exportTimeout: Duration.millis(timeout.value) } : {}),
        ...(Option.isSome(config.serviceVersion) ? { serviceVersion: config.serviceVersion.value } : {}),
        ...(Option.isSome(config.headers) ? { headers: parseHeaders(config.headers.value) } : {})
      })
    }
  ))

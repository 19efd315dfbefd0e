/**
 * The two transports of CentrifugoApi, and their Layers.
 *
 * HTTP: `POST {url}/api/{method}` with `X-API-Key`, through `effect/http`'s HttpClient (`FetchHttpClient` unless
 * you provide another). gRPC: `centrifugal.centrifugo.api.CentrifugoApi/{Method}` with `authorization: apikey KEY`
 * metadata, one grpc-js channel for the Layer's lifetime, a deadline per call, TLS optional.
 *
 * @since 0.1.0
 */
import * as grpc from "@grpc/grpc-js"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as EnvConfig from "../internal/envConfig.ts"
import { traceparent } from "../ops/Tracing.ts"
import * as pb from "../proto/generated/api.ts"
import {
  type ApiFailure,
  CentrifugoApi,
  CentrifugoApiError,
  CentrifugoTransportError,
  CentrifugoUnauthorizedError,
  make,
  type MakeOptions,
  type Transport
} from "./CentrifugoApi.ts"
import { fromProto, toProto, type WireObject } from "./wire.ts"

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null

/** `{ error, result }` of one API response, to the result or the typed failure. */
const unwrap = (method: string, body: unknown): Effect.Effect<WireObject, ApiFailure> => {
  if (!isObject(body)) return Effect.fail(CentrifugoTransportError({ method, message: "the response is not a JSON object" }))
  // A batch response is `{ replies }` itself, each reply with its own error or result.
  if (method === "batch") return Effect.succeed(body as WireObject)
  const error = body.error
  if (isObject(error) && typeof error.code === "number" && error.code !== 0) {
    return Effect.fail(CentrifugoApiError({ method, code: error.code, message: typeof error.message === "string" ? error.message : "" }))
  }
  return Effect.succeed((isObject(body.result) ? body.result : {}) as WireObject)
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------------------------

/**
 * Options of the HTTP transport: Centrifugo's URL, the API key and the per-call timeout.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpOptions extends MakeOptions {
  /** Centrifugo's base URL, e.g. `http://127.0.0.1:8000` (the API is under `/api`). */
  readonly url: string
  readonly key: Redacted.Redacted<string> | string
  /** Per-call timeout. Default 5 seconds. */
  readonly timeout?: Duration.Input
}

const httpTransport = (options: HttpOptions) =>
  Effect.map(Effect.service(HttpClient.HttpClient), (client): Transport => {
    const key = typeof options.key === "string" ? options.key : Redacted.value(options.key)
    const base = options.url.replace(/\/+$/, "")
    const timeout = Duration.fromInputUnsafe(options.timeout ?? Duration.seconds(5))
    return (method, request): Effect.Effect<WireObject, ApiFailure> => {
      const httpRequest = HttpClientRequest.post(`${base}/api/${method}`).pipe(
        HttpClientRequest.setHeader("x-api-key", key),
        HttpClientRequest.bodyText(JSON.stringify(request), "application/json")
      )
      const failed = (error: { readonly message: string }) => CentrifugoTransportError({ method, message: error.message, cause: error })
      return client.execute(httpRequest).pipe(
        Effect.mapError(failed),
        Effect.flatMap((response): Effect.Effect<WireObject, ApiFailure> =>
          response.status === 401
            ? Effect.fail(CentrifugoUnauthorizedError({ method, message: "Centrifugo refused the API key (HTTP 401)" }))
            : response.status !== 200
            ? Effect.fail(CentrifugoTransportError({ method, message: `Centrifugo answered HTTP ${response.status}` }))
            : Effect.flatMap(Effect.mapError(response.json, failed), (body) => unwrap(method, body))
        ),
        Effect.scoped,
        Effect.timeoutOrElse({
          duration: timeout,
          orElse: () => Effect.fail(CentrifugoTransportError({ method, message: `no answer within ${Duration.format(timeout)}` }))
        })
      )
    }
  })

/**
 * CentrifugoApi over HTTP; needs an `HttpClient` (see `layerHttpFetch`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { CentrifugoApi } from "effect-centrifugo"
 *
 * const Api = CentrifugoApi.layerHttp({ url: "http://127.0.0.1:8000", key: "api-key", timeout: "2 seconds" })
 * const program = Effect.flatMap(CentrifugoApi.CentrifugoApi, (api) => api.info()).pipe(
 *   Effect.provide(Api),
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttp = (options: HttpOptions): Layer.Layer<CentrifugoApi, never, HttpClient.HttpClient> =>
  Layer.effect(CentrifugoApi, Effect.map(httpTransport(options), (transport) => make(transport, options)))

/**
 * CentrifugoApi over HTTP with the platform's `fetch`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpFetch = (options: HttpOptions): Layer.Layer<CentrifugoApi> =>
  layerHttp(options).pipe(Layer.provide(FetchHttpClient.layer))

// ---------------------------------------------------------------------------------------------------------------
// Disabled
// ---------------------------------------------------------------------------------------------------------------

/**
 * Centrifugo's own code for "not available", used for every call of a disabled API.
 *
 * @since 0.1.0
 * @category constants
 */
export const notConfiguredCode = 108

/**
 * A CentrifugoApi that is switched off: every call fails with `CentrifugoApiError` code 108 and `reason` (e.g. which
 * setting is missing). For a backend that should start without a server API; nothing is retried.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDisabled = (reason: string): Layer.Layer<CentrifugoApi> =>
  Layer.succeed(
    CentrifugoApi,
    make((method) => Effect.fail(CentrifugoApiError({ method, code: notConfiguredCode, message: `server API not configured: ${reason}` })), {
      retries: 0
    })
  )

/**
 * Options of `layerHttpConfig`: whether a missing API key disables the API instead of failing.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpConfigOptions {
  /**
   * Without `PROXY_CENTRIFUGO_API_KEY`, start anyway with the API disabled (`layerDisabled`, one warning logged when the
   * Layer is built) instead of failing with a `ConfigError`. Default false.
   */
  readonly optional?: boolean
}

const MISSING_KEY = "PROXY_CENTRIFUGO_API_KEY is not set (set it, and PROXY_CENTRIFUGO_API_URL, to enable Centrifugo's server API)"

/**
 * `layerHttpFetch` configured from `PROXY_CENTRIFUGO_API_URL` (default `http://127.0.0.1:8000`), `PROXY_CENTRIFUGO_API_KEY`
 * (required, unless `optional`: then its absence disables the API) and `PROXY_CENTRIFUGO_API_TIMEOUT` (default 5 seconds).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpConfig = (options: HttpConfigOptions = {}): Layer.Layer<CentrifugoApi, Config.ConfigError> =>
  Layer.unwrap(Effect.flatMap(
    EnvConfig.all({
      url: Config.String("PROXY_CENTRIFUGO_API_URL").pipe(Config.withDefault("http://127.0.0.1:8000")),
      key: options.optional === true
        ? Config.Redacted("PROXY_CENTRIFUGO_API_KEY").pipe(Config.option)
        : Config.Redacted("PROXY_CENTRIFUGO_API_KEY").pipe(Config.map(Option.some)),
      timeout: Config.Duration("PROXY_CENTRIFUGO_API_TIMEOUT").pipe(Config.withDefault(Duration.seconds(5)))
    }),
    ({ key, timeout, url }) =>
      Option.isSome(key)
        ? Effect.succeed(layerHttpFetch({ url, key: key.value, timeout }))
        : Effect.as(Effect.logWarning(`CentrifugoApi disabled: ${MISSING_KEY}`), layerDisabled(MISSING_KEY))
  ))

// ---------------------------------------------------------------------------------------------------------------
// gRPC
// ---------------------------------------------------------------------------------------------------------------

/**
 * Options of the gRPC transport: Centrifugo's gRPC API address, key, per-call deadline and TLS credentials.
 *
 * @since 0.1.0
 * @category models
 */
export interface GrpcOptions extends MakeOptions {
  /** `host:port` of Centrifugo's gRPC API (`grpc_api.port`, default 10000). */
  readonly address: string
  /** `grpc_api.key`; without one Centrifugo's gRPC API is open (not recommended). */
  readonly key?: Redacted.Redacted<string> | string
  /** Per-call deadline. Default 5 seconds. */
  readonly timeout?: Duration.Input
  /** TLS credentials; default plaintext. */
  readonly credentials?: grpc.ChannelCredentials
}

const API_SERVICE = "centrifugal.centrifugo.api.CentrifugoApi"

/** gRPC method name and message codecs per API method. */
const grpcMethods: Record<string, { readonly name: string; readonly request: Codec; readonly response: Codec }> = {}
interface Codec {
  encode(message: never): { finish(): Uint8Array }
  decode(input: Uint8Array): unknown
}
const register = (method: string, name: string, request: unknown, response: unknown) => {
  grpcMethods[method] = { name, request: request as Codec, response: response as Codec }
}
register("batch", "Batch", pb.BatchRequest, pb.BatchResponse)
register("publish", "Publish", pb.PublishRequest, pb.PublishResponse)
register("broadcast", "Broadcast", pb.BroadcastRequest, pb.BroadcastResponse)
register("subscribe", "Subscribe", pb.SubscribeRequest, pb.SubscribeResponse)
register("unsubscribe", "Unsubscribe", pb.UnsubscribeRequest, pb.UnsubscribeResponse)
register("disconnect", "Disconnect", pb.DisconnectRequest, pb.DisconnectResponse)
register("refresh", "Refresh", pb.RefreshRequest, pb.RefreshResponse)
register("presence", "Presence", pb.PresenceRequest, pb.PresenceResponse)
register("presence_stats", "PresenceStats", pb.PresenceStatsRequest, pb.PresenceStatsResponse)
register("history", "History", pb.HistoryRequest, pb.HistoryResponse)
register("history_remove", "HistoryRemove", pb.HistoryRemoveRequest, pb.HistoryRemoveResponse)
register("info", "Info", pb.InfoRequest, pb.InfoResponse)
register("rpc", "RPC", pb.RPCRequest, pb.RPCResponse)
register("channels", "Channels", pb.ChannelsRequest, pb.ChannelsResponse)
register("map_publish", "MapPublish", pb.MapPublishRequest, pb.MapPublishResponse)
register("map_remove", "MapRemove", pb.MapRemoveRequest, pb.MapRemoveResponse)
register("map_read_state", "MapReadState", pb.MapReadStateRequest, pb.MapReadStateResponse)
register("map_read_stream", "MapReadStream", pb.MapReadStreamRequest, pb.MapReadStreamResponse)
register("map_stats", "MapStats", pb.MapStatsRequest, pb.MapStatsResponse)
register("map_clear", "MapClear", pb.MapClearRequest, pb.MapClearResponse)
register("shared_poll_publish", "SharedPollPublish", pb.SharedPollPublishRequest, pb.SharedPollPublishResponse)

const identity = <A>(value: A): A => value

/** The gRPC transport; the channel is closed when the Layer's scope closes. */
const grpcTransport = (options: GrpcOptions) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => new grpc.Client(options.address, options.credentials ?? grpc.credentials.createInsecure())),
      (client) => Effect.sync(() => client.close())
    ),
    (client): Transport => {
      const key = options.key === undefined ? undefined : typeof options.key === "string" ? options.key : Redacted.value(options.key)
      const timeoutMs = Duration.toMillis(Duration.fromInputUnsafe(options.timeout ?? Duration.seconds(5)))
      return (method, request) => {
        const codec = grpcMethods[method]
        if (codec === undefined) return Effect.fail(CentrifugoTransportError({ method, message: `${method} is not an API method` }))
        return Effect.flatMap(Effect.serviceOption(Tracer.ParentSpan), (span) => Effect.callback((resume) => {
          const metadata = new grpc.Metadata()
          if (key !== undefined) metadata.set("authorization", `apikey ${key}`)
          // The current trace continues in Centrifugo (the HTTP transport's HttpClient sends it by itself).
          if (span._tag === "Some") metadata.set("traceparent", traceparent(span.value))
          let bytes: Uint8Array
          try {
            bytes = codec.request.encode(toProto(request) as never).finish()
          } catch (error) {
            return resume(Effect.fail(CentrifugoTransportError({ method, message: `cannot encode the request: ${String(error)}`, cause: error })))
          }
          const call = client.makeUnaryRequest<Buffer, Buffer>(
            `/${API_SERVICE}/${codec.name}`,
            identity,
            identity,
            Buffer.from(bytes),
            metadata,
            { deadline: Date.now() + timeoutMs },
            (error, response) => {
              if (error) {
                return resume(Effect.fail(
                  error.code === grpc.status.UNAUTHENTICATED
                    ? CentrifugoUnauthorizedError({ method, message: `Centrifugo refused the API key (${error.details})` })
                    : CentrifugoTransportError({ method, message: `gRPC ${grpc.status[error.code]}: ${error.details}`, cause: error })
                ))
              }
              let decoded: unknown
              try {
                decoded = fromProto(codec.response.decode(response!))
              } catch (decodeError) {
                return resume(Effect.fail(CentrifugoTransportError({ method, message: "the response is not a valid protobuf message", cause: decodeError })))
              }
              resume(unwrap(method, decoded))
            }
          )
          // Interrupting the effect cancels the call.
          return Effect.sync(() => call.cancel())
        }))
      }
    }
  )

/**
 * CentrifugoApi over gRPC.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CentrifugoApi } from "effect-centrifugo"
 *
 * const Api = CentrifugoApi.layerGrpc({ address: "127.0.0.1:10000", key: "grpc-api-key" })
 * const program = Effect.flatMap(CentrifugoApi.CentrifugoApi, (api) => api.publish({ channel: "news", data: "hi" }))
 * const runnable = program.pipe(Effect.provide(Api))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerGrpc = (options: GrpcOptions): Layer.Layer<CentrifugoApi> =>
  Layer.effect(CentrifugoApi, Effect.map(grpcTransport(options), (transport) => make(transport, options)))

/**
 * `layerGrpc` configured from `PROXY_CENTRIFUGO_GRPC_API_ADDRESS` (default `127.0.0.1:10000`), `PROXY_CENTRIFUGO_GRPC_API_KEY`
 * (optional), `PROXY_CENTRIFUGO_GRPC_API_TIMEOUT` (default 5 seconds) and `PROXY_CENTRIFUGO_GRPC_API_TLS` (default false:
 * plaintext; true: TLS with the system's roots).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerGrpcConfig = (): Layer.Layer<CentrifugoApi, Config.ConfigError> =>
  Layer.unwrap(Effect.map(
    EnvConfig.all({
      address: Config.String("PROXY_CENTRIFUGO_GRPC_API_ADDRESS").pipe(Config.withDefault("127.0.0.1:10000")),
      key: Config.Redacted("PROXY_CENTRIFUGO_GRPC_API_KEY").pipe(Config.option),
      timeout: Config.Duration("PROXY_CENTRIFUGO_GRPC_API_TIMEOUT").pipe(Config.withDefault(Duration.seconds(5))),
      tls: Config.Boolean("PROXY_CENTRIFUGO_GRPC_API_TLS").pipe(Config.withDefault(false))
    }),
    ({ address, key, timeout, tls }) =>
      layerGrpc({
        address,
        timeout,
        ...(key._tag === "Some" ? { key: key.value } : {}),
        ...(tls ? { credentials: grpc.credentials.createSsl() } : {})
      })
  ))

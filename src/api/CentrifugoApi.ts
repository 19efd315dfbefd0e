/**
 * CentrifugoApi: Centrifugo's server API as an Effect service — publish, broadcast, subscribe users, disconnect,
 * read presence and history, and the rest of the 21 methods open-source Centrifugo v6.9.1 implements.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { CentrifugoApi } from "effect-centrifugo"
 *
 * const publishNews = (news: { readonly title: string }) =>
 *   Effect.gen(function*() {
 *     const api = yield* CentrifugoApi.CentrifugoApi
 *     const { offset, epoch } = yield* api.publish({ channel: "news", data: news })
 *     return { offset, epoch }
 *   })
 * // main.ts: Layer.provide(CentrifugoApi.layerHttpConfig())   or   CentrifugoApi.layerGrpcConfig()
 * const published = publishNews({ title: "Hello" }).pipe(Effect.provide(CentrifugoApi.layerHttpConfig()))
 * ```
 *
 * - Inputs are plain values: `data` is any JSON value (encoded for you) or `Payload.binary(bytes)`.
 * - Results are typed (offsets, epochs, presence maps, history publications with parsed data).
 * - Failures are typed and distinct: `CentrifugoApiError` (Centrifugo answered an error: code and message),
 *   `CentrifugoUnauthorizedError` (wrong or missing API key), `CentrifugoTransportError` (unreachable, timed out,
 *   unreadable answer).
 * - Transports: HTTP (`X-API-Key`, `POST /api/<method>`) and gRPC (`authorization: apikey KEY`, one channel reused,
 *   a deadline per call). Both speak Centrifugo's JSON API form internally (see ./wire.ts).
 * - Retries happen only where they are safe: a publish or broadcast that carries an `idempotencyKey` is retried on
 *   transport errors (Centrifugo drops the duplicate); nothing else is retried.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type {
  BatchCommand,
  BatchReply,
  BroadcastInput,
  BroadcastItem,
  ClientInfo,
  DisconnectInput,
  HistoryInput,
  HistoryResult,
  MapEntry,
  MapPublishInput,
  MapReadStateInput,
  MapReadStreamInput,
  MapWriteResult,
  NodeInfo,
  PublishInput,
  PublishPosition,
  RefreshInput,
  SharedPollPublishInput,
  SubscribeInput,
  UnsubscribeInput
} from "./models.ts"
import { type TaggedError, taggedError } from "../internal/tagged.ts"
import * as Payload from "../Payload.ts"
import { observed } from "./observed.ts"
import { wireRequests } from "./requests.ts"
import * as Results from "./results.ts"
import type { WireObject } from "./wire.ts"

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

/**
 * Centrifugo answered the call with an error (e.g. 102 unknown channel, 107 bad request, 108 not available).
 *
 * @since 0.1.0
 * @category errors
 */
export interface CentrifugoApiError extends TaggedError<"CentrifugoApiError"> {
  readonly method: string
  readonly code: number
}

/**
 * Builds the `CentrifugoApiError` of `method` from Centrifugo's error code and message.
 *
 * @since 0.1.0
 * @category errors
 */
export const CentrifugoApiError = taggedError<CentrifugoApiError>("CentrifugoApiError")

/**
 * The API key was refused (HTTP 401 / gRPC UNAUTHENTICATED).
 *
 * @since 0.1.0
 * @category errors
 */
export interface CentrifugoUnauthorizedError extends TaggedError<"CentrifugoUnauthorizedError"> {
  readonly method: string
}

/**
 * Builds the `CentrifugoUnauthorizedError` of `method` (the API key was refused).
 *
 * @since 0.1.0
 * @category errors
 */
export const CentrifugoUnauthorizedError = taggedError<CentrifugoUnauthorizedError>("CentrifugoUnauthorizedError")

/**
 * The call did not get an answer: connection refused, timeout, or a response that is not Centrifugo's.
 *
 * @since 0.1.0
 * @category errors
 */
export interface CentrifugoTransportError extends TaggedError<"CentrifugoTransportError"> {
  readonly method: string
}

/**
 * Builds the `CentrifugoTransportError` of `method` (no usable answer), with its cause.
 *
 * @since 0.1.0
 * @category errors
 */
export const CentrifugoTransportError = taggedError<CentrifugoTransportError>("CentrifugoTransportError")

/**
 * Any failure of a server API call: an error answer, a refused API key, or no answer at all. Each prints as
 * `Tag: message` (with its cause) in logs and causes.
 *
 * @since 0.1.0
 * @category errors
 */
export type ApiFailure = CentrifugoApiError | CentrifugoUnauthorizedError | CentrifugoTransportError

// ---------------------------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------------------------

type Call<I, O> = (input: I) => Effect.Effect<O, ApiFailure>

/**
 * Centrifugo's server API as a service: publish, broadcast, subscribe, disconnect, presence, history, maps, batch
 * and info.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CentrifugoApi } from "effect-centrifugo"
 *
 * const announce = (text: string) =>
 *   Effect.gen(function*() {
 *     const api = yield* CentrifugoApi.CentrifugoApi
 *     yield* api.publish({ channel: "news", data: { text }, idempotencyKey: `news-${text}` })
 *     const { numUsers } = yield* api.presenceStats({ channel: "news" })
 *     return numUsers
 *   }).pipe(
 *     Effect.catchTag("CentrifugoApiError", (error) => Effect.logWarning(`publish refused: ${error.code}`))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export interface CentrifugoApi {
  readonly publish: Call<PublishInput, PublishPosition>
  /** One message to many channels in one call; history kept unless `skipHistory`. Per-channel outcomes. */
  readonly broadcast: Call<BroadcastInput, ReadonlyArray<BroadcastItem>>
  readonly subscribe: Call<SubscribeInput, void>
  readonly unsubscribe: Call<UnsubscribeInput, void>
  readonly disconnect: Call<DisconnectInput, void>
  readonly refresh: Call<RefreshInput, void>
  /** Who is in a channel: client ID -> client info. */
  readonly presence: Call<{ readonly channel: string }, Readonly<Record<string, ClientInfo>>>
  readonly presenceStats: Call<{ readonly channel: string }, { readonly numClients: number; readonly numUsers: number }>
  readonly history: Call<HistoryInput, HistoryResult>
  readonly historyRemove: Call<{ readonly channel: string }, void>
  readonly info: Call<void, { readonly nodes: ReadonlyArray<NodeInfo> }>
  /** Centrifugo's server-side RPC (`rpc` config), not the proxy RPC. */
  readonly rpc: Call<{ readonly method: string; readonly params?: unknown }, unknown>
  /** Active channels (with at least one subscriber) matching `pattern`: channel -> number of clients. */
  readonly channels: Call<{ readonly pattern?: string }, Readonly<Record<string, { readonly numClients: number }>>>
  readonly mapPublish: Call<MapPublishInput, MapWriteResult>
  readonly mapRemove: Call<{ readonly channel: string; readonly key: string; readonly idempotencyKey?: string }, MapWriteResult>
  readonly mapReadState: Call<
    MapReadStateInput,
    { readonly entries: ReadonlyArray<MapEntry>; readonly offset?: number; readonly epoch?: string; readonly cursor?: string }
  >
  readonly mapReadStream: Call<
    MapReadStreamInput,
    { readonly entries: ReadonlyArray<MapEntry>; readonly offset?: number; readonly epoch?: string }
  >
  readonly mapStats: Call<{ readonly channel: string }, { readonly numKeys: number }>
  readonly mapClear: Call<{ readonly channel: string }, void>
  readonly sharedPollPublish: Call<SharedPollPublishInput, void>
  /** Several commands in one request; replies in the same order. `parallel` lets Centrifugo run them concurrently. */
  readonly batch: (
    commands: ReadonlyArray<BatchCommand>,
    options?: { readonly parallel?: boolean }
  ) => Effect.Effect<ReadonlyArray<BatchReply>, ApiFailure>
}

export const CentrifugoApi: Context.Service<CentrifugoApi, CentrifugoApi> = Context.Service<CentrifugoApi>(
  "effect-centrifugo/CentrifugoApi"
)

/**
 * A transport: one API method (snake_case, e.g. `presence_stats`) with its request in Centrifugo's JSON form, to
 * the method's `result` in the same form. It fails with `CentrifugoApiError` when Centrifugo answers an error.
 *
 * @since 0.1.0
 * @category models
 */
export type Transport = (method: string, request: WireObject) => Effect.Effect<WireObject, ApiFailure>

// ---------------------------------------------------------------------------------------------------------------
// Building the service from a transport
// ---------------------------------------------------------------------------------------------------------------

/**
 * Options of the service built on a transport: how often an idempotent publish is retried.
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions {
  /** Retries of an idempotent publish/broadcast after a transport error. Default 2. */
  readonly retries?: number
}

/**
 * The service on top of a transport (what `layerHttp` and `layerGrpc` do; useful for your own transport).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (rawTransport: Transport, options: MakeOptions = {}): CentrifugoApi => {
  // Spans and metrics for every call, retries included.
  const transport = observed(rawTransport)
  const retries = options.retries ?? 2
  const idempotentRetry = <A>(effect: Effect.Effect<A, ApiFailure>, idempotencyKey: string | undefined) =>
    idempotencyKey === undefined || retries <= 0
      ? effect
      : Effect.retry(effect, {
        schedule: Schedule.exponential("100 millis"),
        times: retries,
        while: (failure) => failure._tag === "CentrifugoTransportError"
      })

  const call = <K extends keyof typeof wireRequests, O>(
    method: K,
    decode: (result: Results.W) => O
  ) =>
  (input: Parameters<(typeof wireRequests)[K]>[0]): Effect.Effect<O, ApiFailure> =>
    Effect.map(transport(method, (wireRequests[method] as (i: unknown) => WireObject)(input)), (result) => decode(result))

  const none = () => undefined

  return {
    publish: (input) => idempotentRetry(call("publish", Results.publishPosition)(input), input.idempotencyKey),
    broadcast: (input) =>
      idempotentRetry(
        Effect.map(transport("broadcast", wireRequests.broadcast(input)), (result) => Results.broadcastItems(result, input.channels)),
        input.idempotencyKey
      ),
    subscribe: call("subscribe", none),
    unsubscribe: call("unsubscribe", none),
    disconnect: call("disconnect", none),
    refresh: call("refresh", none),
    presence: call("presence", Results.presence),
    presenceStats: call("presence_stats", Results.presenceStats),
    history: call("history", Results.history),
    historyRemove: call("history_remove", none),
    info: call("info", Results.info),
    rpc: call("rpc", (r) => r.data),
    channels: call("channels", Results.channels),
    mapPublish: call("map_publish", Results.mapWriteResult),
    mapRemove: call("map_remove", Results.mapWriteResult),
    mapReadState: call("map_read_state", Results.mapReadState),
    mapReadStream: call("map_read_stream", Results.mapReadStream),
    mapStats: call("map_stats", Results.mapStats),
    mapClear: call("map_clear", none),
    sharedPollPublish: call("shared_poll_publish", none),
    batch: (commands, batchOptions) =>
      Effect.map(
        transport("batch", {
          commands: commands.map((command) => {
            const [name, input] = Object.entries(command)[0] as [string, unknown]
            const method = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) as keyof typeof wireRequests
            return { [method]: (wireRequests[method] as (i: unknown) => WireObject)(input) }
          }),
          ...(batchOptions?.parallel === undefined ? {} : { parallel: batchOptions.parallel })
        }),
        Results.batchReplies
      )
  }
}

/**
 * Broadcasts and fails unless every channel took the message: the helper for handlers that must not lose a
 * channel silently. History is kept unless `skipHistory` is set.
 *
 * @since 0.1.0
 * @category utils
 */
export const broadcastAll = (
  input: BroadcastInput
): Effect.Effect<ReadonlyArray<{ readonly channel: string; readonly result: PublishPosition }>, ApiFailure, CentrifugoApi> =>
  Effect.flatMap(Effect.service(CentrifugoApi), (api) =>
    Effect.flatMap(api.broadcast(input), (items) => {
      const failed = items.find((item) => "error" in item)
      return failed !== undefined && "error" in failed
        ? Effect.fail(CentrifugoApiError({ method: "broadcast", code: failed.error.code, message: `${failed.channel}: ${failed.error.message}` }))
        : Effect.succeed(items as ReadonlyArray<{ readonly channel: string; readonly result: PublishPosition }>)
    }))

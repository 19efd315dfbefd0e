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
import { type TaggedError, taggedError } from "../internal/tagged.ts"
import * as Payload from "../Payload.ts"
import { observed } from "./observed.ts"
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
// Inputs and results
// ---------------------------------------------------------------------------------------------------------------

/**
 * A stream position: the offset in a channel's history and the history's epoch.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamPosition {
  readonly offset: number
  readonly epoch: string
}

/**
 * Publication options shared by `publish` and `broadcast`: history, tags, idempotency key, delta and version.
 *
 * @since 0.1.0
 * @category models
 */
export interface PublishOptions {
  /** Keep the publication out of history. Default: kept (unlike PHP's client, which skipped it for broadcasts). */
  readonly skipHistory?: boolean
  readonly tags?: Readonly<Record<string, string>>
  /** Centrifugo drops a second publication with the same key (within its idempotency window); makes retries safe. */
  readonly idempotencyKey?: string
  readonly delta?: boolean
  readonly version?: number
  readonly versionEpoch?: string
}

/**
 * The input of `publish`: one channel, the data, and the publication options.
 *
 * @since 0.1.0
 * @category models
 */
export interface PublishInput extends PublishOptions {
  readonly channel: string
  /** Any JSON value, or `Payload.binary(bytes)`. */
  readonly data: unknown
}

/**
 * The input of `broadcast`: the channels, the data, and the publication options.
 *
 * @since 0.1.0
 * @category models
 */
export interface BroadcastInput extends PublishOptions {
  readonly channels: ReadonlyArray<string>
  readonly data: unknown
}

/**
 * Where a publication landed: empty when the channel keeps no history.
 *
 * @since 0.1.0
 * @category models
 */
export interface PublishResult {
  readonly offset?: number
  readonly epoch?: string
}

/**
 * One channel's outcome in a broadcast.
 *
 * @since 0.1.0
 * @category models
 */
export type BroadcastItem =
  | { readonly channel: string; readonly result: PublishResult }
  | { readonly channel: string; readonly error: { readonly code: number; readonly message: string } }

/**
 * Per-subscription overrides of the namespace's presence, join/leave, recovery and positioning options.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscribeOverride {
  readonly presence?: boolean
  readonly joinLeave?: boolean
  readonly forceRecovery?: boolean
  readonly forcePositioning?: boolean
  readonly forcePushJoinLeave?: boolean
}

/**
 * The input of `subscribe`: subscribes a user's connections (or one client) to a channel, server-side.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscribeInput {
  readonly channel: string
  readonly user: string
  /** Only this connection of the user. */
  readonly client?: string
  readonly session?: string
  /** Unix seconds. */
  readonly expireAt?: number
  readonly info?: unknown
  readonly data?: unknown
  readonly recoverSince?: StreamPosition
  readonly override?: SubscribeOverride
}

/**
 * The input of `unsubscribe`: unsubscribes a user's connections (or one client or session) from a channel.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnsubscribeInput {
  readonly channel: string
  readonly user: string
  readonly client?: string
  readonly session?: string
}

/**
 * The input of `disconnect`: disconnects a user's connections (or one client or session), with a code and reason.
 *
 * @since 0.1.0
 * @category models
 */
export interface DisconnectInput {
  readonly user: string
  readonly client?: string
  readonly session?: string
  /** Client IDs to keep connected. */
  readonly whitelist?: ReadonlyArray<string>
  /** Default (Centrifugo's): 3503 "force disconnect", no reconnect. */
  readonly disconnect?: { readonly code: number; readonly reason: string }
}

/**
 * The input of `refresh`: sets a user's connection expiry or info, or expires it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefreshInput {
  readonly user: string
  readonly client?: string
  readonly session?: string
  readonly expired?: boolean
  /** Unix seconds. */
  readonly expireAt?: number
  readonly info?: unknown
}

/**
 * A connection as presence and history report it: user, client ID and connection/channel info.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientInfo {
  readonly user: string
  readonly client: string
  readonly connInfo?: unknown
  readonly chanInfo?: unknown
}

/**
 * The input of `history`: the channel, how many publications, from which position, in which order.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoryInput {
  readonly channel: string
  /** 0 (default) returns only the current position; -1 or more for publications. */
  readonly limit?: number
  readonly since?: StreamPosition
  readonly reverse?: boolean
}

/**
 * One publication in a channel's history: its data, publisher info, offset and tags.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoryPublication {
  readonly data: unknown
  readonly info?: ClientInfo
  readonly offset: number
  readonly tags?: Readonly<Record<string, string>>
}

/**
 * A channel's history: the publications asked for and the stream's current offset and epoch.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoryResult {
  readonly publications: ReadonlyArray<HistoryPublication>
  readonly offset: number
  readonly epoch: string
}

/**
 * One Centrifugo node as `info` reports it: identity, version, counts of clients, users, channels and uptime.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeInfo {
  readonly uid: string
  readonly name: string
  readonly version: string
  readonly numClients: number
  readonly numUsers: number
  readonly numChannels: number
  readonly numSubs: number
  readonly uptime: number
  readonly process?: { readonly cpu: number; readonly rss: number }
}

/**
 * The input of `mapPublish`: sets a key of a map channel, with its data and publication options.
 *
 * @since 0.1.0
 * @category models
 */
export interface MapPublishInput {
  readonly channel: string
  readonly key: string
  readonly data?: unknown
  readonly streamData?: unknown
  readonly tags?: Readonly<Record<string, string>>
  readonly idempotencyKey?: string
  readonly delta?: boolean
  readonly version?: number
  readonly versionEpoch?: string
  readonly score?: number
  readonly keyMode?: "" | "if_new" | "if_exists"
}

/**
 * The outcome of a map write: the stream position, or why the write was suppressed.
 *
 * @since 0.1.0
 * @category models
 */
export interface MapWriteResult {
  readonly offset?: number
  readonly epoch?: string
  /** The write was skipped (e.g. `keyMode` did not match, or a same-version write); see `suppressReason`. */
  readonly suppressed?: boolean
  readonly suppressReason?: string
}

/**
 * One key's entry in a map channel's state or stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface MapEntry {
  readonly key: string
  readonly data: unknown
  readonly tags?: Readonly<Record<string, string>>
  readonly offset?: number
  readonly score?: number
  readonly removed?: boolean
  readonly time?: number
}

/**
 * The input of `mapReadState`: a page of a map channel's current keys, or one key.
 *
 * @since 0.1.0
 * @category models
 */
export interface MapReadStateInput {
  readonly channel: string
  readonly cursor?: string
  readonly limit?: number
  readonly key?: string
  readonly asc?: boolean
  readonly revision?: StreamPosition
}

/**
 * The input of `mapReadStream`: a map channel's change stream from a position.
 *
 * @since 0.1.0
 * @category models
 */
export interface MapReadStreamInput {
  readonly channel: string
  readonly since?: StreamPosition
  readonly limit?: number
  readonly reverse?: boolean
}

/**
 * The input of `sharedPollPublish`: pushes a new version of one key to a shared-poll channel's subscribers.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedPollPublishInput {
  readonly channel: string
  readonly key: string
  readonly data: unknown
  readonly version?: number
  readonly epoch?: string
}

/**
 * One command of a batch: the method name and its input.
 *
 * @since 0.1.0
 * @category models
 */
export type BatchCommand =
  | { readonly publish: PublishInput }
  | { readonly broadcast: BroadcastInput }
  | { readonly subscribe: SubscribeInput }
  | { readonly unsubscribe: UnsubscribeInput }
  | { readonly disconnect: DisconnectInput }
  | { readonly refresh: RefreshInput }
  | { readonly presence: { readonly channel: string } }
  | { readonly presenceStats: { readonly channel: string } }
  | { readonly history: HistoryInput }
  | { readonly historyRemove: { readonly channel: string } }
  | { readonly channels: { readonly pattern?: string } }
  | { readonly rpc: { readonly method: string; readonly params?: unknown } }

/**
 * One reply of a batch, in command order: the method's wire result, or its error.
 *
 * @since 0.1.0
 * @category models
 */
export type BatchReply =
  | { readonly result: unknown }
  | { readonly error: { readonly code: number; readonly message: string } }

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
  readonly publish: Call<PublishInput, PublishResult>
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
// Inputs to the wire form, wire results to outputs
// ---------------------------------------------------------------------------------------------------------------

const defined = (object: Record<string, unknown>): WireObject =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined))

/** A payload as `{ data }` (JSON) or `{ b64data }` (binary) — or the `info`/`b64info` pair. */
const payload = (field: "data" | "info" | "stream_data", value: unknown): WireObject => {
  if (value === undefined) return {}
  if (Payload.isBinary(value)) return { [`b64${field.replace("_", "")}`]: Buffer.from(value.bytes).toString("base64") }
  if (Payload.isRawJson(value)) return { [field]: JSON.parse(value.text) }
  return { [field]: value }
}

const position = (value: StreamPosition | undefined) =>
  value === undefined ? undefined : { offset: value.offset, epoch: value.epoch }

const boolValue = (value: boolean | undefined) => (value === undefined ? undefined : { value })

const publishFields = (input: PublishOptions) =>
  defined({
    skip_history: input.skipHistory,
    tags: input.tags,
    idempotency_key: input.idempotencyKey,
    delta: input.delta,
    version: input.version,
    version_epoch: input.versionEpoch
  })

/**
 * Each API method's input as Centrifugo's wire request (snake_case fields, payloads as `data` or `b64data`).
 *
 * @since 0.1.0
 * @category utils
 */
export const wireRequests = {
  publish: (i: PublishInput) => ({ channel: i.channel, ...payload("data", i.data), ...publishFields(i) }),
  broadcast: (i: BroadcastInput) => ({ channels: [...i.channels], ...payload("data", i.data), ...publishFields(i) }),
  subscribe: (i: SubscribeInput) =>
    defined({
      channel: i.channel,
      user: i.user,
      client: i.client,
      session: i.session,
      expire_at: i.expireAt,
      ...payload("info", i.info),
      ...payload("data", i.data),
      recover_since: position(i.recoverSince),
      override: i.override === undefined ? undefined : defined({
        presence: boolValue(i.override.presence),
        join_leave: boolValue(i.override.joinLeave),
        force_recovery: boolValue(i.override.forceRecovery),
        force_positioning: boolValue(i.override.forcePositioning),
        force_push_join_leave: boolValue(i.override.forcePushJoinLeave)
      })
    }),
  unsubscribe: (i: UnsubscribeInput) => defined({ channel: i.channel, user: i.user, client: i.client, session: i.session }),
  disconnect: (i: DisconnectInput) =>
    defined({
      user: i.user,
      client: i.client,
      session: i.session,
      whitelist: i.whitelist === undefined ? undefined : [...i.whitelist],
      disconnect: i.disconnect
    }),
  refresh: (i: RefreshInput) =>
    defined({
      user: i.user,
      client: i.client,
      session: i.session,
      expired: i.expired,
      expire_at: i.expireAt,
      ...payload("info", i.info)
    }),
  presence: (i: { readonly channel: string }) => ({ channel: i.channel }),
  presence_stats: (i: { readonly channel: string }) => ({ channel: i.channel }),
  history: (i: HistoryInput) =>
    defined({ channel: i.channel, limit: i.limit, since: position(i.since), reverse: i.reverse }),
  history_remove: (i: { readonly channel: string }) => ({ channel: i.channel }),
  info: (_: void) => ({}),
  rpc: (i: { readonly method: string; readonly params?: unknown }) => defined({ method: i.method, params: i.params }),
  channels: (i: { readonly pattern?: string }) => defined({ pattern: i.pattern }),
  map_publish: (i: MapPublishInput) =>
    defined({
      channel: i.channel,
      key: i.key,
      ...payload("data", i.data),
      ...payload("stream_data", i.streamData),
      tags: i.tags,
      idempotency_key: i.idempotencyKey,
      delta: i.delta,
      version: i.version,
      version_epoch: i.versionEpoch,
      score: i.score,
      key_mode: i.keyMode
    }),
  map_remove: (i: { readonly channel: string; readonly key: string; readonly idempotencyKey?: string }) =>
    defined({ channel: i.channel, key: i.key, idempotency_key: i.idempotencyKey }),
  map_read_state: (i: MapReadStateInput) =>
    defined({
      channel: i.channel,
      cursor: i.cursor,
      limit: i.limit,
      key: i.key,
      asc: i.asc,
      revision_offset: i.revision?.offset,
      revision_epoch: i.revision?.epoch
    }),
  map_read_stream: (i: MapReadStreamInput) =>
    defined({
      channel: i.channel,
      since_offset: i.since?.offset,
      since_epoch: i.since?.epoch,
      limit: i.limit,
      reverse: i.reverse
    }),
  map_stats: (i: { readonly channel: string }) => ({ channel: i.channel }),
  map_clear: (i: { readonly channel: string }) => ({ channel: i.channel }),
  shared_poll_publish: (i: SharedPollPublishInput) =>
    defined({ channel: i.channel, key: i.key, ...payload("data", i.data), version: i.version, epoch: i.epoch })
} as const

type W = Record<string, unknown>
const num = (value: unknown): number => (typeof value === "number" ? value : Number(value ?? 0))
const str = (value: unknown): string => (typeof value === "string" ? value : "")

const clientInfo = (w: W): ClientInfo =>
  ({
    user: str(w.user),
    client: str(w.client),
    ...(w.conn_info === undefined ? {} : { connInfo: w.conn_info }),
    ...(w.chan_info === undefined ? {} : { chanInfo: w.chan_info })
  })

const publishResult = (w: W): PublishResult =>
  ({
    ...(w.offset === undefined ? {} : { offset: num(w.offset) }),
    ...(w.epoch === undefined || w.epoch === "" ? {} : { epoch: str(w.epoch) })
  })

const mapEntry = (w: W): MapEntry =>
  ({
    key: str(w.key),
    data: w.data,
    ...(w.tags === undefined ? {} : { tags: w.tags as Record<string, string> }),
    ...(w.offset === undefined ? {} : { offset: num(w.offset) }),
    ...(w.score === undefined ? {} : { score: num(w.score) }),
    ...(w.removed === undefined ? {} : { removed: Boolean(w.removed) }),
    ...(w.time === undefined ? {} : { time: num(w.time) })
  })

const mapWriteResult = (w: W): MapWriteResult =>
  ({
    ...publishResult(w),
    ...(w.suppressed === undefined ? {} : { suppressed: Boolean(w.suppressed) }),
    ...(w.suppress_reason === undefined ? {} : { suppressReason: str(w.suppress_reason) })
  })

const records = (value: unknown): ReadonlyArray<W> => (Array.isArray(value) ? value as Array<W> : [])
const entriesOf = (value: unknown): Array<[string, W]> =>
  typeof value === "object" && value !== null ? Object.entries(value as Record<string, W>) : []

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
    decode: (result: W) => O
  ) =>
  (input: Parameters<(typeof wireRequests)[K]>[0]): Effect.Effect<O, ApiFailure> =>
    Effect.map(transport(method, (wireRequests[method] as (i: unknown) => WireObject)(input)), (result) => decode(result))

  const none = () => undefined

  const broadcast = (input: BroadcastInput) =>
    idempotentRetry(
      Effect.map(transport("broadcast", wireRequests.broadcast(input)), (result): ReadonlyArray<BroadcastItem> =>
        records(result.responses).map((response, i) => {
          const channel = input.channels[i] ?? ""
          const error = response.error as W | undefined
          return error !== undefined && num(error.code) !== 0
            ? { channel, error: { code: num(error.code), message: str(error.message) } }
            : { channel, result: publishResult((response.result ?? {}) as W) }
        })),
      input.idempotencyKey
    )

  return {
    publish: (input) => idempotentRetry(call("publish", publishResult)(input), input.idempotencyKey),
    broadcast,
    subscribe: call("subscribe", none),
    unsubscribe: call("unsubscribe", none),
    disconnect: call("disconnect", none),
    refresh: call("refresh", none),
    presence: call("presence", (r) => Object.fromEntries(entriesOf(r.presence).map(([id, info]) => [id, clientInfo(info)]))),
    presenceStats: call("presence_stats", (r) => ({ numClients: num(r.num_clients), numUsers: num(r.num_users) })),
    history: call("history", (r) => ({
      publications: records(r.publications).map((p) => ({
        data: p.data,
        offset: num(p.offset),
        ...(p.info === undefined ? {} : { info: clientInfo(p.info as W) }),
        ...(p.tags === undefined ? {} : { tags: p.tags as Record<string, string> })
      })),
      offset: num(r.offset),
      epoch: str(r.epoch)
    })),
    historyRemove: call("history_remove", none),
    info: call("info", (r) => ({
      nodes: records(r.nodes).map((n) => ({
        uid: str(n.uid),
        name: str(n.name),
        version: str(n.version),
        numClients: num(n.num_clients),
        numUsers: num(n.num_users),
        numChannels: num(n.num_channels),
        numSubs: num(n.num_subs),
        uptime: num(n.uptime),
        ...(n.process === undefined
          ? {}
          : { process: { cpu: num((n.process as W).cpu), rss: num((n.process as W).rss) } })
      }))
    })),
    rpc: call("rpc", (r) => r.data),
    channels: call("channels", (r) =>
      Object.fromEntries(entriesOf(r.channels).map(([channel, info]) => [channel, { numClients: num(info.num_clients) }]))),
    mapPublish: call("map_publish", mapWriteResult),
    mapRemove: call("map_remove", mapWriteResult),
    mapReadState: call("map_read_state", (r) => ({
      entries: records(r.entries).map(mapEntry),
      ...publishResult(r),
      ...(r.cursor === undefined || r.cursor === "" ? {} : { cursor: str(r.cursor) })
    })),
    mapReadStream: call("map_read_stream", (r) => ({ entries: records(r.entries).map(mapEntry), ...publishResult(r) })),
    mapStats: call("map_stats", (r) => ({ numKeys: num(r.num_keys) })),
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
        (result) =>
          records(result.replies).map((reply): BatchReply => {
            const error = reply.error as W | undefined
            if (error !== undefined && num(error.code) !== 0) {
              return { error: { code: num(error.code), message: str(error.message) } }
            }
            const [, value] = Object.entries(reply).find(([key]) => key !== "error") ?? ["", {}]
            return { result: value }
          })
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
): Effect.Effect<ReadonlyArray<{ readonly channel: string; readonly result: PublishResult }>, ApiFailure, CentrifugoApi> =>
  Effect.flatMap(Effect.service(CentrifugoApi), (api) =>
    Effect.flatMap(api.broadcast(input), (items) => {
      const failed = items.find((item) => "error" in item)
      return failed !== undefined && "error" in failed
        ? Effect.fail(CentrifugoApiError({ method: "broadcast", code: failed.error.code, message: `${failed.channel}: ${failed.error.message}` }))
        : Effect.succeed(items as ReadonlyArray<{ readonly channel: string; readonly result: PublishResult }>)
    }))

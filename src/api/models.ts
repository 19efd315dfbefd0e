/**
 * The server API's inputs and results as plain values (camelCase fields; payloads are any JSON value or
 * `Payload.binary(bytes)`): part of the public `CentrifugoApi` module, which re-exports them.
 *
 * @since 0.1.0
 */
import type { SubscribeOverride } from "../internal/replyResults.ts"

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
 * Where a publication landed (what `publish` answers): empty when the channel keeps no history.
 *
 * @since 0.1.0
 * @category models
 */
export interface PublishPosition {
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
  | { readonly channel: string; readonly result: PublishPosition }
  | { readonly channel: string; readonly error: { readonly code: number; readonly message: string } }

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
  /** The namespace options to override for this subscription (the type a subscribe proxy's `Reply` uses too). */
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

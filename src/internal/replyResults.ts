/**
 * The result models of each event's reply (`Reply.ConnectResult`, ...) and the fields they share: the second part of
 * the public `Reply` module (src/Reply.ts re-exports them next to their constructors).
 *
 * @since 0.1.0
 */
import type * as Stream from "effect/Stream"
import type { Payload } from "../Payload.ts"
import type { ReplyTypeId } from "./replyRejections.ts"


/**
 * A Unix time in seconds (Centrifugo's unit), or a Date. `0` means "never expires".
 *
 * @since 0.1.0
 * @category models
 */
export type ExpireAt = number | Date

/**
 * Per-subscription overrides of the channel namespace's options; an unset field keeps the namespace value.
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
 * Options of one server-side subscription made at connect time (`Reply.connect({ subs })`).
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscribeOptions {
  readonly expireAt?: ExpireAt
  /** Channel-specific connection info, seen by others in presence and publications. */
  readonly info?: Payload
  /** Sent to the client in its subscription context. */
  readonly data?: Payload
  readonly override?: SubscribeOverride
  /** Force cache recovery for this subscription (needs a namespace with recovery in cache mode). */
  readonly cacheRecover?: boolean
}

/**
 * The result of an accepted connect: the user ID, its expiry, info, data, meta and server-side subscriptions.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConnectResult {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "ConnectResult"
  /** The user ID; `""` accepts the connection as anonymous. */
  readonly user: string
  /** When the connection expires; Centrifugo then calls the refresh proxy. Omit for "never". */
  readonly expireAt?: ExpireAt
  /** Connection info, shown to others in presence, join/leave and publications. */
  readonly info?: Payload
  /** Returned to the client in its connect reply (`connected` event `ctx.data`). */
  readonly data?: Payload
  /** Server-side subscriptions with the namespace defaults. */
  readonly channels?: ReadonlyArray<string>
  /** Server-side subscriptions with per-channel options. */
  readonly subs?: Readonly<Record<string, SubscribeOptions>>
  /** Server-only data attached to the connection; later proxy calls receive it with `include_connection_meta`. */
  readonly meta?: Payload
}

/**
 * The result of a connection refresh: a new expiry, new info or meta, or `expired` to end the session.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefreshResult {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "RefreshResult"
  /** `true` ends the session: Centrifugo disconnects the client with 3005 "connection expired". */
  readonly expired?: boolean
  /** The new expiry; must be in the future to extend the session. */
  readonly expireAt?: ExpireAt
  readonly info?: Payload
  /** Replaces the connection's meta. */
  readonly meta?: Payload
}

/**
 * The result of an accepted subscription: its expiry, channel info, data for the client and option overrides.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscribeResult {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "SubscribeResult"
  /** When the subscription expires; Centrifugo then calls the sub-refresh proxy. Omit for "never". */
  readonly expireAt?: ExpireAt
  /** Channel-specific connection info. */
  readonly info?: Payload
  /** Sent to the client in the `subscribed` event's `ctx.data`. */
  readonly data?: Payload
  readonly override?: SubscribeOverride
}

/**
 * The result of an accepted client publication: optionally replaced data and publish options (history, tags, delta,
 * version).
 *
 * @since 0.1.0
 * @category models
 */
export interface PublishResult {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "PublishResult"
  /** Replaces the published data; unset keeps what the client sent. Centrifugo publishes it, not the backend. */
  readonly data?: Payload
  readonly skipHistory?: boolean
  readonly tags?: Readonly<Record<string, string>>
  readonly idempotencyKey?: string
  readonly delta?: boolean
  readonly version?: number | bigint
  readonly versionEpoch?: string
}

/**
 * The result of an RPC call: the data returned to the client.
 *
 * @since 0.1.0
 * @category models
 */
export interface RpcResult {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "RpcResult"
  /** Any JSON value (not only arrays and objects), or `Payload.binary(bytes)`. */
  readonly data?: Payload
}

/**
 * The result of a subscription refresh: a new expiry or info, or `expired` to end the subscription.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubRefreshResult {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "SubRefreshResult"
  /** `true` ends the subscription: the client is unsubscribed with 2501 and resubscribes. */
  readonly expired?: boolean
  readonly expireAt?: ExpireAt
  readonly info?: Payload
}

/**
 * One publication sent down a stream subscription to its one client.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamPublication {
  /** A JSON value for JSON clients, or `Payload.binary(bytes)` for protobuf clients. */
  readonly data: Payload
  readonly tags?: Readonly<Record<string, string>>
}

/**
 * A stream subscription accepted: the subscribe result fields (sent first), then `publications`, sent one by one
 * as the client's connection can take them. The stream ending ends the subscription (the client sees unsubscribe
 * code 2000); the stream failing ends it with an error (the client resubscribes).
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamResult<E = unknown, R = never> {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "StreamResult"
  readonly expireAt?: ExpireAt
  readonly info?: Payload
  readonly data?: Payload
  readonly override?: SubscribeOverride
  readonly publications: Stream.Stream<StreamPublication, E, R>
}

/**
 * The result of an accepted map publication: optionally another key, replaced data, key mode and publish options.
 *
 * @since 0.1.0
 * @category models
 */
export interface MapPublishResult {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "MapPublishResult"
  /** Publish under another key than the client asked for. */
  readonly key?: string
  /** Replaces the published data; unset keeps the client's. */
  readonly data?: Payload
  readonly tags?: Readonly<Record<string, string>>
  /** `"if_new"` (only when the key is absent) or `"if_exists"`; unset = always. */
  readonly keyMode?: "" | "if_new" | "if_exists"
  readonly idempotencyKey?: string
  readonly delta?: boolean
  readonly version?: number | bigint
  readonly versionEpoch?: string
  /** Not used by open-source Centrifugo v6.9.1; sent for completeness. */
  readonly score?: number | bigint
  /** Not used by open-source Centrifugo v6.9.1; sent for completeness. */
  readonly streamData?: Payload
}

/**
 * The result of an accepted map key removal: optionally another key, tags and an idempotency key.
 *
 * @since 0.1.0
 * @category models
 */
export interface MapRemoveResult {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "MapRemoveResult"
  /** Remove another key than the client asked for. */
  readonly key?: string
  readonly tags?: Readonly<Record<string, string>>
  readonly idempotencyKey?: string
}

/**
 * One key's state in a shared-poll refresh.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedPollItem {
  readonly key: string
  /** The key's current data (absent with `removed`). */
  readonly data?: Payload
  readonly version: number | bigint
  /** The key no longer exists: clients drop it. */
  readonly removed?: boolean
  /** The previous data, for delta compression. */
  readonly prevData?: Payload
}

/**
 * The result of a shared-poll refresh: the keys whose version changed or that were removed.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedPollRefreshResult {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "SharedPollRefreshResult"
  /** Keys whose version changed (or that were removed); keys left out are unchanged. */
  readonly items: ReadonlyArray<SharedPollItem>
  /** Changes when versions restart (e.g. the data source was reset). */
  readonly epoch?: string
}

/**
 * The answer to a cache-empty notification: whether the backend filled the channel's cache.
 *
 * @since 0.1.0
 * @category models
 */
export interface NotifyCacheEmptyResult {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "NotifyCacheEmptyResult"
  /** Whether the backend filled the channel's cache (e.g. published its latest state). */
  readonly populated: boolean
}

/**
 * The acknowledgement of a channel-state notification (it carries no fields).
 *
 * @since 0.1.0
 * @category models
 */
export interface NotifyChannelStateResult {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "NotifyChannelStateResult"
}

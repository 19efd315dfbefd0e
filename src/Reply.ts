/**
 * Replies: what a handler answers Centrifugo.
 *
 * Each event has a result constructor (`Reply.connect`, `Reply.subscribe`, ...) and most events may also answer
 * `Reply.error(code, message)` (reject this one command) or `Reply.disconnect(code, reason)` (close the whole
 * connection). Both may also be raised as failures, `Effect.fail(Reply.error(403, "forbidden"))`: the runtime
 * turns them into the same reply, so handlers need no try/catch.
 *
 * Codes are checked when the reply is built, because Centrifugo gives codes meaning by range: custom error codes
 * live in 400-1999 and custom disconnect codes in 4000-4999; below them are Centrifugo's own built-in codes, which
 * are allowed by name (`ErrorCode`, `DisconnectCode`). A code outside both throws a RangeError with the reason.
 *
 * Refresh and sub-refresh replies have no error or disconnect form: Centrifugo ignores those fields for them.
 * To end a session answer `Reply.refresh({ expired: true })`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import type * as Stream from "effect/Stream"
import type { Payload } from "./Payload.ts"

const ReplyTypeId: unique symbol = Symbol.for("effect-centrifugo/Reply")
type ReplyTypeId = typeof ReplyTypeId

/**
 * Centrifugo's built-in error codes (0-399 are reserved for Centrifugo; these are the ones it defines).
 *
 * @since 0.1.0
 * @category constants
 */
export const ErrorCode = {
  Internal: 100,
  Unauthorized: 101,
  UnknownChannel: 102,
  PermissionDenied: 103,
  MethodNotFound: 104,
  AlreadySubscribed: 105,
  LimitExceeded: 106,
  BadRequest: 107,
  NotAvailable: 108,
  TokenExpired: 109,
  Expired: 110,
  TooManyRequests: 111,
  UnrecoverablePosition: 112
} as const

/**
 * Centrifugo's built-in disconnect codes (3000-3499 reconnect, 3500-3999 do not).
 *
 * @since 0.1.0
 * @category constants
 */
export const DisconnectCode = {
  ConnectionClosed: 3000,
  Shutdown: 3001,
  ServerError: 3004,
  Expired: 3005,
  SubExpired: 3006,
  Slow: 3008,
  WriteError: 3009,
  InsufficientState: 3010,
  ForceReconnect: 3011,
  NoPong: 3012,
  TooManyRequests: 3013,
  StateInvalidated: 3014,
  InvalidToken: 3500,
  BadRequest: 3501,
  Stale: 3502,
  ForceNoReconnect: 3503,
  ConnectionLimit: 3504,
  ChannelLimit: 3505,
  InappropriateProtocol: 3506,
  PermissionDenied: 3507,
  NotAvailable: 3508,
  TooManyErrors: 3509
} as const

const builtInErrorCodes: ReadonlySet<number> = new Set(Object.values(ErrorCode))
const builtInDisconnectCodes: ReadonlySet<number> = new Set(Object.values(DisconnectCode))

/** A WebSocket close frame carries at most 123 bytes of reason; Centrifugo's docs ask for 32 ASCII bytes. */
const MAX_DISCONNECT_REASON_BYTES = 123

// ---------------------------------------------------------------------------------------------------------------
// Rejections
// ---------------------------------------------------------------------------------------------------------------

/**
 * Rejects one command; the connection stays. Also an Effect failing with itself: `return yield* Reply.error(...)`.
 *
 * @since 0.1.0
 * @category errors
 */
export interface ErrorReply extends Effect.Effect<never, ErrorReply> {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "ErrorReply"
  readonly code: number
  readonly message: string
  /** Client SDKs retry temporary errors (resubscribe, reconnect). */
  readonly temporary: boolean
}

/**
 * Closes the whole connection. Also an Effect failing with itself: `return yield* Reply.disconnect(...)`.
 *
 * @since 0.1.0
 * @category errors
 */
export interface DisconnectReply extends Effect.Effect<never, DisconnectReply> {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "DisconnectReply"
  readonly code: number
  readonly reason: string
}

/**
 * A reply usable as a typed failure: `Effect.fail(Reply.error(...))`, or `yield*` it.
 *
 * @since 0.1.0
 * @category errors
 */
export type Rejection = ErrorReply | DisconnectReply

const rejectionFields = (value: Rejection): Record<string, unknown> =>
  value._tag === "ErrorReply"
    ? { _tag: value._tag, code: value.code, message: value.message, temporary: value.temporary }
    : { _tag: value._tag, code: value.code, reason: value.reason }

// Rejections are plain data with an Effect prototype (no classes): evaluating one fails with itself, so it can be
// yielded in Effect.gen. The Effect prototype's own printing is replaced so logs and JSON show the reply's fields.
const RejectionProto: object = Object.assign(
  Object.create(
    Effectable.Prototype<Effect.Effect<never, Rejection>>({
      label: "Rejection",
      evaluate() {
        return Effect.fail(this as unknown as Rejection)
      }
    })
  ),
  {
    toJSON(this: Rejection) {
      return rejectionFields(this)
    },
    toString(this: Rejection) {
      return this._tag === "ErrorReply"
        ? `ErrorReply(${this.code}: ${this.message}${this.temporary ? ", temporary" : ""})`
        : `DisconnectReply(${this.code}: ${this.reason})`
    },
    [Symbol.for("nodejs.util.inspect.custom")](this: Rejection) {
      return rejectionFields(this)
    }
  }
)

const rejection = <A extends Rejection>(fields: Omit<A, keyof Effect.Effect<never, A> | ReplyTypeId>): A =>
  Object.assign(Object.create(RejectionProto), fields, { [ReplyTypeId]: ReplyTypeId }) as A

/**
 * Rejects the command with an error. `code` must be a custom code in 400-1999 or one of `ErrorCode`.
 * @throws RangeError for any other code.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({
 *   publish: (request) =>
 *     Effect.gen(function*() {
 *       if (request.channel.startsWith("readonly:")) return yield* Reply.error(403, "read-only channel")
 *       return Reply.publish()
 *     })
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const error = (code: number, message: string, temporary = false): ErrorReply => {
  if (!Number.isInteger(code) || !((code >= 400 && code <= 1999) || builtInErrorCodes.has(code))) {
    throw new RangeError(
      `Reply.error: code ${code} is not allowed. Use a custom code in 400-1999, or one of Centrifugo's built-in codes ` +
        `(ErrorCode: 100-112). Codes 0-399 are reserved by Centrifugo.`
    )
  }
  return rejection<ErrorReply>({ _tag: "ErrorReply", code, message, temporary })
}

/**
 * Closes the connection. `code` must be a custom code in 4000-4999 (4000-4499: the client reconnects,
 * 4500-4999: it does not) or one of `DisconnectCode`.
 * @throws RangeError for any other code, or a reason longer than a WebSocket close frame allows (123 bytes).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 *
 * declare const isBanned: (user: string) => Effect.Effect<boolean>
 *
 * const MyHandlers = HandlerSet.layer({
 *   rpc: (request) =>
 *     Effect.gen(function*() {
 *       if (yield* isBanned(request.user)) return yield* Reply.disconnect(4001, "banned")
 *       return Reply.rpc({ data: "ok" })
 *     })
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const disconnect = (code: number, reason: string): DisconnectReply => {
  if (!Number.isInteger(code) || !((code >= 4000 && code <= 4999) || builtInDisconnectCodes.has(code))) {
    throw new RangeError(
      `Reply.disconnect: code ${code} is not allowed. Use a custom code in 4000-4999 (4000-4499 reconnect, ` +
        `4500-4999 do not), or one of Centrifugo's built-in codes (DisconnectCode: 3000-3509).`
    )
  }
  if (Buffer.byteLength(reason, "utf8") > MAX_DISCONNECT_REASON_BYTES) {
    throw new RangeError(
      `Reply.disconnect: reason is ${Buffer.byteLength(reason, "utf8")} bytes; a WebSocket close frame carries at ` +
        `most ${MAX_DISCONNECT_REASON_BYTES} (Centrifugo recommends 32 ASCII bytes).`
    )
  }
  return rejection<DisconnectReply>({ _tag: "DisconnectReply", code, reason })
}

/**
 * True for any value built by this module's constructors.
 *
 * @since 0.1.0
 * @category guards
 */
export const isReply = (value: unknown): value is { readonly _tag: string } =>
  typeof value === "object" && value !== null && (value as ErrorReply)[ReplyTypeId] === ReplyTypeId

/**
 * True for `Reply.error(...)` and `Reply.disconnect(...)` values, e.g. found in a handler's failure channel.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRejection = (value: unknown): value is Rejection =>
  isReply(value) && (value._tag === "ErrorReply" || value._tag === "DisconnectReply")

// ---------------------------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------------------------

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

type Fields<R> = Omit<R, ReplyTypeId | "_tag">

/**
 * Accepts a connection as `user` (`""` for anonymous), with optional expiry, info, data, meta and channels.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HandlerSet, Reply, ProxyRequest } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({
 *   connect: (request) => {
 *     const user = ProxyRequest.header(request, "x-user")
 *     return Effect.succeed(
 *       user === undefined
 *         ? Reply.connect({ user: "" }) // anonymous
 *         : Reply.connect({ user, expireAt: new Date(Date.now() + 3_600_000), channels: [`user.${user}`] })
 *     )
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const connect = (fields: Fields<ConnectResult>): ConnectResult =>
  ({ ...fields, [ReplyTypeId]: ReplyTypeId, _tag: "ConnectResult" })

/**
 * Answers a connection refresh; `Reply.refresh({ expired: true })` ends the session.
 *
 * @since 0.1.0
 * @category constructors
 */
export const refresh = (fields: Fields<RefreshResult> = {}): RefreshResult =>
  ({ ...fields, [ReplyTypeId]: ReplyTypeId, _tag: "RefreshResult" })

/**
 * Accepts a subscription, with optional expiry, info, data for the client and option overrides.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({
 *   subscribe: (request) =>
 *     Effect.succeed(
 *       request.channel === `user.${request.user}`
 *         ? Reply.subscribe({ data: { welcome: request.user } })
 *         : Reply.error(Reply.ErrorCode.PermissionDenied, "permission denied")
 *     )
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const subscribe = (fields: Fields<SubscribeResult> = {}): SubscribeResult =>
  ({ ...fields, [ReplyTypeId]: ReplyTypeId, _tag: "SubscribeResult" })

/**
 * Accepts a client publication as sent, or with replaced data and publish options.
 *
 * @since 0.1.0
 * @category constructors
 */
export const publish = (fields: Fields<PublishResult> = {}): PublishResult =>
  ({ ...fields, [ReplyTypeId]: ReplyTypeId, _tag: "PublishResult" })

/**
 * Answers an RPC call with `data` (any JSON value or `Payload.binary(bytes)`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HandlerSet, Payload, Reply } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({
 *   rpc: (request) =>
 *     Effect.succeed(
 *       request.method === "bytes"
 *         ? Reply.rpc({ data: Payload.binary(new Uint8Array([1, 2, 3])) })
 *         : Reply.rpc({ data: { now: Date.now() } })
 *     )
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const rpc = (fields: Fields<RpcResult> = {}): RpcResult =>
  ({ ...fields, [ReplyTypeId]: ReplyTypeId, _tag: "RpcResult" })

/**
 * Answers a subscription refresh; `Reply.subRefresh({ expired: true })` ends the subscription.
 *
 * @since 0.1.0
 * @category constructors
 */
export const subRefresh = (fields: Fields<SubRefreshResult> = {}): SubRefreshResult =>
  ({ ...fields, [ReplyTypeId]: ReplyTypeId, _tag: "SubRefreshResult" })

/**
 * Accepts a stream subscription: `Reply.stream(publications, { data })`.
 *
 * @example
 * ```ts
 * import { Effect, Schedule, Stream } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 *
 * // One tick per second to the one client of this stream subscription, ten times; then the subscription ends.
 * const MyHandlers = HandlerSet.layer({
 *   subscribeUnidirectional: () =>
 *     Effect.succeed(
 *       Reply.stream(Stream.fromSchedule(Schedule.spaced("1 second")).pipe(
 *         Stream.take(10),
 *         Stream.map((tick) => ({ data: { tick } }))
 *       ))
 *     )
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const stream = <E = never, R = never>(
  publications: Stream.Stream<StreamPublication, E, R>,
  fields: Omit<Fields<StreamResult<E, R>>, "publications"> = {}
): StreamResult<E, R> => ({ ...fields, publications, [ReplyTypeId]: ReplyTypeId, _tag: "StreamResult" })

/**
 * Accepts a map publication as sent, or under another key, with replaced data or a key mode.
 *
 * @since 0.1.0
 * @category constructors
 */
export const mapPublish = (fields: Fields<MapPublishResult> = {}): MapPublishResult =>
  ({ ...fields, [ReplyTypeId]: ReplyTypeId, _tag: "MapPublishResult" })

/**
 * Accepts a map key removal as asked, or for another key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const mapRemove = (fields: Fields<MapRemoveResult> = {}): MapRemoveResult =>
  ({ ...fields, [ReplyTypeId]: ReplyTypeId, _tag: "MapRemoveResult" })

/**
 * Answers a shared-poll refresh with the items whose version changed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sharedPollRefresh = (fields: Fields<SharedPollRefreshResult>): SharedPollRefreshResult =>
  ({ ...fields, [ReplyTypeId]: ReplyTypeId, _tag: "SharedPollRefreshResult" })

/**
 * Answers a cache-empty notification, saying whether the backend filled the cache.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notifyCacheEmpty = (fields: Fields<NotifyCacheEmptyResult>): NotifyCacheEmptyResult =>
  ({ ...fields, [ReplyTypeId]: ReplyTypeId, _tag: "NotifyCacheEmptyResult" })

/**
 * Acknowledges a channel-state notification.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notifyChannelState = (): NotifyChannelStateResult =>
  ({ [ReplyTypeId]: ReplyTypeId, _tag: "NotifyChannelStateResult" })

// What each event's handler may answer.
/**
 * What a connect handler may answer: a connect result, an error or a disconnect.
 *
 * @since 0.1.0
 * @category models
 */
export type ConnectReply = ConnectResult | Rejection
/**
 * What a refresh handler may answer: a refresh result only (Centrifugo ignores errors here).
 *
 * @since 0.1.0
 * @category models
 */
export type RefreshReply = RefreshResult
/**
 * What a subscribe handler may answer: a subscribe result, an error or a disconnect.
 *
 * @since 0.1.0
 * @category models
 */
export type SubscribeReply = SubscribeResult | Rejection
/**
 * What a publish handler may answer: a publish result, an error or a disconnect.
 *
 * @since 0.1.0
 * @category models
 */
export type PublishReply = PublishResult | Rejection
/**
 * What an RPC handler may answer: an RPC result, an error or a disconnect.
 *
 * @since 0.1.0
 * @category models
 */
export type RpcReply = RpcResult | Rejection
/**
 * What a sub-refresh handler may answer: a sub-refresh result only (Centrifugo ignores errors here).
 *
 * @since 0.1.0
 * @category models
 */
export type SubRefreshReply = SubRefreshResult
/**
 * Stream subscriptions: Centrifugo reads only code and message of an error (no `temporary`).
 *
 * @since 0.1.0
 * @category models
 */
export type StreamReply<E = unknown, R = never> = StreamResult<E, R> | Rejection
/**
 * What a map-publish handler may answer: a map-publish result, an error or a disconnect.
 *
 * @since 0.1.0
 * @category models
 */
export type MapPublishReply = MapPublishResult | Rejection
/**
 * What a map-remove handler may answer: a map-remove result, an error or a disconnect.
 *
 * @since 0.1.0
 * @category models
 */
export type MapRemoveReply = MapRemoveResult | Rejection
/**
 * Shared-poll refresh: Centrifugo logs an error's message and keeps the old state; it has no disconnect.
 *
 * @since 0.1.0
 * @category models
 */
export type SharedPollRefreshReply = SharedPollRefreshResult | ErrorReply
/**
 * Cache-empty notifications (Centrifugo PRO) have no error field: a failure is a gRPC status.
 *
 * @since 0.1.0
 * @category models
 */
export type NotifyCacheEmptyReply = NotifyCacheEmptyResult
/**
 * Channel-state notifications (Centrifugo PRO).
 *
 * @since 0.1.0
 * @category models
 */
export type NotifyChannelStateReply = NotifyChannelStateResult | ErrorReply

/**
 * Any event's reply.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyReply =
  | ConnectReply
  | RefreshReply
  | SubscribeReply
  | PublishReply
  | RpcReply
  | SubRefreshReply
  | StreamReply
  | MapPublishReply
  | MapRemoveReply
  | SharedPollRefreshReply
  | NotifyCacheEmptyReply
  | NotifyChannelStateReply

/**
 * Seconds since the epoch, as Centrifugo expects, from either accepted form.
 *
 * @since 0.1.0
 * @category utils
 */
export const expireAtSeconds = (value: ExpireAt): number =>
  value instanceof Date ? Math.floor(value.getTime() / 1000) : value

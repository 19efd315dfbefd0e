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
import type * as Stream from "effect/Stream"
import { type ErrorReply, type Rejection, ReplyTypeId } from "./internal/replyRejections.ts"
import type {
  ConnectResult,
  MapPublishResult,
  MapRemoveResult,
  NotifyCacheEmptyResult,
  NotifyChannelStateResult,
  PublishResult,
  RefreshResult,
  RpcResult,
  SharedPollRefreshResult,
  StreamPublication,
  StreamResult,
  SubRefreshResult,
  SubscribeResult
} from "./internal/replyResults.ts"

export {
  DisconnectCode,
  type DisconnectReply,
  disconnect,
  error,
  ErrorCode,
  type ErrorReply,
  isRejection,
  type Rejection
} from "./internal/replyRejections.ts"
// Every result model (ConnectResult, ..., SubscribeOverride, ExpireAt) is part of this module.
export type * from "./internal/replyResults.ts"

// ---------------------------------------------------------------------------------------------------------------
// Constructors of results
// ---------------------------------------------------------------------------------------------------------------

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

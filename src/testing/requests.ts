/**
 * Request builders with sensible defaults, for unit tests of handlers:
 * `connectRequest({ data: { token: "abc" } })` gives a full `ConnectRequest` as a JSON websocket client would send.
 * A `data` value also fills `rawData` with its JSON bytes, as the codec does for real requests.
 *
 * @since 0.1.0
 */
import type * as ProxyRequest from "../ProxyRequest.ts"

type Overrides<R> = Partial<Omit<R, "_tag">>

const base = {
  client: "00000000-0000-4000-8000-000000000001",
  transport: "websocket",
  protocol: "json",
  encoding: "json",
  headers: {}
}

/** `data` and `rawData` kept consistent: JSON bytes of `data` unless `rawData` is given. */
const withPayload = <R extends { readonly data?: unknown; readonly rawData?: Uint8Array }>(overrides: R) => {
  if (overrides.rawData !== undefined || overrides.data === undefined) return { data: undefined, ...overrides }
  return { ...overrides, data: overrides.data, rawData: Buffer.from(JSON.stringify(overrides.data), "utf8") }
}

/**
 * A `ConnectRequest` as a JSON websocket client sends it (no data, no previous channels), with `overrides` applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const connectRequest = (overrides: Overrides<ProxyRequest.ConnectRequest> = {}): ProxyRequest.ConnectRequest => ({
  _tag: "Connect",
  ...base,
  name: "js",
  version: "",
  channels: [],
  ...withPayload(overrides)
})

/**
 * A `RefreshRequest` for `user-1`, with `overrides` applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const refreshRequest = (overrides: Overrides<ProxyRequest.RefreshRequest> = {}): ProxyRequest.RefreshRequest => ({
  _tag: "Refresh",
  ...base,
  user: "user-1",
  meta: undefined,
  labels: {},
  ...overrides
})

/**
 * A `SubscribeRequest` of `user-1` to channel `news`, with `overrides` applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const subscribeRequest = (overrides: Overrides<ProxyRequest.SubscribeRequest> = {}): ProxyRequest.SubscribeRequest => ({
  _tag: "Subscribe",
  ...base,
  user: "user-1",
  channel: "news",
  token: "",
  meta: undefined,
  labels: {},
  ...withPayload(overrides)
})

/**
 * A `PublishRequest` of `user-1` into channel `news`, with `overrides` applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const publishRequest = (overrides: Overrides<ProxyRequest.PublishRequest> = {}): ProxyRequest.PublishRequest => ({
  _tag: "Publish",
  ...base,
  user: "user-1",
  channel: "news",
  meta: undefined,
  labels: {},
  ...withPayload(overrides)
})

/**
 * An `RpcRequest` of `user-1` calling method `ping`, with `overrides` applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rpcRequest = (overrides: Overrides<ProxyRequest.RpcRequest> = {}): ProxyRequest.RpcRequest => ({
  _tag: "RPC",
  ...base,
  user: "user-1",
  method: "ping",
  meta: undefined,
  labels: {},
  ...withPayload(overrides)
})

/**
 * A `SubRefreshRequest` of `user-1` on channel `news`, with `overrides` applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const subRefreshRequest = (
  overrides: Overrides<ProxyRequest.SubRefreshRequest> = {}
): ProxyRequest.SubRefreshRequest => ({
  _tag: "SubRefresh",
  ...base,
  user: "user-1",
  channel: "news",
  meta: undefined,
  labels: {},
  ...overrides
})

/**
 * A `MapPublishRequest` of `user-1` setting key `key-1` of channel `map:board`, with `overrides` applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const mapPublishRequest = (
  overrides: Overrides<ProxyRequest.MapPublishRequest> = {}
): ProxyRequest.MapPublishRequest => ({
  _tag: "MapPublish",
  ...base,
  user: "user-1",
  channel: "map:board",
  key: "key-1",
  meta: undefined,
  labels: {},
  ...withPayload(overrides)
})

/**
 * A `MapRemoveRequest` of `user-1` removing key `key-1` of channel `map:board`, with `overrides` applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const mapRemoveRequest = (overrides: Overrides<ProxyRequest.MapRemoveRequest> = {}): ProxyRequest.MapRemoveRequest => ({
  _tag: "MapRemove",
  ...base,
  user: "user-1",
  channel: "map:board",
  key: "key-1",
  meta: undefined,
  labels: {},
  ...overrides
})

/**
 * A `SharedPollRefreshRequest` for channel `poll:prices` with no items, with `overrides` applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sharedPollRefreshRequest = (
  overrides: Overrides<ProxyRequest.SharedPollRefreshRequest> = {}
): ProxyRequest.SharedPollRefreshRequest => ({
  _tag: "SharedPollRefresh",
  channel: "poll:prices",
  items: [],
  headers: {},
  ...overrides
})

/**
 * A `NotifyCacheEmptyRequest` (Centrifugo PRO), with `overrides` applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notifyCacheEmptyRequest = (
  overrides: Overrides<ProxyRequest.NotifyCacheEmptyRequest> = {}
): ProxyRequest.NotifyCacheEmptyRequest => ({ _tag: "NotifyCacheEmpty", channel: "news", headers: {}, ...overrides })

/**
 * A `NotifyChannelStateRequest` (Centrifugo PRO), with `overrides` applied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const notifyChannelStateRequest = (
  overrides: Overrides<ProxyRequest.NotifyChannelStateRequest> = {}
): ProxyRequest.NotifyChannelStateRequest => ({ _tag: "NotifyChannelState", events: [], headers: {}, ...overrides })

/**
 * A client publication for a bidirectional stream handler's `incoming` stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const clientPublication = (data: unknown, tags: Readonly<Record<string, string>> = {}): ProxyRequest.ClientPublication => ({
  data,
  rawData: Buffer.from(JSON.stringify(data), "utf8"),
  tags
})

/**
 * The proxy events: one row per event, from which both transports, the config generator and the testing kit derive
 * what they need. Core: the transport columns (gRPC method, HTTP path) are plain strings.
 *
 * An event is named by its handler's key (`subRefresh`) everywhere the library names it; the gRPC method
 * (`SubRefresh`) and the HTTP path (`sub_refresh`) are its wire names only.
 *
 * Refresh and sub-refresh replies have error fields that Centrifugo ignores (it would end the session on a reply
 * without a result), and cache-empty notifications have none: a failure there is answered with a transport-level
 * failure instead (gRPC INTERNAL, HTTP 500), which Centrifugo treats as "try again later" (refresh: extend by 60 s).
 *
 * @since 0.1.0
 */
import type { EventName } from "../HandlerSet.ts"
import type { ProxyRequest } from "../ProxyRequest.ts"
import type { AnyReply } from "../Reply.ts"

/** How the event's call runs: one request and one reply, or a first reply followed by publications. */
export type EventKind = "unary" | "serverStream" | "bidiStream"

export interface ProxyEvent {
  /** The key of its handler in `HandlerSet.layer({...})`: the event's one name. */
  readonly name: EventName
  /** The `_tag` of the requests its handler receives. */
  readonly tag: ProxyRequest["_tag"]
  /** The `_tag` of its accepted reply. */
  readonly result: AnyReply["_tag"]
  /** Its method in `centrifugal.centrifugo.proxy.CentrifugoProxy`, e.g. `SubRefresh`; log messages name it so. */
  readonly method: string
  /**
   * Its proxy's key in Centrifugo's config (`channel.proxy.sub_refresh`), which is also its path under the HTTP
   * prefix (`/centrifugo/sub_refresh`) when it is proxied over HTTP.
   */
  readonly key: string
  /** The reply has an error field Centrifugo reads: failures are answered as error replies. */
  readonly answersErrors: boolean
  /** The reply can be a disconnect. */
  readonly disconnects: boolean
  /** Centrifugo PRO only: OSS cannot proxy it, so no config is written or checked for it. */
  readonly pro: boolean
  /** Centrifugo proxies it over gRPC only. */
  readonly grpcOnly: boolean
  readonly kind: EventKind
}

type Row = Pick<ProxyEvent, "name" | "tag" | "result" | "method" | "key"> & Partial<ProxyEvent>

const row = (fields: Row): ProxyEvent => ({
  answersErrors: true,
  disconnects: fields.answersErrors ?? true,
  pro: false,
  grpcOnly: fields.pro ?? false,
  kind: "unary",
  ...fields
})

const stream = (name: EventName, method: string, kind: EventKind): ProxyEvent =>
  row({ name, tag: "Subscribe", result: "StreamResult", method, key: "subscribe_stream", grpcOnly: true, kind })

/** Every event, in the order of Centrifugo's proxy service. */
export const events: ReadonlyArray<ProxyEvent> = [
  row({ name: "connect", tag: "Connect", result: "ConnectResult", method: "Connect", key: "connect" }),
  row({
    name: "refresh",
    tag: "Refresh",
    result: "RefreshResult",
    method: "Refresh",
    key: "refresh",
    answersErrors: false
  }),
  row({ name: "subscribe", tag: "Subscribe", result: "SubscribeResult", method: "Subscribe", key: "subscribe" }),
  row({ name: "publish", tag: "Publish", result: "PublishResult", method: "Publish", key: "publish" }),
  row({ name: "rpc", tag: "RPC", result: "RpcResult", method: "RPC", key: "rpc" }),
  row({
    name: "subRefresh",
    tag: "SubRefresh",
    result: "SubRefreshResult",
    method: "SubRefresh",
    key: "sub_refresh",
    answersErrors: false
  }),
  stream("subscribeUnidirectional", "SubscribeUnidirectional", "serverStream"),
  stream("subscribeBidirectional", "SubscribeBidirectional", "bidiStream"),
  row({ name: "mapPublish", tag: "MapPublish", result: "MapPublishResult", method: "MapPublish", key: "map_publish" }),
  row({ name: "mapRemove", tag: "MapRemove", result: "MapRemoveResult", method: "MapRemove", key: "map_remove" }),
  row({
    name: "sharedPollRefresh",
    tag: "SharedPollRefresh",
    result: "SharedPollRefreshResult",
    method: "SharedPollRefresh",
    key: "shared_poll_refresh",
    disconnects: false
  }),
  row({
    name: "notifyCacheEmpty",
    tag: "NotifyCacheEmpty",
    result: "NotifyCacheEmptyResult",
    method: "NotifyCacheEmpty",
    key: "notify_cache_empty",
    answersErrors: false,
    pro: true
  }),
  row({
    name: "notifyChannelState",
    tag: "NotifyChannelState",
    result: "NotifyChannelStateResult",
    method: "NotifyChannelState",
    key: "notify_channel_state",
    disconnects: false,
    pro: true
  })
]

const byName = new Map(events.map((event) => [event.name, event]))
const unaryByTag = new Map(events.filter((event) => event.kind === "unary").map((event) => [event.tag, event]))

/** The row of an event. */
export const eventNamed = (name: EventName): ProxyEvent => byName.get(name)!

/** The unary event whose handler receives requests of `tag` (a subscribe request's is `subscribe`). */
export const eventOfTag = (tag: ProxyRequest["_tag"]): ProxyEvent => unaryByTag.get(tag)!

/** The events Centrifugo proxies over HTTP. */
export const httpEvents: ReadonlyArray<ProxyEvent> = events.filter((event) => !event.grpcOnly)

/** The message for a call whose event has no handler; both transports answer it (UNIMPLEMENTED / HTTP 501). */
export const noHandlerMessage = (event: EventName): string =>
  `no \`${event}\` handler: add one to HandlerSet.layer({ ... }) or remove this proxy from Centrifugo's config`

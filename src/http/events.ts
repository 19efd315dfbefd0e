/**
 * The events Centrifugo v6.9.1 proxies over HTTP: the path of each (under the router's prefix) and its JSON codec.
 * Stream subscriptions and the PRO notifications (cache empty, channel state) are gRPC-only upstream.
 *
 * @since 0.1.0
 */
import * as Defaults from "../Defaults.ts"
import { eventOfTag, type UnaryEvent } from "../internal/events.ts"
import type { Headers, ProxyRequest } from "../ProxyRequest.ts"
import * as Codec from "./codec.ts"

export interface HttpEvent {
  /** The last path segment, e.g. `connect` for `/centrifugo/connect`. */
  readonly path: string
  /** The core's view of the event (which handler, whether its reply carries errors). */
  readonly spec: UnaryEvent
  readonly decode: (body: Uint8Array, headers: Headers) => ProxyRequest
  // The reply type depends on the event; the table is heterogeneous, so the codec checks the reply's tag instead.
  readonly encode: (reply: never) => string
}

const event = (path: string, tag: UnaryEvent["tag"], decode: HttpEvent["decode"], encode: HttpEvent["encode"]): HttpEvent => ({
  path,
  spec: eventOfTag(tag),
  decode,
  encode
})

export const httpEvents: ReadonlyArray<HttpEvent> = [
  event("connect", "Connect", Codec.decodeConnect, Codec.encodeConnect),
  event("refresh", "Refresh", Codec.decodeRefresh, Codec.encodeRefresh),
  event("subscribe", "Subscribe", Codec.decodeSubscribe, Codec.encodeSubscribe),
  event("publish", "Publish", Codec.decodePublish, Codec.encodePublish),
  event("rpc", "RPC", Codec.decodeRpc, Codec.encodeRpc),
  event("sub_refresh", "SubRefresh", Codec.decodeSubRefresh, Codec.encodeSubRefresh),
  event("map_publish", "MapPublish", Codec.decodeMapPublish, Codec.encodeMapPublish),
  event("map_remove", "MapRemove", Codec.decodeMapRemove, Codec.encodeMapRemove),
  event("shared_poll_refresh", "SharedPollRefresh", Codec.decodeSharedPollRefresh, Codec.encodeSharedPollRefresh)
]

/** The default prefix of the routes: `/centrifugo/connect`, `/centrifugo/rpc`, ... */
export const DEFAULT_PREFIX = Defaults.http.prefix

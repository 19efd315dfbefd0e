/**
 * The CentrifugoProxy methods: their gRPC paths, which handler answers each, and its codec.
 * One table, so the server, the testing kit and the docs cannot disagree about names.
 *
 * @since 0.1.0
 */
import type { EventName } from "../HandlerSet.ts"
import { eventOfTag, type UnaryEvent } from "../internal/events.ts"
import * as Codec from "../proto/codec.ts"
import type * as pb from "../proto/generated/proxy.ts"
import type { Headers, ProxyRequest } from "../ProxyRequest.ts"

export const SERVICE = "centrifugal.centrifugo.proxy.CentrifugoProxy"

export interface UnaryMethod {
  /** The gRPC method name, e.g. `Connect`. */
  readonly method: string
  /** The full gRPC path, e.g. `/centrifugal.centrifugo.proxy.CentrifugoProxy/Connect`. */
  readonly path: string
  /** The handler that answers it. */
  readonly event: EventName
  /** The core's view of the event (which handler, whether its reply carries errors). */
  readonly spec: UnaryEvent
  readonly decode: (bytes: Uint8Array, headers: Headers) => ProxyRequest
  // The reply type depends on the event; the table is heterogeneous, so the codec checks the reply's tag instead.
  readonly encode: (reply: never) => Buffer
  /**
   * Encodes an error reply, for the methods whose response has an error that Centrifugo acts on. Absent for
   * refresh and sub-refresh (Centrifugo ignores their error field and would end the session on a response without
   * result) and cache-empty notifications (no error field): failures there become a gRPC status instead, which
   * Centrifugo treats as "try again later" (for refresh: extend by 60 s).
   */
  readonly encodeError?: (error: pb.Error) => Buffer
}

const unary = (
  method: string,
  event: EventName,
  decode: UnaryMethod["decode"],
  encode: UnaryMethod["encode"]
): UnaryMethod => {
  const encodeError = Codec.errorEncoders[method]
  const spec = eventOfTag(method as UnaryEvent["tag"])
  return { method, path: `/${SERVICE}/${method}`, event, spec, decode, encode, ...(encodeError ? { encodeError } : {}) }
}

export const unaryMethods: ReadonlyArray<UnaryMethod> = [
  unary("Connect", "connect", Codec.decodeConnect, Codec.encodeConnect),
  unary("Refresh", "refresh", Codec.decodeRefresh, Codec.encodeRefresh),
  unary("Subscribe", "subscribe", Codec.decodeSubscribe, Codec.encodeSubscribe),
  unary("Publish", "publish", Codec.decodePublish, Codec.encodePublish),
  unary("RPC", "rpc", Codec.decodeRpc, Codec.encodeRpc),
  unary("SubRefresh", "subRefresh", Codec.decodeSubRefresh, Codec.encodeSubRefresh),
  unary("MapPublish", "mapPublish", Codec.decodeMapPublish, Codec.encodeMapPublish),
  unary("MapRemove", "mapRemove", Codec.decodeMapRemove, Codec.encodeMapRemove),
  unary("SharedPollRefresh", "sharedPollRefresh", Codec.decodeSharedPollRefresh, Codec.encodeSharedPollRefresh),
  unary("NotifyCacheEmpty", "notifyCacheEmpty", Codec.decodeNotifyCacheEmpty, Codec.encodeNotifyCacheEmpty),
  unary("NotifyChannelState", "notifyChannelState", Codec.decodeNotifyChannelState, Codec.encodeNotifyChannelState)
]

/** The two stream-subscription methods. */
export interface StreamMethod {
  readonly method: "SubscribeUnidirectional" | "SubscribeBidirectional"
  readonly path: string
  readonly event: "subscribeUnidirectional" | "subscribeBidirectional"
  readonly requestStream: boolean
  readonly encodeError: (error: pb.Error) => Buffer
}

export const streamMethods: ReadonlyArray<StreamMethod> = [
  {
    method: "SubscribeUnidirectional",
    path: `/${SERVICE}/SubscribeUnidirectional`,
    event: "subscribeUnidirectional",
    requestStream: false,
    encodeError: Codec.errorEncoders.SubscribeUnidirectional!
  },
  {
    method: "SubscribeBidirectional",
    path: `/${SERVICE}/SubscribeBidirectional`,
    event: "subscribeBidirectional",
    requestStream: true,
    encodeError: Codec.errorEncoders.SubscribeBidirectional!
  }
]

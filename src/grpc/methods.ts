/**
 * The CentrifugoProxy methods: their gRPC paths, which handler answers each, and its codec.
 * One table, so the server, the testing client and the docs cannot disagree about names.
 *
 * @since 0.1.0
 */
import type { EventName } from "../Handlers.ts"
import * as Codec from "../proto/codec.ts"
import type { Headers, ProxyRequest } from "../Request.ts"

export const SERVICE = "centrifugal.centrifugo.proxy.CentrifugoProxy"

export interface UnaryMethod {
  /** The gRPC method name, e.g. `Connect`. */
  readonly method: string
  /** The full gRPC path, e.g. `/centrifugal.centrifugo.proxy.CentrifugoProxy/Connect`. */
  readonly path: string
  /** The handler that answers it. */
  readonly event: EventName
  readonly decode: (bytes: Uint8Array, headers: Headers) => ProxyRequest
  // The reply type depends on the event; the table is heterogeneous, so the codec checks the reply's tag instead.
  readonly encode: (reply: never) => Buffer
  /**
   * Whether Centrifugo reads an `error` from this method's response. For refresh and sub-refresh it does not (a
   * response without a result ends the session), so failures there become a gRPC status instead: Centrifugo then
   * extends the session by 60 s and asks again.
   */
  readonly acceptsError: boolean
}

const unary = (
  method: string,
  event: EventName,
  decode: UnaryMethod["decode"],
  encode: UnaryMethod["encode"],
  acceptsError: boolean
): UnaryMethod => ({ method, path: `/${SERVICE}/${method}`, event, decode, encode, acceptsError })

export const unaryMethods: ReadonlyArray<UnaryMethod> = [
  unary("Connect", "connect", Codec.decodeConnect, Codec.encodeConnect, true),
  unary("Refresh", "refresh", Codec.decodeRefresh, Codec.encodeRefresh, false),
  unary("Subscribe", "subscribe", Codec.decodeSubscribe, Codec.encodeSubscribe, true),
  unary("Publish", "publish", Codec.decodePublish, Codec.encodePublish, true),
  unary("RPC", "rpc", Codec.decodeRpc, Codec.encodeRpc, true),
  unary("SubRefresh", "subRefresh", Codec.decodeSubRefresh, Codec.encodeSubRefresh, false)
]

/** Methods of the service that no handler kind covers yet; they answer UNIMPLEMENTED with a clear message. */
export const otherMethods: ReadonlyArray<{
  readonly method: string
  readonly path: string
  readonly requestStream: boolean
  readonly responseStream: boolean
}> = [
  { method: "SubscribeUnidirectional", requestStream: false, responseStream: true },
  { method: "SubscribeBidirectional", requestStream: true, responseStream: true },
  { method: "NotifyCacheEmpty", requestStream: false, responseStream: false },
  { method: "NotifyChannelState", requestStream: false, responseStream: false },
  { method: "MapPublish", requestStream: false, responseStream: false },
  { method: "MapRemove", requestStream: false, responseStream: false },
  { method: "SharedPollRefresh", requestStream: false, responseStream: false }
].map((m) => ({ ...m, path: `/${SERVICE}/${m.method}` }))

/**
 * The CentrifugoProxy service as grpc-js serves it: the events of the event table (`src/internal/events.ts`) with
 * their full gRPC paths, and each unary event's protobuf codec. The table names the methods; this module adds the
 * codecs only.
 *
 * @since 0.1.0
 */
import type { EventName } from "../HandlerSet.ts"
import { events, type ProxyEvent } from "../internal/events.ts"
import type { Headers, ProxyRequest } from "../ProxyRequest.ts"
import * as Codec from "./codec/index.ts"

export const SERVICE = "centrifugal.centrifugo.proxy.CentrifugoProxy"

/** The full gRPC path of an event's method, e.g. `/centrifugal.centrifugo.proxy.CentrifugoProxy/Connect`. */
export const pathOf = (event: ProxyEvent): string => `/${SERVICE}/${event.method}`

interface UnaryCodec {
  readonly decode: (bytes: Uint8Array, headers: Headers) => ProxyRequest
  // The reply type depends on the event; the table is heterogeneous, so the pipeline checks the reply's tag (against
  // the event table) before it calls the codec.
  readonly encode: (reply: never) => Buffer
}

/** The protobuf codec of each unary event, by the event's name. */
const codecs: Readonly<Record<Exclude<EventName, "subscribeUnidirectional" | "subscribeBidirectional">, UnaryCodec>> = {
  connect: { decode: Codec.decodeConnect, encode: Codec.encodeConnect },
  refresh: { decode: Codec.decodeRefresh, encode: Codec.encodeRefresh },
  subscribe: { decode: Codec.decodeSubscribe, encode: Codec.encodeSubscribe },
  publish: { decode: Codec.decodePublish, encode: Codec.encodePublish },
  rpc: { decode: Codec.decodeRpc, encode: Codec.encodeRpc },
  subRefresh: { decode: Codec.decodeSubRefresh, encode: Codec.encodeSubRefresh },
  mapPublish: { decode: Codec.decodeMapPublish, encode: Codec.encodeMapPublish },
  mapRemove: { decode: Codec.decodeMapRemove, encode: Codec.encodeMapRemove },
  sharedPollRefresh: { decode: Codec.decodeSharedPollRefresh, encode: Codec.encodeSharedPollRefresh },
  notifyCacheEmpty: { decode: Codec.decodeNotifyCacheEmpty, encode: Codec.encodeNotifyCacheEmpty },
  notifyChannelState: { decode: Codec.decodeNotifyChannelState, encode: Codec.encodeNotifyChannelState }
}

export interface UnaryMethod extends UnaryCodec {
  /** The event's row. */
  readonly spec: ProxyEvent
  /** The full gRPC path. */
  readonly path: string
}

export const unaryMethods: ReadonlyArray<UnaryMethod> = events
  .filter((event) => event.kind === "unary")
  .map((event) => ({ spec: event, path: pathOf(event), ...codecs[event.name as keyof typeof codecs] }))

/** The stream-subscription events. */
export const streamEvents: ReadonlyArray<ProxyEvent> = events.filter((event) => event.kind !== "unary")

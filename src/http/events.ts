/**
 * The events Centrifugo v6.9.1 proxies over HTTP (the event table's rows that are not gRPC-only): the path of each
 * under the router's prefix, and its JSON codec. The table names the paths; this module adds the codecs only.
 *
 * @since 0.1.0
 */
import type { EventName } from "../HandlerSet.ts"
import { httpEvents as tableEvents, type ProxyEvent } from "../internal/events.ts"
import type { Headers, ProxyRequest } from "../ProxyRequest.ts"
import * as Codec from "./codec/index.ts"

interface JsonCodec {
  readonly decode: (body: Uint8Array, headers: Headers) => ProxyRequest
  // The reply type depends on the event; the table is heterogeneous, so the pipeline checks the reply's tag (against
  // the event table) before it calls the codec.
  readonly encode: (reply: never) => string
}

/** The JSON codec of each event Centrifugo proxies over HTTP, by the event's name. */
const codecs: Readonly<Partial<Record<EventName, JsonCodec>>> = {
  connect: { decode: Codec.decodeConnect, encode: Codec.encodeConnect },
  refresh: { decode: Codec.decodeRefresh, encode: Codec.encodeRefresh },
  subscribe: { decode: Codec.decodeSubscribe, encode: Codec.encodeSubscribe },
  publish: { decode: Codec.decodePublish, encode: Codec.encodePublish },
  rpc: { decode: Codec.decodeRpc, encode: Codec.encodeRpc },
  subRefresh: { decode: Codec.decodeSubRefresh, encode: Codec.encodeSubRefresh },
  mapPublish: { decode: Codec.decodeMapPublish, encode: Codec.encodeMapPublish },
  mapRemove: { decode: Codec.decodeMapRemove, encode: Codec.encodeMapRemove },
  sharedPollRefresh: { decode: Codec.decodeSharedPollRefresh, encode: Codec.encodeSharedPollRefresh }
}

export interface HttpEvent extends JsonCodec {
  /** The last path segment, e.g. `connect` for `/centrifugo/connect`. */
  readonly path: string
  /** The event's row. */
  readonly spec: ProxyEvent
}

export const httpEvents: ReadonlyArray<HttpEvent> = tableEvents.map((event) => {
  const codec = codecs[event.name]
  // A row proxied over HTTP without a codec is a bug in this module, found when it loads (every test imports it).
  if (codec === undefined) throw new Error(`no JSON codec for the ${event.name} event`)
  return { path: event.key, spec: event, ...codec }
})

/**
 * The gRPC codec's requests: protobuf bytes -> domain requests, for each proxy method and the messages of a
 * bidirectional stream.
 *
 * The generated code (src/proto/generated, from proto/proxy.proto) knows the wire format; this module knows
 * Centrifugo's conventions on top of it: JSON payload bytes vs `b64*` fields, lower-cased metadata. Decoding throws
 * `DecodeFailure` (bytes that are not the message) or `InvalidJson` (a payload that is not JSON); the server decides
 * what each becomes on the wire.
 *
 * @since 0.1.0
 */
import type { Metadata } from "@grpc/grpc-js"
import * as PayloadWire from "../../internal/payloadWire.ts"
import * as pb from "../../proto/generated/proxy.ts"
import type * as ProxyRequest from "../../ProxyRequest.ts"
import { decodeMessage } from "./wire.ts"


/**
 * gRPC metadata as a plain record: lower-cased names (grpc-js already lower-cases them), repeated values joined by
 * ", " as HTTP does, binary (`-bin`) values as base64. the credentials' key (`requireCredentials.key`) is left out.
 */
export const headersFromMetadata = (metadata: Metadata, credentialsKey?: string): ProxyRequest.Headers => {
  const headers: Record<string, string> = {}
  const add = (values: ReadonlyArray<string | Buffer>, name: string) => {
    if (values.length === 0 || name === credentialsKey) return
    headers[name] = values.length === 1 ? valueToString(values[0]!) : values.map(valueToString).join(", ")
  }
  // grpc-js keeps the metadata in a Map: reading it in place saves the copy `toJSON()` makes per call (~150 bytes
  // with three headers). Any other shape (a future grpc-js) goes through the public `toJSON()`.
  const repr = (metadata as unknown as { readonly internalRepr?: unknown }).internalRepr
  if (repr instanceof Map) {
    ;(repr as Map<string, ReadonlyArray<string | Buffer>>).forEach(add)
    return headers
  }
  const all = metadata.toJSON()
  for (const name in all) if (Object.hasOwn(all, name)) add(all[name]!, name)
  return headers
}

const valueToString = (value: string | Buffer): string => typeof value === "string" ? value : value.toString("base64")

/** The payload bytes as received: JSON text, or the decoded base64 of a binary client; undefined when none. */
const rawPayload = (
  encoding: string | undefined,
  data: Buffer | undefined,
  b64data: string | undefined
): Uint8Array | undefined => {
  if (encoding === "binary") return b64data === undefined || b64data === "" ? undefined : Buffer.from(b64data, "base64")
  return data === undefined || data.length === 0 ? undefined : data
}

/** The client payload: parsed JSON for `json` encoding; `undefined` for `binary` (read `rawData`). */
const jsonPayload = (encoding: string | undefined, raw: Uint8Array | undefined): unknown =>
  encoding === "binary" ? undefined : PayloadWire.fromJsonBytes("data", raw)

const meta = (bytes: Buffer | undefined): unknown => PayloadWire.fromJsonBytes("meta", bytes)

export const decodeConnect = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.ConnectRequest => {
  const m = decodeMessage(pb.ConnectRequest, "ConnectRequest", bytes)
  const raw = rawPayload(m.encoding, m.data, m.b64data)
  return PayloadWire.withRawData<ProxyRequest.ConnectRequest>({
    _tag: "Connect",
    client: m.client ?? "",
    transport: m.transport ?? "",
    protocol: m.protocol ?? "",
    encoding: m.encoding ?? "",
    headers,
    data: jsonPayload(m.encoding, raw),
    name: m.name ?? "",
    version: m.version ?? "",
    channels: m.channels ?? []
  }, raw)
}

export const decodeRefresh = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.RefreshRequest => {
  const m = decodeMessage(pb.RefreshRequest, "RefreshRequest", bytes)
  return {
    _tag: "Refresh",
    client: m.client ?? "",
    transport: m.transport ?? "",
    protocol: m.protocol ?? "",
    encoding: m.encoding ?? "",
    headers,
    user: m.user ?? "",
    meta: meta(m.meta),
    labels: m.labels ?? {}
  }
}

export const decodeSubscribe = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.SubscribeRequest => {
  const m = decodeMessage(pb.SubscribeRequest, "SubscribeRequest", bytes)
  const raw = rawPayload(m.encoding, m.data, m.b64data)
  return PayloadWire.withRawData<ProxyRequest.SubscribeRequest>({
    _tag: "Subscribe",
    client: m.client ?? "",
    transport: m.transport ?? "",
    protocol: m.protocol ?? "",
    encoding: m.encoding ?? "",
    headers,
    user: m.user ?? "",
    channel: m.channel ?? "",
    token: m.token ?? "",
    data: jsonPayload(m.encoding, raw),
    meta: meta(m.meta),
    labels: m.labels ?? {}
  }, raw)
}

export const decodePublish = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.PublishRequest => {
  const m = decodeMessage(pb.PublishRequest, "PublishRequest", bytes)
  const raw = rawPayload(m.encoding, m.data, m.b64data)
  return PayloadWire.withRawData<ProxyRequest.PublishRequest>({
    _tag: "Publish",
    client: m.client ?? "",
    transport: m.transport ?? "",
    protocol: m.protocol ?? "",
    encoding: m.encoding ?? "",
    headers,
    user: m.user ?? "",
    channel: m.channel ?? "",
    data: jsonPayload(m.encoding, raw),
    meta: meta(m.meta),
    labels: m.labels ?? {}
  }, raw)
}

export const decodeRpc = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.RpcRequest => {
  const m = decodeMessage(pb.RPCRequest, "RPCRequest", bytes)
  const raw = rawPayload(m.encoding, m.data, m.b64data)
  return PayloadWire.withRawData<ProxyRequest.RpcRequest>({
    _tag: "RPC",
    client: m.client ?? "",
    transport: m.transport ?? "",
    protocol: m.protocol ?? "",
    encoding: m.encoding ?? "",
    headers,
    user: m.user ?? "",
    method: m.method ?? "",
    data: jsonPayload(m.encoding, raw),
    meta: meta(m.meta),
    labels: m.labels ?? {}
  }, raw)
}

export const decodeSubRefresh = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.SubRefreshRequest => {
  const m = decodeMessage(pb.SubRefreshRequest, "SubRefreshRequest", bytes)
  return {
    _tag: "SubRefresh",
    client: m.client ?? "",
    transport: m.transport ?? "",
    protocol: m.protocol ?? "",
    encoding: m.encoding ?? "",
    headers,
    user: m.user ?? "",
    channel: m.channel ?? "",
    meta: meta(m.meta),
    labels: m.labels ?? {}
  }
}

export const decodeMapPublish = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.MapPublishRequest => {
  const m = decodeMessage(pb.MapPublishRequest, "MapPublishRequest", bytes)
  const raw = rawPayload(m.encoding, m.data, m.b64data)
  return PayloadWire.withRawData<ProxyRequest.MapPublishRequest>({
    _tag: "MapPublish",
    client: m.client ?? "",
    transport: m.transport ?? "",
    protocol: m.protocol ?? "",
    encoding: m.encoding ?? "",
    headers,
    user: m.user ?? "",
    channel: m.channel ?? "",
    key: m.key ?? "",
    data: jsonPayload(m.encoding, raw),
    meta: meta(m.meta),
    labels: m.labels ?? {}
  }, raw)
}

export const decodeMapRemove = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.MapRemoveRequest => {
  const m = decodeMessage(pb.MapRemoveRequest, "MapRemoveRequest", bytes)
  return {
    _tag: "MapRemove",
    client: m.client ?? "",
    transport: m.transport ?? "",
    protocol: m.protocol ?? "",
    encoding: m.encoding ?? "",
    headers,
    user: m.user ?? "",
    channel: m.channel ?? "",
    key: m.key ?? "",
    meta: meta(m.meta),
    labels: m.labels ?? {}
  }
}

export const decodeSharedPollRefresh = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.SharedPollRefreshRequest => {
  const m = decodeMessage(pb.SharedPollRefreshRequest, "SharedPollRefreshRequest", bytes)
  return {
    _tag: "SharedPollRefresh",
    channel: m.channel ?? "",
    items: (m.items ?? []).map((item) => ({ key: item.key ?? "", version: item.version ?? 0n })),
    headers
  }
}

export const decodeNotifyCacheEmpty = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.NotifyCacheEmptyRequest => {
  const m = decodeMessage(pb.NotifyCacheEmptyRequest, "NotifyCacheEmptyRequest", bytes)
  return { _tag: "NotifyCacheEmpty", channel: m.channel ?? "", headers }
}

export const decodeNotifyChannelState = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.NotifyChannelStateRequest => {
  const m = decodeMessage(pb.NotifyChannelStateRequest, "NotifyChannelStateRequest", bytes)
  return {
    _tag: "NotifyChannelState",
    events: (m.events ?? []).map((event) => ({
      timeMs: Number(event.time_ms ?? 0n),
      channel: event.channel ?? "",
      type: event.type ?? ""
    })),
    headers
  }
}

/** One message of a bidirectional stream: the subscribe request (first) or a client publication (later). */
export const decodeStreamMessage = (bytes: Uint8Array): pb.StreamSubscribeRequest =>
  decodeMessage(pb.StreamSubscribeRequest, "StreamSubscribeRequest", bytes)

/** The subscribe request inside a stream's first message, as a domain request. */
export const subscribeFromStream = (
  message: pb.SubscribeRequest,
  headers: ProxyRequest.Headers
): ProxyRequest.SubscribeRequest => decodeSubscribe(pb.SubscribeRequest.encode(message).finish(), headers)

/** A client publication from a bidirectional stream: JSON parsed for JSON clients when it parses. */
export const clientPublication = (protocol: string, publication: pb.Publication): ProxyRequest.ClientPublication => {
  const rawData = publication.data ?? Buffer.alloc(0)
  let data: unknown = undefined
  if (protocol === "json" && rawData.length > 0) {
    try {
      data = JSON.parse(rawData.toString("utf8"))
    } catch {
      data = undefined
    }
  }
  return { data, rawData, tags: publication.tags ?? {} }
}

/**
 * The codec: protobuf bytes <-> domain requests and replies, for each unary proxy method.
 *
 * The generated code (./generated, from proto/proxy.proto) knows the wire format; this module knows Centrifugo's
 * conventions on top of it: JSON payload bytes vs `b64*` fields, BoolValue overrides, Unix-second int64 times,
 * lower-cased metadata. Decoding throws `DecodeFailure` (bytes that are not the message) or `InvalidJson` (a payload
 * that is not JSON); encoding throws a TypeError for a reply that cannot be sent. The server decides what each
 * becomes on the wire.
 *
 * @since 0.1.0
 */
import type { Metadata } from "@grpc/grpc-js"
import * as PayloadWire from "../internal/payloadWire.ts"
import * as Payload from "../Payload.ts"
import type * as Reply from "../Reply.ts"
import type * as ProxyRequest from "../ProxyRequest.ts"
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire"
import * as pb from "./generated/proxy.ts"
import { expectTag } from "../internal/replyTag.ts"
import * as Wire from "../internal/wireNumbers.ts"

const DecodeFailureTypeId: unique symbol = Symbol.for("effect-centrifugo/DecodeFailure")

/** The request bytes are not a valid protobuf message of the method's request type. */
export interface DecodeFailure {
  readonly [DecodeFailureTypeId]: true
  readonly message: string
}

export const isDecodeFailure = (value: unknown): value is DecodeFailure =>
  typeof value === "object" && value !== null && DecodeFailureTypeId in value

export const decodeFailure = (message: string): DecodeFailure => ({ [DecodeFailureTypeId]: true, message })

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * What Centrifugo sends as a connection's transport, protocol and encoding: a request's bytes that spell one of
 * these are read as the constant, not as a new string on every call.
 */
const KNOWN_STRINGS = [
  "websocket", "http_stream", "sse", "uni_websocket", "uni_sse", "uni_http_stream", "uni_grpc", "webtransport",
  "json", "protobuf", "binary"
]
const knownByLength: Array<Array<readonly [string, Buffer]> | undefined> = []
for (const text of KNOWN_STRINGS) (knownByLength[text.length] ??= []).push([text, Buffer.from(text)])

const knownString = (buffer: Buffer, start: number, end: number): string | undefined => {
  const candidates = knownByLength[end - start]
  if (candidates === undefined) return undefined
  for (let c = 0; c < candidates.length; c++) {
    const [text, bytes] = candidates[c]!
    let i = 0
    while (i < bytes.length && buffer[start + i] === bytes[i]) i++
    if (i === bytes.length) return text
  }
  return undefined
}

/**
 * A reader's `string()` that slices straight out of the request's bytes. The library's builds short strings from an
 * array of char codes and longer ones from a subarray through TextDecoder: two or three allocations per field on
 * every call. Buffer's decoder gives the same text (invalid UTF-8 becomes U+FFFD, a BOM is kept). One function for
 * every reader (it reads `this`), not a closure per call.
 */
function readString(this: BinaryReader): string {
  const length = this.uint32()
  const start = this.pos
  const end = start + length
  if (end > this.len) throw new RangeError("premature EOF")
  this.pos = end
  // `buf` is private in the typings; readerOf always hands the reader a Buffer.
  const buffer = (this as unknown as { readonly buf: Buffer }).buf
  return knownString(buffer, start, end) ?? buffer.toString("utf8", start, end)
}

const readerOf = (bytes: Uint8Array): BinaryReader => {
  const reader = new BinaryReader(Buffer.isBuffer(bytes) ? bytes : toBuffer(bytes))
  reader.string = readString
  return reader
}

const decodeMessage = <T>(fns: { decode(input: BinaryReader): T }, name: string, bytes: Uint8Array): T => {
  try {
    return fns.decode(readerOf(bytes))
  } catch (error) {
    throw decodeFailure(`undecodable ${name}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------------

/**
 * gRPC metadata as a plain record: lower-cased names (grpc-js already lower-cases them), repeated values joined by
 * ", " as HTTP does, binary (`-bin`) values as base64. `secretKey` (the proxy credentials' key) is left out.
 */
export const headersFromMetadata = (metadata: Metadata, secretKey?: string): ProxyRequest.Headers => {
  const headers: Record<string, string> = {}
  const add = (values: ReadonlyArray<string | Buffer>, name: string) => {
    if (values.length === 0 || name === secretKey) return
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

// The decoders below build each request as one object literal, the connection's fields written out: spreading
// small helper objects into it (one for the connection, one for the payload) cost two objects and a slow copy per
// call.

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

/** `rawData` is present only when a payload arrived (the key, not an `undefined` value). */
const withRawData = <R extends { readonly rawData?: Uint8Array }>(request: R, raw: Uint8Array | undefined): R => {
  if (raw !== undefined) (request as { rawData?: Uint8Array }).rawData = raw
  return request
}

const meta = (bytes: Buffer | undefined): unknown => PayloadWire.fromJsonBytes("meta", bytes)

export const decodeConnect = (bytes: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.ConnectRequest => {
  const m = decodeMessage(pb.ConnectRequest, "ConnectRequest", bytes)
  const raw = rawPayload(m.encoding, m.data, m.b64data)
  return withRawData<ProxyRequest.ConnectRequest>({
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
  return withRawData<ProxyRequest.SubscribeRequest>({
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
  return withRawData<ProxyRequest.PublishRequest>({
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
  return withRawData<ProxyRequest.RpcRequest>({
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
  return withRawData<ProxyRequest.MapPublishRequest>({
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

// ---------------------------------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------------------------------

const { int64, int64Seconds, uint64 } = Wire

/** A payload into the plain field (JSON text) or its `b64` twin (binary). */
// The generated encoders iterate `map || {}` for each map field: a shared empty one saves that object per call.
const NO_ENTRIES: Readonly<Record<string, never>> = Object.freeze({})
const NO_PAYLOAD: { bytes?: Buffer; b64?: string } = Object.freeze({})
const data = (field: string, value: unknown): { bytes?: Buffer; b64?: string } =>
  PayloadWire.toWire(field, value) ?? NO_PAYLOAD

const jsonOnly = (field: string, value: unknown): Buffer | undefined => {
  if (Payload.isBinary(value)) throw new TypeError(`${field} must be JSON: Centrifugo has no binary form for it`)
  return PayloadWire.toWire(field, value)?.bytes
}

const boolValue = (value: boolean | undefined): pb.BoolValue | undefined =>
  value === undefined ? undefined : { value }

const override = (value: Reply.SubscribeOverride | undefined): pb.SubscribeOptionOverride | undefined =>
  value === undefined ? undefined : {
    presence: boolValue(value.presence),
    join_leave: boolValue(value.joinLeave),
    force_recovery: boolValue(value.forceRecovery),
    force_positioning: boolValue(value.forcePositioning),
    force_push_join_leave: boolValue(value.forcePushJoinLeave)
  }

const subscribeOptions = (channel: string, options: Reply.SubscribeOptions): pb.SubscribeOptions => {
  const info = data(`subs[${channel}].info`, options.info)
  const payloadData = data(`subs[${channel}].data`, options.data)
  return {
    expire_at: int64Seconds(`subs[${channel}].expireAt`, options.expireAt),
    info: info.bytes,
    b64info: info.b64,
    data: payloadData.bytes,
    b64data: payloadData.b64,
    override: override(options.override),
    cache_recover: options.cacheRecover
  }
}

const rejection = (reply: Reply.Rejection): { error?: pb.Error; disconnect?: pb.Disconnect } =>
  reply._tag === "ErrorReply"
    ? { error: { code: reply.code, message: reply.message, temporary: reply.temporary } }
    : { disconnect: { code: reply.code, reason: reply.reason } }

/**
 * One writer for every response: encoding is synchronous, so no two messages ever share it at once, and its
 * buffer, grown once, is reused instead of allocated per call. `finish` copies the bytes out and resets it; an
 * encode that threw half-way leaves it dirty, which the next `writer()` notices and resets.
 */
const sharedWriter = new BinaryWriter()
let writerInUse = false
const writer = (): BinaryWriter => {
  if (writerInUse) sharedWriter.finish()
  writerInUse = true
  return sharedWriter
}
/**
 * The writer's own fields, read to copy a message out into a Buffer from Node's pool: `finish()` allocates a fresh
 * ArrayBuffer per message and a view over it. Checked once at load, so a @bufbuild version that renames them falls
 * back to `finish()`.
 */
const writerState = sharedWriter as unknown as { buffer: Uint8Array; pos: number; stackPos: Array<number> }
const canCopyOut = writerState.buffer instanceof Uint8Array && typeof writerState.pos === "number" &&
  Array.isArray(writerState.stackPos)
let writerBytes: Uint8Array | undefined
let writerView: Buffer = Buffer.alloc(0)

const finish = (used: BinaryWriter): Buffer => {
  writerInUse = false
  if (!canCopyOut || used !== sharedWriter || writerState.stackPos.length !== 0) return toBuffer(used.finish())
  // The writer replaces its buffer when it grows: one view per buffer, not per message.
  if (writerState.buffer !== writerBytes) {
    writerBytes = writerState.buffer
    writerView = toBuffer(writerBytes)
  }
  const out = Buffer.allocUnsafe(writerState.pos)
  writerView.copy(out, 0, 0, writerState.pos)
  writerState.pos = 0
  return out
}


export const encodeConnect = (reply: Reply.ConnectReply): Buffer => {
  expectTag("connect", reply, "ConnectResult", true)
  if (reply._tag !== "ConnectResult") return finish(pb.ConnectResponse.encode(rejection(reply), writer()))
  const info = data("info", reply.info)
  const payloadData = data("data", reply.data)
  let subs: Record<string, pb.SubscribeOptions> | undefined
  if (reply.subs !== undefined) {
    subs = {}
    for (const [channel, options] of Object.entries(reply.subs)) subs[channel] = subscribeOptions(channel, options)
  }
  return finish(pb.ConnectResponse.encode({
    result: {
      user: reply.user,
      expire_at: int64Seconds("expireAt", reply.expireAt),
      info: info.bytes,
      b64info: info.b64,
      data: payloadData.bytes,
      b64data: payloadData.b64,
      // The generated encoder only reads the array; its type is mutable, the reply's is not.
      channels: reply.channels as Array<string> | undefined,
      subs: subs ?? NO_ENTRIES,
      meta: jsonOnly("meta", reply.meta),
      labels: NO_ENTRIES
    }
  }, writer()))
}

export const encodeRefresh = (reply: Reply.RefreshReply): Buffer => {
  expectTag("refresh", reply, "RefreshResult", false)
  const info = data("info", reply.info)
  return finish(pb.RefreshResponse.encode({
    result: {
      expired: reply.expired,
      expire_at: int64Seconds("expireAt", reply.expireAt),
      info: info.bytes,
      b64info: info.b64,
      meta: jsonOnly("meta", reply.meta)
    }
  }, writer()))
}

const subscribeResult = (reply: Reply.SubscribeResult | Reply.StreamResult): pb.SubscribeResult => {
  const info = data("info", reply.info)
  const payloadData = data("data", reply.data)
  return {
    expire_at: int64Seconds("expireAt", reply.expireAt),
    info: info.bytes,
    b64info: info.b64,
    data: payloadData.bytes,
    b64data: payloadData.b64,
    override: override(reply.override)
  }
}

export const encodeSubscribe = (reply: Reply.SubscribeReply): Buffer => {
  expectTag("subscribe", reply, "SubscribeResult", true)
  if (reply._tag !== "SubscribeResult") return finish(pb.SubscribeResponse.encode(rejection(reply), writer()))
  return finish(pb.SubscribeResponse.encode({ result: subscribeResult(reply) }, writer()))
}

export const encodePublish = (reply: Reply.PublishReply): Buffer => {
  expectTag("publish", reply, "PublishResult", true)
  if (reply._tag !== "PublishResult") return finish(pb.PublishResponse.encode(rejection(reply), writer()))
  const payloadData = data("data", reply.data)
  return finish(pb.PublishResponse.encode({
    result: {
      data: payloadData.bytes,
      b64data: payloadData.b64,
      skip_history: reply.skipHistory,
      tags: reply.tags === undefined ? undefined : { ...reply.tags },
      idempotency_key: reply.idempotencyKey,
      delta: reply.delta,
      version: uint64("version", reply.version),
      version_epoch: reply.versionEpoch
    }
  }, writer()))
}

export const encodeRpc = (reply: Reply.RpcReply): Buffer => {
  expectTag("rpc", reply, "RpcResult", true)
  if (reply._tag !== "RpcResult") return finish(pb.RPCResponse.encode(rejection(reply), writer()))
  const payloadData = data("data", reply.data)
  return finish(pb.RPCResponse.encode({ result: { data: payloadData.bytes, b64data: payloadData.b64 } }, writer()))
}

export const encodeSubRefresh = (reply: Reply.SubRefreshReply): Buffer => {
  expectTag("subRefresh", reply, "SubRefreshResult", false)
  const info = data("info", reply.info)
  return finish(pb.SubRefreshResponse.encode({
    result: {
      expired: reply.expired,
      expire_at: int64Seconds("expireAt", reply.expireAt),
      info: info.bytes,
      b64info: info.b64
    }
  }, writer()))
}

export const encodeMapPublish = (reply: Reply.MapPublishReply): Buffer => {
  expectTag("mapPublish", reply, "MapPublishResult", true)
  if (reply._tag !== "MapPublishResult") return finish(pb.MapPublishResponse.encode(rejection(reply), writer()))
  const payloadData = data("data", reply.data)
  const streamData = data("streamData", reply.streamData)
  return finish(pb.MapPublishResponse.encode({
    result: {
      key: reply.key,
      data: payloadData.bytes,
      b64data: payloadData.b64,
      tags: reply.tags === undefined ? undefined : { ...reply.tags },
      score: int64("score", reply.score),
      key_mode: reply.keyMode,
      stream_data: streamData.bytes,
      b64stream_data: streamData.b64,
      idempotency_key: reply.idempotencyKey,
      delta: reply.delta,
      version: uint64("version", reply.version),
      version_epoch: reply.versionEpoch
    }
  }, writer()))
}

export const encodeMapRemove = (reply: Reply.MapRemoveReply): Buffer => {
  expectTag("mapRemove", reply, "MapRemoveResult", true)
  if (reply._tag !== "MapRemoveResult") return finish(pb.MapRemoveResponse.encode(rejection(reply), writer()))
  return finish(pb.MapRemoveResponse.encode({
    result: {
      key: reply.key,
      tags: reply.tags === undefined ? undefined : { ...reply.tags },
      idempotency_key: reply.idempotencyKey
    }
  }, writer()))
}

/** Shared-poll item data is raw bytes on the wire (no b64 twin): JSON text, or binary bytes as they are. */
const rawBytes = (field: string, value: unknown): Buffer | undefined => {
  if (value === undefined) return undefined
  if (Payload.isBinary(value)) return Buffer.from(value.bytes)
  return PayloadWire.toWire(field, value)?.bytes
}

export const encodeSharedPollRefresh = (reply: Reply.SharedPollRefreshReply): Buffer => {
  expectTag("sharedPollRefresh", reply, "SharedPollRefreshResult", true)
  if (reply._tag === "ErrorReply") return finish(pb.SharedPollRefreshResponse.encode({ error: rejection(reply).error }, writer()))
  if (reply._tag !== "SharedPollRefreshResult") {
    throw new TypeError("the sharedPollRefresh handler answered a DisconnectReply; Centrifugo has no disconnect here")
  }
  return finish(pb.SharedPollRefreshResponse.encode({
    result: {
      items: reply.items.map((item, i) => ({
        key: item.key,
        data: rawBytes(`items[${i}].data`, item.data),
        version: uint64(`items[${i}].version`, item.version),
        removed: item.removed,
        prev_data: rawBytes(`items[${i}].prevData`, item.prevData)
      })),
      epoch: reply.epoch
    }
  }, writer()))
}

export const encodeNotifyCacheEmpty = (reply: Reply.NotifyCacheEmptyReply): Buffer => {
  expectTag("notifyCacheEmpty", reply, "NotifyCacheEmptyResult", false)
  return finish(pb.NotifyCacheEmptyResponse.encode({ result: { populated: reply.populated } }, writer()))
}

export const encodeNotifyChannelState = (reply: Reply.NotifyChannelStateReply): Buffer => {
  expectTag("notifyChannelState", reply, "NotifyChannelStateResult", true)
  if (reply._tag === "ErrorReply") return finish(pb.NotifyChannelStateResponse.encode({ error: rejection(reply).error }, writer()))
  if (reply._tag !== "NotifyChannelStateResult") {
    throw new TypeError("the notifyChannelState handler answered a DisconnectReply; Centrifugo has no disconnect here")
  }
  return finish(pb.NotifyChannelStateResponse.encode({ result: {} }, writer()))
}

/** The first message of a stream subscription: the subscribe response. */
export const encodeStreamFirst = (reply: Reply.StreamReply): Buffer => {
  expectTag("subscribeStream", reply, "StreamResult", true)
  if (reply._tag !== "StreamResult") {
    return finish(pb.StreamSubscribeResponse.encode({ subscribe_response: rejection(reply) }, writer()))
  }
  return finish(pb.StreamSubscribeResponse.encode({ subscribe_response: { result: subscribeResult(reply) } }, writer()))
}

/** A publication down a stream: JSON text for JSON values, the bytes themselves for `Payload.binary`. */
export const encodeStreamPublication = (publication: Reply.StreamPublication): Buffer =>
  finish(pb.StreamSubscribeResponse.encode({
    publication: {
      data: rawBytes("publication.data", publication.data),
      tags: publication.tags === undefined ? undefined : { ...publication.tags }
    }
  }, writer()))

/** An error reply encoded as the response of `method` (for the events whose responses carry one). */
export const errorEncoders: Readonly<Record<string, (error: pb.Error) => Buffer>> = {
  Connect: (error) => finish(pb.ConnectResponse.encode({ error }, writer())),
  Subscribe: (error) => finish(pb.SubscribeResponse.encode({ error }, writer())),
  Publish: (error) => finish(pb.PublishResponse.encode({ error }, writer())),
  RPC: (error) => finish(pb.RPCResponse.encode({ error }, writer())),
  MapPublish: (error) => finish(pb.MapPublishResponse.encode({ error }, writer())),
  MapRemove: (error) => finish(pb.MapRemoveResponse.encode({ error }, writer())),
  SharedPollRefresh: (error) => finish(pb.SharedPollRefreshResponse.encode({ error }, writer())),
  NotifyChannelState: (error) => finish(pb.NotifyChannelStateResponse.encode({ error }, writer())),
  SubscribeUnidirectional: (error) => finish(pb.StreamSubscribeResponse.encode({ subscribe_response: { error } }, writer())),
  SubscribeBidirectional: (error) => finish(pb.StreamSubscribeResponse.encode({ subscribe_response: { error } }, writer()))
}

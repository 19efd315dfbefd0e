/**
 * The HTTP codec: Centrifugo's JSON proxy bodies <-> domain requests and replies, for the nine events Centrifugo
 * v6.9.1 proxies over HTTP.
 *
 * Centrifugo does not use protojson here: it marshals its generated Go structs with `encoding/json`, so the wire
 * form is theirs, and this module writes exactly it:
 * - field names are the snake_case proto names (`expire_at`, `b64data`, `skip_history`, ...);
 * - `data`, `info`, `meta` (and `stream_data`, `prev_data`) are embedded raw JSON values, never base64 strings;
 *   binary payloads travel base64-encoded in the `b64*` twin fields (a proxy with `binary_encoding`);
 * - int64/uint64 (`expire_at`, `version`, `score`) are plain JSON numbers, written from BigInt without rounding;
 * - zero values are left out (Go's `omitempty`), so a result with nothing set is `{}`; BoolValue overrides are
 *   objects (`"override":{"presence":{"value":true}}`, `{}` for false);
 * - a reply is `{"result":...}`, `{"error":...}` or `{"disconnect":...}`.
 * The conventions on top (payloads, expire_at in seconds, override booleans) are the protobuf codec's
 * (`src/proto/codec.ts`), so both transports answer the same thing. A contract test checks every field name and
 * kind here against the json tags of Centrifugo's own `internal/proxyproto/proxy.pb.go`.
 *
 * Decoding throws `BadBody` (not a request of the event: HTTP 400) or `InvalidJson` (a payload that is not JSON,
 * or nested too deeply: error 107); encoding throws a TypeError for a reply that cannot be sent.
 *
 * @since 0.1.0
 */
import * as Payload from "../Payload.ts"
import type * as Reply from "../Reply.ts"
import type * as ProxyRequest from "../ProxyRequest.ts"
import { badBody, type Fields, fields } from "./json.ts"
import { expectTag } from "../internal/replyTag.ts"
import * as Wire from "../internal/wireNumbers.ts"

// ---------------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------------

const string = (f: Fields, name: string): string => {
  const value = f.parse(name)
  if (value === undefined) return ""
  // Go's decoder leaves a field untouched for null.
  if (value === null) return ""
  if (typeof value !== "string") throw badBody(`${name} must be a string`)
  return value
}

const strings = (f: Fields, name: string): ReadonlyArray<string> => {
  const value = f.parse(name)
  if (value === undefined) return []
  if (value === null) return []
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw badBody(`${name} must be an array of strings`)
  }
  return value
}

const stringMap = (f: Fields, name: string): Readonly<Record<string, string>> => {
  const value = f.parse(name)
  if (value === undefined) return {}
  if (value === null) return {}
  if (typeof value !== "object" || Array.isArray(value) || !Object.values(value).every((v) => typeof v === "string")) {
    throw badBody(`${name} must be an object of strings`)
  }
  return value as Record<string, string>
}

/** The request's payload: parsed JSON for `json` encoding; decoded base64 bytes (unparsed) for `binary`. */
const payload = (encoding: string, f: Fields): { readonly data: unknown; readonly rawData?: Uint8Array } => {
  if (encoding === "binary") {
    const b64 = string(f, "b64data")
    return b64 === "" ? { data: undefined } : { data: undefined, rawData: Buffer.from(b64, "base64") }
  }
  const data = f.payload("data")
  if (data === undefined) return { data: undefined }
  return { data, rawData: f.get("data")! }
}

const meta = (f: Fields): unknown => f.payload("meta")

const connection = (f: Fields, headers: ProxyRequest.Headers) => ({
  client: string(f, "client"),
  transport: string(f, "transport"),
  protocol: string(f, "protocol"),
  encoding: string(f, "encoding"),
  headers
})

export const decodeConnect = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.ConnectRequest => {
  const f = fields(body)
  const base = connection(f, headers)
  return {
    _tag: "Connect",
    ...base,
    ...payload(base.encoding, f),
    name: string(f, "name"),
    version: string(f, "version"),
    channels: strings(f, "channels")
  }
}

export const decodeRefresh = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.RefreshRequest => {
  const f = fields(body)
  return {
    _tag: "Refresh",
    ...connection(f, headers),
    user: string(f, "user"),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeSubscribe = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.SubscribeRequest => {
  const f = fields(body)
  const base = connection(f, headers)
  return {
    _tag: "Subscribe",
    ...base,
    user: string(f, "user"),
    channel: string(f, "channel"),
    token: string(f, "token"),
    ...payload(base.encoding, f),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodePublish = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.PublishRequest => {
  const f = fields(body)
  const base = connection(f, headers)
  return {
    _tag: "Publish",
    ...base,
    user: string(f, "user"),
    channel: string(f, "channel"),
    ...payload(base.encoding, f),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeRpc = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.RpcRequest => {
  const f = fields(body)
  const base = connection(f, headers)
  return {
    _tag: "RPC",
    ...base,
    user: string(f, "user"),
    method: string(f, "method"),
    ...payload(base.encoding, f),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeSubRefresh = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.SubRefreshRequest => {
  const f = fields(body)
  return {
    _tag: "SubRefresh",
    ...connection(f, headers),
    user: string(f, "user"),
    channel: string(f, "channel"),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeMapPublish = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.MapPublishRequest => {
  const f = fields(body)
  const base = connection(f, headers)
  return {
    _tag: "MapPublish",
    ...base,
    user: string(f, "user"),
    channel: string(f, "channel"),
    key: string(f, "key"),
    ...payload(base.encoding, f),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeMapRemove = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.MapRemoveRequest => {
  const f = fields(body)
  return {
    _tag: "MapRemove",
    ...connection(f, headers),
    user: string(f, "user"),
    channel: string(f, "channel"),
    key: string(f, "key"),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

/** A version that Go could not read into a uint64: kept apart, so the item can be refused with its index. */
const BAD_VERSION: unique symbol = Symbol("BadVersion")

/** JSON.parse's reviver gets the number's source text (Node >= 21): uint64 versions are read without rounding. */
type SourceReviver = (key: string, value: unknown, context?: { readonly source?: string }) => unknown
const exactVersions: SourceReviver = (key, value, context) =>
  key === "version" && typeof value === "number" && context?.source !== undefined
    ? Wire.uint64OfJson(context.source) ?? BAD_VERSION
    : value

export const decodeSharedPollRefresh = (
  body: Uint8Array,
  headers: ProxyRequest.Headers
): ProxyRequest.SharedPollRefreshRequest => {
  const f = fields(body)
  const raw = f.get("items")
  let items: ReadonlyArray<{ readonly key: string; readonly version: bigint }> = []
  if (raw !== undefined) {
    let value: unknown
    try {
      value = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8"), exactVersions)
    } catch (error) {
      throw badBody(`items is not valid JSON (${error instanceof Error ? error.message : String(error)})`)
    }
    if (value !== null) {
      if (!Array.isArray(value)) throw badBody("items must be an array")
      items = value.map((item, i) => {
        if (typeof item !== "object" || item === null) throw badBody(`items[${i}] must be an object`)
        const { key, version } = item as { key?: unknown; version?: unknown }
        if (key !== undefined && key !== null && typeof key !== "string") throw badBody(`items[${i}].key must be a string`)
        if (version !== undefined && version !== null && typeof version !== "bigint") {
          throw badBody(`items[${i}].version must be an integer in 0..2^64-1`)
        }
        return { key: (key as string | undefined | null) ?? "", version: (version as bigint | undefined | null) ?? 0n }
      })
    }
  }
  return { _tag: "SharedPollRefresh", channel: string(f, "channel"), items, headers }
}

// ---------------------------------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------------------------------

/** `"name":json` pairs of one object; `undefined` values are left out (Go's `omitempty`). */
const object = (entries: ReadonlyArray<readonly [string, string | undefined]>): string => {
  let out = "{"
  for (const [name, json] of entries) {
    if (json === undefined) continue
    if (out.length > 1) out += ","
    out += `"${name}":${json}`
  }
  return `${out}}`
}

const str = (value: string | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : JSON.stringify(value)

const bool = (value: boolean | undefined): string | undefined => (value === true ? "true" : undefined)

const strings_ = (value: ReadonlyArray<string> | undefined): string | undefined =>
  value === undefined || value.length === 0 ? undefined : JSON.stringify(value)

const tags = (value: Readonly<Record<string, string>> | undefined): string | undefined =>
  value === undefined || Object.keys(value).length === 0 ? undefined : JSON.stringify(value)

/** An integer as JSON number text, left out when zero (Go's omitempty); ranges as the protobuf types'. */
const omitZero = (big: bigint | undefined): string | undefined => big === undefined || big === 0n ? undefined : big.toString()

const int64Seconds = (field: string, value: Reply.ExpireAt | undefined): string | undefined =>
  omitZero(Wire.int64Seconds(field, value))

const uint64 = (field: string, value: number | bigint | undefined): string | undefined =>
  omitZero(Wire.uint64(field, value))

const int64 = (field: string, value: number | bigint | undefined): string | undefined =>
  omitZero(Wire.int64(field, value))

/** A JSON payload as JSON text: any JSON value, or `Payload.rawJson` text (checked: it is embedded as is). */
const jsonText = (field: string, value: unknown): string => {
  if (Payload.isRawJson(value)) {
    try {
      JSON.parse(value.text)
    } catch (error) {
      throw new TypeError(`${field}: Payload.rawJson text is not JSON (${error instanceof Error ? error.message : error})`)
    }
    return value.text
  }
  const text = JSON.stringify(value)
  if (text === undefined) throw new TypeError(`${field}: ${typeof value} has no JSON form`)
  return text
}

/** A payload into the raw field (JSON) or its `b64` twin (binary). */
const data = (field: string, value: unknown): { readonly raw?: string; readonly b64?: string } => {
  if (value === undefined) return {}
  if (Payload.isBinary(value)) return { b64: JSON.stringify(Buffer.from(value.bytes).toString("base64")) }
  return { raw: jsonText(field, value) }
}

/** A payload Centrifugo has only a JSON field for. */
const jsonOnly = (field: string, value: unknown, why = "Centrifugo has no binary form for it"): string | undefined => {
  if (value === undefined) return undefined
  if (Payload.isBinary(value)) throw new TypeError(`${field} must be JSON: ${why}`)
  return jsonText(field, value)
}

const boolValue = (value: boolean | undefined): string | undefined =>
  value === undefined ? undefined : value ? `{"value":true}` : "{}"

const override = (value: Reply.SubscribeOverride | undefined): string | undefined =>
  value === undefined ? undefined : object([
    ["presence", boolValue(value.presence)],
    ["join_leave", boolValue(value.joinLeave)],
    ["force_recovery", boolValue(value.forceRecovery)],
    ["force_positioning", boolValue(value.forcePositioning)],
    ["force_push_join_leave", boolValue(value.forcePushJoinLeave)]
  ])

const subscribeOptions = (channel: string, options: Reply.SubscribeOptions): string => {
  const info = data(`subs[${channel}].info`, options.info)
  const payloadData = data(`subs[${channel}].data`, options.data)
  return object([
    ["expire_at", int64Seconds(`subs[${channel}].expireAt`, options.expireAt)],
    ["info", info.raw],
    ["b64info", info.b64],
    ["data", payloadData.raw],
    ["b64data", payloadData.b64],
    ["override", override(options.override)],
    ["cache_recover", bool(options.cacheRecover)]
  ])
}

const rejection = (reply: Reply.Rejection): string =>
  reply._tag === "ErrorReply"
    ? object([["error", errorObject(reply)]])
    : object([["disconnect", object([["code", String(reply.code)], ["reason", str(reply.reason)]])]])

const errorObject = (reply: Reply.ErrorReply): string =>
  object([["code", String(reply.code)], ["message", str(reply.message)], ["temporary", bool(reply.temporary)]])

const result = (body: string): string => `{"result":${body}}`


export const encodeConnect = (reply: Reply.ConnectReply): string => {
  expectTag("connect", reply, "ConnectResult", true)
  if (reply._tag !== "ConnectResult") return rejection(reply)
  const info = data("info", reply.info)
  const payloadData = data("data", reply.data)
  let subs: string | undefined
  if (reply.subs !== undefined && Object.keys(reply.subs).length > 0) {
    subs = object(Object.entries(reply.subs).map(([channel, options]) =>
      [JSON.stringify(channel).slice(1, -1), subscribeOptions(channel, options)] as const
    ))
  }
  return result(object([
    ["user", str(reply.user)],
    ["expire_at", int64Seconds("expireAt", reply.expireAt)],
    ["info", info.raw],
    ["b64info", info.b64],
    ["data", payloadData.raw],
    ["b64data", payloadData.b64],
    ["channels", strings_(reply.channels)],
    ["subs", subs],
    ["meta", jsonOnly("meta", reply.meta)]
  ]))
}

export const encodeRefresh = (reply: Reply.RefreshReply): string => {
  expectTag("refresh", reply, "RefreshResult", false)
  const info = data("info", reply.info)
  return result(object([
    ["expired", bool(reply.expired)],
    ["expire_at", int64Seconds("expireAt", reply.expireAt)],
    ["info", info.raw],
    ["b64info", info.b64],
    ["meta", jsonOnly("meta", reply.meta)]
  ]))
}

export const encodeSubscribe = (reply: Reply.SubscribeReply): string => {
  expectTag("subscribe", reply, "SubscribeResult", true)
  if (reply._tag !== "SubscribeResult") return rejection(reply)
  const info = data("info", reply.info)
  const payloadData = data("data", reply.data)
  return result(object([
    ["expire_at", int64Seconds("expireAt", reply.expireAt)],
    ["info", info.raw],
    ["b64info", info.b64],
    ["data", payloadData.raw],
    ["b64data", payloadData.b64],
    ["override", override(reply.override)]
  ]))
}

export const encodePublish = (reply: Reply.PublishReply): string => {
  expectTag("publish", reply, "PublishResult", true)
  if (reply._tag !== "PublishResult") return rejection(reply)
  const payloadData = data("data", reply.data)
  return result(object([
    ["data", payloadData.raw],
    ["b64data", payloadData.b64],
    ["skip_history", bool(reply.skipHistory)],
    ["tags", tags(reply.tags)],
    ["idempotency_key", str(reply.idempotencyKey)],
    ["delta", bool(reply.delta)],
    ["version", uint64("version", reply.version)],
    ["version_epoch", str(reply.versionEpoch)]
  ]))
}

export const encodeRpc = (reply: Reply.RpcReply): string => {
  expectTag("rpc", reply, "RpcResult", true)
  if (reply._tag !== "RpcResult") return rejection(reply)
  const payloadData = data("data", reply.data)
  return result(object([["data", payloadData.raw], ["b64data", payloadData.b64]]))
}

export const encodeSubRefresh = (reply: Reply.SubRefreshReply): string => {
  expectTag("subRefresh", reply, "SubRefreshResult", false)
  const info = data("info", reply.info)
  return result(object([
    ["expired", bool(reply.expired)],
    ["expire_at", int64Seconds("expireAt", reply.expireAt)],
    ["info", info.raw],
    ["b64info", info.b64]
  ]))
}

export const encodeMapPublish = (reply: Reply.MapPublishReply): string => {
  expectTag("mapPublish", reply, "MapPublishResult", true)
  if (reply._tag !== "MapPublishResult") return rejection(reply)
  const payloadData = data("data", reply.data)
  const streamData = data("streamData", reply.streamData)
  return result(object([
    ["key", str(reply.key)],
    ["data", payloadData.raw],
    ["b64data", payloadData.b64],
    ["tags", tags(reply.tags)],
    ["score", int64("score", reply.score)],
    ["key_mode", str(reply.keyMode)],
    ["stream_data", streamData.raw],
    ["b64stream_data", streamData.b64],
    ["idempotency_key", str(reply.idempotencyKey)],
    ["delta", bool(reply.delta)],
    ["version", uint64("version", reply.version)],
    ["version_epoch", str(reply.versionEpoch)]
  ]))
}

export const encodeMapRemove = (reply: Reply.MapRemoveReply): string => {
  expectTag("mapRemove", reply, "MapRemoveResult", true)
  if (reply._tag !== "MapRemoveResult") return rejection(reply)
  return result(object([
    ["key", str(reply.key)],
    ["tags", tags(reply.tags)],
    ["idempotency_key", str(reply.idempotencyKey)]
  ]))
}

const NO_BINARY_POLL = "shared-poll item data is raw JSON over HTTP (no b64 field); use the gRPC transport for binary items"

export const encodeSharedPollRefresh = (reply: Reply.SharedPollRefreshReply): string => {
  expectTag("sharedPollRefresh", reply, "SharedPollRefreshResult", true)
  if (reply._tag === "ErrorReply") return object([["error", errorObject(reply)]])
  if (reply._tag !== "SharedPollRefreshResult") {
    throw new TypeError("the sharedPollRefresh handler answered a DisconnectReply; Centrifugo has no disconnect here")
  }
  const items = reply.items.length === 0 ? undefined : `[${
    reply.items.map((item, i) =>
      object([
        ["key", str(item.key)],
        ["data", jsonOnly(`items[${i}].data`, item.data, NO_BINARY_POLL)],
        ["version", uint64(`items[${i}].version`, item.version)],
        ["removed", bool(item.removed)],
        ["prev_data", jsonOnly(`items[${i}].prevData`, item.prevData, NO_BINARY_POLL)]
      ])
    ).join(",")
  }]`
  return result(object([["items", items], ["epoch", str(reply.epoch)]]))
}

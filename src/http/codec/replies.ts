/**
 * The HTTP codec's replies: domain replies -> the JSON text Centrifugo's Go decoder reads (see the module doc of
 * `./index.ts` for the wire form). Throws a TypeError for a reply that cannot be sent.
 *
 * @since 0.1.0
 */
import * as Wire from "../../internal/wireNumbers.ts"
import * as Payload from "../../Payload.ts"
import type * as Reply from "../../Reply.ts"


/** `"name":json` pairs of one object; `undefined` values are left out (Go's `omitempty`). */
const object = (entries: ReadonlyArray<readonly [string, string | undefined]>): string => {
  let out = ""
  for (const [name, json] of entries) out = field(out, name, json)
  return `{${out}}`
}

/**
 * One `"name":json` pair appended to an object's fields (`undefined` is left out): the per-call encoders build their
 * object field by field with it, rather than through an array of pairs (~700 bytes a Connect reply).
 */
const field = (out: string, name: string, json: string | undefined): string =>
  json === undefined ? out : out === "" ? `"${name}":${json}` : `${out},"${name}":${json}`

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

/** A payload for its raw field (JSON): undefined when there is none or it is binary (see `b64`). */
const raw = (name: string, value: unknown): string | undefined =>
  value === undefined || Payload.isBinary(value) ? undefined : jsonText(name, value)

/** A binary payload for the raw field's `b64` twin; undefined for none or JSON. */
const b64 = (value: unknown): string | undefined =>
  value !== undefined && Payload.isBinary(value) ? JSON.stringify(Buffer.from(value.bytes).toString("base64")) : undefined

/** The payload's raw field and its `b64` twin, appended (at most one of them is present). */
const payloadFields = (out: string, name: string, fieldName: string, value: unknown): string =>
  field(field(out, name, raw(fieldName, value)), `b64${name}`, b64(value))

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
  let out = field("", "expire_at", int64Seconds(`subs[${channel}].expireAt`, options.expireAt))
  out = payloadFields(out, "info", `subs[${channel}].info`, options.info)
  out = payloadFields(out, "data", `subs[${channel}].data`, options.data)
  out = field(out, "override", override(options.override))
  return `{${field(out, "cache_recover", bool(options.cacheRecover))}}`
}

const rejection = (reply: Reply.Rejection): string =>
  reply._tag === "ErrorReply"
    ? `{"error":${errorObject(reply)}}`
    : `{"disconnect":{${field(`"code":${reply.code}`, "reason", str(reply.reason))}}}`

const errorObject = (reply: Reply.ErrorReply): string =>
  `{${field(field(`"code":${reply.code}`, "message", str(reply.message)), "temporary", bool(reply.temporary))}}`

/** `{"result":{fields}}`. */
const result = (fields: string): string => `{"result":{${fields}}}`


export const encodeConnect = (reply: Reply.ConnectReply): string => {
  if (reply._tag !== "ConnectResult") return rejection(reply)
  let out = field("", "user", str(reply.user))
  out = field(out, "expire_at", int64Seconds("expireAt", reply.expireAt))
  out = payloadFields(out, "info", "info", reply.info)
  out = payloadFields(out, "data", "data", reply.data)
  out = field(out, "channels", strings_(reply.channels))
  if (reply.subs !== undefined && Object.keys(reply.subs).length > 0) {
    out = field(out, "subs", object(Object.entries(reply.subs).map(([channel, options]) =>
      [JSON.stringify(channel).slice(1, -1), subscribeOptions(channel, options)] as const
    )))
  }
  return result(field(out, "meta", jsonOnly("meta", reply.meta)))
}

export const encodeRefresh = (reply: Reply.RefreshReply): string => {
  let out = field("", "expired", bool(reply.expired))
  out = field(out, "expire_at", int64Seconds("expireAt", reply.expireAt))
  out = payloadFields(out, "info", "info", reply.info)
  return result(field(out, "meta", jsonOnly("meta", reply.meta)))
}

export const encodeSubscribe = (reply: Reply.SubscribeReply): string => {
  if (reply._tag !== "SubscribeResult") return rejection(reply)
  let out = field("", "expire_at", int64Seconds("expireAt", reply.expireAt))
  out = payloadFields(out, "info", "info", reply.info)
  out = payloadFields(out, "data", "data", reply.data)
  return result(field(out, "override", override(reply.override)))
}

export const encodePublish = (reply: Reply.PublishReply): string => {
  if (reply._tag !== "PublishResult") return rejection(reply)
  let out = payloadFields("", "data", "data", reply.data)
  out = field(out, "skip_history", bool(reply.skipHistory))
  out = field(out, "tags", tags(reply.tags))
  out = field(out, "idempotency_key", str(reply.idempotencyKey))
  out = field(out, "delta", bool(reply.delta))
  out = field(out, "version", uint64("version", reply.version))
  return result(field(out, "version_epoch", str(reply.versionEpoch)))
}

export const encodeRpc = (reply: Reply.RpcReply): string => {
  if (reply._tag !== "RpcResult") return rejection(reply)
  return result(payloadFields("", "data", "data", reply.data))
}

export const encodeSubRefresh = (reply: Reply.SubRefreshReply): string => {
  const out = field(field("", "expired", bool(reply.expired)), "expire_at", int64Seconds("expireAt", reply.expireAt))
  return result(payloadFields(out, "info", "info", reply.info))
}

export const encodeMapPublish = (reply: Reply.MapPublishReply): string => {
  if (reply._tag !== "MapPublishResult") return rejection(reply)
  let out = field("", "key", str(reply.key))
  out = payloadFields(out, "data", "data", reply.data)
  out = field(out, "tags", tags(reply.tags))
  out = field(out, "score", int64("score", reply.score))
  out = field(out, "key_mode", str(reply.keyMode))
  out = payloadFields(out, "stream_data", "streamData", reply.streamData)
  out = field(out, "idempotency_key", str(reply.idempotencyKey))
  out = field(out, "delta", bool(reply.delta))
  out = field(out, "version", uint64("version", reply.version))
  return result(field(out, "version_epoch", str(reply.versionEpoch)))
}

export const encodeMapRemove = (reply: Reply.MapRemoveReply): string => {
  if (reply._tag !== "MapRemoveResult") return rejection(reply)
  const out = field(field("", "key", str(reply.key)), "tags", tags(reply.tags))
  return result(field(out, "idempotency_key", str(reply.idempotencyKey)))
}

const NO_BINARY_POLL = "shared-poll item data is raw JSON over HTTP (no b64 field); use the gRPC transport for binary items"

export const encodeSharedPollRefresh = (reply: Reply.SharedPollRefreshReply): string => {
  if (reply._tag === "ErrorReply") return `{"error":${errorObject(reply)}}`
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
  return result(field(field("", "items", items), "epoch", str(reply.epoch)))
}

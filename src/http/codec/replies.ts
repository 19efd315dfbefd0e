/**
 * The HTTP codec's replies: domain replies -> the JSON text Centrifugo's Go decoder reads (see the module doc of
 * `./index.ts` for the wire form). Throws a TypeError for a reply that cannot be sent.
 *
 * @since 0.1.0
 */
import { expectTag } from "../../internal/replyTag.ts"
import * as Wire from "../../internal/wireNumbers.ts"
import * as Payload from "../../Payload.ts"
import type * as Reply from "../../Reply.ts"


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

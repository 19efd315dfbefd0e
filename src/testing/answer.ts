/**
 * The answer `handle` gives, derived from the reply value before any transport encodes it: the result in
 * Centrifugo's wire shape (snake_case names, JSON payloads parsed, binary payloads in their `b64` twins as base64,
 * 64-bit numbers as numbers, zero values left out as both transports leave them out), or the error or disconnect.
 * It throws a TypeError for a reply the chosen transport cannot send, as its codec would: the pipeline answers that
 * like any other failure.
 *
 * @since 0.1.0
 */
import type { Transport } from "../Defaults.ts"
import type { ProxyEvent } from "../internal/events.ts"
import * as Wire from "../internal/wireNumbers.ts"
import * as Payload from "../Payload.ts"
import type * as Reply from "../Reply.ts"

/** The decoded answer of a reply. */
export interface ReplyAnswer {
  readonly result?: Record<string, unknown>
  readonly error?: { readonly code: number; readonly message: string; readonly temporary: boolean }
  readonly disconnect?: { readonly code: number; readonly reason: string }
}

type Fields = Record<string, unknown>

/** A JSON payload's value as a decoder reads it back; raw JSON text parsed (HTTP refuses text that is not JSON). */
const json = (field: string, value: unknown, transport: Transport): unknown => {
  if (Payload.isRawJson(value)) {
    try {
      return JSON.parse(value.text)
    } catch (error) {
      if (transport === "http") throw new TypeError(`${field}: Payload.rawJson text is not JSON (${String(error)})`)
      return Buffer.from(value.text)
    }
  }
  const text = JSON.stringify(value)
  if (text === undefined) throw new TypeError(`${field}: ${typeof value} has no JSON form`)
  return JSON.parse(text)
}

/** A payload into its JSON field or, binary, its `b64` twin. */
const payload = (out: Fields, name: string, field: string, value: unknown, transport: Transport): void => {
  if (value === undefined) return
  if (Payload.isBinary(value)) {
    if (value.bytes.length > 0) out[`b64${name}`] = Buffer.from(value.bytes).toString("base64")
  } else out[name] = json(field, value, transport)
}

/** A payload Centrifugo has a JSON field only for. */
const jsonOnly = (out: Fields, name: string, field: string, value: unknown, transport: Transport, why?: string) => {
  if (value === undefined) return
  if (Payload.isBinary(value)) throw new TypeError(`${field} must be JSON: ${why ?? "Centrifugo has no binary form for it"}`)
  out[name] = json(field, value, transport)
}

/** Sets `out[name]` unless the value is a zero value, which neither transport sends. */
const set = (out: Fields, name: string, value: unknown): void => {
  if (value === undefined || value === "" || value === false || value === 0n) return
  if (Array.isArray(value) && value.length === 0) return
  if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return
  out[name] = typeof value === "bigint" ? Number(value) : value
}

const boolValue = (value: boolean | undefined) => (value === undefined ? undefined : value ? { value: true } : {})

const override = (value: Reply.SubscribeOverride | undefined): Fields | undefined => {
  if (value === undefined) return undefined
  const out: Fields = {}
  const entries = [
    ["presence", value.presence],
    ["join_leave", value.joinLeave],
    ["force_recovery", value.forceRecovery],
    ["force_positioning", value.forcePositioning],
    ["force_push_join_leave", value.forcePushJoinLeave]
  ] as const
  for (const [name, flag] of entries) if (flag !== undefined) out[name] = boolValue(flag)
  return out
}

/** The fields a subscribe result, a stream's first reply and a connect's `subs` entry share. */
const subscription = (
  prefix: string,
  reply: Pick<Reply.SubscribeResult, "expireAt" | "info" | "data" | "override">,
  transport: Transport
): Fields => {
  const out: Fields = {}
  set(out, "expire_at", Wire.int64Seconds(`${prefix}expireAt`, reply.expireAt))
  payload(out, "info", `${prefix}info`, reply.info, transport)
  payload(out, "data", `${prefix}data`, reply.data, transport)
  if (reply.override !== undefined) out.override = override(reply.override)
  return out
}

const publishOptions = (out: Fields, reply: Reply.PublishResult | Reply.MapPublishResult): void => {
  set(out, "tags", reply.tags)
  set(out, "idempotency_key", reply.idempotencyKey)
  set(out, "delta", reply.delta)
  set(out, "version", Wire.uint64("version", reply.version))
  set(out, "version_epoch", reply.versionEpoch)
}

const NO_BINARY_POLL = "shared-poll item data is raw JSON over HTTP (no b64 field); use the gRPC transport for binary items"

/** Shared-poll item data: raw bytes on gRPC (JSON text or binary as it is), raw JSON over HTTP. */
const pollData = (out: Fields, name: string, field: string, value: unknown, transport: Transport): void => {
  if (Payload.isBinary(value) && transport === "grpc") set(out, name, Buffer.from(value.bytes))
  else jsonOnly(out, name, field, value, transport, NO_BINARY_POLL)
}

const result = (reply: Reply.AnyReply, transport: Transport): Fields => {
  const out: Fields = {}
  switch (reply._tag) {
    case "ConnectResult": {
      set(out, "user", reply.user)
      set(out, "expire_at", Wire.int64Seconds("expireAt", reply.expireAt))
      payload(out, "info", "info", reply.info, transport)
      payload(out, "data", "data", reply.data, transport)
      set(out, "channels", reply.channels)
      if (reply.subs !== undefined) {
        const subs: Fields = {}
        for (const [channel, options] of Object.entries(reply.subs)) {
          subs[channel] = { ...subscription(`subs[${channel}].`, options, transport) }
          set(subs[channel] as Fields, "cache_recover", options.cacheRecover)
        }
        set(out, "subs", subs)
      }
      jsonOnly(out, "meta", "meta", reply.meta, transport)
      return out
    }
    case "RefreshResult":
    case "SubRefreshResult":
      set(out, "expired", reply.expired)
      set(out, "expire_at", Wire.int64Seconds("expireAt", reply.expireAt))
      payload(out, "info", "info", reply.info, transport)
      if (reply._tag === "RefreshResult") jsonOnly(out, "meta", "meta", reply.meta, transport)
      return out
    case "SubscribeResult":
    case "StreamResult":
      return subscription("", reply, transport)
    case "PublishResult":
      payload(out, "data", "data", reply.data, transport)
      set(out, "skip_history", reply.skipHistory)
      publishOptions(out, reply)
      return out
    case "RpcResult":
      payload(out, "data", "data", reply.data, transport)
      return out
    case "MapPublishResult":
      set(out, "key", reply.key)
      payload(out, "data", "data", reply.data, transport)
      set(out, "score", Wire.int64("score", reply.score))
      set(out, "key_mode", reply.keyMode)
      payload(out, "stream_data", "streamData", reply.streamData, transport)
      publishOptions(out, reply)
      return out
    case "MapRemoveResult":
      set(out, "key", reply.key)
      set(out, "tags", reply.tags)
      set(out, "idempotency_key", reply.idempotencyKey)
      return out
    case "SharedPollRefreshResult":
      set(
        out,
        "items",
        reply.items.map((item, i) => {
          const entry: Fields = {}
          set(entry, "key", item.key)
          pollData(entry, "data", `items[${i}].data`, item.data, transport)
          set(entry, "version", Wire.uint64(`items[${i}].version`, item.version))
          set(entry, "removed", item.removed)
          pollData(entry, "prev_data", `items[${i}].prevData`, item.prevData, transport)
          return entry
        })
      )
      set(out, "epoch", reply.epoch)
      return out
    case "NotifyCacheEmptyResult":
      set(out, "populated", reply.populated)
      return out
    default:
      return out
  }
}

/** The answer to `reply` for `event` over `transport`; throws a TypeError where that transport's codec would. */
export const answerOf = (event: ProxyEvent, reply: Reply.AnyReply, transport: Transport): ReplyAnswer => {
  if (reply._tag === "ErrorReply") {
    return { error: { code: reply.code, message: reply.message, temporary: reply.temporary } }
  }
  if (reply._tag === "DisconnectReply") {
    if (!event.disconnects) {
      throw new TypeError(`the ${event.name} handler answered a DisconnectReply; Centrifugo has no disconnect here`)
    }
    return { disconnect: { code: reply.code, reason: reply.reason } }
  }
  return { result: result(reply, transport) }
}

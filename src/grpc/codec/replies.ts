/**
 * The gRPC codec's replies: domain replies -> protobuf bytes, for each proxy method and a stream's messages.
 *
 * Centrifugo's conventions on top of the generated code: JSON payload bytes vs `b64*` fields, BoolValue overrides,
 * Unix-second int64 times. Encoding throws a TypeError for a reply that cannot be sent; the pipeline answers that
 * as a failure.
 *
 * @since 0.1.0
 */
import * as Wire from "../../internal/wireNumbers.ts"
import * as Payload from "../../Payload.ts"
import * as PayloadWire from "../../internal/payloadWire.ts"
import * as pb from "../../proto/generated/proxy.ts"
import type * as Reply from "../../Reply.ts"
import { finish, writer } from "./wire.ts"

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

export const encodeConnect = (reply: Reply.ConnectReply): Buffer => {
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
  if (reply._tag !== "SubscribeResult") return finish(pb.SubscribeResponse.encode(rejection(reply), writer()))
  return finish(pb.SubscribeResponse.encode({ result: subscribeResult(reply) }, writer()))
}

export const encodePublish = (reply: Reply.PublishReply): Buffer => {
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
  if (reply._tag !== "RpcResult") return finish(pb.RPCResponse.encode(rejection(reply), writer()))
  const payloadData = data("data", reply.data)
  return finish(pb.RPCResponse.encode({ result: { data: payloadData.bytes, b64data: payloadData.b64 } }, writer()))
}

export const encodeSubRefresh = (reply: Reply.SubRefreshReply): Buffer => {
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
  return finish(pb.NotifyCacheEmptyResponse.encode({ result: { populated: reply.populated } }, writer()))
}

export const encodeNotifyChannelState = (reply: Reply.NotifyChannelStateReply): Buffer => {
  if (reply._tag === "ErrorReply") return finish(pb.NotifyChannelStateResponse.encode({ error: rejection(reply).error }, writer()))
  if (reply._tag !== "NotifyChannelStateResult") {
    throw new TypeError("the notifyChannelState handler answered a DisconnectReply; Centrifugo has no disconnect here")
  }
  return finish(pb.NotifyChannelStateResponse.encode({ result: {} }, writer()))
}

/** The first message of a stream subscription: the subscribe response. */
export const encodeStreamFirst = (reply: Reply.StreamReply): Buffer => {
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

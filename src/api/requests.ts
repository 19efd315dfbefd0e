/**
 * Each server API method's input as Centrifugo's wire request (snake_case fields, payloads as `data` or `b64data`):
 * what `CentrifugoApi.make` hands its transport.
 *
 * @since 0.1.0
 */
import * as Payload from "../Payload.ts"
import type {
  BroadcastInput,
  DisconnectInput,
  HistoryInput,
  MapPublishInput,
  MapReadStateInput,
  MapReadStreamInput,
  PublishInput,
  PublishOptions,
  RefreshInput,
  SharedPollPublishInput,
  StreamPosition,
  SubscribeInput,
  UnsubscribeInput
} from "./models.ts"
import type { WireObject } from "./wire.ts"


const defined = (object: Record<string, unknown>): WireObject =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined))

/** A payload as `{ data }` (JSON) or `{ b64data }` (binary) — or the `info`/`b64info` pair. */
const payload = (field: "data" | "info" | "stream_data", value: unknown): WireObject => {
  if (value === undefined) return {}
  if (Payload.isBinary(value)) return { [`b64${field.replace("_", "")}`]: Buffer.from(value.bytes).toString("base64") }
  if (Payload.isRawJson(value)) return { [field]: JSON.parse(value.text) }
  return { [field]: value }
}

const position = (value: StreamPosition | undefined) =>
  value === undefined ? undefined : { offset: value.offset, epoch: value.epoch }

const boolValue = (value: boolean | undefined) => (value === undefined ? undefined : { value })

const publishFields = (input: PublishOptions) =>
  defined({
    skip_history: input.skipHistory,
    tags: input.tags,
    idempotency_key: input.idempotencyKey,
    delta: input.delta,
    version: input.version,
    version_epoch: input.versionEpoch
  })

/** Each API method (by its wire name) from its input to its wire request. */
export const wireRequests = {
  publish: (i: PublishInput) => ({ channel: i.channel, ...payload("data", i.data), ...publishFields(i) }),
  broadcast: (i: BroadcastInput) => ({ channels: [...i.channels], ...payload("data", i.data), ...publishFields(i) }),
  subscribe: (i: SubscribeInput) =>
    defined({
      channel: i.channel,
      user: i.user,
      client: i.client,
      session: i.session,
      expire_at: i.expireAt,
      ...payload("info", i.info),
      ...payload("data", i.data),
      recover_since: position(i.recoverSince),
      override: i.override === undefined ? undefined : defined({
        presence: boolValue(i.override.presence),
        join_leave: boolValue(i.override.joinLeave),
        force_recovery: boolValue(i.override.forceRecovery),
        force_positioning: boolValue(i.override.forcePositioning),
        force_push_join_leave: boolValue(i.override.forcePushJoinLeave)
      })
    }),
  unsubscribe: (i: UnsubscribeInput) => defined({ channel: i.channel, user: i.user, client: i.client, session: i.session }),
  disconnect: (i: DisconnectInput) =>
    defined({
      user: i.user,
      client: i.client,
      session: i.session,
      whitelist: i.whitelist === undefined ? undefined : [...i.whitelist],
      disconnect: i.disconnect
    }),
  refresh: (i: RefreshInput) =>
    defined({
      user: i.user,
      client: i.client,
      session: i.session,
      expired: i.expired,
      expire_at: i.expireAt,
      ...payload("info", i.info)
    }),
  presence: (i: { readonly channel: string }) => ({ channel: i.channel }),
  presence_stats: (i: { readonly channel: string }) => ({ channel: i.channel }),
  history: (i: HistoryInput) =>
    defined({ channel: i.channel, limit: i.limit, since: position(i.since), reverse: i.reverse }),
  history_remove: (i: { readonly channel: string }) => ({ channel: i.channel }),
  info: (_: void) => ({}),
  rpc: (i: { readonly method: string; readonly params?: unknown }) => defined({ method: i.method, params: i.params }),
  channels: (i: { readonly pattern?: string }) => defined({ pattern: i.pattern }),
  map_publish: (i: MapPublishInput) =>
    defined({
      channel: i.channel,
      key: i.key,
      ...payload("data", i.data),
      ...payload("stream_data", i.streamData),
      tags: i.tags,
      idempotency_key: i.idempotencyKey,
      delta: i.delta,
      version: i.version,
      version_epoch: i.versionEpoch,
      score: i.score,
      key_mode: i.keyMode
    }),
  map_remove: (i: { readonly channel: string; readonly key: string; readonly idempotencyKey?: string }) =>
    defined({ channel: i.channel, key: i.key, idempotency_key: i.idempotencyKey }),
  map_read_state: (i: MapReadStateInput) =>
    defined({
      channel: i.channel,
      cursor: i.cursor,
      limit: i.limit,
      key: i.key,
      asc: i.asc,
      revision_offset: i.revision?.offset,
      revision_epoch: i.revision?.epoch
    }),
  map_read_stream: (i: MapReadStreamInput) =>
    defined({
      channel: i.channel,
      since_offset: i.since?.offset,
      since_epoch: i.since?.epoch,
      limit: i.limit,
      reverse: i.reverse
    }),
  map_stats: (i: { readonly channel: string }) => ({ channel: i.channel }),
  map_clear: (i: { readonly channel: string }) => ({ channel: i.channel }),
  shared_poll_publish: (i: SharedPollPublishInput) =>
    defined({ channel: i.channel, key: i.key, ...payload("data", i.data), version: i.version, epoch: i.epoch })
} as const

/**
 * Centrifugo's wire results (snake_case JSON) as the typed outputs of the server API's methods; lenient on purpose
 * (an absent field is zero or empty), since Centrifugo leaves out the zero values of protobuf fields.
 *
 * @since 0.1.0
 */
import type {
  BatchReply,
  BroadcastItem,
  ClientInfo,
  HistoryResult,
  MapEntry,
  MapWriteResult,
  NodeInfo,
  PublishPosition
} from "./models.ts"

/** A wire result: a JSON object as Centrifugo sent it. */
export type W = Record<string, unknown>
const num = (value: unknown): number => (typeof value === "number" ? value : Number(value ?? 0))
const str = (value: unknown): string => (typeof value === "string" ? value : "")

const records = (value: unknown): ReadonlyArray<W> => (Array.isArray(value) ? value as Array<W> : [])
const entriesOf = (value: unknown): Array<[string, W]> =>
  typeof value === "object" && value !== null ? Object.entries(value as Record<string, W>) : []

const clientInfo = (w: W): ClientInfo =>
  ({
    user: str(w.user),
    client: str(w.client),
    ...(w.conn_info === undefined ? {} : { connInfo: w.conn_info }),
    ...(w.chan_info === undefined ? {} : { chanInfo: w.chan_info })
  })

/** `publish` (and every map read): the stream position, when the channel keeps one. */
export const publishPosition = (w: W): PublishPosition =>
  ({
    ...(w.offset === undefined ? {} : { offset: num(w.offset) }),
    ...(w.epoch === undefined || w.epoch === "" ? {} : { epoch: str(w.epoch) })
  })

const mapEntry = (w: W): MapEntry =>
  ({
    key: str(w.key),
    data: w.data,
    ...(w.tags === undefined ? {} : { tags: w.tags as Record<string, string> }),
    ...(w.offset === undefined ? {} : { offset: num(w.offset) }),
    ...(w.score === undefined ? {} : { score: num(w.score) }),
    ...(w.removed === undefined ? {} : { removed: Boolean(w.removed) }),
    ...(w.time === undefined ? {} : { time: num(w.time) })
  })

/** `mapPublish` and `mapRemove`. */
export const mapWriteResult = (w: W): MapWriteResult =>
  ({
    ...publishPosition(w),
    ...(w.suppressed === undefined ? {} : { suppressed: Boolean(w.suppressed) }),
    ...(w.suppress_reason === undefined ? {} : { suppressReason: str(w.suppress_reason) })
  })

/** An error answer inside a result (a broadcast's or a batch's item), when its code is not 0. */
const itemError = (w: W): { readonly code: number; readonly message: string } | undefined => {
  const error = w.error as W | undefined
  return error !== undefined && num(error.code) !== 0 ? { code: num(error.code), message: str(error.message) } : undefined
}

/** `broadcast`: one outcome per channel, in the order of `channels`. */
export const broadcastItems = (w: W, channels: ReadonlyArray<string>): ReadonlyArray<BroadcastItem> =>
  records(w.responses).map((response, i) => {
    const channel = channels[i] ?? ""
    const error = itemError(response)
    return error !== undefined ? { channel, error } : { channel, result: publishPosition((response.result ?? {}) as W) }
  })

/** `batch`: one reply per command, in command order. */
export const batchReplies = (w: W): ReadonlyArray<BatchReply> =>
  records(w.replies).map((reply): BatchReply => {
    const error = itemError(reply)
    if (error !== undefined) return { error }
    const [, value] = Object.entries(reply).find(([key]) => key !== "error") ?? ["", {}]
    return { result: value }
  })

/** `presence`: client ID -> client info. */
export const presence = (w: W): Readonly<Record<string, ClientInfo>> =>
  Object.fromEntries(entriesOf(w.presence).map(([id, info]) => [id, clientInfo(info)]))

/** `presenceStats`. */
export const presenceStats = (w: W) => ({ numClients: num(w.num_clients), numUsers: num(w.num_users) })

/** `history`. */
export const history = (w: W): HistoryResult => ({
  publications: records(w.publications).map((p) => ({
    data: p.data,
    offset: num(p.offset),
    ...(p.info === undefined ? {} : { info: clientInfo(p.info as W) }),
    ...(p.tags === undefined ? {} : { tags: p.tags as Record<string, string> })
  })),
  offset: num(w.offset),
  epoch: str(w.epoch)
})

/** `info`: every node. */
export const info = (w: W): { readonly nodes: ReadonlyArray<NodeInfo> } => ({
  nodes: records(w.nodes).map((n) => ({
    uid: str(n.uid),
    name: str(n.name),
    version: str(n.version),
    numClients: num(n.num_clients),
    numUsers: num(n.num_users),
    numChannels: num(n.num_channels),
    numSubs: num(n.num_subs),
    uptime: num(n.uptime),
    ...(n.process === undefined ? {} : { process: { cpu: num((n.process as W).cpu), rss: num((n.process as W).rss) } })
  }))
})

/** `channels`: channel -> number of clients. */
export const channels = (w: W): Readonly<Record<string, { readonly numClients: number }>> =>
  Object.fromEntries(entriesOf(w.channels).map(([channel, info]) => [channel, { numClients: num(info.num_clients) }]))

/** `mapReadState`: a page of entries, the position, and the cursor of the next page. */
export const mapReadState = (w: W) => ({
  entries: records(w.entries).map(mapEntry),
  ...publishPosition(w),
  ...(w.cursor === undefined || w.cursor === "" ? {} : { cursor: str(w.cursor) })
})

/** `mapReadStream`. */
export const mapReadStream = (w: W) => ({ entries: records(w.entries).map(mapEntry), ...publishPosition(w) })

/** `mapStats`. */
export const mapStats = (w: W) => ({ numKeys: num(w.num_keys) })

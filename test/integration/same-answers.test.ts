// One handler set, two transports: the same request table through the gRPC server (ProxyClient, protobuf) and the
// HTTP transport (HttpProxyClient, JSON), and the decoded replies compared. Both servers run in this process.
import type * as grpc from "@grpc/grpc-js"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HandlerSet, Payload, Reply } from "../../src/index.ts"
import * as pb from "../../src/proto/generated/proxy.ts"
import { HttpProxyClient, ProxyClient, TestServer } from "../../src/testing/index.ts"

const handlers = HandlerSet.layer({
  connect: (request) =>
    Effect.gen(function*() {
      const data = request.data as { mode?: string; user?: string } | undefined
      if (data?.mode === "reject") return yield* Reply.error(1403, "nope", true)
      if (data?.mode === "disconnect") return Reply.disconnect(4503, "banned")
      if (data?.mode === "die") return yield* Effect.die(new Error("bug"))
      if (data?.mode === "unencodable") return Reply.connect({ user: "x", info: { n: 1n } })
      if (request.encoding === "binary") {
        return Reply.connect({ user: "b", data: Payload.binary(request.rawData ?? new Uint8Array()) })
      }
      return Reply.connect({
        user: data?.user ?? "",
        expireAt: 1_900_000_000,
        info: { name: data?.user },
        data: { echo: request.data, channels: request.channels, name: request.name },
        channels: ["news"],
        subs: { "personal#1": { info: { p: 1 }, override: { presence: false, joinLeave: true }, expireAt: 1 } },
        meta: { plan: "gold" }
      })
    }),
  refresh: (request) =>
    request.user === "fail"
      ? Effect.fail("broken")
      : Effect.succeed(Reply.refresh({ expireAt: 1_900_000_000, info: { meta: request.meta } })),
  subscribe: (request) =>
    Effect.succeed(
      request.channel === "denied"
        ? Reply.error(1403, "denied")
        : Reply.subscribe({ data: { asked: request.data, user: request.user }, override: { forceRecovery: true } })
    ),
  publish: (request) =>
    Effect.succeed(Reply.publish({ data: { up: request.data }, tags: { a: "b" }, version: 7, versionEpoch: "e" })),
  rpc: (request) => Effect.succeed(Reply.rpc({ data: { method: request.method, echo: request.data, meta: request.meta } })),
  subRefresh: (request) => Effect.succeed(Reply.subRefresh({ expired: request.channel === "gone" })),
  mapPublish: (request) =>
    Effect.succeed(Reply.mapPublish({ key: request.key, data: request.data, score: 3, keyMode: "if_new" })),
  sharedPollRefresh: (request) =>
    Effect.succeed(Reply.sharedPollRefresh({
      items: request.items.map((item) => ({ key: item.key, version: item.version + 1n, data: { k: item.key } })),
      epoch: "ep"
    }))
})

/** A row: the event's gRPC method and HTTP path, and the request in Centrifugo's JSON form. */
interface Row {
  readonly name: string
  readonly method: string
  readonly path: string
  readonly body: Record<string, unknown>
}

const nested = (depth: number): unknown => {
  let value: unknown = []
  for (let i = 1; i < depth; i++) value = [value]
  return value
}
const base = { client: "c1", transport: "websocket", protocol: "json", encoding: "json" }
const rows: ReadonlyArray<Row> = [
  { name: "connect accepted", method: "Connect", path: "connect", body: { ...base, data: { user: "alice" }, name: "js", channels: ["a"] } },
  { name: "connect rejected", method: "Connect", path: "connect", body: { ...base, data: { mode: "reject" } } },
  { name: "connect disconnect", method: "Connect", path: "connect", body: { ...base, data: { mode: "disconnect" } } },
  { name: "connect defect", method: "Connect", path: "connect", body: { ...base, data: { mode: "die" } } },
  { name: "connect unencodable reply", method: "Connect", path: "connect", body: { ...base, data: { mode: "unencodable" } } },
  { name: "connect binary", method: "Connect", path: "connect", body: { ...base, encoding: "binary", b64data: "AAEC/w==" } },
  { name: "connect without data", method: "Connect", path: "connect", body: { ...base } },
  { name: "connect with data nested 600 deep (107)", method: "Connect", path: "connect", body: { ...base, data: nested(600) } },
  { name: "refresh with meta nested 600 deep", method: "Refresh", path: "refresh", body: { ...base, user: "u", meta: nested(600) } },
  { name: "refresh", method: "Refresh", path: "refresh", body: { ...base, user: "u", meta: { m: [1, 2] } } },
  { name: "refresh failure", method: "Refresh", path: "refresh", body: { ...base, user: "fail" } },
  { name: "subscribe", method: "Subscribe", path: "subscribe", body: { ...base, user: "u", channel: "c", data: { x: 1 } } },
  { name: "subscribe denied", method: "Subscribe", path: "subscribe", body: { ...base, user: "u", channel: "denied" } },
  { name: "publish", method: "Publish", path: "publish", body: { ...base, user: "u", channel: "c", data: "hi" } },
  { name: "rpc", method: "RPC", path: "rpc", body: { ...base, user: "u", method: "m", data: [1, null], meta: { a: 1 } } },
  { name: "sub_refresh", method: "SubRefresh", path: "sub_refresh", body: { ...base, user: "u", channel: "gone" } },
  { name: "map_publish", method: "MapPublish", path: "map_publish", body: { ...base, channel: "m", key: "k", data: { v: 1 } } },
  { name: "map_remove (no handler)", method: "MapRemove", path: "map_remove", body: { ...base, channel: "m", key: "k" } },
  {
    name: "shared_poll_refresh",
    method: "SharedPollRefresh",
    path: "shared_poll_refresh",
    body: { channel: "p", items: [{ key: "a", version: 1 }, { key: "b", version: 9 }] }
  }
]

const RAW_FIELDS = new Set(["data", "info", "meta", "stream_data", "prev_data"])
const BIG_FIELDS = new Set(["expire_at", "version", "score", "time_ms"])

/** The protobuf request of a JSON-form body: raw JSON fields become JSON bytes, 64-bit numbers bigints. */
const toProto = (value: unknown, key = ""): unknown => {
  if (RAW_FIELDS.has(key)) return Buffer.from(JSON.stringify(value))
  if (BIG_FIELDS.has(key) && typeof value === "number") return BigInt(value)
  if (Array.isArray(value)) return value.map((item) => toProto(item))
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toProto(v, k)]))
  }
  return value
}

/** A reply with payload bytes parsed, 64-bit numbers as strings and zero values dropped (omitempty on both sides). */
const normalize = (value: unknown, key = ""): unknown => {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    if (value.length === 0) return undefined
    return RAW_FIELDS.has(key) ? normalize(JSON.parse(Buffer.from(value).toString("utf8"))) : Buffer.from(value).toString("base64")
  }
  if (typeof value === "bigint") return value === 0n ? undefined : value.toString()
  if (BIG_FIELDS.has(key) && typeof value === "number") return value === 0 ? undefined : String(value)
  if (value === false || value === "" || value === 0 || value === undefined) return undefined
  if (Array.isArray(value)) return value.map((item) => normalize(item))
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const n = normalize(v, k)
      if (n !== undefined) out[k] = n
    }
    return out
  }
  return value
}

const responseType: Record<string, { decode(bytes: Uint8Array): unknown }> = {
  Connect: pb.ConnectResponse,
  Refresh: pb.RefreshResponse,
  Subscribe: pb.SubscribeResponse,
  Publish: pb.PublishResponse,
  RPC: pb.RPCResponse,
  SubRefresh: pb.SubRefreshResponse,
  MapPublish: pb.MapPublishResponse,
  MapRemove: pb.MapRemoveResponse,
  SharedPollRefresh: pb.SharedPollRefreshResponse
}
const requestType: Record<string, { encode(message: never): { finish(): Uint8Array } }> = {
  Connect: pb.ConnectRequest,
  Refresh: pb.RefreshRequest,
  Subscribe: pb.SubscribeRequest,
  Publish: pb.PublishRequest,
  RPC: pb.RPCRequest,
  SubRefresh: pb.SubRefreshRequest,
  MapPublish: pb.MapPublishRequest,
  MapRemove: pb.MapRemoveRequest,
  SharedPollRefresh: pb.SharedPollRefreshRequest
}

// What each transport says when there is no reply message: gRPC status codes and HTTP statuses, by meaning.
const GRPC_MEANING: Record<number, string> = { 13: "failed", 3: "bad request", 12: "no handler" }
const HTTP_MEANING: Record<number, string> = { 500: "failed", 400: "bad request", 501: "no handler" }

describe("the same answers over gRPC and HTTP", () => {
  let grpcServer: TestServer.RunningServer
  let httpServer: TestServer.RunningHttpServer
  let grpcClient: ProxyClient.ProxyClient
  let httpClient: HttpProxyClient.HttpProxyClient

  beforeAll(async () => {
    grpcServer = await TestServer.start(handlers)
    httpServer = await TestServer.startHttp(handlers)
    grpcClient = ProxyClient.make(grpcServer.address)
    httpClient = HttpProxyClient.make(httpServer.url)
  })
  afterAll(async () => {
    grpcClient?.close()
    await grpcServer?.stop()
    await httpServer?.stop()
  })

  const overGrpc = async (row: Row): Promise<unknown> => {
    const bytes = requestType[row.method]!.encode(toProto(row.body) as never).finish()
    try {
      return normalize(responseType[row.method]!.decode(await grpcClient.raw(row.method, bytes)))
    } catch (error) {
      return { status: GRPC_MEANING[(error as grpc.ServiceError).code] ?? String((error as grpc.ServiceError).code) }
    }
  }

  const overHttp = async (row: Row): Promise<unknown> => {
    const reply = await httpClient.raw(`/centrifugo/${row.path}`, JSON.stringify(row.body))
    return reply.status === 200 ? normalize(reply.json) : { status: HTTP_MEANING[reply.status] ?? String(reply.status) }
  }

  it.each(rows.map((row) => [row.name, row] as const))("%s", async (_, row) => {
    const [viaGrpc, viaHttp] = [await overGrpc(row), await overHttp(row)]
    expect(viaHttp).toEqual(viaGrpc)
    // Not vacuous: every row answers something.
    expect(viaGrpc).not.toEqual({})
  })

  it("the table covers every answer kind: results, errors, disconnects, failures and a missing handler", async () => {
    const answers = await Promise.all(rows.map(overHttp))
    const kinds = new Set(answers.map((a) => Object.keys(a as object)[0]))
    expect([...kinds].sort()).toEqual(["disconnect", "error", "result", "status"])
  })
})

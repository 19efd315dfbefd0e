// One handler set, one request table, three ways in: the gRPC server (ProxyClient, protobuf), the HTTP transport
// (HttpProxyClient, JSON) and the testing kit's `handle` (with each transport's status mapping), and the decoded
// answers compared: every event (the stream subscriptions' first reply and the PRO notifications included, over the
// gRPC transport Centrifugo uses for them), valid and invalid inputs. Both servers run in this process.
import type * as grpc from "@grpc/grpc-js"
import { Effect, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as GrpcCodec from "../../src/grpc/codec/index.ts"
import { unaryMethods } from "../../src/grpc/methods.ts"
import { eventNamed, events } from "../../src/internal/events.ts"
import { HandlerSet, Payload, Reply } from "../../src/index.ts"
import * as pb from "../../src/proto/generated/proxy.ts"
import type { ProxyRequest } from "../../src/ProxyRequest.ts"
import { handle, HttpProxyClient, ProxyClient, TestServer } from "../../src/testing/index.ts"

/** The first reply of a stream subscription, by channel. */
const streamFirst = (request: { readonly channel: string; readonly user: string }) =>
  request.channel === "denied"
    ? Effect.fail(Reply.error(1403, "no stream"))
    : request.channel === "die"
    ? Effect.die(new Error("no feed"))
    : Effect.succeed(Reply.stream(Stream.make({ data: 1 }), { data: { hi: request.user }, expireAt: 1_900_000_000 }))

const handlers = HandlerSet.layer({
  connect: (request) =>
    Effect.gen(function*() {
      const data = request.data as { mode?: string; user?: string } | undefined
      if (data?.mode === "reject") return yield* Reply.error(1403, "nope", true)
      if (data?.mode === "disconnect") return Reply.disconnect(4503, "banned")
      if (data?.mode === "die") return yield* Effect.die(new Error("bug"))
      if (data?.mode === "unencodable") return Reply.connect({ user: "x", info: { n: 1n } })
      if (data?.mode === "wrong reply") return Reply.rpc({ data: 1 }) as never
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
  subscribeUnidirectional: streamFirst,
  subscribeBidirectional: (request) => streamFirst(request),
  mapPublish: (request) =>
    Effect.succeed(Reply.mapPublish({ key: request.key, data: request.data, score: 3, keyMode: "if_new" })),
  sharedPollRefresh: (request) =>
    Effect.succeed(Reply.sharedPollRefresh({
      items: request.items.map((item) => ({ key: item.key, version: item.version + 1n, data: { k: item.key } })),
      epoch: "ep"
    })),
  notifyCacheEmpty: (request) =>
    request.channel === "fail" ? Effect.fail("no cache") : Effect.succeed(Reply.notifyCacheEmpty({ populated: true })),
  notifyChannelState: (request) =>
    Effect.succeed(
      request.events.length === 0 ? Reply.error(1400, "no events") : Reply.notifyChannelState()
    )
})

/** A row: the event and the request in Centrifugo's JSON form (its gRPC message with payload bytes as JSON). */
interface Row {
  readonly name: string
  readonly event: HandlerSet.EventName
  readonly body: Record<string, unknown>
}

const nested = (depth: number): unknown => {
  let value: unknown = []
  for (let i = 1; i < depth; i++) value = [value]
  return value
}
const base = { client: "c1", transport: "websocket", protocol: "json", encoding: "json" }
const rows: ReadonlyArray<Row> = [
  { name: "connect accepted", event: "connect", body: { ...base, data: { user: "alice" }, name: "js", channels: ["a"] } },
  { name: "connect rejected", event: "connect", body: { ...base, data: { mode: "reject" } } },
  { name: "connect disconnect", event: "connect", body: { ...base, data: { mode: "disconnect" } } },
  { name: "connect defect", event: "connect", body: { ...base, data: { mode: "die" } } },
  { name: "connect unencodable reply", event: "connect", body: { ...base, data: { mode: "unencodable" } } },
  { name: "connect answered another event's reply", event: "connect", body: { ...base, data: { mode: "wrong reply" } } },
  { name: "connect binary", event: "connect", body: { ...base, encoding: "binary", b64data: "AAEC/w==" } },
  { name: "connect without data", event: "connect", body: { ...base } },
  { name: "connect with data nested 600 deep (107)", event: "connect", body: { ...base, data: nested(600) } },
  { name: "refresh with meta nested 600 deep", event: "refresh", body: { ...base, user: "u", meta: nested(600) } },
  { name: "refresh", event: "refresh", body: { ...base, user: "u", meta: { m: [1, 2] } } },
  { name: "refresh failure", event: "refresh", body: { ...base, user: "fail" } },
  { name: "subscribe", event: "subscribe", body: { ...base, user: "u", channel: "c", data: { x: 1 } } },
  { name: "subscribe denied", event: "subscribe", body: { ...base, user: "u", channel: "denied" } },
  { name: "publish", event: "publish", body: { ...base, user: "u", channel: "c", data: "hi" } },
  { name: "rpc", event: "rpc", body: { ...base, user: "u", method: "m", data: [1, null], meta: { a: 1 } } },
  { name: "sub_refresh", event: "subRefresh", body: { ...base, user: "u", channel: "gone" } },
  { name: "map_publish", event: "mapPublish", body: { ...base, channel: "m", key: "k", data: { v: 1 } } },
  { name: "map_remove (no handler)", event: "mapRemove", body: { ...base, channel: "m", key: "k" } },
  {
    name: "shared_poll_refresh",
    event: "sharedPollRefresh",
    body: { channel: "p", items: [{ key: "a", version: 1 }, { key: "b", version: 9 }] }
  },
  { name: "stream (uni) first reply", event: "subscribeUnidirectional", body: { ...base, user: "u", channel: "s" } },
  { name: "stream (uni) rejected", event: "subscribeUnidirectional", body: { ...base, user: "u", channel: "denied" } },
  { name: "stream (uni) defect", event: "subscribeUnidirectional", body: { ...base, user: "u", channel: "die" } },
  { name: "stream (uni) data not JSON-deep (107)", event: "subscribeUnidirectional", body: { ...base, data: nested(600) } },
  { name: "stream (bidi) first reply", event: "subscribeBidirectional", body: { ...base, user: "u", channel: "s" } },
  { name: "stream (bidi) defect", event: "subscribeBidirectional", body: { ...base, user: "u", channel: "die" } },
  { name: "notify cache empty", event: "notifyCacheEmpty", body: { channel: "c" } },
  { name: "notify cache empty failure", event: "notifyCacheEmpty", body: { channel: "fail" } },
  {
    name: "notify channel state",
    event: "notifyChannelState",
    body: { events: [{ channel: "c", type: "occupied", time_ms: 5 }] }
  },
  { name: "notify channel state rejected", event: "notifyChannelState", body: { events: [] } }
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

/** An answer with payload bytes parsed, 64-bit numbers as strings and zero values dropped (omitempty everywhere). */
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

type Message = { encode(message: never): { finish(): Uint8Array }; decode(bytes: Uint8Array): unknown }
/** The protobuf request and response of each unary event. */
const messages: Partial<Record<HandlerSet.EventName, readonly [request: Message, response: Message]>> = {
  connect: [pb.ConnectRequest, pb.ConnectResponse],
  refresh: [pb.RefreshRequest, pb.RefreshResponse],
  subscribe: [pb.SubscribeRequest, pb.SubscribeResponse],
  publish: [pb.PublishRequest, pb.PublishResponse],
  rpc: [pb.RPCRequest, pb.RPCResponse],
  subRefresh: [pb.SubRefreshRequest, pb.SubRefreshResponse],
  mapPublish: [pb.MapPublishRequest, pb.MapPublishResponse],
  mapRemove: [pb.MapRemoveRequest, pb.MapRemoveResponse],
  sharedPollRefresh: [pb.SharedPollRefreshRequest, pb.SharedPollRefreshResponse],
  notifyCacheEmpty: [pb.NotifyCacheEmptyRequest, pb.NotifyCacheEmptyResponse],
  notifyChannelState: [pb.NotifyChannelStateRequest, pb.NotifyChannelStateResponse]
}
const isStream = (row: Row) => eventNamed(row.event).kind !== "unary"
/** The request's protobuf bytes (a stream's: its SubscribeRequest). */
const protoBytes = (row: Row): Uint8Array =>
  (isStream(row) ? pb.SubscribeRequest : messages[row.event]![0]).encode(toProto(row.body) as never).finish()

// What each way in says when there is no reply message: gRPC status codes and HTTP statuses, by meaning.
const MEANING: Record<number, string> = {
  13: "failed",
  3: "bad request",
  12: "no handler",
  500: "failed",
  400: "bad request",
  501: "no handler"
}

/** The first message of a stream subscription (the call is cancelled once it arrived), or the status it ended with. */
const firstMessage = (call: grpc.ClientReadableStream<pb.StreamSubscribeResponse>) =>
  new Promise<unknown>((resolve) => {
    call.on("data", (message: pb.StreamSubscribeResponse) => {
      resolve(message.subscribe_response)
      call.cancel()
    })
    call.on("error", (error: grpc.ServiceError) => resolve({ status: MEANING[error.code] ?? String(error.code) }))
  })

describe("one request table through gRPC, HTTP and handle: the same answers", () => {
  let grpcServer: TestServer.RunningServer
  let httpServer: TestServer.RunningServer
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
    const event = eventNamed(row.event)
    if (event.kind === "serverStream") {
      return normalize(await firstMessage(grpcClient.subscribeUnidirectional(toProto(row.body) as pb.SubscribeRequest)))
    }
    if (event.kind === "bidiStream") {
      const call = grpcClient.subscribeBidirectional()
      call.write({ subscribe_request: toProto(row.body) as pb.SubscribeRequest })
      return normalize(await firstMessage(call))
    }
    try {
      return normalize(messages[row.event]![1].decode(await grpcClient.raw(event.method, protoBytes(row))))
    } catch (error) {
      const code = (error as grpc.ServiceError).code
      return { status: MEANING[code] ?? String(code) }
    }
  }

  const overHttp = async (row: Row): Promise<unknown> => {
    const reply = await httpClient.raw(`/centrifugo/${eventNamed(row.event).key}`, JSON.stringify(row.body))
    return reply.status === 200 ? normalize(reply.json) : { status: MEANING[reply.status] ?? String(reply.status) }
  }

  /**
   * Through `handle`: the request decoded as the gRPC server decodes it (undefined when it does not decode: the
   * handler is never called, and `handle` takes decoded requests only).
   */
  const viaHandle = async (row: Row, transport: "grpc" | "http"): Promise<unknown> => {
    let request: ProxyRequest
    try {
      request = isStream(row)
        ? GrpcCodec.decodeSubscribe(protoBytes(row), {})
        : unaryMethods.find((method) => method.spec.name === row.event)!.decode(protoBytes(row), {})
    } catch {
      return undefined
    }
    const answer = await Effect.runPromise(
      handle(request, { transport, event: row.event }).pipe(Effect.provide(handlers))
    )
    if (answer.status !== undefined) return { status: MEANING[answer.status.code] ?? String(answer.status.code) }
    return normalize({ result: answer.result, error: answer.error, disconnect: answer.disconnect })
  }

  it.each(rows.map((row) => [row.name, row] as const))("%s", async (_, row) => {
    const viaGrpc = await overGrpc(row)
    // Not vacuous: every row answers something.
    expect(viaGrpc).not.toEqual({})
    if (!eventNamed(row.event).grpcOnly) expect(await overHttp(row)).toEqual(viaGrpc)
    const handled = await viaHandle(row, "grpc")
    if (handled !== undefined) {
      expect(handled).toEqual(viaGrpc)
      // The status mapping is the only difference between the transports' answers here.
      expect(await viaHandle(row, "http")).toEqual(viaGrpc)
    } else {
      // Undecodable for `handle` means the servers never called the handler: error 107 or a bad request.
      const answer = viaGrpc as { error?: { code?: number }; status?: string }
      expect(answer.error?.code === 107 || answer.status === "bad request").toBe(true)
    }
  })

  it("the table covers every event and every answer kind, and handle answers all but undecodable requests", async () => {
    expect(new Set(rows.map((row) => row.event))).toEqual(new Set(events.map((event) => event.name)))
    const answers = await Promise.all(rows.map(overGrpc))
    const kinds = new Set(answers.map((a) => Object.keys(a as object)[0]))
    expect([...kinds].sort()).toEqual(["disconnect", "error", "result", "status"])
    const handled = await Promise.all(rows.map((row) => viaHandle(row, "grpc")))
    expect(rows.filter((_, i) => handled[i] === undefined).map((row) => row.name)).toEqual([
      "connect with data nested 600 deep (107)",
      "refresh with meta nested 600 deep",
      "stream (uni) data not JSON-deep (107)"
    ])
  })
})

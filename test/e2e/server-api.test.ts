// CentrifugoApi against the real Centrifugo v6.9.1, over both transports (HTTP and gRPC, both with keys), with
// centrifuge-js clients on the receiving end.
import type { Centrifuge } from "centrifuge"
import { Effect } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { CentrifugoApi, HandlerSet, Reply } from "../../src/index.ts"
import { Centrifugo, TestServer } from "../../src/testing/index.ts"
import { centrifugoBin, client, next, subscribed } from "../support/e2e.ts"
import { Chat } from "../support/contract.ts"

const handlers = HandlerSet.layer({
  connect: (request) =>
    Effect.succeed(Reply.connect({ user: String((request.data as { user?: string } | undefined)?.user ?? "anon") })),
  subscribe: () => Effect.succeed(Reply.subscribe())
})

let server: TestServer.RunningServer
let centrifugo: Centrifugo.RunningCentrifugo
const clients: Array<Centrifuge> = []

beforeAll(async () => {
  server = await TestServer.start(handlers)
  centrifugo = await Centrifugo.start({
    bin: centrifugoBin(),
    proxy: server.address,
    apiKey: "http-key",
    grpcApi: { port: await Centrifugo.freePort(), key: "grpc-key" },
    channels: [Chat]
  })
})
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect()
})
afterAll(async () => {
  await centrifugo?.stop()
  await server?.stop()
})

const connected = async (user: string) => {
  const c = client(centrifugo.websocketUrl, { data: { user } })
  clients.push(c)
  const ready = next<{ client: string }>(c, "connected")
  c.connect()
  return { c, id: (await ready).client }
}

const transports = [
  ["HTTP", () => CentrifugoApi.layerHttpFetch({ url: centrifugo.httpUrl, key: "http-key" })],
  ["gRPC", () => CentrifugoApi.layerGrpc({ address: centrifugo.grpcApiAddress!, key: "grpc-key" })]
] as const

describe.each(transports)("CentrifugoApi over %s", (name, layer) => {
  const run = <A, E>(effect: Effect.Effect<A, E, CentrifugoApi.CentrifugoApi>) =>
    Effect.runPromise(Effect.provide(effect, layer()))
  const api = Effect.service(CentrifugoApi.CentrifugoApi)

  it("publish reaches a subscribed client; history returns it with its offset", async () => {
    const { c } = await connected("ann")
    const channel = `chat:${name}-publish`
    const sub = await subscribed(c, channel)
    const received = next<{ data: unknown }>(sub, "publication")
    const result = await run(Effect.flatMap(api, (a) => a.publish({ channel, data: { text: "hi" }, tags: { kind: "greeting" } })))
    expect((await received).data).toEqual({ text: "hi" })
    expect(result.offset).toBe(1)
    expect(result.epoch).toMatch(/.+/)
    await run(Effect.flatMap(api, (a) => a.publish({ channel, data: { text: "again" } })))
    const history = await run(Effect.flatMap(api, (a) => a.history({ channel, limit: -1 })))
    expect(history.publications.map((p) => [p.offset, p.data, p.tags ?? {}])).toEqual([
      [1, { text: "hi" }, { kind: "greeting" }],
      [2, { text: "again" }, {}]
    ])
    expect([history.offset, history.epoch]).toEqual([2, result.epoch])
  })

  it("broadcast reaches clients on several channels, history kept", async () => {
    const { c } = await connected("bob")
    const channels = [`chat:${name}-b1`, `chat:${name}-b2`]
    const subs = await Promise.all(channels.map((ch) => subscribed(c, ch)))
    const received = subs.map((sub) => next<{ data: unknown }>(sub, "publication"))
    const items = await run(CentrifugoApi.broadcastAll({ channels, data: "to all" }))
    expect(items.map((i) => [i.channel, i.result.offset])).toEqual([[channels[0], 1], [channels[1], 1]])
    expect((await Promise.all(received)).map((r) => r.data)).toEqual(["to all", "to all"])
  })

  it("presence and presence_stats see connected clients", async () => {
    const { c, id } = await connected("carol")
    const channel = `chat:${name}-presence`
    await subscribed(c, channel)
    const presence = await run(Effect.flatMap(api, (a) => a.presence({ channel })))
    expect(presence[id]).toMatchObject({ user: "carol", client: id })
    expect(await run(Effect.flatMap(api, (a) => a.presenceStats({ channel })))).toEqual({ numClients: 1, numUsers: 1 })
  })

  it("disconnect closes a client with the requested code", async () => {
    const { c } = await connected(`dave-${name}`)
    const disconnected = next<{ code: number; reason: string }>(c, "disconnected")
    await run(Effect.flatMap(api, (a) => a.disconnect({ user: `dave-${name}`, disconnect: { code: 4601, reason: "bye" } })))
    expect(await disconnected).toEqual({ code: 4601, reason: "bye" })
  })

  it("server-side subscribe and unsubscribe take effect", async () => {
    const user = `erin-${name}`
    const { c } = await connected(user)
    const channel = `chat:${name}-server-side`
    const joined = next<{ channel: string }>(c, "subscribed", (ctx) => ctx.channel === channel)
    await run(Effect.flatMap(api, (a) => a.subscribe({ channel, user })))
    expect((await joined).channel).toBe(channel)
    const left = next<{ channel: string }>(c, "unsubscribed", (ctx) => ctx.channel === channel)
    await run(Effect.flatMap(api, (a) => a.unsubscribe({ channel, user })))
    expect((await left).channel).toBe(channel)
  })

  it("batch runs several commands, replies in order; info returns node data; channels lists active ones", async () => {
    const { c } = await connected("fay")
    const channel = `chat:${name}-batch`
    await subscribed(c, channel)
    const replies = await run(Effect.flatMap(api, (a) =>
      a.batch([
        { publish: { channel, data: 1 } },
        { presenceStats: { channel } },
        { history: { channel: "unknown-ns:x" } }
      ])))
    expect(replies[0]).toMatchObject({ result: { offset: 1 } })
    expect(replies[1]).toMatchObject({ result: { num_clients: 1, num_users: 1 } })
    expect(replies[2]).toEqual({ error: { code: 102, message: "unknown channel" } })
    const info = await run(Effect.flatMap(api, (a) => a.info()))
    expect(info.nodes).toHaveLength(1)
    expect(info.nodes[0]!.version).toMatch(/^6\.9\.1/)
    // Node counters are refreshed on Centrifugo's own schedule, so only identity fields are checked.
    expect(info.nodes[0]!.uid).toMatch(/^[0-9a-f-]{36}$/)
    const active = await run(Effect.flatMap(api, (a) => a.channels({ pattern: `chat:${name}-*` })))
    expect(active[channel]).toEqual({ numClients: 1 })
  })

  it("a Centrifugo error is a typed CentrifugoApiError", async () => {
    const failure = await run(Effect.flip(Effect.flatMap(api, (a) => a.publish({ channel: "unknown-ns:x", data: 1 }))))
    expect(failure).toEqual({ _tag: "CentrifugoApiError", method: "publish", code: 102, message: "unknown channel" })
  })
})

describe("keys and transport failures", () => {
  it("a wrong key fails with a typed CentrifugoUnauthorized, over HTTP and over gRPC", async () => {
    const publish = Effect.flatMap(Effect.service(CentrifugoApi.CentrifugoApi), (a) => a.publish({ channel: "news", data: 1 }))
    const http = await Effect.runPromise(Effect.flip(publish).pipe(
      Effect.provide(CentrifugoApi.layerHttpFetch({ url: centrifugo.httpUrl, key: "wrong" }))
    ))
    const grpc = await Effect.runPromise(Effect.flip(publish).pipe(
      Effect.provide(CentrifugoApi.layerGrpc({ address: centrifugo.grpcApiAddress!, key: "wrong" }))
    ))
    expect(http._tag).toBe("CentrifugoUnauthorized")
    expect(grpc._tag).toBe("CentrifugoUnauthorized")
  })

  it("an unreachable Centrifugo is a CentrifugoTransportError, distinct from API errors", async () => {
    const port = await Centrifugo.freePort()
    const publish = Effect.flatMap(Effect.service(CentrifugoApi.CentrifugoApi), (a) => a.publish({ channel: "news", data: 1 }))
    const http = await Effect.runPromise(Effect.flip(publish).pipe(
      Effect.provide(CentrifugoApi.layerHttpFetch({ url: `http://127.0.0.1:${port}`, key: "k", timeout: "2 seconds" }))
    ))
    const grpc = await Effect.runPromise(Effect.flip(publish).pipe(
      Effect.provide(CentrifugoApi.layerGrpc({ address: `127.0.0.1:${port}`, key: "k", timeout: "1 second" }))
    ))
    expect([http._tag, grpc._tag]).toEqual(["CentrifugoTransportError", "CentrifugoTransportError"])
  })
})


// Every example end to end: examples/app.ts (and the standalone connect examples) behind a real Centrifugo v6.9.1,
// driven by centrifuge-js over WebSocket; the app through gRPC proxies and through HTTP proxies.
import type { Centrifuge } from "centrifuge"
import { Effect, Layer } from "effect"
import { CentrifugoApi, HandlerSet, Reply } from "effect-centrifugo"
import { CentrifugeRpc } from "effect-centrifugo/client"
import { Centrifugo, TestServer } from "effect-centrifugo/testing"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { AppHandlers, AppWith } from "../../examples/app.ts"
import { acceptAll, autoSubscribe } from "../../examples/connect.ts"
import { NewsRpcs } from "../../examples/contract.ts"
import { refresh } from "../../examples/refresh.ts"
import { centrifugoBin, client, type ClientOptions, next } from "../support/e2e.ts"

interface Stack {
  readonly server: TestServer.RunningServer | TestServer.RunningServer
  readonly centrifugo: Centrifugo.RunningCentrifugo
}

const startStack = async <E>(
  handlers: HandlerSet.Described<never, unknown, E> | ((centrifugoUrl: string) => Layer.Layer<HandlerSet.HandlerSet, E>),
  transport: "grpc" | "http" = "grpc"
): Promise<Stack> => {
  // The backend may call Centrifugo's API, so Centrifugo's port is chosen first and the backend is told.
  const port = await Centrifugo.freePort()
  const layer = typeof handlers === "function" ? handlers(`http://127.0.0.1:${port}`) : handlers
  const server = transport === "grpc" ? await TestServer.start(layer) : await TestServer.startHttp(layer)
  const centrifugo = await Centrifugo.start({
    bin: centrifugoBin(),
    transport,
    port,
    proxy: server.address,
    httpHeaders: ["Secret", "Authorization"],
    // The config from the handler set (the example's typed chat rooms give the `chat` namespace).
    handlers: typeof handlers === "function" ? AppHandlers : handlers
  })
  return { server, centrifugo }
}
const stopStack = async (stack: Stack | undefined) => {
  await stack?.centrifugo.stop()
  await stack?.server.stop()
}

const apiPublish = (stack: Stack, channel: string, data: unknown) =>
  fetch(`${stack.centrifugo.httpUrl}/api/publish`, {
    method: "POST",
    headers: { "X-API-Key": stack.centrifugo.apiKey },
    body: JSON.stringify({ channel, data })
  }).then((r) => r.json())

describe.each(["grpc", "http"] as const)("examples/app.ts through Centrifugo, %s proxies", (transport) => {
  let stack: Stack
  const clients: Array<Centrifuge> = []
  const connect = (options: ClientOptions) => {
    const c = client(stack.centrifugo.websocketUrl, options)
    clients.push(c)
    return c
  }
  const alice = (options: ClientOptions = {}) => connect({ data: { authToken: "alice-token" }, ...options })

  beforeAll(async () => {
    stack = await startStack((url) => AppWith(CentrifugoApi.layerHttpFetch({ url, key: "test-api-key" })), transport)
  })
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect()
  })
  afterAll(() => stopStack(stack))

  it("token-auth connect: a valid token connects and is subscribed to user-, chat- and public channels", async () => {
    const c = alice()
    const channels = new Set<string>()
    c.on("subscribed", (ctx) => channels.add(ctx.channel))
    const connected = next<{ data: unknown }>(c, "connected")
    c.connect()
    expect((await connected).data).toEqual({ user: "alice" })
    await expect.poll(() => [...channels].sort()).toEqual(["chat-alice", "public", "user-alice"])
  })

  it("token-auth connect: an invalid token is disconnected with 4501", async () => {
    const c = connect({ data: { authToken: "forged" } })
    const disconnected = next<{ code: number; reason: string }>(c, "disconnected")
    c.connect()
    expect(await disconnected).toEqual({ code: 4501, reason: "connection is not allowed" })
  })

  it("auto-subscribed channel: a server publication to `public` reaches the client", async () => {
    const c = alice()
    const subscribed = next<{ channel: string }>(c, "subscribed", (ctx) => ctx.channel === "public")
    c.connect()
    await subscribed
    const publication = next<{ channel: string; data: unknown }>(c, "publication", (ctx) => ctx.channel === "public")
    expect(await apiPublish(stack, "public", { hello: "everyone" })).toEqual({ result: {} })
    expect((await publication).data).toEqual({ hello: "everyone" })
  })

  it("topic rules: own user.{uuid} allowed, a foreign one refused with 103", async () => {
    const c = alice()
    c.connect()
    const own = c.newSubscription("user.alice")
    const ownSubscribed = next(own, "subscribed")
    own.subscribe()
    await ownSubscribed
    const foreign = c.newSubscription("user.bob")
    const refused = next<{ code: number }>(foreign, "unsubscribed")
    foreign.subscribe()
    expect((await refused).code).toBe(103)
  })

  it("topic rules: `topic` needs the Secret header on the WebSocket request", async () => {
    const withSecret = alice({ httpHeaders: { Secret: "secret" } })
    withSecret.connect()
    const allowed = withSecret.newSubscription("topic")
    const subscribed = next(allowed, "subscribed")
    allowed.subscribe()
    await subscribed

    const without = alice()
    without.connect()
    const denied = without.newSubscription("topic")
    const refused = next<{ code: number }>(denied, "unsubscribed")
    denied.subscribe()
    expect((await refused).code).toBe(103)
  })

  it("ping RPC answers pong", async () => {
    const c = alice()
    c.connect()
    expect((await c.rpc("ping", {})).data).toBe("pong")
  })

  it("RPC to HTTP: store news with validation, then show it by id", async () => {
    const c = alice()
    c.connect()
    const stored = (await c.rpc("post:news/store", { title: "Effect 4 is out", body: "..." })).data as {
      status: number
      body: { id: number }
    }
    expect(stored).toMatchObject({ status: 201, body: { title: "Effect 4 is out", author: "alice" } })
    expect((await c.rpc(`get:news/${stored.body.id}`, {})).data).toMatchObject({
      status: 200,
      body: { id: stored.body.id, title: "Effect 4 is out" }
    })
    expect((await c.rpc("post:news/store", { title: "no" })).data).toMatchObject({
      status: 422,
      body: { message: "validation failed" }
    })
    expect((await c.rpc("get:news/999", {})).data).toEqual({ status: 404, body: { message: "news 999 not found" } })
  })

  it("news.create (the contract's RpcGroup, typed client) stores news and broadcasts it to news and the author's channel", async () => {
    const c = alice()
    c.connect()
    const news = c.newSubscription("news")
    const own = c.newSubscription("user.alice")
    const newsSubscribed = next(news, "subscribed")
    const ownSubscribed = next(own, "subscribed")
    news.subscribe()
    own.subscribe()
    await Promise.all([newsSubscribed, ownSubscribed])
    const onNews = next<{ data: { news: { title: string } } }>(news, "publication")
    const onOwn = next<{ data: { news: { title: string } } }>(own, "publication")
    const newsRpcs = CentrifugeRpc.promiseClient(NewsRpcs, c)
    const result = await newsRpcs["news.create"]({ title: "Broadcast works", body: "!" })
    expect(result.deliveredTo).toEqual(["news", "user.alice"])
    expect((await onNews).data.news.title).toBe("Broadcast works")
    expect((await onOwn).data.news.title).toBe("Broadcast works")
    expect(await newsRpcs["news.get"]({ id: result.id })).toMatchObject({ title: "Broadcast works", author: "alice" })
    await expect(newsRpcs["news.get"]({ id: 999 })).rejects.toEqual({ _tag: "NewsNotFound", id: 999 })
  })

  it("publish: valid messages are stamped with their author; invalid ones are refused with 107", async () => {
    const reader = connect({ data: { authToken: "bob-token" } })
    const writer = alice()
    reader.connect()
    writer.connect()
    const readSub = reader.newSubscription("chat:lobby")
    const readSubscribed = next(readSub, "subscribed")
    readSub.subscribe()
    await readSubscribed
    const writeSub = writer.newSubscription("chat:lobby")
    const writeSubscribed = next(writeSub, "subscribed")
    writeSub.subscribe()
    await writeSubscribed
    const received = next<{ data: { text: string; by: string; at: string } }>(readSub, "publication")
    await writeSub.publish({ text: "hello bob" })
    expect((await received).data).toMatchObject({ text: "hello bob", by: "alice" })
    await expect(writeSub.publish({ text: "" })).rejects.toMatchObject({ code: 107 })
  })
})

describe("standalone connect examples through Centrifugo", () => {
  let stack: Stack | undefined
  afterEach(async () => {
    await stopStack(stack)
    stack = undefined
  })

  it("accept-all: an anonymous client connects", async () => {
    stack = await startStack(HandlerSet.layer({ connect: acceptAll }))
    const c = client(stack.centrifugo.websocketUrl)
    const connected = next<{ client: string }>(c, "connected")
    c.connect()
    expect((await connected).client).toMatch(/^[0-9a-f-]{36}$/)
    c.disconnect()
  })

  it("auto-subscribe: the client is subscribed to public and receives its publications", async () => {
    const current = stack = await startStack(HandlerSet.layer({ connect: autoSubscribe }))
    const c = client(current.centrifugo.websocketUrl)
    const subscribed = next<{ channel: string }>(c, "subscribed")
    c.connect()
    expect((await subscribed).channel).toBe("public")
    const publication = next<{ data: unknown }>(c, "publication")
    await apiPublish(current, "public", "news!")
    expect((await publication).data).toBe("news!")
    c.disconnect()
  })

  it("refresh: Centrifugo asks when expire_at passes and the example extends the session", async () => {
    let refreshed = 0
    const handlers = HandlerSet.layer({
      connect: () => Effect.succeed(Reply.connect({ user: "alice", expireAt: Math.floor(Date.now() / 1000) + 1 })),
      refresh: (request) => Effect.tap(refresh(request), () => Effect.sync(() => refreshed++))
    })
    stack = await startStack(handlers)
    const c = client(stack.centrifugo.websocketUrl)
    c.connect()
    await next(c, "connected")
    await expect.poll(() => refreshed, { timeout: 8_000 }).toBeGreaterThan(0)
    expect(c.state).toBe("connected")
    c.disconnect()
  })
})

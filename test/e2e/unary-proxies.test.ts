// End to end: a real Centrifugo v6.9.1 proxying to our server, driven by the real centrifuge-js SDK over WebSocket.
// One scenario at least per unary proxy (connect, refresh, subscribe, publish, rpc, sub_refresh), through gRPC
// proxies and through HTTP proxies: the same handlers, the same client-visible behaviour.
import type { Centrifuge } from "centrifuge"
import { Effect } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { HandlerSet, Reply } from "../../src/index.ts"
import { Centrifugo, TestServer } from "../../src/testing/index.ts"
import { centrifugoBin, client, next, sleep } from "../support/e2e.ts"
import { Chat } from "../support/contract.ts"

const now = () => Math.floor(Date.now() / 1000)

// What the handlers saw, for assertions about the server side.
const calls = {
  refresh: [] as Array<{ user: string; client: string; meta: unknown }>,
  subRefresh: [] as Array<{ user: string; channel: string }>,
  interrupted: [] as Array<string>,
  headers: [] as Array<Record<string, string>>
}

const handlers = HandlerSet.layer({
  connect: (request) =>
    Effect.gen(function*() {
      calls.headers.push(request.headers)
      const data = request.data as { user?: string; mode?: string } | undefined
      switch (data?.mode) {
        case "error":
          return yield* Effect.fail(Reply.error(1403, "you shall not pass"))
        case "disconnect":
          return Reply.disconnect(4503, "banned")
        case "expiring":
          return Reply.connect({ user: data.user ?? "", expireAt: now() + 1, meta: { plan: "gold" } })
        default:
          return Reply.connect({
            user: data?.user ?? "",
            data: { greeting: `hello ${data?.user}` },
            channels: ["news"]
          })
      }
    }),
  refresh: (request) =>
    Effect.sync(() => {
      calls.refresh.push({ user: request.user, client: request.client, meta: request.meta })
      return Reply.refresh({ expireAt: now() + 3600 })
    }),
  subscribe: (request) =>
    Effect.gen(function*() {
      if (request.channel.endsWith(":denied")) return Reply.error(1403, "not your channel")
      if (request.channel.endsWith(":expiring")) return Reply.subscribe({ expireAt: now() + 1 })
      return Reply.subscribe({ data: { channel: request.channel, user: request.user, asked: request.data } })
    }),
  publish: (request) =>
    Effect.succeed(
      Reply.publish({ data: { text: String((request.data as { text: string }).text).toUpperCase(), by: request.user } })
    ),
  subRefresh: (request) =>
    Effect.sync(() => {
      calls.subRefresh.push({ user: request.user, channel: request.channel })
      return Reply.subRefresh({ expireAt: now() + 3600 })
    }),
  rpc: (request) => {
    switch (request.method) {
      case "fail":
        return Effect.fail(Reply.error(1500, "rpc refused"))
      case "throw":
        return Effect.sync(() => {
          throw new Error("handler bug")
        })
      case "slow":
        return Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => calls.interrupted.push(request.client))))
      default:
        return Effect.succeed(Reply.rpc({ data: { method: request.method, echo: request.data, user: request.user } }))
    }
  }
})

describe.each(["grpc", "http"] as const)("real Centrifugo v6.9.1 + centrifuge-js, %s proxies", (transport) => {
  let server: TestServer.RunningServer | TestServer.RunningServer
  let centrifugo: Centrifugo.RunningCentrifugo
  const clients: Array<Centrifuge> = []
  const connect = (options: Parameters<typeof client>[1] = {}) => {
    const c = client(centrifugo.websocketUrl, options)
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    server = transport === "grpc" ? await TestServer.start(handlers) : await TestServer.startHttp(handlers)
    centrifugo = await Centrifugo.start({
      bin: centrifugoBin(),
      transport,
      proxy: server.address,
      proxyTimeout: "1s",
      httpHeaders: ["X-Test-Header"],
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

  it("the generated config passes `centrifugo checkconfig --strict`", async () => {
    const output = await Centrifugo.checkWithBinary(
      centrifugoBin(),
      Centrifugo.config({ proxy: "127.0.0.1:10001", port: 8000, httpHeaders: ["X-Test-Header"], transport, channels: [Chat] })
    )
    expect(output).not.toContain("unknown")
  })

  it("connect accepted: the client sees its user, the connect data and the server-side channel", async () => {
    const c = connect({ data: { user: "alice" }, httpHeaders: { "X-Test-Header": "from-ws" } })
    const subscribed = next<{ channel: string }>(c, "subscribed", (ctx) => ctx.channel === "news")
    const connected = next<{ client: string; data: unknown }>(c, "connected")
    c.connect()
    const ctx = await connected
    expect(ctx.data).toEqual({ greeting: "hello alice" })
    expect((await subscribed).channel).toBe("news")
    // The real transport header reached the handler lower-cased.
    expect(calls.headers.some((h) => h["x-test-header"] === "from-ws")).toBe(true)
    // Presence (through the HTTP API) shows the user Centrifugo got from our reply.
    const presence = await fetch(`${centrifugo.httpUrl}/api/presence`, {
      method: "POST",
      headers: { "X-API-Key": centrifugo.apiKey },
      body: JSON.stringify({ channel: "chat:presence-check" })
    }).then((r) => r.json())
    expect(presence).toEqual({ result: { presence: {} } })
    const sub = c.newSubscription("chat:presence-check")
    sub.subscribe()
    await next(sub, "subscribed")
    const after = await fetch(`${centrifugo.httpUrl}/api/presence`, {
      method: "POST",
      headers: { "X-API-Key": centrifugo.apiKey },
      body: JSON.stringify({ channel: "chat:presence-check" })
    }).then((r) => r.json()) as { result: { presence: Record<string, { user: string; client: string }> } }
    expect(Object.values(after.result.presence)).toEqual([expect.objectContaining({ user: "alice", client: ctx.client })])
  })

  it("connect rejected with a custom error code: the client sees 1403 and stops", async () => {
    const c = connect({ data: { mode: "error" } })
    const disconnected = next<{ code: number; reason: string }>(c, "disconnected")
    c.connect()
    expect(await disconnected).toEqual({ code: 1403, reason: "you shall not pass" })
  })

  it("connect rejected with a custom disconnect code: the client sees 4503", async () => {
    const c = connect({ data: { mode: "disconnect" } })
    const disconnected = next<{ code: number; reason: string }>(c, "disconnected")
    c.connect()
    expect(await disconnected).toEqual({ code: 4503, reason: "banned" })
  })

  it("subscribe allowed with data, and denied with a custom code", async () => {
    const c = connect({ data: { user: "bob" } })
    c.connect()
    const allowed = c.newSubscription("chat:room", { data: { want: "in" } })
    const subscribed = next<{ data: unknown }>(allowed, "subscribed")
    allowed.subscribe()
    expect((await subscribed).data).toEqual({ channel: "chat:room", user: "bob", asked: { want: "in" } })

    const denied = c.newSubscription("chat:denied")
    const unsubscribed = next<{ code: number; reason: string }>(denied, "unsubscribed")
    denied.subscribe()
    expect(await unsubscribed).toMatchObject({ code: 1403, reason: "not your channel" })
  })

  it("publish: subscribers receive the data as the handler replaced it", async () => {
    const reader = connect({ data: { user: "reader" } })
    const writer = connect({ data: { user: "writer" } })
    reader.connect()
    writer.connect()
    const sub = reader.newSubscription("chat:pub")
    const received = next<{ data: unknown }>(sub, "publication")
    sub.subscribe()
    await next(sub, "subscribed")
    const wsub = writer.newSubscription("chat:pub")
    wsub.subscribe()
    await next(wsub, "subscribed")
    await wsub.publish({ text: "hi there" })
    expect((await received).data).toEqual({ text: "HI THERE", by: "writer" })
  })

  it("rpc: a result, and an error with its code", async () => {
    const c = connect({ data: { user: "carol" } })
    c.connect()
    const result = await c.rpc("echo", { n: 1 })
    expect(result.data).toEqual({ method: "echo", echo: { n: 1 }, user: "carol" })
    await expect(c.rpc("fail", {})).rejects.toMatchObject({ code: 1500, message: "rpc refused" })
  })

  it("a handler that throws: the client sees a temporary 100 and the backend keeps serving", async () => {
    const c = connect({ data: { user: "dave" } })
    c.connect()
    await expect(c.rpc("throw", {})).rejects.toMatchObject({ code: 100, message: "internal server error", temporary: true })
    expect((await c.rpc("echo", "still here")).data).toMatchObject({ echo: "still here" })
    expect(server.logs.some((l) => l.level === "Error" && l.cause.includes("handler bug"))).toBe(true)
  })

  it("a handler slower than the proxy timeout: the client sees 100 and the handler fiber is interrupted", async () => {
    const c = connect({ data: { user: "erin" } })
    const connected = next<{ client: string }>(c, "connected")
    c.connect()
    const { client: clientId } = await connected
    const started = Date.now()
    await expect(c.rpc("slow", {})).rejects.toMatchObject({ code: 100, temporary: true })
    // gRPC: Centrifugo's 1 s deadline reached our server, which interrupted the fiber; HTTP: Centrifugo's client
    // timeout closed the request, which interrupted it.
    await expect.poll(() => calls.interrupted.includes(clientId), { timeout: 3_000 }).toBe(true)
    expect(Date.now() - started).toBeLessThan(3_000)
  })

  it("refresh: called when expire_at passes; the session is extended and meta is forwarded", async () => {
    const c = connect({ data: { user: "frank", mode: "expiring" } })
    const connected = next<{ client: string }>(c, "connected")
    c.connect()
    const { client: clientId } = await connected
    await expect.poll(() => calls.refresh.find((r) => r.client === clientId), { timeout: 8_000 }).toEqual({
      user: "frank",
      client: clientId,
      meta: { plan: "gold" }
    })
    // Extended by an hour: still connected a while later, and RPCs work.
    await sleep(1_500)
    expect(c.state).toBe("connected")
    expect((await c.rpc("echo", 1)).data).toMatchObject({ user: "frank" })
  })

  it("sub_refresh: called when the subscription's expire_at passes, and extends it", async () => {
    const c = connect({ data: { user: "gina" } })
    c.connect()
    const sub = c.newSubscription("chat:expiring")
    sub.subscribe()
    await next(sub, "subscribed")
    await expect.poll(() => calls.subRefresh.find((r) => r.user === "gina"), { timeout: 10_000 }).toEqual({
      user: "gina",
      channel: "chat:expiring"
    })
    await sleep(1_500)
    expect(sub.state).toBe("subscribed")
  })
})

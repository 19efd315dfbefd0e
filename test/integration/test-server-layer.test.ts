// The testing kit's server as Effects: TestServer.layer for an `it.layer` block, TestServer.make in a scope.
import { describe, expect, layer, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { HandlerSet, Reply } from "../../src/index.ts"
import { HttpProxyClient, ProxyClient, TestServer } from "../../src/testing/index.ts"

const handlers = HandlerSet.layer({
  connect: () => Effect.succeed(Reply.connect({ user: "ann" })),
  rpc: () => Effect.die(new Error("boom"))
})

const withClient = <A>(address: string, f: (client: ProxyClient.ProxyClient) => Promise<A>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => ProxyClient.make(address)),
    (client) => Effect.promise(() => f(client)),
    (client) => Effect.sync(() => client.close())
  )

// Real clock: the server's timers (shutdown, timeouts) must run.
layer(TestServer.layer(handlers), { excludeTestServices: true })("TestServer.layer", (it) => {
  it.effect("provides the running server: its address answers, and its log lines are kept", () =>
    Effect.gen(function*() {
      const server = yield* Effect.service(TestServer.TestServer)
      expect(server.address).toBe(`127.0.0.1:${server.port}`)
      const connected = yield* withClient(server.address, (client) => client.connect({ client: "c1", transport: "websocket" }))
      expect(connected.result?.user).toBe("ann")
      const failed = yield* withClient(server.address, (client) => client.rpc({ method: "x" }))
      expect(failed.error?.code).toBe(100)
      expect(server.logs.some((line) => line.level === "Error" && line.cause.includes("boom"))).toBe(true)
    }))
})

describe("TestServer.make", () => {
  it.live("runs for its scope: closed, the server no longer answers", () =>
    Effect.gen(function*() {
      const address = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* TestServer.make(handlers)
        const reply = yield* withClient(server.address, (client) => client.connect({ client: "c1", transport: "websocket" }))
        expect(reply.result?.user).toBe("ann")
        return server.address
      }))
      const after = yield* withClient(address, (client) =>
        client.connect({ client: "c1", transport: "websocket" }, { timeoutMs: 2_000 }).then(
          () => "answered",
          (error: ProxyClient.ProxyCallError) => error.code
        ))
      expect(after).toBe(14) // UNAVAILABLE: nothing listens any more
    }))

  it.live("make and makeHttp fail with the handlers' Layer failure", () =>
    Effect.gen(function*() {
      const broken = Layer.effect(HandlerSet.HandlerSet, Effect.fail({ _tag: "NoDatabase" } as const))
      expect(yield* Effect.exit(Effect.scoped(TestServer.make(broken)))).toEqual(Exit.fail({ _tag: "NoDatabase" }))
      expect(yield* Effect.exit(Effect.scoped(TestServer.makeHttp(broken)))).toEqual(Exit.fail({ _tag: "NoDatabase" }))
    }))

  it("the Promise form still works", async () => {
    const server = await TestServer.start(handlers)
    try {
      const client = ProxyClient.make(server.address)
      expect((await client.connect({ client: "c1", transport: "websocket" })).result?.user).toBe("ann")
      client.close()
    } finally {
      await server.stop()
    }
  })
})

// The HTTP transport, the same Effect forms as gRPC.
layer(TestServer.layerHttp(handlers), { excludeTestServices: true })("TestServer.layerHttp", (it) => {
  it.effect("provides the running HTTP server: HttpProxyClient answers, and its log lines are kept", () =>
    Effect.gen(function*() {
      const server = yield* Effect.service(TestServer.TestHttpServer)
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
      const client = HttpProxyClient.make(server.url)
      const connected = yield* Effect.promise(() => client.connect({ client: "c1", transport: "websocket" }))
      expect(connected.json).toEqual({ result: { user: "ann" } })
      const failed = yield* Effect.promise(() => client.rpc({ client: "c1", method: "x" }))
      expect(failed.json).toMatchObject({ error: { code: 100 } })
      expect(server.logs.some((line) => line.level === "Error" && line.cause.includes("boom"))).toBe(true)
    }))
})

describe("TestServer.makeHttp", () => {
  it.live("runs for its scope: closed, the server no longer answers", () =>
    Effect.gen(function*() {
      const url = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* TestServer.makeHttp(handlers)
        const reply = yield* Effect.promise(() => HttpProxyClient.make(server.url).connect({ client: "c1" }))
        expect(reply.json).toEqual({ result: { user: "ann" } })
        return server.url
      }))
      const after = yield* Effect.promise(() =>
        HttpProxyClient.make(url).connect({ client: "c1" }).then(() => "answered", () => "refused")
      )
      expect(after).toBe("refused")
    }))
})

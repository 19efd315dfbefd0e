// The HTTP proxy routes mounted in an application's own effect/http app (one port for the app's API and the
// proxy, the app's own middleware in front), and the standalone server's graceful drain.
import { NodeHttpServer } from "@effect/platform-node"
import { Cause, Config, ConfigProvider, Context, Deferred, Effect, Exit, Layer, Scope } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { Agent, createServer, request as httpRequest } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HandlerSet, HttpProxy, Reply } from "../../src/index.ts"
import { HttpProxyClient, TestServer } from "../../src/testing/index.ts"
import { AppAuth } from "../support/http-servers.ts"

const handlers = HandlerSet.layer({
  connect: (request) => Effect.succeed(Reply.connect({ user: String((request.data as { user?: string })?.user ?? "") }))
})

describe("HttpProxy.routes mounted in an effect/http app", () => {
  let url: string
  const scope = Scope.makeUnsafe()

  beforeAll(async () => {
    const App = Layer.mergeAll(
      HttpRouter.add("GET", "/api/health", HttpServerResponse.text("app ok")),
      HttpProxy.routes({ prefix: "/centrifugo" }),
      AppAuth
    ).pipe(Layer.provide(handlers))
    const Served = HttpRouter.serve(App, { disableListenLog: true, disableLogger: true }).pipe(
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
    )
    const context = await Effect.runPromise(Layer.buildWithScope(Served, scope))
    url = HttpServer.formatAddress(Context.get(context, HttpServer.HttpServer).address)
  })
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

  it("serves the app's route and the proxy on one port", async () => {
    const app = await fetch(`${url}/api/health`)
    expect(await app.text()).toBe("app ok")
    const proxy = await HttpProxyClient.make(url).connect({ client: "c", data: { user: "7" } }, { headers: { "x-app-key": "k" } })
    expect(proxy.json).toEqual({ result: { user: "7" } })
  })

  it("the app's middleware answers first (403): Centrifugo maps it with status_to_code_transforms", async () => {
    const reply = await HttpProxyClient.make(url).connect({ client: "c", data: { user: "7" } })
    expect(reply.status).toBe(403)
  })
})

describe("standalone graceful drain", () => {
  it("lets an in-flight request finish when shutdown starts, and stops accepting new ones", async () => {
    const started = Effect.runSync(Deferred.make<void>())
    const release = Effect.runSync(Deferred.make<void>())
    const server = await TestServer.startHttp(
      HandlerSet.layer({
        rpc: () =>
          Deferred.succeed(started, undefined).pipe(
            Effect.andThen(Deferred.await(release)),
            Effect.as(Reply.rpc({ data: "finished" }))
          )
      }),
      { shutdownTimeout: "5 seconds" }
    )
    const client = HttpProxyClient.make(server.url)
    const inflight = client.rpc({ client: "c", user: "u", method: "m" })
    await Effect.runPromise(Deferred.await(started))
    const stopped = server.stop()
    // Shutdown has begun; the request still gets its reply once the handler is done.
    await Effect.runPromise(Deferred.succeed(release, undefined))
    expect((await inflight).json).toEqual({ result: { data: "finished" } })
    await stopped
    const after = await client.rpc({ client: "c", user: "u", method: "m" }).then(() => "answered", () => "refused")
    expect(after).toBe("refused")
    expect(server.logs.some((l) => l.message.includes("HTTP proxy stopped"))).toBe(true)
  })
})

/** POSTs a connect through `agent` (keep-alive), resolving with the status once the answer is read. */
const fetchWith = (agent: Agent, url: string) =>
  new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${url}/centrifugo/connect`, { agent, method: "POST" }, (res) => {
      res.resume()
      res.on("end", () => resolve(res.statusCode ?? 0))
    })
    req.on("error", reject)
    req.end(JSON.stringify({ client: "c", data: { user: "k" } }))
  })

describe("standalone server: shutdown past its grace period, and binding", () => {
  it("interrupts handlers still running after shutdownTimeout (finalizers run) and answers them 503", async () => {
    const started = Effect.runSync(Deferred.make<void>())
    let finalized = false
    const server = await TestServer.startHttp(
      HandlerSet.layer({
        rpc: () =>
          Deferred.succeed(started, undefined).pipe(
            Effect.andThen(Effect.never),
            Effect.ensuring(Effect.sync(() => (finalized = true)))
          )
      }),
      { shutdownTimeout: "200 millis" }
    )
    const hanging = HttpProxyClient.make(server.url).rpc({ client: "c", user: "u", method: "hang" })
    await Effect.runPromise(Deferred.await(started))
    await server.stop()
    const reply = await hanging
    expect(reply.status).toBe(503)
    expect(finalized).toBe(true)
    expect(server.logs.some((l) => l.message.includes("1 request(s) still running"))).toBe(true)
  })

  it("keeps an idle keep-alive connection past Node's 5 s default (Centrifugo's pool never expires them)", async () => {
    const server = await TestServer.startHttp(handlers)
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const post = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = httpRequest(`${server.url}/centrifugo/connect`, {
          agent,
          method: "POST",
          headers: { "content-type": "application/json" }
        }, (res) => {
          res.resume()
          res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }))
        })
        req.on("error", reject)
        req.end(JSON.stringify({ client: "c", data: { user: "k" } }))
      })
    try {
      expect(await post()).toEqual({ status: 200, reused: false })
      await new Promise((resolve) => setTimeout(resolve, 6_000))
      expect(await post()).toEqual({ status: 200, reused: true })
    } finally {
      agent.destroy()
      await server.stop()
    }
  }, 15_000)

  it("idle keep-alive connections (kept open by default) do not hold up the drain", async () => {
    const server = await TestServer.startHttp(handlers, { shutdownTimeout: "60 seconds" })
    const agent = new Agent({ keepAlive: true })
    try {
      const replies = await Promise.all(Array.from({ length: 5 }, () => fetchWith(agent, server.url)))
      expect(replies).toEqual([200, 200, 200, 200, 200])
      // Within the test's 10 s limit, though the grace period is 60 s: the idle connections were closed at once.
      await server.stop()
      expect(server.logs.some((l) => l.message.includes("still running"))).toBe(false)
    } finally {
      agent.destroy()
    }
  }, 10_000)

  it("drainDelay: /readyz turns 503 at once, calls are still answered during the delay, then it stops", async () => {
    const server = await TestServer.startHttp(handlers, { drainDelay: "1 second" })
    const client = HttpProxyClient.make(server.url)
    const stopped = server.stop()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503)
    // A new connection, after shutdown began: Centrifugo has not yet seen the pod leave.
    expect((await client.connect({ client: "c", data: { user: "d" } }, { headers: { connection: "close" } })).json)
      .toEqual({ result: { user: "d" } })
    await stopped
    expect(await client.connect({ client: "c" }).then(() => "answered", () => "refused")).toBe("refused")
    expect(server.logs.some((l) => l.message.includes("still serving for 1s"))).toBe(true)
  })

  it("PROXY_DRAIN_DELAY configures the HTTP server's drainDelay too", async () => {
    const exit = await Effect.runPromiseExit(
      Layer.build(HttpProxy.layerConfig({ port: Config.succeed(0), host: Config.succeed("127.0.0.1") }).pipe(Layer.provide(handlers))).pipe(
        Effect.scoped,
        Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: { PROXY_DRAIN_DELAY: "not a duration" } })))
      )
    )
    expect(exit._tag).toBe("Failure")
    expect(String(exit._tag === "Failure" ? exit.cause : "")).toContain("PROXY_DRAIN_DELAY")
  })

  it("a port in use fails the Layer with HttpProxyError naming the address", async () => {
    const first = await TestServer.startHttp(handlers)
    const taken = await Effect.runPromiseExit(
      Layer.build(HttpProxy.layer({ host: "127.0.0.1", port: first.port }).pipe(Layer.provide(handlers))).pipe(
        Effect.scoped
      )
    )
    await first.stop()
    expect(taken._tag).toBe("Failure")
    const error = taken._tag === "Failure" ? Cause.squash(taken.cause) as { _tag?: string; message?: string } : {}
    expect(error._tag).toBe("HttpProxyError")
    expect(error.message).toContain(`cannot bind 127.0.0.1:${first.port}: listen EADDRINUSE`)
  })
})

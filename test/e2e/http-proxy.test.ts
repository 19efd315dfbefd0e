// What only the HTTP transport has, end to end with real Centrifugo v6.9.1 and centrifuge-js: the shared-secret
// header from `http.static_headers`, and the proxy routes mounted in an application's own effect/http app (one
// port), with the app's middleware answering 403 first and `status_to_code_transforms` telling the client why; and the
// connection cap, which a stranger cannot use to cut Centrifugo off.
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { createServer } from "node:http"
import { connect, type Socket } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { HandlerSet, HttpProxy, Reply } from "../../src/index.ts"
import { Centrifugo, TestServer } from "../../src/testing/index.ts"
import { centrifugoBin, client, next } from "../support/e2e.ts"
import { AppAuth } from "../support/http-servers.ts"

const handlers = HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "ann", data: "welcome" })) })
const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

describe("the credentials header (http.static_headers checked by requireCredentials)", () => {
  const stack = async (sent: string) => {
    const server = await TestServer.startHttp(handlers, { requireCredentials: { key: "X-Proxy-Secret", value: "right" } })
    stops.push(server.stop)
    const centrifugo = await Centrifugo.start({
      bin: centrifugoBin(),
      transport: "http",
      proxy: server.address,
      credentials: { key: "X-Proxy-Secret", value: sent },
      httpHeaders: ["X-Client-Header"],
      emulatedHeaders: ["X-Client-Emulated"]
    })
    stops.push(centrifugo.stop)
    return { server, centrifugo }
  }

  it("Centrifugo sending the right secret is served", async () => {
    const { centrifugo } = await stack("right")
    const c = client(centrifugo.websocketUrl)
    stops.push(async () => c.disconnect())
    const connected = next<{ data: unknown }>(c, "connected")
    c.connect()
    expect((await connected).data).toBe("welcome")
  })

  it("a wrong secret is refused: the client sees a temporary 100, the server logs why", async () => {
    const { centrifugo, server } = await stack("wrong")
    const c = client(centrifugo.websocketUrl)
    stops.push(async () => c.disconnect())
    const failed = next<{ error: { code: number; temporary?: boolean } }>(c, "error")
    c.connect()
    expect((await failed).error).toMatchObject({ code: 100, temporary: true })
    expect(server.logs.some((l) => l.message.includes("missing or wrong proxy credentials header"))).toBe(true)
  })

  it("a client sending the credentials header itself (HTTP and emulated) never passes", async () => {
    const { centrifugo } = await stack("wrong")
    const c = client(centrifugo.websocketUrl, {
      httpHeaders: { "X-Proxy-Secret": "right", "X-Client-Header": "x" },
      headers: { "X-Proxy-Secret": "right", "X-Client-Emulated": "y" }
    })
    stops.push(async () => c.disconnect())
    const failed = next<{ error: { code: number; temporary?: boolean } }>(c, "error")
    c.connect()
    expect((await failed).error).toMatchObject({ code: 100, temporary: true })
  })

  it("Centrifugo.config refuses a credentials header name that clients can forward", () => {
    for (const lists of [{ httpHeaders: ["x-proxy-secret"] }, { emulatedHeaders: ["X-PROXY-SECRET"] }]) {
      expect(() =>
        Centrifugo.config({
          proxy: "127.0.0.1:1",
          port: 8000,
          transport: "http",
          credentials: { key: "X-Proxy-Secret", value: "s" },
          ...lists
        })
      ).toThrow(/forwarded from clients/)
    }
  })
})

describe("the proxy mounted in the application's own effect/http app", () => {
  const app = async () => {
    const App = Layer.mergeAll(
      HttpRouter.add("GET", "/api/hello", HttpServerResponse.text("hello from the app")),
      HttpProxy.routes(),
      AppAuth
    ).pipe(Layer.provide(handlers))
    const Served = HttpRouter.serve(App, { disableListenLog: true, disableLogger: true }).pipe(
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
    )
    const scope = Scope.makeUnsafe()
    stops.push(() => Effect.runPromise(Scope.close(scope, Exit.void)))
    const context = await Effect.runPromise(Layer.buildWithScope(Served, scope))
    const address = Context.get(context, HttpServer.HttpServer).address
    const port = "port" in address ? address.port : 0
    const centrifugo = await Centrifugo.start({
      bin: centrifugoBin(),
      transport: "http",
      proxy: `127.0.0.1:${port}`,
      httpHeaders: ["X-App-Key"],
      statusToCodeTransforms: [
        { status_code: 403, to_error: { code: 1403, message: "the app said no", temporary: false } }
      ]
    })
    stops.push(centrifugo.stop)
    return { port, centrifugo }
  }

  it("one port serves the app's route and the proxy: a client connects through it", async () => {
    const { centrifugo, port } = await app()
    expect(await fetch(`http://127.0.0.1:${port}/api/hello`).then((r) => r.text())).toBe("hello from the app")
    const c = client(centrifugo.websocketUrl, { httpHeaders: { "X-App-Key": "k" } })
    stops.push(async () => c.disconnect())
    const connected = next<{ data: unknown }>(c, "connected")
    c.connect()
    expect((await connected).data).toBe("welcome")
  })

  it("the app's middleware answers 403: status_to_code_transforms turns it into the client's error 1403", async () => {
    const { centrifugo } = await app()
    const c = client(centrifugo.websocketUrl)
    stops.push(async () => c.disconnect())
    const disconnected = next<{ code: number; reason: string }>(c, "disconnected")
    c.connect()
    expect(await disconnected).toEqual({ code: 1403, reason: "the app said no" })
  })
})

describe("connection cap with real Centrifugo", () => {
  it("while a stranger holds every other connection, Centrifugo's kept connections go on serving its clients", async () => {
    const server = await TestServer.startHttp(handlers, { maxConnections: 6 })
    stops.push(server.stop)
    const centrifugo = await Centrifugo.start({ bin: centrifugoBin(), transport: "http", proxy: server.address })
    stops.push(centrifugo.stop)
    const connectOnce = async () => {
      const c = client(centrifugo.websocketUrl)
      const connected = next<{ data: unknown }>(c, "connected")
      c.connect()
      const data = (await connected).data
      c.disconnect()
      return data
    }
    // Centrifugo's pool gets its connection.
    expect(await connectOnce()).toBe("welcome")
    // A stranger takes every other slot (silent connections, held until the headers' bound) and asks for more.
    const strangers = await Promise.all(Array.from({ length: 10 }, () =>
      new Promise<Socket>((resolve) => {
        const socket = connect({ host: "127.0.0.1", port: server.port }, () => resolve(socket))
        socket.on("error", () => undefined)
      })))
    stops.push(async () => strangers.forEach((socket) => socket.destroy()))
    await expect.poll(() => server.logs.some((l) => l.message.includes("connection limit reached"))).toBe(true)
    for (let i = 0; i < 5; i++) expect(await connectOnce()).toBe("welcome")
  })
})

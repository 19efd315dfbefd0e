// End to end: the Http bridge behind a real Centrifugo v6.9.1, called by centrifuge-js over WebSocket, for a user
// whose ID is not Latin-1 (it cannot be an HTTP header value as is: the bridge percent-encodes it).
import type { Centrifuge } from "centrifuge"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { HandlerSet, HttpBridge, Reply } from "../../src/index.ts"
import { Centrifugo, TestServer } from "../../src/testing/index.ts"
import { centrifugoBin, client, next } from "../support/e2e.ts"

const whoami = Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
  const raw = request.headers["x-centrifugo-user"] ?? ""
  return HttpServerResponse.jsonUnsafe({ user: decodeURIComponent(raw), raw, url: request.url, host: request.headers.host ?? null })
})

const handlers = HandlerSet.layer({
  connect: (request) => Effect.succeed(Reply.connect({ user: String((request.data as { user?: string } | undefined)?.user ?? "") })),
  rpc: HttpBridge.rpc
}).pipe(Layer.provide(HttpBridge.layer(HttpRouter.add("GET", "/whoami", whoami))))

describe("Http bridge through Centrifugo", () => {
  let server: TestServer.RunningServer
  let centrifugo: Centrifugo.RunningCentrifugo
  const clients: Array<Centrifuge> = []

  const connectAs = async (user: string): Promise<Centrifuge> => {
    const c = client(centrifugo.websocketUrl, { data: { user } })
    clients.push(c)
    const connected = next(c, "connected")
    c.connect()
    await connected
    return c
  }

  beforeAll(async () => {
    server = await TestServer.start(handlers)
    centrifugo = await Centrifugo.start({ bin: centrifugoBin(), proxy: server.address })
  })
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect()
  })
  afterAll(async () => {
    await centrifugo?.stop()
    await server?.stop()
  })

  it("a non-ASCII user ID reaches the app percent-encoded; the method's query is merged with the data's", async () => {
    const c = await connectAs("用户")
    const reply = await c.rpc("get:whoami?admin=true", { lang: "en" })
    expect(reply.data).toEqual({
      status: 200,
      body: { user: "用户", raw: "%E7%94%A8%E6%88%B7", url: "/whoami?admin=true&lang=en", host: null }
    })
    expect(server.logs.filter((line) => line.level === "ERROR")).toEqual([])
  })

  it("an ASCII user ID reads the same as before", async () => {
    const c = await connectAs("ann-42")
    expect((await c.rpc("get:whoami", {})).data).toMatchObject({ status: 200, body: { user: "ann-42", raw: "ann-42" } })
  })

  it("a # in the method is refused with 107", async () => {
    const c = await connectAs("ann")
    await expect(c.rpc("get:whoami#frag", { lang: "en" })).rejects.toMatchObject({ code: 107 })
  })
})

// End to end (real Centrifugo v6.9.1 + centrifuge-js): an RPC router with payload schemas, the 107 a client sees for
// bad data, and token authentication through Auth.authenticate with handlers reading CurrentUser.
import type { Centrifuge } from "centrifuge"
import { Effect, Layer, Schema } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { Auth, HandlerSet, Interceptor, Reply, RpcRouter, TokenStorage } from "../../src/index.ts"
import { Centrifugo, TestServer } from "../../src/testing/index.ts"
import { centrifugoBin, client, next } from "../support/e2e.ts"

const handlers = HandlerSet.layer({
  connect: () =>
    Effect.map(Effect.service(Auth.CurrentUser), (user) =>
      Reply.connect({ user: user.id, data: { hello: user.id, role: user.claims.role ?? "none" } })),
  rpc: RpcRouter.make({
    whoami: () => Effect.map(Effect.service(Auth.CurrentUser), (user) => ({ id: user.id, claims: user.claims })),
    sum: RpcRouter.method(
      Schema.Struct({ numbers: Schema.Array(Schema.Number) }),
      ({ numbers }) => Effect.succeed(numbers.reduce((a, b) => a + b, 0))
    )
  })
})

describe("composition against a real Centrifugo", () => {
  let server: TestServer.RunningServer
  let centrifugo: Centrifugo.RunningCentrifugo
  let goodToken: string
  const clients: Array<Centrifuge> = []
  const connect = (data: unknown) => {
    const c = client(centrifugo.websocketUrl, { data })
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    const jwt = TokenStorage.makeJwt({ secret: "e2e-secret-e2e-secret-e2e-secret!" })
    goodToken = await Effect.runPromise(jwt.issue({ user: "alice", claims: { role: "editor" } }))
    const served = handlers.pipe(
      Auth.authenticate(),
      Interceptor.logging(),
      Layer.provide(Layer.succeed(TokenStorage.TokenStorage, jwt))
    )
    server = await TestServer.start(served)
    centrifugo = await Centrifugo.start({ bin: centrifugoBin(), proxy: server.address })
  })
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect()
  })
  afterAll(async () => {
    await centrifugo?.stop()
    await server?.stop()
  })

  it("a bad token is refused: the client is disconnected with 101 unauthorized", async () => {
    const c = connect({ authToken: "not-a-token" })
    const disconnected = next<{ code: number; reason: string }>(c, "disconnected")
    c.connect()
    expect(await disconnected).toEqual({ code: 101, reason: "unauthorized: token is not a JWT" })
  })

  it("a good token goes through; handlers read CurrentUser, on connect and later from the connection meta", async () => {
    const c = connect({ authToken: goodToken })
    const connected = next<{ data: unknown }>(c, "connected")
    c.connect()
    expect((await connected).data).toEqual({ hello: "alice", role: "editor" })
    // The claims come back on a later event through the meta Centrifugo keeps for the connection.
    expect((await c.rpc("whoami", {})).data).toEqual({ id: "alice", claims: expect.objectContaining({ role: "editor" }) })
  })

  it("the RPC router answers two methods, and a payload that misses the schema with 107", async () => {
    const c = connect({ authToken: goodToken })
    c.connect()
    expect((await c.rpc("sum", { numbers: [1, 2, 3.5] })).data).toBe(6.5)
    await expect(c.rpc("sum", { numbers: "1,2" })).rejects.toMatchObject({
      code: 107,
      message: "bad request: numbers: Expected array"
    })
    await expect(c.rpc("nope", {})).rejects.toMatchObject({ code: 104, message: "method not found: nope" })
    expect(server.logs.some((l) => /^RPC sum -> ok in/.test(l.message))).toBe(true)
    expect(server.logs.some((l) => /^RPC sum -> error 107 in/.test(l.message))).toBe(true)
  })
})

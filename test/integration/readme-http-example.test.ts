// README's "HTTP transport" example (keep the two in sync): one handler set served over HTTP and gRPC at once, from
// one Layer, as its main.ts does (here on free ports instead of the environment's).
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { afterAll, beforeAll, expect, it } from "vitest"
import { Handlers, HttpProxy, ProxyServer, Reply } from "effect-centrifugo"
import { HttpProxyClient, ProxyClient } from "effect-centrifugo/testing"

const AppHandlers = Handlers.layer({
  connect: (request) => Effect.succeed(Reply.connect({ user: (request.data as { user?: string })?.user ?? "" })),
  rpc: () => Effect.succeed(Reply.rpc({ data: "pong" }))
})

const Main = Layer.mergeAll(
  HttpProxy.layer({ host: "127.0.0.1", port: 0 }),
  ProxyServer.layer({ host: "127.0.0.1", port: 0 })
).pipe(Layer.provide(AppHandlers))

const scope = Scope.makeUnsafe()
let http: HttpProxy.HttpProxy
let grpc: ProxyServer.ProxyServer
beforeAll(async () => {
  const context = await Effect.runPromise(Layer.buildWithScope(Main, scope))
  http = Context.get(context, HttpProxy.HttpProxy)
  grpc = Context.get(context, ProxyServer.ProxyServer)
})
afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

it("answers the same connect over HTTP and gRPC, from one Layer", async () => {
  const overHttp = await HttpProxyClient.make(http.url).connect({ client: "c", data: { user: "ann" } })
  expect(overHttp.json).toEqual({ result: { user: "ann" } })
  const client = ProxyClient.make(`127.0.0.1:${grpc.port}`)
  try {
    const overGrpc = await client.connect({ client: "c", data: ProxyClient.json({ user: "ann" }) })
    expect(overGrpc.result?.user).toBe("ann")
  } finally {
    client.close()
  }
})

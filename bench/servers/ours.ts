// effect-centrifugo: Handlers.layer + ProxyServer.layer, as a user would write it.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer, References, Schema } from "effect"
import { Handler, Handlers, ProxyServer, Reply, TokenStorage } from "../../src/index.ts"
import { port, ready, realisticChannels, TOKENS } from "./logic.ts"

const noop = Handlers.layer({
  connect: () => Effect.succeed(Reply.connect({ user: "u" })),
  subscribe: () => Effect.succeed(Reply.subscribe()),
  rpc: () => Effect.succeed(Reply.rpc())
})

const ConnectData = Schema.Struct({ token: Schema.String })
const realistic = Handlers.layer({
  connect: Handler.withPayload(ConnectData, ({ token }) =>
    Effect.gen(function*() {
      const tokens = yield* TokenStorage.TokenStorage
      const payload = yield* tokens.load(token)
      return Reply.connect({ user: payload.user, channels: realisticChannels(payload.user), data: { ok: true } })
    }))
}).pipe(
  Layer.provide(TokenStorage.layerMemory(
    Object.fromEntries([...TOKENS].map(([token, user]) => [token, { user, claims: {} }]))
  ))
)

const handlers = process.env.MODE === "realistic" ? realistic : noop
const Main = Layer.effectDiscard(Effect.map(Effect.service(ProxyServer.ProxyServer), (server) => ready(server.port))).pipe(
  Layer.provideMerge(ProxyServer.layer({ host: "127.0.0.1", port: port() })),
  Layer.provide(handlers),
  Layer.provide(Layer.succeed(References.MinimumLogLevel, "Warn"))
)
// runMain: SIGINT shuts down gracefully and the process exits normally (so --cpu-prof writes its profile).
Layer.launch(Main).pipe(NodeRuntime.runMain)

// effect-centrifugo under Workers.run: the no-op handlers of ours.ts in WORKERS processes on one port, over gRPC
// with MAX_CONNECTION_AGE_MS so the load generator's connections rotate over the workers, or over HTTP
// (TRANSPORT=http). Each worker prints `ready PORT` (port 0: every worker gets the same one).
import { Duration, Effect, Layer, References } from "effect"
import { HandlerSet, HttpProxy, ProxyServer, Reply, Workers } from "../../src/index.ts"
import { port, ready } from "./logic.ts"

const noop = HandlerSet.layer({
  connect: () => Effect.succeed(Reply.connect({ user: "u" })),
  subscribe: () => Effect.succeed(Reply.subscribe()),
  rpc: () => Effect.succeed(Reply.rpc())
})

const age = Number(process.env.MAX_CONNECTION_AGE_MS ?? "0")
const grpcServer = Layer.effectDiscard(Effect.map(Effect.service(ProxyServer.ProxyServer), (server) => ready(server.port))).pipe(
  Layer.provide(ProxyServer.layer({
    host: "127.0.0.1",
    port: port(),
    ...(age > 0 ? { maxConnectionAge: Duration.millis(age) } : {})
  }))
)
const httpServer = Layer.effectDiscard(Effect.map(Effect.service(HttpProxy.HttpProxy), (server) => ready(server.port))).pipe(
  Layer.provide(HttpProxy.layer({ host: "127.0.0.1", port: port() }))
)
const server: Layer.Layer<never, unknown, HandlerSet.HandlerSet> = process.env.TRANSPORT === "http" ? httpServer : grpcServer
const Main = server.pipe(
  Layer.provide(noop),
  Layer.provide(Layer.succeed(References.MinimumLogLevel, "Warn"))
)

Workers.run(Main, { count: Number(process.env.WORKERS ?? "1") })

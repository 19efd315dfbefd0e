// effect-centrifugo: HandlerSet.layer + ProxyServer.layer, as a user would write it.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer, References } from "effect"
import { ProxyServer } from "../../src/index.ts"
import { port, ready } from "./logic.ts"
import { handlers } from "./ours-handlers.ts"

const Main = Layer.effectDiscard(Effect.map(Effect.service(ProxyServer.ProxyServer), (server) => ready(server.port))).pipe(
  Layer.provideMerge(ProxyServer.layer({ host: "127.0.0.1", port: port() })),
  Layer.provide(handlers),
  Layer.provide(Layer.succeed(References.MinimumLogLevel, "Warn"))
)
// runMain: SIGINT shuts down gracefully and the process exits normally (so --cpu-prof writes its profile).
Layer.launch(Main).pipe(NodeRuntime.runMain)

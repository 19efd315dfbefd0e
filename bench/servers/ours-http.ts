// effect-centrifugo over HTTP: the same HandlerSet served by HttpProxy.layer, as a user would write it.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer, References } from "effect"
import { HttpProxy } from "../../src/index.ts"
import { port, ready } from "./logic.ts"
import { handlers } from "./ours-handlers.ts"

const Main = Layer.effectDiscard(Effect.map(Effect.service(HttpProxy.HttpProxy), (server) => ready(server.port))).pipe(
  Layer.provideMerge(HttpProxy.layer({ host: "127.0.0.1", port: port() })),
  Layer.provide(handlers),
  Layer.provide(Layer.succeed(References.MinimumLogLevel, "Warn"))
)
Layer.launch(Main).pipe(NodeRuntime.runMain)

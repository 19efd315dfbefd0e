// effect-centrifugo over HTTP, mounted: HttpProxy.routes in an effect/http app on @effect/platform-node's server
// (one port for the app's API and the proxy), as a user who already runs an effect/http app writes it.
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer, References } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { createServer } from "node:http"
import { HttpProxy } from "../../src/index.ts"
import { port, ready } from "./logic.ts"
import { handlers } from "./ours-handlers.ts"

const Main = Layer.effectDiscard(
  Effect.map(Effect.service(HttpServer.HttpServer), (server) => ready("port" in server.address ? server.address.port : 0))
).pipe(
  Layer.provideMerge(HttpRouter.serve(HttpProxy.routes(), { disableListenLog: true, disableLogger: true })),
  Layer.provideMerge(NodeHttpServer.layer(createServer, { host: "127.0.0.1", port: port() })),
  Layer.provide(handlers),
  Layer.provide(Layer.succeed(References.MinimumLogLevel, "Warn"))
)
Layer.launch(Main).pipe(NodeRuntime.runMain)

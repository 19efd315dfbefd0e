/**
 * The example backend: the handlers of ./handlers.ts served over gRPC.
 * PROXY_HOST (default 0.0.0.0) and PROXY_PORT (default 10001) set where it listens; Ctrl-C shuts it down
 * gracefully (in-flight calls get PROXY_SHUTDOWN_TIMEOUT, default 10 seconds).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Layer } from "effect"
import { ProxyServer } from "effect-centrifugo"
import { AppHandlers } from "./handlers.ts"

const Main = ProxyServer.layerConfig().pipe(Layer.provide(AppHandlers))

Layer.launch(Main).pipe(NodeRuntime.runMain)

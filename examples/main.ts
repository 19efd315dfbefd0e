/**
 * The example backend served over gRPC: PROXY_HOST (default 0.0.0.0) and PROXY_PORT (default 10001) set where it
 * listens; Ctrl-C or SIGTERM shut it down gracefully (in-flight calls get PROXY_SHUTDOWN_TIMEOUT, default 10 s).
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Layer } from "effect"
import { ProxyServer } from "effect-centrifugo"
import { App } from "./app.ts"

const Main = ProxyServer.layerConfig().pipe(Layer.provide(App))

Layer.launch(Main).pipe(NodeRuntime.runMain)

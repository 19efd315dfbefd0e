/**
 * The example backend served over gRPC and HTTP at once (point each Centrifugo proxy at either): PROXY_HOST
 * (default 0.0.0.0) and PROXY_PORT (default 10001) set where gRPC listens, PROXY_HTTP_HOST and PROXY_HTTP_PORT
 * (default 10002) where the HTTP proxy routes (`/centrifugo/connect`, ...) do; Ctrl-C or SIGTERM shut both down
 * gracefully (in-flight calls get PROXY_SHUTDOWN_TIMEOUT / PROXY_HTTP_SHUTDOWN_TIMEOUT, default 10 s).
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Layer } from "effect"
import { HttpProxy, ProxyServer } from "effect-centrifugo"
import { App } from "./app.ts"

const Main = Layer.mergeAll(ProxyServer.layerConfig(), HttpProxy.layerConfig()).pipe(Layer.provide(App))

Layer.launch(Main).pipe(NodeRuntime.runMain)

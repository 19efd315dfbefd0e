/**
 * The example backend served over gRPC: PROXY_HOST (default 0.0.0.0) and PROXY_PORT (default 10001) set where it
 * listens; Ctrl-C or SIGTERM shut it down gracefully (in-flight calls get PROXY_SHUTDOWN_TIMEOUT, default 10 s) and
 * it exits 0. PROXY_WORKERS=N (or `auto`) runs N processes on that port (see README "Scaling out"); with more than
 * one, set TOKEN_HMAC_SECRET (JWTs work in every process) and PROXY_MAX_CONNECTION_AGE (calls spread over workers).
 */
import { Layer } from "effect"
import { ProxyServer, Workers } from "effect-centrifugo"
import { App } from "./app.ts"

Workers.run(ProxyServer.layerConfig().pipe(Layer.provide(App)))

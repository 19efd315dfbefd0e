/**
 * The example backend served over gRPC and HTTP at once (point each Centrifugo proxy at either): PROXY_HOST
 * (default 0.0.0.0) and PROXY_PORT (default 10001) set where gRPC listens, PROXY_HTTP_HOST and PROXY_HTTP_PORT
 * (default 10002) where the HTTP proxy routes (`/centrifugo/connect`, ...) do; Ctrl-C or SIGTERM shut both down
 * gracefully (in-flight calls get PROXY_SHUTDOWN_TIMEOUT / PROXY_HTTP_SHUTDOWN_TIMEOUT, default 10 s) and the
 * process exits 0. Operations, all optional: PROXY_ADMIN_PORT (/metrics, /healthz, /readyz), LOG_FORMAT and LOG_LEVEL,
 * OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME (trace export), PROXY_DRAIN_DELAY.
 * PROXY_WORKERS=N (or `auto`) runs N processes on those ports (see "Scaling out" in docs/guides/production.md); with more than one, set
 * PROXY_TOKEN_HMAC_SECRET (JWTs work in every process) and PROXY_MAX_CONNECTION_AGE (gRPC calls spread over workers).
 */
import { Layer } from "effect"
import { Admin, HttpProxy, Interceptor, Logging, ProxyServer, Readiness, Tracing, Workers } from "effect-centrifugo"
import { App } from "./app.ts"

const Proxies = Layer.mergeAll(ProxyServer.layerConfig(), HttpProxy.layerConfig()).pipe(
  Layer.provide(App.pipe(Interceptor.tracing()))
)

const Server = Layer.mergeAll(Proxies, Admin.layerConfig()).pipe(
  Layer.provide(Readiness.layer()),
  Layer.provide(Tracing.layerConfig()),
  Layer.provide(Logging.layerConfig())
)

Workers.run(Server)

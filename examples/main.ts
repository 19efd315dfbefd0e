/**
 * The example backend served over gRPC: PROXY_HOST (default 0.0.0.0) and PROXY_PORT (default 10001) set where it
 * listens; Ctrl-C or SIGTERM shut it down gracefully (in-flight calls get PROXY_SHUTDOWN_TIMEOUT, default 10 s) and
 * the process exits 0. Operations, all optional: ADMIN_PORT (/metrics, /healthz, /readyz), LOG_FORMAT and
 * LOG_LEVEL, OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME (trace export), PROXY_DRAIN_DELAY.
 * PROXY_WORKERS=N (or `auto`) runs N processes on that port (see README "Scaling out"); with more than one, set
 * TOKEN_HMAC_SECRET (JWTs work in every process) and PROXY_MAX_CONNECTION_AGE (calls spread over workers).
 */
import { Layer } from "effect"
import { Admin, Interceptor, Logging, ProxyServer, Readiness, Tracing, Workers } from "effect-centrifugo"
import { App } from "./app.ts"

const ProxyLayer = ProxyServer.layerConfig().pipe(Layer.provide(App.pipe(Interceptor.tracing())))

const Server = Layer.mergeAll(ProxyLayer, Admin.layerConfig()).pipe(
  Layer.provide(Readiness.layer()),
  Layer.provide(Tracing.layerConfig()),
  Layer.provide(Logging.layerConfig())
)

Workers.run(Server)

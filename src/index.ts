/**
 * effect-centrifugo: Centrifugo proxy backends as Effect programs.
 *
 * - `ProxyRequest`: what Centrifugo asks (one Schema-described type per proxy event).
 * - `Reply`: what a handler answers (results, `Reply.error`, `Reply.disconnect`).
 * - `Payload`: JSON and binary payload values in replies.
 * - `Handler`: helpers for one handler (typed payloads).
 * - `HandlerSet`: a record of handlers as a Layer; their services flow into its requirements.
 * - `Interceptor`: Layer transformations around handler calls (logging, timeout, failure mapping, your own).
 * - `Auth`: `CurrentUser` and the token authentication interceptor.
 * - `RpcProxy`: an `effect/rpc` `RpcGroup` served through Centrifugo's RPC proxy (typed contract, typed client).
 * - `RpcRouter`: one rpc handler routed by method name (untyped methods, `HttpBridge`'s `verb:path`).
 * - `TokenStorage`: tokens to users (in memory, HS256 JWT, or your own).
 * - `TopicRegistry`: channel patterns to subscribe authorization.
 * - `Channel`: a channel family as a value (pattern, publication Schema, namespace options), shared with the client.
 * - `ChannelRouter`: the backend's subscribe, publish and sub-refresh handlers and rules attached to channels.
 * - `HttpBridge`: the application's own `effect/http` app called in-process (RPC `method:uri` bridge).
 * - `ProxyServer`: the gRPC server runtime as a scoped Layer.
 * - `HttpProxy`: the HTTP transport, as `effect/http` routes or a standalone scoped Layer.
 * - `Defaults`: the ports, HTTP prefix and secret variable names the servers, the CLI and the docs share.
 * - `Main`: runs a server Layer as the process's main program (a signal drains it and exits 0).
 * - `Workers`: the same main program in N processes sharing its port (crashed workers replaced, SIGTERM drains all).
 * - `CentrifugoApi`: Centrifugo's server API (publish, broadcast, presence, history, ...) over HTTP or gRPC.
 * - Operations: `Readiness` (shared ready/draining state), `Health` (grpc.health.v1), `Probes` (`/healthz`,
 *   `/readyz`), `Metrics` (names, buckets, Prometheus text), `Admin` (the admin HTTP server), `Tracing` (OTLP
 *   export, `traceparent`), `Logging` (`LOG_FORMAT`, `LOG_LEVEL`).
 *
 * @since 0.1.0
 */
export * as CentrifugoApi from "./api/index.ts"
export * as Auth from "./Auth.ts"
export * as CentrifugoConfig from "./CentrifugoConfig.ts"
export * as Channel from "./contract/Channel.ts"
export * as ChannelRouter from "./ChannelRouter.ts"
export * as Defaults from "./Defaults.ts"
export * as Handler from "./Handler.ts"
export * as HandlerSet from "./HandlerSet.ts"
export * as HttpProxy from "./http/HttpProxy.ts"
export * as Interceptor from "./Interceptor.ts"
export * as Main from "./Main.ts"
export * as Payload from "./Payload.ts"
export * as ProxyServer from "./grpc/ProxyServer.ts"
export * as Reply from "./Reply.ts"
export * as ProxyRequest from "./ProxyRequest.ts"
export * as RpcProxy from "./RpcProxy.ts"
export * as RpcRouter from "./RpcRouter.ts"
export * as HttpBridge from "./services/HttpBridge.ts"
export * as TokenStorage from "./services/TokenStorage.ts"
export * as TopicRegistry from "./services/TopicRegistry.ts"
export * as Admin from "./ops/Admin.ts"
export * as Health from "./ops/Health.ts"
export * as Logging from "./ops/Logging.ts"
export * as Metrics from "./ops/Metrics.ts"
export * as Probes from "./ops/Probes.ts"
export * as Readiness from "./ops/Readiness.ts"
export * as Tracing from "./ops/Tracing.ts"
export * as Workers from "./Workers.ts"

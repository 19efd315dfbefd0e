/**
 * effect-centrifugo: Centrifugo proxy backends as Effect programs.
 *
 * - `Request`: what Centrifugo asks (one Schema-described type per proxy event).
 * - `Reply`: what a handler answers (results, `Reply.error`, `Reply.disconnect`).
 * - `Payload`: JSON and binary payload values in replies.
 * - `Handlers`: a record of handlers as a Layer; their services flow into its requirements.
 * - `ProxyServer`: the gRPC server runtime as a scoped Layer.
 *
 * @since 0.1.0
 */
export * as Handlers from "./Handlers.ts"
export * as Payload from "./Payload.ts"
export * as ProxyServer from "./grpc/ProxyServer.ts"
export * as Reply from "./Reply.ts"
export * as Request from "./Request.ts"

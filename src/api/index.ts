/**
 * CentrifugoApi: the service, its errors and types, and its HTTP and gRPC Layers (see ./CentrifugoApi.ts).
 *
 * @since 0.1.0
 */
export * from "./CentrifugoApi.ts"
export {
  type GrpcOptions,
  type HttpOptions,
  layerGrpc,
  layerGrpcConfig,
  layerHttp,
  layerHttpConfig,
  layerHttpFetch
} from "./transports.ts"

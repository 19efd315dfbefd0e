/**
 * CentrifugoApi: the service, its errors and types, and its HTTP and gRPC Layers (see ./CentrifugoApi.ts).
 *
 * @since 0.1.0
 */
export * from "./CentrifugoApi.ts"
export { broadcastTo, publishTo } from "./channels.ts"
export {
  type GrpcOptions,
  type HttpConfigOptions,
  type HttpOptions,
  layerDisabled,
  layerGrpc,
  layerGrpcConfig,
  layerHttp,
  layerHttpConfig,
  layerHttpFetch,
  notConfiguredCode
} from "./transports.ts"

/**
 * CentrifugoApi: the service and its errors (./CentrifugoApi.ts), its inputs and results (./models.ts), and its HTTP
 * and gRPC Layers (./transports.ts).
 *
 * @since 0.1.0
 */
export * from "./CentrifugoApi.ts"
export * from "./models.ts"
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

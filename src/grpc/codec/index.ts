/**
 * The gRPC transport's protobuf codec: requests decoded, replies encoded, and the decode failure.
 *
 * @since 0.1.0
 */
export * from "./replies.ts"
export * from "./requests.ts"
export { decodeFailure, type DecodeFailure, isDecodeFailure } from "./wire.ts"

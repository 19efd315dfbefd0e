/**
 * gRPC error statuses as grpc-js wants them, shared by the unary server and the stream calls.
 *
 * @since 0.1.0
 */
import type * as grpc from "@grpc/grpc-js"

/** A gRPC error status for `callback(error)` or `call.emit("error", ...)`. */
export const status = (code: grpc.status, details: string): grpc.ServerErrorResponse =>
  Object.assign(new Error(details), { code, details })

/** The details of the UNAUTHENTICATED answer to a call without the required proxy credentials. */
export const UNAUTHENTICATED_DETAILS = "effect-centrifugo: missing or wrong proxy credentials"

/**
 * Calls as an established connection: `establish(request)` runs the connect handler and, when it accepts, gives the
 * connection as Centrifugo then knows it (client ID, user, the meta and info of the connect reply), and `as(request)`
 * turns any later request into the one this connection would send (same client, user, transport, protocol,
 * encoding; `meta` as the connect reply set it, which Centrifugo forwards with `include_connection_meta`).
 *
 * ```ts
 * import { Effect } from "effect"
 * import { connectRequest, establish, handle, rpcRequest } from "effect-centrifugo/testing"
 *
 * const program = Effect.gen(function*() {
 *   const alice = yield* establish(connectRequest({ data: { token: "alice-token" } }))
 *   return yield* handle(alice.as(rpcRequest({ method: "profile" })))
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type { HandlerSet } from "../HandlerSet.ts"
import type { ConnectRequest, ProxyRequest } from "../ProxyRequest.ts"
import { handle, type HandledReply, type HandleOptions, type ResultOf } from "./handle.ts"
import { type TaggedError, taggedError } from "../internal/tagged.ts"

/**
 * The connect handler did not accept: its reply (an error, a disconnect or a status) says why.
 *
 * @since 0.1.0
 * @category errors
 */
export interface ConnectionRefusedError extends TaggedError<"ConnectionRefusedError"> {
  readonly reply: HandledReply<ResultOf<ConnectRequest>>
}

/**
 * Builds a `ConnectionRefusedError`; it prints as `ConnectionRefusedError: <message>`.
 *
 * @since 0.1.0
 * @category errors
 */
export const ConnectionRefusedError = taggedError<ConnectionRefusedError>("ConnectionRefusedError")

/** Why a connect reply refused, in words. */
const refusal = (reply: HandledReply<ResultOf<ConnectRequest>>): string =>
  reply.error !== undefined
    ? `error ${reply.error.code} ${reply.error.message}`
    : reply.disconnect !== undefined
    ? `disconnect ${reply.disconnect.code} ${reply.disconnect.reason}`
    : reply.status !== undefined
    ? `status ${reply.status.code} ${reply.status.details}`
    : "no result"

/**
 * An established connection: the client, user, meta and info its connect reply gave, and `as` to send a later request as it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Connection {
  readonly client: string
  readonly user: string
  /** The connect reply's `meta` (server-only), parsed; `undefined` when it set none. */
  readonly meta: unknown
  /** The connect reply's `info` (sent to other clients in presence), parsed. */
  readonly info: unknown
  /** The connect reply itself. */
  readonly reply: HandledReply<ResultOf<ConnectRequest>>
  /** `request` as this connection sends it. */
  readonly as: <R extends Exclude<ProxyRequest, ConnectRequest>>(request: R) => R
}

/**
 * Connects with `request`; fails with `ConnectionRefusedError` when the reply is not a result.
 *
 * @since 0.1.0
 * @category testing
 */
export const establish = (
  request: ConnectRequest,
  options: HandleOptions = {}
): Effect.Effect<Connection, ConnectionRefusedError, HandlerSet> =>
  Effect.flatMap(handle(request, options), (reply) => {
    const result = reply.result
    if (result === undefined || reply.error !== undefined || reply.disconnect !== undefined) {
      return Effect.fail(ConnectionRefusedError({ reply, message: `the connect handler refused: ${refusal(reply)}` }))
    }
    const user = result.user ?? ""
    const from = { client: request.client, transport: request.transport, protocol: request.protocol, encoding: request.encoding }
    return Effect.succeed({
      client: request.client,
      user,
      meta: result.meta,
      info: result.info,
      reply,
      as: (later) => ({ ...later, ...from, ...("user" in later ? { user } : {}), ...("meta" in later ? { meta: result.meta } : {}) })
    })
  })

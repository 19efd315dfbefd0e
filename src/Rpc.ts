/**
 * RPC routing: one `rpc` handler built from a record of methods.
 *
 * ```ts
 * const rpc = Rpc.router({
 *   ping: () => Effect.succeed("pong"),
 *   "news:list": Rpc.method(Schema.Struct({ page: Schema.Number }), ({ page }, request) => listNews(page))
 * })
 * Handlers.layer({ rpc })
 * ```
 *
 * A method answers the RPC result's `data` (any JSON value, `Payload.binary(...)`, or nothing), or a full
 * `Reply.rpc(...)`; it rejects with `Effect.fail(Reply.error(...))`. `Rpc.method(schema, ...)` decodes the payload
 * first and answers 107 "bad request: ..." for data that does not fit. A method the router does not know is
 * answered with error **104** "method not found: NAME" (Centrifugo's own code for an unknown RPC namespace), or
 * with `options.notFound(request)`.
 *
 * The router is an ordinary handler: interceptors wrap it like any other, and its methods' services flow into the
 * handler set's requirements.
 *
 * @since 0.1.0
 */
import { Effect, type Schema } from "effect"
import { withPayload } from "./Handler.ts"
import { RpcMethodsKey } from "./Handlers.ts"
import * as Reply from "./Reply.ts"
import type { RpcRequest } from "./Request.ts"

/** One RPC method: from the request to the result data (or a full RPC reply). */
export type Method<E = unknown, R = never> = (request: RpcRequest) => Effect.Effect<unknown, E, R>

/** A method whose payload is decoded with `schema` first. */
export const method = <S extends Schema.Top, A, E, R>(
  schema: S,
  handler: (payload: S["Type"], request: RpcRequest) => Effect.Effect<A, E, R>
): Method<E | Reply.ErrorReply, R | S["DecodingServices"]> => withPayload(schema, handler)

// `any` lets each method keep its own error and requirement types; `RequirementsOf` recovers them.
type AnyMethods = Readonly<Record<string, Method<any, any>>>

type RequirementsOf<M> = { [K in keyof M]: M[K] extends Method<infer _E, infer R> ? R : never }[keyof M]

/** A method's answer as a reply: replies pass through, anything else is the result's data. */
const asReply = (value: unknown): Reply.RpcReply =>
  Reply.isReply(value) ? value as Reply.RpcReply : value === undefined ? Reply.rpc() : Reply.rpc({ data: value })

export interface RouterOptions<R> {
  /** The answer for a method the router does not know. Default: error 104 "method not found: NAME". */
  readonly notFound?: (request: RpcRequest) => Effect.Effect<Reply.RpcReply, unknown, R>
}

/** One `rpc` handler dispatching on `request.method`. The method table is built once. */
export const router = <const M extends AnyMethods, RNotFound = never>(
  methods: M,
  options: RouterOptions<RNotFound> = {}
  // NoInfer: RNotFound comes from `options` only, never from the context the router is used in (which, inside
  // Handlers.layer, would otherwise infer it as `any` and hide every requirement).
): (request: RpcRequest) => Effect.Effect<Reply.RpcReply, unknown, RequirementsOf<M> | NoInfer<RNotFound>> => {
  const table = new Map<string, Method<unknown, RequirementsOf<M>>>(Object.entries(methods))
  const notFound = options.notFound ??
    ((request: RpcRequest) =>
      Effect.succeed(Reply.error(Reply.ErrorCode.MethodNotFound, `method not found: ${request.method}`)))
  const route = (request: RpcRequest) => {
    const handler = table.get(request.method)
    return handler === undefined ? notFound(request) : Effect.map(handler(request), asReply)
  }
  // The method names, for `Handlers.describe` (the CLI's config and start-up checks).
  Object.defineProperty(route, RpcMethodsKey, { value: Object.keys(methods), enumerable: false })
  return route
}

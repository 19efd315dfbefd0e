/**
 * `effect/rpc` over centrifuge-js: calls of an `RpcGroup` travel as Centrifugo RPCs (`client.rpc(tag, payload)`),
 * answered by a backend serving the group with `RpcProxy.layer`. Browser-safe: no Node import.
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Rpc, RpcGroup } from "effect/rpc"
 * import { CentrifugeRpc } from "effect-centrifugo/client"
 *
 * const NewsRpcs = RpcGroup.make(
 *   Rpc.make("news.get", { payload: { id: Schema.Number }, success: Schema.Struct({ title: Schema.String }) })
 * )
 * declare const centrifuge: CentrifugeRpc.RpcCaller // a connected `Centrifuge` from the `centrifuge` package
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* CentrifugeRpc.make(NewsRpcs, centrifuge)
 *   const news = yield* client["news.get"]({ id: 1 }) // { title: string }, typed from the contract
 *   return news.title
 * }).pipe(Effect.scoped)
 * ```
 *
 * A declared failure arrives as that failure, decoded with the method's error Schema. An error Centrifugo or the
 * backend answered instead (107 for a payload that does not fit, 100 for a defect, 104 for an unknown method, a
 * timeout) fails the call with an `RpcClientError`; `CentrifugeRpc.errorOf` reads its code and message.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Schema from "effect/Schema"
import * as Rpc from "effect/rpc/Rpc"
import * as RpcClient from "effect/rpc/RpcClient"
import { RpcClientDefect, RpcClientError } from "effect/rpc/RpcClientError"
import type * as RpcGroup from "effect/rpc/RpcGroup"
import type { CodecFor } from "effect/rpc/RpcSerialization"

/**
 * What the client needs of a `Centrifuge` (from the `centrifuge` package): its `rpc` method.
 *
 * @since 0.1.0
 * @category models
 */
export interface RpcCaller {
  readonly rpc: (method: string, data: unknown) => Promise<{ readonly data: unknown }>
}

/**
 * An error answered instead of a result: by Centrifugo (timeouts, limits) or by the backend (107 bad request, 100
 * internal, 104 method not found, your own `Reply.error` codes).
 *
 * @since 0.1.0
 * @category models
 */
export interface CentrifugoError {
  readonly _tag: "CentrifugoError"
  readonly code: number
  readonly message: string
}

/** Whatever centrifuge-js rejected with, as a `CentrifugoError` (it rejects with `{ code, message }`). */
const asCentrifugoError = (reason: unknown): CentrifugoError => {
  const { code, message } = (typeof reason === "object" && reason !== null ? reason : {}) as {
    readonly code?: unknown
    readonly message?: unknown
  }
  return {
    _tag: "CentrifugoError",
    code: typeof code === "number" ? code : 0,
    message: typeof message === "string" ? message : String(reason)
  }
}

/**
 * The code and message of an error Centrifugo or the backend answered, when `error` is one (an `RpcClientError`
 * from this protocol, or a `CentrifugoError`); `undefined` otherwise.
 *
 * @since 0.1.0
 * @category utils
 */
export const errorOf = (error: unknown): CentrifugoError | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  if ((error as { _tag?: unknown })._tag === "CentrifugoError") return error as CentrifugoError
  if (!(error instanceof RpcClientError) || error.reason._tag !== "RpcClientDefect") return undefined
  const cause = error.reason.cause as { readonly _tag?: unknown }
  return typeof cause === "object" && cause !== null && cause._tag === "CentrifugoError"
    ? cause as CentrifugoError
    : undefined
}

const clientError = (error: CentrifugoError) =>
  new RpcClientError({
    reason: new RpcClientDefect({ message: `centrifugo error ${error.code}: ${error.message}`, cause: error })
  })

/**
 * An `effect/rpc` client `Protocol` over `client.rpc(...)`: each request is one Centrifugo RPC named by the
 * method's tag, its reply data the method's encoded `Exit`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const protocol = (client: RpcCaller): Effect.Effect<RpcClient.Protocol["Service"]> =>
  RpcClient.Protocol.make((write) =>
    Effect.succeed({
      send: (clientId, request) =>
        request._tag !== "Request" ? Effect.void : Effect.flatMap(
          Effect.tryPromise({
            try: () => client.rpc(request.tag, request.payload),
            catch: (reason) => clientError(asCentrifugoError(reason))
          }),
          // The reply data is the encoded Exit; the client decodes it with the method's exit Schema.
          (result) => write(clientId, { _tag: "Exit", requestId: request.id, exit: result.data as never })
        ),
      // Centrifugo RPCs are unary: no acknowledgements, no transferables, JSON as the codec.
      supportsAck: false,
      supportsTransferables: false,
      codecFor: Schema.toCodecJson as CodecFor
    })
  )

/**
 * The protocol as a Layer, for `RpcClient.make(group)` in your own program.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerProtocol = (client: RpcCaller): Layer.Layer<RpcClient.Protocol> =>
  Layer.effect(RpcClient.Protocol, protocol(client))

/**
 * The typed Effect client of `group` over `client`: `RpcClient.make(group)` with this protocol.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <Rpcs extends Rpc.Any>(
  group: RpcGroup.RpcGroup<Rpcs>,
  client: RpcCaller
): Effect.Effect<RpcClient.RpcClient<Rpcs, RpcClientError>, never, Scope.Scope | Rpc.MiddlewareClient<Rpcs>> =>
  Effect.flatMap(protocol(client), (service) =>
    Effect.provideService(RpcClient.make(group), RpcClient.Protocol, service))

/**
 * The group as Promises, for a frontend without Effect: each method takes its payload and resolves with its
 * success, or rejects with its declared failure (decoded) or a `CentrifugoError`.
 *
 * @since 0.1.0
 * @category models
 */
export type PromiseClient<Rpcs extends Rpc.Any> = {
  readonly [R in Rpcs as R["_tag"]]: (payload: Rpc.PayloadConstructor<R>) => Promise<Rpc.Success<R>>
}

/**
 * What a `PromiseClient` method rejects with: the method's declared failure, or an error answered instead.
 *
 * @since 0.1.0
 * @category models
 */
export type PromiseFailure<R extends Rpc.Any> = Rpc.Error<R> | CentrifugoError

/** A Schema's JSON form, its services erased: a Promise client has no context to take them from. */
const json = (schema: Schema.Top): Schema.Codec<unknown, unknown> =>
  Schema.toCodecJson(schema) as unknown as Schema.Codec<unknown, unknown>

/**
 * A `PromiseClient` of `group` over `client`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Rpc, RpcGroup } from "effect/rpc"
 * import { CentrifugeRpc } from "effect-centrifugo/client"
 *
 * const Greeter = RpcGroup.make(Rpc.make("greet", { payload: { name: Schema.String }, success: Schema.String }))
 * declare const centrifuge: CentrifugeRpc.RpcCaller
 *
 * const greeter = CentrifugeRpc.promiseClient(Greeter, centrifuge)
 * const text: Promise<string> = greeter.greet({ name: "ann" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const promiseClient = <Rpcs extends Rpc.Any>(
  group: RpcGroup.RpcGroup<Rpcs>,
  client: RpcCaller
): PromiseClient<Rpcs> => {
  const methods: Record<string, (payload: unknown) => Promise<unknown>> = {}
  for (const rpc of group.requests.values() as Iterable<Rpc.AnyWithProps>) {
    const encode = Schema.encodeUnknownPromise(json(rpc.payloadSchema))
    const decode = Schema.decodeUnknownPromise(json(Rpc.exitSchema(rpc as never)))
    methods[rpc._tag] = async (payload) => {
      const data = await client.rpc(rpc._tag, await encode(payload)).then(
        (result) => result.data,
        (reason) => Promise.reject(asCentrifugoError(reason))
      )
      const exit = await decode(data) as Exit.Exit<unknown, unknown>
      if (Exit.isSuccess(exit)) return exit.value
      const error = Cause.findErrorOption(exit.cause)
      throw error._tag === "Some" ? error.value : Cause.squash(exit.cause)
    }
  }
  return methods as PromiseClient<Rpcs>
}


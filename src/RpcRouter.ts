/**
 * RPC routing: one `rpc` handler built from a record of methods.
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { HandlerSet, RpcRouter } from "effect-centrifugo"
 *
 * declare const listNews: (page: number) => Effect.Effect<ReadonlyArray<{ readonly title: string }>>
 *
 * const rpc = RpcRouter.make({
 *   ping: () => Effect.succeed("pong"),
 *   "news:list": RpcRouter.method(Schema.Struct({ page: Schema.Number }), ({ page }) => listNews(page))
 * })
 * const MyHandlers = HandlerSet.layer({ rpc })
 * ```
 *
 * A method answers the RPC result's `data` (any JSON value, `Payload.binary(...)`, or nothing), or a full
 * `Reply.rpc(...)`; it rejects with `Effect.fail(Reply.error(...))`. `RpcRouter.method(schema, ...)` decodes the payload
 * first and answers 107 "bad request: ..." for data that does not fit; `RpcRouter.method(schema, ..., { success })` also
 * encodes the result with the `success` Schema (Dates, bigints, your own types become JSON that way). A method the
 * router does not know is answered with error **104** "method not found: NAME" (Centrifugo's own code for an unknown
 * RPC namespace), or with `options.notFound(request)`.
 *
 * A result must be JSON as it is: a method (plain, or `RpcRouter.method` without `success`) does not compile for a result
 * type with a function, bigint, symbol, Date, Map, Set or byte array in it, and at run time the router fails a call
 * whose result is not JSON (`RpcResultNotJsonError`, answered as a failure: error 100 and a log line naming the method
 * and where in the result) instead of letting `JSON.stringify` drop or change it.
 *
 * The router is an ordinary handler: interceptors wrap it like any other, and its methods' services flow into the
 * handler set's requirements.
 *
 * Files that also use `effect/rpc` can import this module under another name:
 * `import { RpcRouter as CentrifugoRpc } from "effect-centrifugo"`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { withPayload } from "./Handler.ts"
import type { Contribution } from "./HandlerSet.ts"
import { isJson, notJson } from "./internal/jsonValue.ts"
import { isReply } from "./internal/replyRejections.ts"
import * as Payload from "./Payload.ts"
import * as Reply from "./Reply.ts"
import type { RpcRequest } from "./ProxyRequest.ts"
import { type TaggedError, taggedError } from "./internal/tagged.ts"

/**
 * One RPC method: from the request to the result data (or a full RPC reply).
 *
 * @since 0.1.0
 * @category models
 */
export type Method<E = unknown, R = never> = (request: RpcRequest) => Effect.Effect<unknown, E, R>

/**
 * `A` if a value of type `A` is JSON as it is (or a reply / `Payload` value), else `A` with `never` where it is not:
 * functions, bigints, symbols, Dates, Maps, Sets, byte arrays, regular expressions. `unknown` and `any` pass (they
 * cannot be checked before the value exists; the router checks it then).
 *
 * @since 0.1.0
 * @category models
 */
export type Jsonable<A> = unknown extends A ? A
  : A extends Reply.RpcReply | Payload.Binary | Payload.RawJson ? A
  : A extends string | number | boolean | null | undefined | void ? A
  : A extends
    | bigint
    | symbol
    | ((...args: ReadonlyArray<never>) => unknown)
    | Date
    | ReadonlyMap<unknown, unknown>
    | ReadonlySet<unknown>
    | RegExp
    | Uint8Array
    | Promise<unknown> ? never
  : A extends object ? { [K in keyof A]: Jsonable<A[K]> }
  : never

/**
 * A method's result was not JSON (and had no `success` Schema to make it so, or the Schema's output was not).
 *
 * @since 0.1.0
 * @category errors
 */
export interface RpcResultNotJsonError extends TaggedError<"RpcResultNotJsonError"> {
  readonly method: string
  /** Where in the result, e.g. `data.items[2].at`. */
  readonly path: string
}

/**
 * Builds an `RpcResultNotJsonError`; it prints as `RpcResultNotJsonError: <message>`.
 *
 * @since 0.1.0
 * @category errors
 */
export const RpcResultNotJsonError = taggedError<RpcResultNotJsonError>("RpcResultNotJsonError")

/**
 * A method's result did not fit its `success` Schema.
 *
 * @since 0.1.0
 * @category errors
 */
export interface RpcResultInvalidError extends TaggedError<"RpcResultInvalidError"> {
  readonly method: string
}

/**
 * Builds an `RpcResultInvalidError`; it prints as `RpcResultInvalidError: <message>` with its cause (the Schema
 * issue).
 *
 * @since 0.1.0
 * @category errors
 */
export const RpcResultInvalidError = taggedError<RpcResultInvalidError>("RpcResultInvalidError")

/**
 * Options of `RpcRouter.method`: the `success` Schema that encodes the method's result for the reply.
 *
 * @since 0.1.0
 * @category models
 */
export interface MethodOptions<Success extends Schema.Top> {
  /** Encodes the result for the reply (so the method returns `Success["Type"]`, the client gets its encoded form). */
  readonly success: Success
}

/**
 * Nothing when `A` is JSON as it is; otherwise a member no Effect has, so the method does not compile.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonResultCheck<A> = [A] extends [Jsonable<A>] ? unknown
  : { readonly "the result is not JSON: convert it, or pass RpcRouter.method a { success } Schema": Jsonable<A> }

/**
 * A method that takes no payload (whatever the client sends is ignored): `RpcRouter.method(() => Effect.succeed(...))`;
 * or, with a Schema first, a method whose payload is decoded with it first (a payload that does not decode is
 * answered 107). Its result must be JSON as it is (see `Jsonable`).
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { HandlerSet, RpcRouter } from "effect-centrifugo"
 *
 * const Add = Schema.Struct({ a: Schema.Number, b: Schema.Number })
 *
 * const MyHandlers = HandlerSet.layer({
 *   rpc: RpcRouter.make({
 *     add: RpcRouter.method(Add, ({ a, b }) => Effect.succeed({ sum: a + b })),
 *     // With `success`, the result is encoded by the Schema: the client gets the Date as an ISO string.
 *     now: RpcRouter.method(Schema.Unknown, () => Effect.sync(() => new Date()), { success: Schema.DateFromString })
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export function method<A, E, R>(
  handler: (request: RpcRequest) => Effect.Effect<A, E, R> & JsonResultCheck<A>
): Method<E, R>
/** A method whose payload is decoded with `schema` first. Its result must be JSON as it is (see `Jsonable`). */
export function method<S extends Schema.Top, A, E, R>(
  schema: S,
  handler: (payload: S["Type"], request: RpcRequest) => Effect.Effect<A, E, R> & JsonResultCheck<A>
): Method<E | Reply.ErrorReply, R | S["DecodingServices"]>
/** A method whose payload is decoded with `schema` and whose result is encoded with `options.success`. */
export function method<S extends Schema.Top, Success extends Schema.Top, E, R>(
  schema: S,
  handler: (payload: S["Type"], request: RpcRequest) => Effect.Effect<Success["Type"], E, R>,
  options: MethodOptions<Success>
): Method<E | Reply.ErrorReply | RpcResultInvalidError, R | S["DecodingServices"] | Success["EncodingServices"]>
export function method<S extends Schema.Top, E, R>(
  schema: S | ((request: RpcRequest) => Effect.Effect<unknown, E, R>),
  handler?: (payload: S["Type"], request: RpcRequest) => Effect.Effect<unknown, E, R>,
  options?: MethodOptions<Schema.Top>
): Method<unknown, unknown> {
  if (!Schema.isSchema(schema)) return schema as Method<unknown, unknown>
  const decoded = withPayload(schema, handler!)
  if (options === undefined) return decoded
  // Built once per method, not per call.
  const encode = Schema.encodeUnknownEffect(options.success)
  return (request) =>
    Effect.flatMap(decoded(request), (value) =>
      isReply(value) ? Effect.succeed(value) : Effect.mapError(encode(value, { errors: "all" }), (error) =>
        RpcResultInvalidError({
          method: request.method,
          message: `rpc method "${request.method}": the result does not fit its success Schema: ${error.message}`,
          cause: error
        })))
}

/** Each method as it is when its result type is JSON; otherwise a type that names the problem (a compile error). */
type JsonMethods<M> = {
  [K in keyof M]: M[K] extends (request: RpcRequest) => Effect.Effect<infer A, infer _E, infer _R>
    ? [A] extends [Jsonable<A>] ? unknown
    : { readonly "the result is not JSON: convert it, or use RpcRouter.method with a { success } Schema": Jsonable<A> }
    : unknown
}

// `any` lets each method keep its own error and requirement types; `RequirementsOf` recovers them.
type AnyMethods = Readonly<Record<string, Method<any, any>>>

type RequirementsOf<M> = { [K in keyof M]: M[K] extends Method<infer _E, infer R> ? R : never }[keyof M]

type FailuresOf<M> = { [K in keyof M]: M[K] extends Method<infer E, infer _R> ? E : never }[keyof M]

/** A method's data may also be `Payload.binary(...)` or `Payload.rawJson(...)`: the codecs write those. */
const isPayload = (value: object): boolean => Payload.isBinary(value) || Payload.isRawJson(value)

/** A method's answer as a reply: replies pass through, anything else is the result's data (if it is JSON). */
const asReply = (request: RpcRequest, value: unknown): Effect.Effect<Reply.RpcReply, RpcResultNotJsonError> => {
  if (isReply(value)) return Effect.succeed(value as Reply.RpcReply)
  if (value === undefined) return Effect.succeed(Reply.rpc())
  if (isJson(value, isPayload)) return Effect.succeed(Reply.rpc({ data: value }))
  const problem = notJson(value, "data", isPayload)
  if (problem === undefined) return Effect.succeed(Reply.rpc({ data: value }))
  return Effect.fail(RpcResultNotJsonError({
    method: request.method,
    path: problem.path,
    message: `rpc method "${request.method}" answered ${problem.what} at ${problem.path}, which is not JSON: ` +
      "convert it, or give RpcRouter.method a success Schema that encodes it"
  }))
}

/**
 * Options of `RpcRouter.make`: the answer to a method it does not know.
 *
 * @since 0.1.0
 * @category models
 */
export interface RouterOptions<R, E = never> {
  /** The answer for a method the router does not know. Default: error 104 "method not found: NAME". */
  readonly notFound?: (request: RpcRequest) => Effect.Effect<Reply.RpcReply, E, R>
}

/**
 * The `rpc` handler `RpcRouter.make` builds: it fails with what its methods fail with (and `RpcResultNotJsonError` for a
 * result that is not JSON), and says which methods it has.
 *
 * @since 0.1.0
 * @category models
 */
export interface Router<E = never, R = never> {
  (request: RpcRequest): Effect.Effect<Reply.RpcReply, E, R>
  /** Its method names, for the handler set's description (the CLI's config and `checkConfig`). */
  readonly description: Contribution
}

/**
 * One `rpc` handler dispatching on `request.method`. The method table is built once.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HandlerSet, Reply, RpcRouter } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({
 *   rpc: RpcRouter.make(
 *     {
 *       ping: () => Effect.succeed("pong"),
 *       whoami: (request) => Effect.succeed({ user: request.user })
 *     },
 *     { notFound: (request) => Effect.succeed(Reply.error(404, `no method ${request.method}`)) }
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const M extends AnyMethods, RNotFound = never, ENotFound = never>(
  methods: M & JsonMethods<M>,
  options: RouterOptions<RNotFound, ENotFound> = {}
  // NoInfer: RNotFound and ENotFound come from `options` only, never from the context the router is used in (which,
  // inside HandlerSet.layer, would otherwise infer them as `any` and hide every requirement and failure).
): Router<FailuresOf<M> | RpcResultNotJsonError | NoInfer<ENotFound>, RequirementsOf<M> | NoInfer<RNotFound>> => {
  const table = new Map<string, Method<unknown, RequirementsOf<M>>>(Object.entries(methods))
  const notFound = options.notFound ??
    ((request: RpcRequest) =>
      Effect.succeed(Reply.error(Reply.ErrorCode.MethodNotFound, `method not found: ${request.method}`)))
  const route = (request: RpcRequest) => {
    const handler = table.get(request.method)
    return handler === undefined ? notFound(request) : Effect.flatMap(handler(request), (value) => asReply(request, value))
  }
  return Object.assign(route, { description: { rpcMethods: Object.keys(methods) } }) as Router<
    FailuresOf<M> | RpcResultNotJsonError | ENotFound,
    RequirementsOf<M> | RNotFound
  >
}

/**
 * Serving an `effect/rpc` `RpcGroup` through Centrifugo's RPC proxy, on either transport.
 *
 * The contract is Effect's own: `Rpc.make(tag, { payload, success, error })` in an `RpcGroup`, implemented by the
 * group's ordinary `toLayer(...)`. `RpcProxy.layer(group, implementation)` turns it into a handler set answering
 * the `rpc` event: the client's `rpc(tag, data)` reaches the method named `tag`.
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Rpc, RpcGroup } from "effect/rpc"
 * import { RpcProxy } from "effect-centrifugo"
 *
 * const NotFound = Schema.TaggedStruct("NotFound", { id: Schema.Number })
 * const News = Schema.Struct({ id: Schema.Number, title: Schema.String })
 * // The contract: shared by the backend and the browser (import it from `effect-centrifugo/client` there).
 * const NewsRpcs = RpcGroup.make(
 *   Rpc.make("news.get", { payload: { id: Schema.Number }, success: News, error: NotFound })
 * )
 *
 * const NewsLive = NewsRpcs.toLayer({
 *   "news.get": ({ id }) => id === 1 ? Effect.succeed({ id, title: "hello" }) : Effect.fail({ _tag: "NotFound", id } as const)
 * })
 * // A Layer<HandlerSet>: give it to ProxyServer.layer or HttpProxy.layer, or merge it with other handlers.
 * const NewsHandlers = RpcProxy.layer(NewsRpcs, NewsLive)
 * ```
 *
 * Per call: the payload is decoded with the method's payload Schema (JSON form: `Schema.toCodecJson`); data that
 * does not fit is answered with error **107** "bad request: <path>: <problem>" and the method does not run. The
 * result is encoded with the success Schema, a failure the method declares with its error Schema, and both travel
 * as the RPC result's data in Effect's JSON encoding of the `Exit`:
 *
 * - success: `{ "_tag": "Success", "value": <encoded success> }`
 * - declared failure: `{ "_tag": "Failure", "cause": [{ "_tag": "Fail", "error": <encoded error> }] }`
 *
 * so `RpcClient.make(group)` over `effect-centrifugo/client`'s protocol gives back the typed value or the typed
 * failure. A defect, an interruption, or a failure that does not fit the error Schema is answered as any failing
 * handler is: error 100 and a log line. A method the group does not have is answered with error 104
 * "method not found: NAME", or by `options.fallback` (an `RpcRouter.make` router, say, for `HttpBridge`'s
 * `verb:path` methods).
 *
 * Inside a method the usual services are there: what the implementation Layer needs, request-scoped services from
 * interceptors (`Auth.CurrentUser`), and `RpcProxy.CurrentRequest`, the Centrifugo RPC request itself. An
 * `RpcMiddleware` of the group runs around its methods as `RpcServer` runs it; streaming methods are refused when
 * the Layer is made (Centrifugo's RPC is one request, one reply).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Headers from "effect/http/Headers"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as SchemaAST from "effect/SchemaAST"
import * as Rpc from "effect/rpc/Rpc"
import type * as RpcGroup from "effect/rpc/RpcGroup"
import { RequestId } from "effect/rpc/RpcMessage"
import * as RpcSchema from "effect/rpc/RpcSchema"
import { decodingPayload } from "./internal/payloadDecode.ts"
import { RpcResultInvalidError } from "./RpcRouter.ts"
import { type Contribution, type Described, type Description, HandlerSet } from "./HandlerSet.ts"
import { provider } from "./internal/context.ts"
import { described } from "./internal/description.ts"
import * as Envelope from "./internal/rpcEnvelope.ts"
import type { RpcRequest } from "./ProxyRequest.ts"
import * as Reply from "./Reply.ts"

/**
 * The Centrifugo RPC request a method of the group is answering (user, client, headers, meta), for methods that
 * need more than their payload.
 *
 * @since 0.1.0
 * @category services
 */
export const CurrentRequest: Context.Service<RpcRequest, RpcRequest> = Context.Service<RpcRequest>(
  "effect-centrifugo/RpcProxy/CurrentRequest"
)

/**
 * Options of `RpcProxy.layer`.
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions<R, E = never> {
  /**
   * Answers the methods the group does not have (an `RpcRouter.make` router, for example `HttpBridge`'s
   * `verb:path` methods; its methods join the handler set's description). Default: error 104
   * "method not found: NAME".
   */
  readonly fallback?: ((request: RpcRequest) => Effect.Effect<Reply.RpcReply, E, R>) & {
    readonly description?: Contribution
  }
}

type Call = (request: RpcRequest) => Effect.Effect<Reply.RpcReply, unknown>

/**
 * A Schema's JSON form. The group is erased here (`Rpc.AnyWithProps`), so the services its Schemas may need are
 * too; they are in the context the method runs in, where the implementation Layer put them.
 */
const json = (schema: Schema.Top): Schema.Codec<unknown, unknown> =>
  Schema.toCodecJson(schema) as unknown as Schema.Codec<unknown, unknown>

let nextRequestId = 0

/** The headers Centrifugo forwarded, as effect/http Headers (the shared empty value when there are none). */
const headersOf = (request: RpcRequest): Headers.Headers => {
  for (const _ in request.headers) return Headers.fromInput(request.headers)
  return Headers.empty
}

/** One method's call, with its codecs built once. */
const makeCall = (rpc: Rpc.AnyWithProps, entry: Rpc.Handler<string>, services: Context.Context<never>): Call => {
  // A method without payload (`Rpc.make("ping")`) ignores whatever the client sends, as RpcRouter's methods do.
  const noPayload = SchemaAST.isVoid(rpc.payloadSchema.ast)
  const encodeSuccess = Schema.encodeUnknownEffect(json(rpc.successSchema))
  const errors = new Set<Schema.Top>([rpc.errorSchema])
  for (const middleware of rpc.middlewares) errors.add(middleware.error)
  const encodeError = Schema.encodeUnknownEffect(json(Schema.Union([...errors])))
  // The caller's context with the implementation's services, merged once per caller's context (as `provider`).
  let lastAround: Context.Context<never> | undefined
  let lastImplementation: Context.Context<never> = entry.context
  const implementation = (around: Context.Context<never>): Context.Context<never> => {
    if (around !== lastAround) {
      lastAround = around
      lastImplementation = Context.merge(around, entry.context)
    }
    return lastImplementation
  }
  const middlewares = [...rpc.middlewares].map((key) => Context.getUnsafe(services, key as never) as Middleware)

  const succeeded = (value: unknown): Effect.Effect<Reply.RpcReply, RpcResultInvalidError> =>
    Effect.mapBothEager(encodeSuccess(value), {
      onSuccess: (encoded) => Reply.rpc({ data: Envelope.success(encoded) }),
      onFailure: (error) =>
        RpcResultInvalidError({
          method: rpc._tag,
          message: `rpc method "${rpc._tag}": the result does not fit its success Schema: ${error.message}`,
          cause: error
        })
    })

  const failed = (cause: Cause.Cause<unknown>): Effect.Effect<Reply.RpcReply, unknown> => {
    const failure = declaredFailure(cause)
    if (failure === undefined) return Effect.failCause(cause)
    // Does not fit the error Schema: not declared, so it is the pipeline's failure (100), as it was.
    return Effect.matchEffect(encodeError(failure.error), {
      onSuccess: (error) => Effect.succeed(Reply.rpc({ data: Envelope.failure(error) })),
      onFailure: () => Effect.failCause(cause)
    })
  }

  const run = (payload: unknown, request: RpcRequest): Effect.Effect<Reply.RpcReply, unknown> => {
    const options = {
      rpc,
      client: new Rpc.ServerClient(0),
      requestId: RequestId(nextRequestId++),
      headers: headersOf(request),
      payload
    }
    // Erased: the method's services are in `entry.context` (provided below) or come from around the call.
    let effect: Effect.Effect<unknown, unknown>
    try {
      const result = entry.handler(payload, options)
      effect = (Rpc.isWrapper(result) ? result.value : result) as Effect.Effect<unknown, unknown>
    } catch (defect) {
      effect = Effect.die(defect)
    }
    for (const middleware of middlewares) effect = middleware(effect, options)
    // A scope per call, closed when the method ends, as RpcServer gives each request (methods and middleware may
    // use it: `Scope` is not among their requirements).
    const scope = Scope.makeUnsafe()
    // One context switch per call: the implementation's services (merged once per caller's context) with the request
    // and the scope added on top. Added, not merged: an add is an overlay, while a merge copies every service of the
    // server's context and gives the fiber a new cache to compute (~3 KB a call together with a second provide).
    // The encoders of the outcome run inside it too, so they see the implementation's services as before.
    const answered: Effect.Effect<Reply.RpcReply, unknown> = Effect.matchCauseEffect(
      Effect.onExit(effect, (exit) => Scope.close(scope, exit)),
      { onSuccess: succeeded, onFailure: failed }
    )
    return Effect.updateContext(answered, (around: Context.Context<never>) =>
      Context.add(Context.add(implementation(around), CurrentRequest, request), Scope.Scope, scope) as Context.Context<never>)
  }

  // The payload is decoded as Handler.withPayload does (the quick decode first; 107 when it does not fit), from its
  // JSON form as effect/rpc reads it. The group's Schemas are erased here, and their services are in the context the
  // method runs in.
  if (noPayload) return (request) => run(undefined, request)
  return decodingPayload(json(rpc.payloadSchema), run) as Call
}

/** An `RpcMiddleware`'s implementation, as `RpcServer` calls it: around the method's effect. */
type Middleware = (effect: Effect.Effect<unknown, unknown>, options: unknown) => Effect.Effect<unknown, unknown>

/** The failure a method declared: a cause of `Fail`s only (no defect, no interruption); the first of them. */
const declaredFailure = (cause: Cause.Cause<unknown>): { readonly error: unknown } | undefined => {
  if (Cause.hasDies(cause) || Cause.hasInterrupts(cause)) return undefined
  const found = Cause.findErrorOption(cause)
  return found._tag === "Some" ? { error: found.value } : undefined
}

const methodNotFound = (request: RpcRequest) =>
  Effect.succeed(Reply.error(Reply.ErrorCode.MethodNotFound, `method not found: ${request.method}`))

/**
 * A handler set answering the `rpc` event with the methods of `group`, implemented by `implementation` (the
 * group's `toLayer(...)`). The Layer requires what the implementation requires, except `RpcProxy.CurrentRequest`
 * (provided per call); request-scoped services such as `Auth.CurrentUser` leave the requirements when an
 * interceptor provides them, as for any handler.
 *
 * @example
 * ```ts
 * import { Effect, Layer, Schema } from "effect"
 * import { Rpc, RpcGroup } from "effect/rpc"
 * import { HandlerSet, Reply, RpcProxy, RpcRouter } from "effect-centrifugo"
 *
 * const Greeter = RpcGroup.make(Rpc.make("greet", { payload: { name: Schema.String }, success: Schema.String }))
 * const GreeterLive = Greeter.toLayer({
 *   greet: ({ name }) => Effect.map(RpcProxy.CurrentRequest, (request) => `hello ${name}, from ${request.user}`)
 * })
 * const MyHandlers = HandlerSet.merge(
 *   HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "ann" })) }),
 *   // Methods outside the group (here `ping`) go to the fallback.
 *   RpcProxy.layer(Greeter, GreeterLive, { fallback: RpcRouter.make({ ping: () => Effect.succeed("pong") }) })
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <Rpcs extends Rpc.Any, E, R, RF = never, EF = never>(
  group: RpcGroup.RpcGroup<Rpcs>,
  implementation: Layer.Layer<Rpc.ToHandler<Rpcs>, E, R>,
  options: LayerOptions<RF, EF> = {}
): Described<Exclude<R, RpcRequest> | Rpc.Middleware<Rpcs> | RF, RpcResultInvalidError | EF, E> => {
  const rpcs = [...group.requests.values()] as unknown as ReadonlyArray<Rpc.AnyWithProps>
  for (const rpc of rpcs) {
    if (RpcSchema.isStreamSchema(rpc.successSchema)) {
      throw new Error(`RpcProxy.layer: "${rpc._tag}" streams its result; Centrifugo's RPC answers once`)
    }
  }
  const fallback = options.fallback
  const served = Layer.effect(
    HandlerSet,
    Effect.map(Effect.context<never>(), (services) => {
      const calls = new Map<string, Call>()
      for (const rpc of rpcs) {
        // Implementations are stored under the method's string key (RpcGroup.toLayer), as RpcServer reads them.
        const entry = services.mapUnsafe.get(rpc.key) as Rpc.Handler<string> | undefined
        // The types ask for every method's implementation; only a cast can leave one out.
        if (entry === undefined) throw new Error(`RpcProxy.layer: no implementation of "${rpc._tag}"`)
        calls.set(rpc._tag, makeCall(rpc, entry, services))
      }
      const notFound: Call = fallback === undefined ? methodNotFound : (() => {
        const provide = provider(services)
        return (request) => provide(fallback(request))
      })()
      return { rpc: (request: RpcRequest) => (calls.get(request.method) ?? notFound)(request) } as HandlerSet
    })
  ).pipe(Layer.provide(implementation))
  // What the implementation requires stays required, less CurrentRequest: each call provides it.
  return described(served as Layer.Layer<HandlerSet, E, never>, describeServed(rpcs, fallback))
}

/** The methods the handler set answers: the group's, and the fallback's when it says which (a router does). */
const describeServed = (
  rpcs: ReadonlyArray<Rpc.AnyWithProps>,
  fallback: LayerOptions<unknown, unknown>["fallback"]
): Description => {
  const own = rpcs.map((rpc) => rpc._tag)
  const routed = fallback?.description?.rpcMethods ?? []
  return { events: ["rpc"], rpcMethods: [...own, ...routed.filter((method) => !own.includes(method))] }
}

/**
 * Helpers for writing one handler.
 *
 * `Handler.withPayload(schema, (payload, request) => ...)` declares the shape of the client's `data`: the request's
 * JSON is decoded with the Schema before the handler runs, and data that does not fit is answered with error 107
 * "bad request: <path>: <what was expected>" without calling the handler.
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Handler, HandlerSet, Reply } from "effect-centrifugo"
 *
 * const NewsPayload = Schema.Struct({ title: Schema.String, body: Schema.String })
 * const MyHandlers = HandlerSet.layer({
 *   publish: Handler.withPayload(NewsPayload, (news, request) =>
 *     Effect.succeed(Reply.publish({ data: { ...news, by: request.user } })))
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { decodingPayload } from "./internal/payloadDecode.ts"
import { describeIssue as describe } from "./internal/schemaIssue.ts"
import * as Reply from "./Reply.ts"

/**
 * A handler: a function from a request to an Effect of a reply.
 *
 * @since 0.1.0
 * @category models
 */
export type Handler<Req, Rep, E = unknown, R = never> = (request: Req) => Effect.Effect<Rep, E, R>

/**
 * A readable one-line account of why `data` does not fit: `title: Expected string, got 1; body: Missing key`.
 *
 * @since 0.1.0
 * @category utils
 */
export const describeIssue: (issue: SchemaIssue.Issue) => string = describe

/**
 * Decodes `request.data` with `schema`, then runs the handler with the decoded value. Bad data fails with
 * `Reply.error(107, "bad request: ...")`, which the server answers as such (the handler is not called).
 *
 * The handler is either a function returning an Effect or a generator function (`function*`), which is made into
 * an Effect function once, here, as `Effect.fnUntraced` does: the form to use for a handler that `yield*`s, as
 * `(payload) => Effect.gen(function*() { ... })` makes a new generator function on every call (about 1.5 µs and
 * 650 bytes a call in `npm run bench:pipeline`).
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Handler, HandlerSet, Reply } from "effect-centrifugo"
 *
 * const Message = Schema.Struct({ text: Schema.String.check(Schema.isMaxLength(500)) })
 *
 * // Data that does not fit is answered with error 107 "bad request: text: ..." and the handler is not called.
 * const MyHandlers = HandlerSet.layer({
 *   publish: Handler.withPayload(Message, (message, request) =>
 *     Effect.succeed(Reply.publish({ data: { text: message.text, from: request.user } }))),
 *   // A generator function: made once, run per call.
 *   rpc: Handler.withPayload(Message, function*(message, request) {
 *     yield* Effect.logDebug(`echo for ${request.user}`)
 *     return Reply.rpc({ data: { echo: message.text } })
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
// `Effect.Effect<any, any, any>` (below) is Effect's own constraint for "some Effect" in a generator's yields, as in
// Effect.gen's signature; the failures and services are read back from it by ErrorOf and ServicesOf.
export const withPayload: {
  <S extends Schema.Top, Req extends { readonly data: unknown }, Eff extends Effect.Effect<any, any, any>, A>(
    schema: S,
    body: (payload: S["Type"], request: Req) => Generator<Eff, A, never>
  ): (request: Req) => Effect.Effect<A, ErrorOf<Eff> | Reply.ErrorReply, ServicesOf<Eff> | S["DecodingServices"]>
  <S extends Schema.Top, Req extends { readonly data: unknown }, A, E, R>(
    schema: S,
    handler: (payload: S["Type"], request: Req) => Effect.Effect<A, E, R>
  ): (request: Req) => Effect.Effect<A, E | Reply.ErrorReply, R | S["DecodingServices"]>
} = <S extends Schema.Top, Req extends { readonly data: unknown }, A, E, R>(
  schema: S,
  handlerOrBody: (payload: S["Type"], request: Req) => Effect.Effect<A, E, R> | Generator<Effect.Effect<any, E, R>, A, never>
): (request: Req) => Effect.Effect<A, E | Reply.ErrorReply, R | S["DecodingServices"]> => {
  const handler = (isGeneratorFunction(handlerOrBody)
    ? Effect.fnUntraced(handlerOrBody as (payload: S["Type"], request: Req) => Generator<Effect.Effect<any, E, R>, A, never>)
    : handlerOrBody) as (payload: S["Type"], request: Req) => Effect.Effect<A, E, R>
  return decodingPayload(schema, handler)
}

// What a generator body's yields fail with and need, as Effect.gen reads them.
type ErrorOf<Eff> = [Eff] extends [never] ? never : Eff extends Effect.Effect<infer _A, infer E, infer _R> ? E : never
type ServicesOf<Eff> = [Eff] extends [never] ? never : Eff extends Effect.Effect<infer _A, infer _E, infer R> ? R : never

/** `function*` (not an arrow returning an Effect): its constructor is the hidden GeneratorFunction. */
const isGeneratorFunction = (f: Function): boolean => Object.prototype.toString.call(f) === "[object GeneratorFunction]"

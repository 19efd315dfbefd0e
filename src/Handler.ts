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
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { decodeOptions, describeIssue as describe } from "./internal/schemaIssue.ts"
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
 * Decodes `request.data` with `schema`, then runs `handler` with the decoded value. Bad data fails with
 * `Reply.error(107, "bad request: ...")`, which the server answers as such (the handler is not called).
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
 *     Effect.succeed(Reply.publish({ data: { text: message.text, from: request.user } })))
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withPayload = <S extends Schema.Top, Req extends { readonly data: unknown }, A, E, R>(
  schema: S,
  handler: (payload: S["Type"], request: Req) => Effect.Effect<A, E, R>
): (request: Req) => Effect.Effect<A, E | Reply.ErrorReply, R | S["DecodingServices"]> => {
  const decode = Schema.decodeUnknownEffect(schema)
  const decodeAll = (request: Req) =>
    Effect.flatMap(
      Effect.mapError(
        decode(request.data, decodeOptions),
        (error) => Reply.error(Reply.ErrorCode.BadRequest, `bad request: ${describeIssue(error.issue)}`)
      ),
      (payload) => handler(payload, request)
    )
  // Per call, the common case first: with the default options a struct decodes on Schema's fast path (no
  // generator, no intermediate effects) and a schema without effects answers with an Exit at once, so valid data
  // goes straight to the handler. Anything else (bad data, whose message lists every problem, or a schema that
  // needs services or time) takes the full decode. The quick decode is pure, so it runs when the handler is called
  // rather than in an Effect.suspend (one closure and one effect less per call); what it returns is the handler's
  // Effect, lazy as ever.
  return (request) => {
    const quick = decode(request.data)
    return Exit.isExit(quick) && Exit.isSuccess(quick) ? handler(quick.value, request) : decodeAll(request)
  }
}

/**
 * Client data decoded with a Schema before a handler runs, for `Handler.withPayload` (and so `RpcRouter.method`) and
 * `RpcProxy`: data that does not fit is answered 107 "bad request: <path>: <problem>" without running the handler.
 * The caller picks the Schema: `withPayload` decodes with the user's Schema as it is, `RpcProxy` with its JSON form
 * (`Schema.toCodecJson`), as effect/rpc reads payloads.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as Reply from "../Reply.ts"
import { decodeOptions, describeIssue } from "./schemaIssue.ts"

/** `run` with the decoded `request.data`; the decoder is built once, here. */
export const decodingPayload = <S extends Schema.Top, Req extends { readonly data: unknown }, A, E, R>(
  schema: S,
  run: (payload: S["Type"], request: Req) => Effect.Effect<A, E, R>
): (request: Req) => Effect.Effect<A, E | Reply.ErrorReply, R | S["DecodingServices"]> => {
  const decode = Schema.decodeUnknownEffect(schema) as (
    input: unknown,
    options?: typeof decodeOptions
  ) => Effect.Effect<S["Type"], Schema.SchemaError, S["DecodingServices"]>
  const decodeAll = (request: Req) =>
    Effect.flatMap(
      Effect.mapError(
        decode(request.data, decodeOptions),
        (error) => Reply.error(Reply.ErrorCode.BadRequest, `bad request: ${describeIssue(error.issue)}`)
      ),
      (payload) => run(payload, request)
    )
  // Per call, the common case first: with the default options a struct decodes on Schema's fast path (no
  // generator, no intermediate effects) and a schema without effects answers with an Exit at once, so valid data
  // goes straight to `run`. Anything else (bad data, whose message lists every problem, or a schema that needs
  // services or time) takes the full decode. The quick decode is pure, so it runs when the handler is called rather
  // than in an Effect.suspend (one closure and one effect less per call); what it returns is `run`'s Effect, lazy as
  // ever.
  return (request) => {
    const quick = decode(request.data)
    return Exit.isExit(quick) && Exit.isSuccess(quick) ? run(quick.value, request) : decodeAll(request)
  }
}

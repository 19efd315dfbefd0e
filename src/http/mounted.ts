/**
 * One event's route on an `effect/http` router (`HttpProxy.routes`): the same decisions as the standalone listener,
 * taken in `exchange.ts`, with the platform's request and response.
 *
 * @since 0.1.0
 */
import * as ByteSize from "effect/ByteSize"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Exchange from "./exchange.ts"

/** An answer decided by `exchange.ts` as an `effect/http` response (logging its line, if any). */
export const respondWith = (answer: Exchange.Answer) => {
  const headers: Record<string, string> = {}
  if (answer.allow !== undefined) headers.allow = answer.allow
  if (answer.close === true) headers.connection = "close"
  const response = HttpServerResponse.text(answer.body, { status: answer.status, contentType: answer.contentType, headers })
  return answer.log === undefined ? Effect.succeed(response) : Effect.as(answer.log, response)
}

const BODY_TIMED_OUT: unique symbol = Symbol("BodyTimedOut")

const isBodyTooLarge = (error: unknown): boolean => {
  const reason = (error as { reason?: { _tag?: unknown; reason?: unknown } } | undefined)?.reason
  return reason?._tag === "RequestParseError" && reason.reason === "BodyTooLarge"
}

/** The path of a request URL, without its query. */
export const pathOf = (url: string): string => {
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}

/**
 * One event's route on the `effect/http` router: the same decisions as the standalone listener. The router also
 * matches other spellings of the path (another case, doubled or trailing slashes): those answer 404 as the
 * standalone server does, so an app middleware that guards `startsWith("/centrifugo/")` guards every call.
 */
export const route = (path: string, settings: Exchange.EventRoute, notFound: (url: string) => Exchange.Answer) => {
  const limit = ByteSize.bytes(settings.maxBodySize)
  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (pathOf(request.url) !== path) return yield* respondWith(notFound(request.url))
    // Read once: the platform's request rebuilds its headers record on every access.
    const headers = request.headers
    const refused = Exchange.admit(settings, request.method, headers)
    if (refused !== undefined) return yield* respondWith(refused)
    // Past bodyTimeout the read is left to fail with the connection rather than interrupted: interrupting it
    // destroys the socket, and the 408 with it.
    const reading = yield* Effect.forkDetach(
      Effect.provideService(request.arrayBuffer, HttpServerRequest.MaxBodySize, limit)
    )
    const read = yield* Effect.result(
      Fiber.join(reading).pipe(
        Effect.timeoutOrElse({ duration: settings.bodyTimeout, orElse: () => Effect.fail(BODY_TIMED_OUT) })
      )
    )
    if (read._tag === "Failure") {
      if (read.failure === BODY_TIMED_OUT) return yield* respondWith(Exchange.bodyTimedOut(settings))
      return yield* respondWith(
        isBodyTooLarge(read.failure) ? Exchange.bodyTooLarge(settings) : Exchange.unreadableBody(settings, read.failure)
      )
    }
    const pipeline = settings.pipeline!
    const decoded = Exchange.decode(settings, Buffer.from(read.success), headers)
    if (decoded._tag === "Answer") return yield* respondWith(decoded.answer)
    const outcome = decoded._tag === "InvalidJson"
      ? yield* pipeline.invalidJson(decoded.field, decoded.reason)
      // Centrifugo closing the request interrupts this fiber (and so the handler's): effect/http does it on abort.
      : yield* pipeline.run(decoded.request, settings.timeout)
    return yield* respondWith(Exchange.answerOf(outcome))
  })
}

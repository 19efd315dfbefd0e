/**
 * `Interceptor.timeout`: a time limit on the calls of every event, or of some.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { intercept } from "../internal/intercept.ts"
import { type TaggedError, taggedError } from "../internal/tagged.ts"
import type { Interceptor, InterceptorOptions } from "../Interceptor.ts"
import type { ProxyRequest } from "../ProxyRequest.ts"
import type { AnyReply } from "../Reply.ts"

/**
 * The failure of a call that `Interceptor.timeout` stopped.
 *
 * @since 0.1.0
 * @category errors
 */
export interface HandlerTimeoutError extends TaggedError<"HandlerTimeoutError"> {
  /** The event's name (`rpc`, `subRefresh`). */
  readonly event: string
}

/**
 * Builds a `HandlerTimeoutError`; it prints as `HandlerTimeoutError: <message>`.
 *
 * @since 0.1.0
 * @category errors
 */
export const HandlerTimeoutError = taggedError<HandlerTimeoutError>("HandlerTimeoutError")

/**
 * Bounds the calls of every event (or `options.events`) by `duration`: the inner pipeline is interrupted and the
 * call fails with `HandlerTimeoutError` (answered like any unhandled failure: error 100, temporary; or mapped with
 * `mapFailures`), or answers `options.orElse(request)`. Centrifugo's own deadline still applies; use this to answer
 * sooner, or per event.
 *
 * @since 0.1.0
 * @category interceptors
 */
export const timeout = <E = never>(
  duration: Duration.Input,
  options: InterceptorOptions & { readonly orElse?: (request: ProxyRequest) => Effect.Effect<AnyReply, E> } = {}
): Interceptor<never, never, HandlerTimeoutError | E> => {
  const limit = Duration.fromInputUnsafe(duration)
  return intercept((request, next, event) =>
    Effect.timeoutOrElse(next(request), {
      duration: limit,
      orElse: (): Effect.Effect<AnyReply, HandlerTimeoutError | E> =>
        options.orElse !== undefined
          ? options.orElse(request)
          : Effect.fail(HandlerTimeoutError({
            event,
            message: `${event} handler did not answer within ${Duration.format(limit)}`
          }))
    }), options)
}

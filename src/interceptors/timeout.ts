/**
 * `Interceptor.timeout`: a time limit on the calls of every event, or of some.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { intercept } from "../internal/intercept.ts"
import type { AnyReply, Interceptor, InterceptorOptions } from "../Interceptor.ts"
import type { ProxyRequest } from "../ProxyRequest.ts"

/**
 * The failure of a call that `Interceptor.timeout` stopped.
 *
 * @since 0.1.0
 * @category errors
 */
export interface HandlerTimeout {
  readonly _tag: "HandlerTimeout"
  readonly event: string
  readonly message: string
}

/**
 * Bounds the calls of every event (or `options.events`) by `duration`: the inner pipeline is interrupted and the
 * call fails with `HandlerTimeout` (answered like any unhandled failure: error 100, temporary), or answers
 * `options.orElse(request)`. Centrifugo's own deadline still applies; use this to answer sooner, or per event.
 *
 * @since 0.1.0
 * @category interceptors
 */
export const timeout = (
  duration: Duration.Input,
  options: InterceptorOptions & { readonly orElse?: (request: ProxyRequest) => Effect.Effect<AnyReply, unknown> } = {}
): Interceptor => {
  const limit = Duration.fromInputUnsafe(duration)
  return intercept((request, next) =>
    Effect.timeoutOrElse(next(request), {
      duration: limit,
      orElse: () =>
        options.orElse !== undefined
          ? options.orElse(request)
          : Effect.fail<HandlerTimeout>({
            _tag: "HandlerTimeout",
            event: request._tag,
            message: `${request._tag} handler did not answer within ${Duration.format(limit)}`
          })
    }), options)
}


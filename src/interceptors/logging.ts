/**
 * `Interceptor.logging`: one log line per answered call.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as LogLevel from "effect/LogLevel"
import { intercept } from "../internal/intercept.ts"
import { safe } from "../internal/logText.ts"
import type { Interceptor, InterceptorOptions } from "../Interceptor.ts"
import { isClientRequest, type ProxyRequest } from "../ProxyRequest.ts"
import * as Reply from "../Reply.ts"

/** What a request is about, for logs: the channel or RPC method when there is one (escaped: it is client text). */
const subject = (request: ProxyRequest): string =>
  "channel" in request ? ` ${safe(request.channel)}` : "method" in request ? ` ${safe(request.method)}` : ""

const describeReply = (reply: Reply.AnyReply): string =>
  reply._tag === "ErrorReply"
    ? `error ${reply.code}`
    : reply._tag === "DisconnectReply"
    ? `disconnect ${reply.code}`
    : reply._tag === "StreamResult"
    ? "stream"
    : "ok"

/** The user a call is about: the request's, or on Connect the user the reply accepted. */
const userOf = (request: ProxyRequest, reply: Reply.AnyReply | undefined): string | undefined =>
  "user" in request
    ? request.user
    : reply !== undefined && reply._tag === "ConnectResult"
    ? reply.user
    : undefined

/**
 * One log line per answered call: event, subject, outcome and duration, annotated with `event`, `client`, `user`
 * (on Connect: the user the reply accepted), `channel`/`method`. Replies and rejections are logged at `level`
 * (default Info). A call that fails is not logged here: the server logs it once, at Error, with its cause, the same
 * annotations and the duration. Client-supplied text is escaped, so it cannot forge log lines.
 * Put it outermost to time the whole pipeline.
 *
 * @since 0.1.0
 * @category interceptors
 */
export const logging = (
  options: InterceptorOptions & { readonly level?: LogLevel.Severity } = {}
): Interceptor => {
  const log = Effect.logWithLevel(options.level ?? "Info")
  return intercept((request, next, event) =>
    Effect.suspend(() => {
      const started = performance.now()
      return Effect.onExit(next(request), (exit) => {
        let reply: Reply.AnyReply | undefined
        if (Exit.isSuccess(exit)) reply = exit.value
        else {
          const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
          if (failure === undefined || !Reply.isRejection(failure.error)) return Effect.void
          reply = failure.error
        }
        const fields: Record<string, string> = { event }
        if (isClientRequest(request)) fields.client = safe(request.client)
        const user = userOf(request, reply)
        if (user !== undefined) fields.user = safe(user)
        return log(
          `${request._tag}${subject(request)} -> ${describeReply(reply)} in ${(performance.now() - started).toFixed(1)} ms`
        ).pipe(Effect.annotateLogs(fields))
      })
    }), options)
}


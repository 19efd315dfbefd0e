/**
 * The gRPC server's unary calls: the credentials check, the time budget from the call's deadline, decoding, and
 * the pipeline's outcome as bytes or a status; and the answer of a method that has no handler.
 *
 * @since 0.1.0
 */
import * as grpc from "@grpc/grpc-js"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { safe } from "../internal/logText.ts"
import type * as Pipeline from "../internal/pipeline.ts"
import { isUnanswerable } from "../internal/pipeline.ts"
import { isInvalidJson } from "../internal/payloadWire.ts"
import type { ProxyRequest } from "../ProxyRequest.ts"
import { headersFromMetadata, isDecodeFailure } from "./codec/index.ts"
import type * as Credentials from "../server/credentials.ts"
import * as Inflight from "../server/inflight.ts"
import * as Refusals from "../server/refusals.ts"
import type { UnaryMethod } from "./methods.ts"
import { status, UNAUTHENTICATED_DETAILS } from "./status.ts"

/** Starts a fiber in the server's context (`Effect.runForkWith`). */
export type Run = ReturnType<typeof Effect.runForkWith<never>>

/** A server's `requireCredentials` check, on a call's metadata. */
export interface MetadataCheck {
  readonly key: string
  readonly ok: (metadata: grpc.Metadata) => boolean
}

/** The credentials check on grpc-js metadata: the first value of the key. */
export const metadataCheck = (check: Credentials.CredentialsCheck | undefined): MetadataCheck | undefined => {
  if (check === undefined) return undefined
  return {
    key: check.key,
    ok: (metadata) => {
      const given = metadata.get(check.key)[0]
      return check.ok(given === undefined || typeof given === "string" ? given : given.toString())
    }
  }
}

/** The throttled warning of a call refused for want of credentials (see `server/refusals.ts`). */
export const refuser = (run: Run): (method: string) => void => {
  const refusals = Refusals.make<"credentials">("calls")
  return (method) => {
    const line = refusals("credentials", `${method}: ${UNAUTHENTICATED_DETAILS}`, { method })
    if (line !== undefined) run(line)
  }
}

/** What the calls of one server share. */
export interface CallContext {
  readonly run: Run
  readonly inflight: Inflight.Inflight
  readonly credentials: MetadataCheck | undefined
  readonly refuse: (method: string) => void
}

/** Refuses a call without the required credentials; true when it was refused (`answer` got UNAUTHENTICATED). */
const refused = (
  context: CallContext,
  method: string,
  metadata: grpc.Metadata,
  answer: (error: grpc.ServerErrorResponse) => void
): boolean => {
  if (context.credentials === undefined || context.credentials.ok(metadata)) return false
  context.refuse(method)
  answer(status(grpc.status.UNAUTHENTICATED, UNAUTHENTICATED_DETAILS))
  return true
}

/** The answer of a method without a handler: UNIMPLEMENTED (after the credentials check), with a warning. */
export const unimplemented = (context: CallContext, method: string, message: string) => {
  const answer = (
    metadata: grpc.Metadata,
    fail: (error: grpc.ServerErrorResponse) => void
  ): void => {
    if (refused(context, method, metadata, fail)) return
    context.run(Effect.logWarning(`${method}: ${message}`).pipe(Effect.annotateLogs({ method })))
    fail(status(grpc.status.UNIMPLEMENTED, `effect-centrifugo: ${method}: ${message}`))
  }
  return {
    unary: ((call, callback) => answer(call.metadata, callback)) satisfies grpc.handleUnaryCall<Buffer, Buffer>,
    stream: (call: grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>) =>
      answer(call.metadata, (error) => void call.emit("error", error))
  }
}

// A fifth of the call's time, at most 250 ms: enough for the answer to reach the client before its deadline timer
// fires even when this process's event loop lags (measured: 100 ms lost ~8% of 4,000 late calls on a loaded
// 2-core machine; 250 ms lost none), little enough to leave handlers most of Centrifugo's default 1 s timeout.
const DEFAULT_MAX_MARGIN = Duration.millis(250)
const DEFAULT_MARGIN_SHARE = 0.2

/**
 * The time a call may run: `timeout`, or less when the call's deadline (less the margin) comes first; 0 when it is
 * already past.
 */
export const budgetOf = (
  deadline: grpc.Deadline,
  timeout: Duration.Duration,
  margin: Duration.Duration | undefined
): Duration.Duration => {
  const at = Number(deadline)
  if (!Number.isFinite(at)) return timeout
  const left = at - Date.now()
  if (left <= 0) return Duration.zero
  const marginMs = margin !== undefined
    ? Duration.toMillis(margin)
    : Math.min(Duration.toMillis(DEFAULT_MAX_MARGIN), left * DEFAULT_MARGIN_SHARE)
  return Duration.min(timeout, Duration.millis(Math.max(0, left - marginMs)))
}

/** The pipeline's outcome as grpc-js wants it: the reply bytes, or a status for what a reply cannot say. */
const respond = (callback: grpc.sendUnaryData<Buffer>, outcome: Pipeline.Outcome<Buffer>): void => {
  if (!isUnanswerable(outcome)) callback(null, outcome)
  else if (outcome._tag === "Failed") callback(status(grpc.status.INTERNAL, outcome.message))
  else callback(status(grpc.status.INVALID_ARGUMENT, outcome.message))
}

/** How one unary method answers. */
export interface UnaryOptions {
  readonly method: UnaryMethod
  readonly pipeline: Pipeline.EventPipeline<Buffer>
  readonly timeout: Duration.Duration
  readonly deadlineMargin: Duration.Duration | undefined
}

/** The grpc-js handler of a unary method: exactly one answer per call. */
export const unary = (context: CallContext, options: UnaryOptions): grpc.handleUnaryCall<Buffer, Buffer> => {
  const { credentials, inflight, run } = context
  const { deadlineMargin, method, pipeline, timeout } = options
  const name = method.spec.method
  const log = (effect: Effect.Effect<void>) => void run(effect.pipe(Effect.annotateLogs({ method: name })))

  return (call, callback) => {
    if (refused(context, name, call.metadata, callback)) return
    // grpc-js reports a cancellation that came before this point only through this flag, never as an event later.
    if (call.cancelled) return
    const budget = budgetOf(call.getDeadline(), timeout, deadlineMargin)
    if (Duration.isZero(budget)) {
      log(Effect.logWarning(`${name}: arrived past its deadline; answered DEADLINE_EXCEEDED without running the handler`))
      callback(status(grpc.status.DEADLINE_EXCEEDED, "effect-centrifugo: the call arrived past its deadline"))
      return
    }
    let request: ProxyRequest
    try {
      request = method.decode(call.request, headersFromMetadata(call.metadata, credentials?.key))
    } catch (error) {
      if (isInvalidJson(error)) {
        run(pipeline.invalidJson(error.field, error.reason)).addObserver((exit) => {
          if (Exit.isSuccess(exit)) respond(callback, exit.value)
        })
      } else if (isDecodeFailure(error)) {
        log(Effect.logWarning(`${name}: ${safe(error.message)}`))
        callback(status(grpc.status.INVALID_ARGUMENT, error.message))
      } else {
        log(Effect.logError(`${name}: unexpected decode error`, error))
        callback(status(grpc.status.INTERNAL, "internal error while decoding the request"))
      }
      return
    }
    // One closure per call: the answer. A handler that answers inside `start` is never tracked for the drain.
    let answered = false
    let running: Inflight.AnyFiber | undefined
    const fiber = pipeline.start(request, budget, run, (outcome) => {
      answered = true
      if (running !== undefined) inflight.delete(running)
      if (outcome !== undefined) respond(callback, outcome)
      // Interrupted from outside: the call was cancelled (nobody to answer) or the server is shutting down.
      else if (!call.cancelled) callback(status(grpc.status.UNAVAILABLE, "server shutting down"))
    })
    if (answered) return
    running = fiber
    inflight.add(fiber)
    // Not removed when the call ends: the call object is this request's alone, and interrupting a finished fiber
    // does nothing.
    call.on("cancelled", () => fiber.interruptUnsafe())
  }
}

/**
 * One request's way through its handler to exactly one outcome, whatever the transport.
 *
 * A transport (gRPC, HTTP) decodes the call into a domain request, works out how long the call may take, and runs
 * it here. The pipeline owns everything a user can observe about a handler: the handler (with its interceptors) runs
 * on a fiber; a throw before it returns an Effect, a failure, a defect, or a reply that cannot be encoded becomes
 * the configured failure reply and one log line with the cause; a rejection raised as a failure
 * (`Effect.fail(Reply.error(...))`) is answered as that reply; a call that outlives its budget is interrupted
 * (finalizers run) and answered the failure reply before the caller gives up. The transport only supplies its
 * encoder and turns the two outcomes that are not replies (`Failed`, `BadRequest`) into its own statuses.
 * Every call goes through here: unary calls on both transports, the first reply of a gRPC stream subscription
 * (whose encoder also hands back the publications to stream), and the testing kit's `handle` (whose "encoder"
 * derives its answer from the reply value).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type { Handler } from "../Handler.ts"
import * as Reply from "../Reply.ts"
import { isClientRequest, type ProxyRequest } from "../ProxyRequest.ts"
import { contextOfFork, forkIn, providedOf } from "./context.ts"
import type { ProxyEvent } from "./events.ts"
import { safe, throttle } from "./logText.ts"
import { expectTag } from "./replyTag.ts"
import { type TaggedError, taggedError } from "./tagged.ts"

export interface FailureReply {
  readonly code: number
  readonly message: string
  readonly temporary: boolean
}

export const DEFAULT_FAILURE_REPLY: FailureReply = {
  code: Reply.ErrorCode.Internal,
  message: "internal server error",
  temporary: true
}

/** Budget of a call that arrives without a deadline (Centrifugo's gRPC calls always carry one). */
export const DEFAULT_TIMEOUT: Duration.Duration = Duration.seconds(30)

/** A server's (or `handle`'s) `timeout` option with its default: every caller reads it the same way. */
export const timeoutOf = (timeout: Duration.Input | undefined): Duration.Duration =>
  timeout === undefined ? DEFAULT_TIMEOUT : Duration.fromInputUnsafe(timeout)

/** A server's (or `handle`'s) `failureReply` option with its default. */
export const failureReplyOf = (failureReply: FailureReply | undefined): FailureReply =>
  failureReply ?? DEFAULT_FAILURE_REPLY

const UnanswerableTypeId: unique symbol = Symbol.for("effect-centrifugo/Unanswerable")

/**
 * An outcome the event's reply cannot express, so each transport answers it with its own status:
 * - `Failed`: the handler failed on an event whose reply has no error Centrifugo reads (refresh, sub-refresh,
 *   cache-empty): gRPC INTERNAL / HTTP 500, which Centrifugo treats as "try again later";
 * - `BadRequest`: the request's payload is not JSON, on such an event: gRPC INVALID_ARGUMENT / HTTP 400.
 */
export interface Unanswerable {
  readonly [UnanswerableTypeId]: true
  readonly _tag: "Failed" | "BadRequest"
  readonly message: string
}

const unanswerable = (tag: Unanswerable["_tag"], message: string): Unanswerable => ({
  [UnanswerableTypeId]: true,
  _tag: tag,
  message
})

export const isUnanswerable = (value: unknown): value is Unanswerable =>
  typeof value === "object" && value !== null && UnanswerableTypeId in value

/** The encoded reply (`W` is the transport's wire form), or what it cannot say. */
export type Outcome<W> = W | Unanswerable

export interface PipelineOptions {
  readonly failureReply: FailureReply
}

/** How a handler's failure leaves its fiber: as a value, so one prebuilt handler of failures serves every call. */
interface Failure {
  readonly [FailureTypeId]: true
  readonly cause: Cause.Cause<unknown>
}
const FailureTypeId: unique symbol = Symbol.for("effect-centrifugo/pipeline/Failure")
const isFailure = (value: unknown): value is Failure =>
  typeof value === "object" && value !== null && FailureTypeId in value
const toFailure = (cause: Cause.Cause<unknown>): Effect.Effect<Failure> => Effect.succeed({ [FailureTypeId]: true, cause })

/** The failure of a call that did not answer within its budget. */
export interface DeadlineExceededError extends TaggedError<"DeadlineExceededError"> {}

const DeadlineExceededError = taggedError<DeadlineExceededError>("DeadlineExceededError")

/** How a transport starts fibers: `Effect.runForkWith(context)` of the server's context. */
export type Fork = <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>

/** The pipeline of one event, built once per server (or per `handle` call). */
export interface EventPipeline<W> {
  /**
   * Starts the handler on a decoded request on a fiber (`fork`), bounded by `budget` (how long the caller still
   * waits, less a margin), and calls `answer` exactly once: with the outcome, or with `undefined` when the fiber was
   * interrupted from outside (the caller cancelled, or the server is shutting down), in which case there is no one
   * to answer or the transport answers "unavailable". Returns the fiber, for the transport to interrupt (its value is not the outcome).
   * One timer per call still running once `fork` returns bounds it (cheaper than racing fibers): when it fires, the
   * fiber is interrupted (its finalizers run) and the call is answered as a failure, with one log line.
   */
  readonly start: (
    request: ProxyRequest,
    budget: Duration.Duration,
    fork: Fork,
    answer: (outcome: Outcome<W> | undefined) => void
  ) => Fiber.Fiber<unknown>
  /** `start` as an Effect, in the caller's context: interrupted from outside, it is interrupted. */
  readonly run: (request: ProxyRequest, budget: Duration.Duration) => Effect.Effect<Outcome<W>>
  /** The answer to a request whose JSON payload does not parse or is too deeply nested (the handler is not called). */
  readonly invalidJson: (field: string, reason: string) => Effect.Effect<Outcome<W>>
}

/** Log annotations of a call: what it is about, all client-supplied text escaped. */
export const annotations = (event: ProxyEvent, request: ProxyRequest): Record<string, string> => {
  const fields: Record<string, string> = { event: event.name }
  if (isClientRequest(request)) {
    fields.client = safe(request.client)
    if ("user" in request) fields.user = safe(request.user)
  }
  if ("channel" in request) fields.channel = safe(request.channel)
  if ("method" in request) fields.method = safe(request.method)
  return fields
}

/**
 * `encode` turns a reply into the transport's wire form; it may throw for a reply that cannot be sent (a payload
 * with no JSON form), which is answered like any other failure.
 */
export const make = <W>(
  event: ProxyEvent,
  handler: Handler<never, never>,
  encode: (reply: Reply.AnyReply) => W,
  options: PipelineOptions
): EventPipeline<W> => {
  const { failureReply } = options
  const name = event.method
  // Built and encoded once: every failure of this event answers the same thing. Reply.error checks the code, so a
  // misconfigured failure reply fails the server's start, not a call.
  const failureOutcome: Outcome<W> = event.answersErrors
    ? encode(Reply.error(failureReply.code, failureReply.message, failureReply.temporary))
    : unanswerable("Failed", `${event.name} handler failed`)
  const failureSummary = event.answersErrors ? `error ${failureReply.code}` : "a transport failure (retried later)"

  const answerFailure = (request: ProxyRequest, cause: Cause.Cause<unknown>, started: number) =>
    Effect.as(
      Effect.logError(`${name} failed; answered ${failureSummary}`, cause).pipe(
        Effect.annotateLogs({ ...annotations(event, request), durationMs: (performance.now() - started).toFixed(1) })
      ),
      failureOutcome
    )

  // Per call, the fiber runs the handler's own Effect with one handler of failures around it, made once: a failure
  // becomes a `Failure` value carrying its cause, and the rest (encoding, logging, the reply) happens where the
  // fiber's end is observed. Wrapping each call in suspend/map/catchCause closures instead cost ~560 bytes per call
  // (`npm run bench:pipeline -- --alloc`). External interruption skips the handler of failures, as before.
  const settle = (
    request: ProxyRequest,
    started: number,
    value: Reply.AnyReply | Failure,
    answer: (outcome: Outcome<W> | undefined) => void,
    fork: Fork
  ): void => {
    if (isFailure(value)) {
      const failure = Cause.findErrorOption(value.cause)
      // A rejection raised as a failure is an answer, not an error.
      if (!(failure._tag === "Some" && Reply.isRejection(failure.value) && event.answersErrors)) {
        return later(fork, answerFailure(request, value.cause, started), answer)
      }
      value = failure.value as Reply.Rejection
    }
    let encoded: W
    try {
      // The reply must be the event's own result (or a rejection, where the event answers them): checked here, once
      // for every transport, before the codec reads the reply as that result.
      expectTag(event.name, value, event.result, event.answersErrors)
      encoded = encode(value)
    } catch (error) {
      return later(fork, answerFailure(request, Cause.die(error), started), answer)
    }
    answer(encoded)
  }

  // Not a closure made in `settle`: that ran on every call, while only a failure needs it.
  const later = (fork: Fork, effect: Effect.Effect<Outcome<W>>, answer: (outcome: Outcome<W> | undefined) => void): void => {
    fork(effect).addObserver((exit) => answer(Exit.isSuccess(exit) ? exit.value : undefined))
  }

  const deadlineExceeded = (budget: Duration.Duration): DeadlineExceededError =>
    DeadlineExceededError({
      message: `${name} handler did not answer within ${Duration.format(budget)} (the call's deadline less a margin, ` +
        `or the server's timeout); it was interrupted`
    })

  // A handler that provides its layer's services (`providing`) is run unwrapped on a fiber started in the merged
  // context, when the fork says what context it starts fibers in (`forkIn`): the same services, made once per
  // fork instead of provided per call.
  const provided = providedOf(handler)
  let lastFork: Fork | undefined
  let lastProvidedFork: Fork | undefined
  const providedFork = (fork: Fork): Fork | undefined => {
    if (fork !== lastFork) {
      const context = contextOfFork(fork)
      lastFork = fork
      lastProvidedFork = context === undefined ? undefined : forkIn(Context.merge(context, provided!.context)) as Fork
    }
    return lastProvidedFork
  }

  const start: EventPipeline<W>["start"] = (request, budget, fork, answer) => {
    const started = performance.now()
    const inContext = provided === undefined ? undefined : providedFork(fork)
    // Called here, not in a suspend: a throw before the handler returns an Effect is a defect like any other.
    let effect: Effect.Effect<Reply.AnyReply, unknown>
    try {
      effect = (inContext === undefined ? handler(request as never) : provided!.run(request as never)) as Effect.Effect<
        Reply.AnyReply,
        unknown
      >
    } catch (error) {
      effect = Effect.die(error)
    }
    const fiber = (inContext ?? fork)(Effect.catchCause(effect, toFailure))
    // A handler that finished synchronously (the fiber ran to its end inside `fork`) is answered here: it cannot
    // outlive its budget, so it needs neither the timer nor an observer (two closures per call less).
    const exit = fiber.pollUnsafe()
    if (exit !== undefined) {
      if (Exit.isSuccess(exit)) settle(request, started, exit.value, answer, fork)
      else answer(undefined)
      return fiber
    }
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      fiber.interruptUnsafe()
    }, Duration.toMillis(budget))
    fiber.addObserver((exit) => {
      clearTimeout(timer)
      if (Exit.isSuccess(exit)) return settle(request, started, exit.value, answer, fork)
      if (!timedOut) return answer(undefined)
      later(fork, answerFailure(request, Cause.fail(deadlineExceeded(budget)), started), answer)
    })
    return fiber
  }

  // A client sending data that is not JSON is answered every time, but warned about at most once per 10 s for this
  // event (with how many were left out): a misbehaving client in a loop cannot flood the log.
  const invalidJsonWarning = throttle(10_000)
  const invalidJson = (field: string, reason: string): Effect.Effect<Outcome<W>> => {
    const message = `bad request: ${field} is not valid JSON (${reason})`
    const outcome = event.answersErrors
      ? encode(Reply.error(Reply.ErrorCode.BadRequest, message, false))
      : unanswerable("BadRequest", message)
    const suppressed = invalidJsonWarning()
    if (suppressed === undefined) return Effect.succeed(outcome)
    const more = suppressed > 0 ? ` (and ${suppressed} more such requests not logged)` : ""
    return Effect.as(
      Effect.logWarning(`${name}: ${safe(message)}; answered ${event.answersErrors ? "error 107" : "bad request"}${more}`)
        .pipe(Effect.annotateLogs({ event: event.name })),
      outcome
    )
  }

  const run: EventPipeline<W>["run"] = (request, budget) =>
    Effect.flatMap(Effect.context<never>(), (context) =>
      Effect.callback<Outcome<W>>((resume) => {
        const fiber = start(request, budget, Effect.runForkWith(context), (outcome) =>
          resume(outcome === undefined ? Effect.interrupt : Effect.succeed(outcome)))
        return Effect.sync(() => fiber.interruptUnsafe())
      }))

  return { start, run, invalidJson }
}

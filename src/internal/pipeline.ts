/**
 * One request's way through a handler to exactly one outcome: the encoded reply bytes, or a gRPC status.
 * Shared by the gRPC server and the testing kit (`Testing.handle`), so tests see what Centrifugo would see.
 *
 * @since 0.1.0
 */
import { status as GrpcStatus } from "@grpc/grpc-js"
import { Cause, Duration, Effect } from "effect"
import type { Handler } from "../Handlers.ts"
import type { UnaryMethod } from "../grpc/methods.ts"
import { ErrorCode, isRejection } from "../Reply.ts"

/** A gRPC status to answer instead of a message. */
export interface StatusOutcome {
  readonly _tag: "Status"
  readonly code: GrpcStatus
  readonly details: string
}

/** What a call answers: response bytes, or a status. */
export type Outcome = Buffer | StatusOutcome

export const status = (code: GrpcStatus, details: string): StatusOutcome => ({ _tag: "Status", code, details })

export interface FailureReply {
  readonly code: number
  readonly message: string
  readonly temporary: boolean
}

export const DEFAULT_FAILURE_REPLY: FailureReply = {
  code: ErrorCode.Internal,
  message: "internal server error",
  temporary: true
}

/** Bound for calls without a deadline (Centrifugo always sends one). */
export const DEFAULT_TIMEOUT: Duration.Duration = Duration.seconds(30)

export interface PipelineOptions {
  readonly failureReply: FailureReply
  /** Bound for calls that arrive without a deadline. */
  readonly timeout: Duration.Duration
}

/** The per-method parts of the pipeline, built once at server start. */
export interface MethodPipeline {
  /** Runs the handler on an already-decoded request. */
  readonly run: (request: never, client: string, hasDeadline: boolean) => Effect.Effect<Outcome>
  /** The outcome for a request whose JSON payload does not parse (the handler is not called). */
  readonly invalidJson: (field: string) => Outcome
}

export const make = (method: UnaryMethod, handler: Handler<never, never>, options: PipelineOptions): MethodPipeline => {
  const { failureReply, timeout } = options
  const name = method.method
  const encodeError = method.encodeError
  // Encoded once: every failure of this method answers the same bytes.
  const failureOutcome: Outcome = encodeError !== undefined
    ? encodeError(failureReply)
    : status(GrpcStatus.INTERNAL, `${method.event} handler failed`)
  const failureSummary = encodeError !== undefined ? `error ${failureReply.code}` : "gRPC INTERNAL"
  // A throw while encoding (a reply that cannot be sent) becomes a defect, answered below like any other failure.
  const encode = (reply: unknown): Outcome => method.encode(reply as never)

  const run = (request: never, client: string, hasDeadline: boolean): Effect.Effect<Outcome> =>
    Effect.catchCause(
      Effect.map(hasDeadline ? handler(request) : Effect.timeout(handler(request), timeout), encode),
      (cause) => {
        const failure = Cause.findErrorOption(cause)
        if (failure._tag === "Some" && isRejection(failure.value) && encodeError !== undefined) {
          // A rejection raised as a failure is an answer, not an error. Encoding it cannot fail.
          return Effect.succeed(encode(failure.value))
        }
        return Effect.as(
          Effect.logError(`${name} handler failed; answered ${failureSummary}`, cause).pipe(
            Effect.annotateLogs({ method: name, client })
          ),
          failureOutcome
        )
      }
    )

  const invalidJson = (field: string): Outcome => {
    const message = `bad request: ${field} is not valid JSON`
    return encodeError !== undefined
      ? encodeError({ code: ErrorCode.BadRequest, message, temporary: false })
      : status(GrpcStatus.INVALID_ARGUMENT, message)
  }

  return { run, invalidJson }
}

/**
 * Runs a request through the handler set in context (with its interceptors) exactly as the server does, and
 * returns what Centrifugo would receive, read from the reply value before any transport encodes it: `result` (the
 * wire shape, JSON payloads parsed, 64-bit times as numbers), `error`, `disconnect`, or the `status` of the chosen
 * transport (`options.transport`, default gRPC) for answers that are not messages.
 *
 * ```ts
 * import { expect, it } from "@effect/vitest"
 * import { Effect, Layer } from "effect"
 * import { Auth, HandlerSet, Reply } from "effect-centrifugo"
 * import { connectRequest, handle, Mocks } from "effect-centrifugo/testing"
 *
 * const Served = HandlerSet.layer({
 *   connect: () => Effect.map(Auth.CurrentUser, (user) => Reply.connect({ user: user.id }))
 * }).pipe(
 *   Auth.authenticate(),
 *   Layer.provide(Mocks.tokens({ good: "alice" }))
 * )
 *
 * it.effect("rejects a bad token", () =>
 *   Effect.gen(function*() {
 *     const reply = yield* handle(connectRequest({ data: { authToken: "nope" } }))
 *     expect(reply.error?.code).toBe(101)
 *   }).pipe(Effect.provide(Served)))
 * ```
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import type { Transport } from "../Defaults.ts"
import type { Handler } from "../Handler.ts"
import { type EventName, HandlerSet } from "../HandlerSet.ts"
import { eventNamed, eventOfTag } from "../internal/events.ts"
import * as Pipeline from "../internal/pipeline.ts"
// Types only: the result types name the wire messages' fields; nothing here decodes protobuf.
import type * as pb from "../proto/generated/proxy.ts"
import type { ProxyRequest } from "../ProxyRequest.ts"
import { answerOf } from "./answer.ts"

/** A log line written while the call ran. */
export interface HandledLogLine {
  readonly level: string
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
  /** The cause attached to the line (the server logs a failure's cause this way). */
  readonly cause?: Cause.Cause<unknown>
}

/** The fields `handle` parses from JSON bytes. */
type JsonField = "data" | "info" | "meta" | "stream_data" | "prev_data"

/**
 * A wire result as `handle` gives it: JSON fields parsed (`unknown`), 64-bit numbers as numbers.
 *
 * @since 0.1.0
 * @category models
 */
export type Readable<T> = T extends bigint ? number
  : T extends Uint8Array ? Buffer
  : T extends ReadonlyArray<infer E> ? Array<Readable<E>>
  : T extends object ? { readonly [K in keyof T]: K extends JsonField ? unknown : Readable<T[K]> }
  : T

/**
 * The result message of each event, by the request's `_tag`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResultByTag {
  readonly Connect: pb.ConnectResult
  readonly Refresh: pb.RefreshResult
  readonly Subscribe: pb.SubscribeResult
  readonly Publish: pb.PublishResult
  readonly RPC: pb.RPCResult
  readonly SubRefresh: pb.SubRefreshResult
  readonly MapPublish: pb.MapPublishResult
  readonly MapRemove: pb.MapRemoveResult
  readonly SharedPollRefresh: pb.SharedPollRefreshResult
  readonly NotifyCacheEmpty: pb.NotifyCacheEmptyResult
  readonly NotifyChannelState: pb.NotifyChannelStateResult
}

/**
 * The readable result of the request `R` (e.g. `user`, `expire_at`, `data` for a connect).
 *
 * @since 0.1.0
 * @category models
 */
export type ResultOf<R extends ProxyRequest> = R["_tag"] extends keyof ResultByTag ? Readable<ResultByTag[R["_tag"]]>
  : Record<string, unknown>

/**
 * A reply as `handle` decodes it: the result with payloads parsed, or the error, disconnect or gRPC status, and the
 * lines logged.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandledReply<Result = Record<string, unknown>> {
  /** The result message, with `data`, `info`, `meta` (also inside `subs`) parsed from JSON; typed per event. */
  readonly result?: Result
  readonly error?: { readonly code: number; readonly message: string; readonly temporary: boolean }
  readonly disconnect?: { readonly code: number; readonly reason: string }
  /**
   * Set when the server answers a status instead of a message (no handler; refresh failures): gRPC status codes, or
   * HTTP statuses with `transport: "http"`.
   */
  readonly status?: { readonly code: number; readonly details: string }
  /**
   * Why the call failed, when the answer stands for a failure the handler did not turn into a reply (the failure
   * reply, or a refresh's INTERNAL status): the same cause the server logs. Print it with `Cause.pretty`.
   */
  readonly cause?: Cause.Cause<unknown>
  /** Every line logged while the call ran (by the handler, the interceptors and the server's pipeline). */
  readonly logs: ReadonlyArray<HandledLogLine>
}

export interface HandleOptions {
  /** The server's failure reply. Default: error 100 "internal server error", temporary. */
  readonly failureReply?: Pipeline.FailureReply
  /** The call's budget, as the server derives it from the deadline. Default 30 s. */
  readonly timeout?: Duration.Input
  /**
   * The transport whose answers to give: its status for an answer that is not a reply (`"grpc"`: 13 INTERNAL,
   * 3 INVALID_ARGUMENT, 12 UNIMPLEMENTED; `"http"`: 500, 400, 501), and what its codec can send (HTTP has no binary
   * shared-poll item data, and checks that `Payload.rawJson` text parses). Default `"grpc"`, the default transport.
   */
  readonly transport?: Transport
  /**
   * The event to call when it is not the request's own: `"subscribeUnidirectional"` or `"subscribeBidirectional"`
   * for the first reply of a stream subscription (a bidirectional handler gets no client publications). Default: the
   * event whose handler takes requests of the request's `_tag`.
   */
  readonly event?: EventName
}

/** What each transport answers for the outcomes that are not replies. */
const statusCodes: Record<Transport, Record<Pipeline.Unanswerable["_tag"] | "NoHandler", number>> = {
  grpc: { Failed: 13, BadRequest: 3, NoHandler: 12 },
  http: { Failed: 500, BadRequest: 400, NoHandler: 501 }
}

/**
 * The server's answer to `request`, decoded (see the module doc). Options as the server's.
 *
 * @example
 * ```ts
 * import { expect, it } from "@effect/vitest"
 * import { Effect } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 * import { handle, subscribeRequest } from "effect-centrifugo/testing"
 *
 * const MyHandlers = HandlerSet.layer({
 *   subscribe: (request) =>
 *     Effect.succeed(request.channel === "news" ? Reply.subscribe({ data: { hello: 1 } }) : Reply.error(403, "no"))
 * })
 *
 * it.effect("subscribes to news only", () =>
 *   Effect.gen(function*() {
 *     expect((yield* handle(subscribeRequest({ channel: "news" }))).result).toEqual({ data: { hello: 1 } })
 *     expect((yield* handle(subscribeRequest({ channel: "other" }))).error?.code).toBe(403)
 *   }).pipe(Effect.provide(MyHandlers)))
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const handle = <R extends ProxyRequest>(
  request: R,
  options: HandleOptions = {}
): Effect.Effect<HandledReply<ResultOf<R>>, never, HandlerSet> =>
  Effect.gen(function*() {
    const event = options.event === undefined ? eventOfTag(request._tag) : eventNamed(options.event)
    if (event.tag !== request._tag) {
      return yield* Effect.die(new TypeError(`handle: the ${event.name} handler takes ${event.tag} requests, got ${request._tag}`))
    }
    const transport = options.transport ?? "grpc"
    const codes = statusCodes[transport]
    const handlers = yield* HandlerSet
    const handler = handlers[event.name] as Handler<never, never> | undefined
    if (handler === undefined) {
      return { status: { code: codes.NoHandler, details: `no \`${event.name}\` handler` }, logs: [] }
    }
    // The answer is derived from the reply value; `answerOf` throws where the transport's codec would, which the
    // pipeline answers as a failure, as the server does.
    const pipeline = Pipeline.make(event, handler, (reply) => answerOf(event, reply, transport), {
      failureReply: Pipeline.failureReplyOf(options.failureReply)
    })
    const logs: Array<HandledLogLine> = []
    const capture = Logger.make<unknown, void>(({ cause, fiber, logLevel, message }) => {
      logs.push({
        level: logLevel,
        message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
        annotations: { ...fiber.getRef(References.CurrentLogAnnotations) },
        ...(cause.reasons.length === 0 ? {} : { cause })
      })
    })
    // Run as the servers run calls (`pipeline.run`: a fiber of this context, bounded by one timer; interrupting
    // `handle` interrupts the call), with the log capture added to this context's loggers.
    const outcome = yield* pipeline.run(request, Pipeline.timeoutOf(options.timeout)).pipe(
      Effect.updateService(Logger.CurrentLoggers, (loggers) => new Set([...loggers, capture]))
    )
    // The pipeline logs a failure it answered for exactly once, at Error, with its cause.
    const failure = logs.find((line) => line.level === "Error" && line.cause !== undefined)
    const common = { logs, ...(failure?.cause === undefined ? {} : { cause: failure.cause }) }
    if (Pipeline.isUnanswerable(outcome)) return { status: { code: codes[outcome._tag], details: outcome.message }, ...common }
    // The answer has the wire result's shape; its type per event is the request's (`ResultOf<R>`).
    return { ...(outcome as { readonly result?: ResultOf<R> }), ...common }
  })

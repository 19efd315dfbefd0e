/**
 * Stream subscriptions over gRPC: SubscribeUnidirectional (server streaming) and SubscribeBidirectional.
 *
 * One call is one client's subscription. Its first reply goes through the same pipeline as a unary call
 * (`src/internal/pipeline.ts`): a rejection is sent as the first message and the call ends; a failure, a defect, an
 * unencodable reply or a handler that outlives the budget is answered the failure reply, with one log line carrying
 * the call's annotations. A `Reply.stream(publications)` is sent as the subscribe response, then every publication
 * in order, each written only when the HTTP/2 stream has room (grpc-js `write` returned true, or after `drain`), so
 * a slow client holds the producer back instead of filling memory. The stream ending ends the call (status OK: the
 * client sees unsubscribe 2000); the stream failing ends it with INTERNAL (the client resubscribes) and a log line;
 * Centrifugo cancelling the call (the client unsubscribed or left) interrupts the fiber, so the stream's finalizers
 * run. For bidirectional calls the client's publications (the later request messages) reach the handler as a
 * Stream read on demand.
 *
 * @since 0.1.0
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as grpc from "@grpc/grpc-js"
import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import type { Handler } from "../Handler.ts"
import type { ProxyEvent } from "../internal/events.ts"
import * as Pipeline from "../internal/pipeline.ts"
import * as Metrics from "../ops/Metrics.ts"
import { isInvalidJson } from "../internal/payloadWire.ts"
import type * as pb from "../proto/generated/proxy.ts"
import type * as Reply from "../Reply.ts"
import type { ClientPublication, SubscribeRequest } from "../ProxyRequest.ts"
import * as Codec from "./codec/index.ts"
import type { CallContext } from "./calls.ts"
import { status, UNAUTHENTICATED_DETAILS } from "./status.ts"

type StreamCall = grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>

export type UnidirectionalHandler = (request: SubscribeRequest) => Effect.Effect<Reply.StreamReply, unknown>
export type BidirectionalHandler = (
  request: SubscribeRequest,
  incoming: Stream.Stream<ClientPublication>
) => Effect.Effect<Reply.StreamReply, unknown>

/** What the server's calls share (its fork, in-flight set, credentials check), and this stream method's own. */
export interface StreamCallOptions extends CallContext {
  readonly event: ProxyEvent
  readonly failureReply: Pipeline.FailureReply
  /** How long the first reply may take: the call's deadline less the margin, or the server's timeout. */
  readonly budget: (call: StreamCall) => Duration.Duration
}

/** The first message, encoded, and what follows it: the publications of an accepted stream. */
interface First {
  readonly bytes: Buffer
  readonly publications: Stream.Stream<Reply.StreamPublication, unknown> | undefined
}

const encodeFirst = (reply: Reply.AnyReply): First => {
  const bytes = Codec.encodeStreamFirst(reply as Reply.StreamReply)
  return { bytes, publications: reply._tag === "StreamResult" ? reply.publications : undefined }
}

/** The first reply's pipeline of the event, built once per server. */
const pipelineOf = (options: StreamCallOptions, handler: Handler<never, never>): Pipeline.EventPipeline<First> =>
  Pipeline.make(options.event, handler, encodeFirst, { failureReply: options.failureReply })

/** Refuses a call without the required proxy credentials; true when it was refused. */
const refused = (call: StreamCall, options: StreamCallOptions): boolean => {
  if (options.credentials === undefined || options.credentials.ok(call.metadata)) return false
  options.refuse(options.event.method)
  call.emit("error", status(grpc.status.UNAUTHENTICATED, UNAUTHENTICATED_DETAILS))
  return true
}

/** Writes one message, waiting for `drain` when grpc-js says its buffer is full. */
const write = (call: StreamCall, bytes: Buffer): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    if (call.write(bytes)) return resume(Effect.void)
    const onDrain = () => resume(Effect.void)
    call.once("drain", onDrain)
    return Effect.sync(() => call.off("drain", onDrain))
  })

/** Writes the first message, then streams the publications; the call is ended by the fiber's observer. */
const serve = (
  call: StreamCall,
  request: SubscribeRequest,
  first: Pipeline.Outcome<First>,
  options: StreamCallOptions
): Effect.Effect<void, grpc.ServerErrorResponse> =>
  Effect.gen(function*() {
    // Stream events answer errors, so the pipeline never leaves a first reply unanswered.
    if (Pipeline.isUnanswerable(first)) return yield* Effect.fail(status(grpc.status.INTERNAL, first.message))
    yield* write(call, first.bytes)
    if (first.publications === undefined) return
    const streamed = yield* Effect.exit(
      Stream.runForEach(first.publications, (publication) =>
        Effect.flatMap(Effect.sync(() => Codec.encodeStreamPublication(publication)), (message) => write(call, message)))
    )
    if (Exit.isFailure(streamed)) {
      if (Cause.hasInterruptsOnly(streamed.cause)) return yield* Effect.interrupt
      yield* Effect.logError(`${options.event.method} publications failed; ended the stream with INTERNAL`, streamed.cause)
        .pipe(Effect.annotateLogs(Pipeline.annotations(options.event, request)))
      return yield* Effect.fail(status(grpc.status.INTERNAL, "stream failed"))
    }
  })

/** Runs `program` for the call: cancellation interrupts it; its exit ends the call exactly once. */
const runForCall = (call: StreamCall, program: Effect.Effect<void, grpc.ServerErrorResponse>, options: StreamCallOptions) => {
  // Counted while the call's fiber runs: from the first message until the stream ends, fails or is cancelled.
  const open = Metric.withAttributes(Metrics.streamsOpen, { event: options.event.name })
  const fiber = options.run(Effect.acquireUseRelease(Metric.modify(open, 1), () => program, () => Metric.modify(open, -1)))
  options.inflight.add(fiber)
  const onCancelled = () => fiber.interruptUnsafe()
  call.once("cancelled", onCancelled)
  fiber.addObserver((exit) => {
    options.inflight.delete(fiber)
    call.off("cancelled", onCancelled)
    if (call.cancelled) return
    if (Exit.isSuccess(exit)) return void call.end()
    const failure = Cause.findErrorOption(exit.cause)
    // emit("error") makes grpc-js send the status and end the call.
    call.emit("error", failure._tag === "Some" ? failure.value : status(grpc.status.UNAVAILABLE, "server shutting down"))
  })
}

/**
 * The first message's subscribe request through the pipeline, then served; JSON that does not parse is answered
 * 107 by the pipeline, bytes that do not decode INVALID_ARGUMENT.
 */
const withSubscribe = (
  decode: () => SubscribeRequest,
  call: StreamCall,
  options: StreamCallOptions,
  pipeline: Pipeline.EventPipeline<First>
): Effect.Effect<void, grpc.ServerErrorResponse> =>
  Effect.suspend(() => {
    let request: SubscribeRequest
    try {
      request = decode()
    } catch (error) {
      if (isInvalidJson(error)) {
        return Effect.flatMap(pipeline.invalidJson(error.field, error.reason), (first) =>
          Pipeline.isUnanswerable(first) ? Effect.void : write(call, first.bytes))
      }
      const message = Codec.isDecodeFailure(error) ? error.message : String(error)
      return Effect.logWarning(`${options.event.method}: ${message}`).pipe(
        Effect.annotateLogs({ event: options.event.name }),
        Effect.andThen(Effect.fail(status(grpc.status.INVALID_ARGUMENT, message)))
      )
    }
    return Effect.flatMap(
      pipeline.run(request, options.budget(call)),
      (first) => serve(call, request, first, options)
    )
  })

export const unidirectional = (handler: UnidirectionalHandler, options: StreamCallOptions) => {
  const pipeline = pipelineOf(options, handler as unknown as Handler<never, never>)
  return (call: grpc.ServerWritableStream<Buffer, Buffer>): void => {
    if (refused(call, options)) return
    const program = withSubscribe(
      () => Codec.decodeSubscribe(call.request, Codec.headersFromMetadata(call.metadata, options.credentials?.key)),
      call,
      options,
      pipeline
    )
    runForCall(call, program, options)
  }
}

const isPublication = (
  message: pb.StreamSubscribeRequest
): message is pb.StreamSubscribeRequest & { publication: pb.Publication } => message.publication !== undefined

export const bidirectional = (handler: BidirectionalHandler, options: StreamCallOptions) => {
  // One pipeline for every call: each call's `incoming` is found by its request, a new object per call.
  const incomingOf = new WeakMap<SubscribeRequest, Stream.Stream<ClientPublication>>()
  const pipeline = pipelineOf(options, ((request: SubscribeRequest) =>
    handler(request, incomingOf.get(request) ?? Stream.empty)) as unknown as Handler<never, never>)
  return (call: grpc.ServerDuplexStream<Buffer, Buffer>): void => {
    if (refused(call, options)) return
    const headers = Codec.headersFromMetadata(call.metadata, options.credentials?.key)
    const messages = NodeStream.fromReadable<Buffer, Error>({
      evaluate: () => call,
      onError: (error) => error as Error,
      // The readable side is the call itself: closing it when done would end the call before the answer is written.
      closeOnDone: false
    })
    const program = Effect.scoped(Effect.gen(function*() {
      const [first, rest] = yield* Stream.peel(messages, Sink.head()).pipe(Effect.orDie)
      if (Option.isNone(first)) return // Centrifugo closed the call before asking anything.
      yield* withSubscribe(() => {
        const message = Codec.decodeStreamMessage(first.value)
        if (message.subscribe_request === undefined) {
          throw Codec.decodeFailure("the first StreamSubscribeRequest has no subscribe_request")
        }
        const request = Codec.subscribeFromStream(message.subscribe_request, headers)
        incomingOf.set(
          request,
          rest.pipe(
            Stream.orDie,
            Stream.map((bytes) => Codec.decodeStreamMessage(bytes)),
            Stream.filter(isPublication),
            Stream.map((message) => Codec.clientPublication(request.protocol, message.publication))
          )
        )
        return request
      }, call, options, pipeline)
    }))
    runForCall(call, program, options)
  }
}

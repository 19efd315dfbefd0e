/**
 * Stream subscriptions over gRPC: SubscribeUnidirectional (server streaming) and SubscribeBidirectional.
 *
 * One call is one client's subscription. The handler answers a first reply; a rejection is sent as the first
 * message and the call ends. A `Reply.stream(publications)` is sent as the subscribe response, then every
 * publication in order, each written only when the HTTP/2 stream has room (grpc-js `write` returned true, or after
 * `drain`), so a slow client holds the producer back instead of filling memory. The stream ending ends the call
 * (status OK: the client sees unsubscribe 2000); the stream failing ends it with INTERNAL (the client resubscribes)
 * and a log line; Centrifugo cancelling the call (the client unsubscribed or left) interrupts the fiber, so the
 * stream's finalizers run. For bidirectional calls the client's publications (the later request messages) reach
 * the handler as a Stream read on demand.
 *
 * @since 0.1.0
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as grpc from "@grpc/grpc-js"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import type { FailureReply } from "../internal/pipeline.ts"
import * as Metrics from "../ops/Metrics.ts"
import { isInvalidJson } from "../internal/payloadWire.ts"
import * as Codec from "../proto/codec.ts"
import type * as pb from "../proto/generated/proxy.ts"
import { ErrorCode, isRejection } from "../Reply.ts"
import type * as Reply from "../Reply.ts"
import type { ClientPublication, SubscribeRequest } from "../ProxyRequest.ts"
import type { StreamMethod } from "./methods.ts"
import { status, UNAUTHENTICATED_DETAILS } from "./status.ts"

type Run = <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>

type StreamCall = grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>

export type UnidirectionalHandler = (request: SubscribeRequest) => Effect.Effect<Reply.StreamReply, unknown>
export type BidirectionalHandler = (
  request: SubscribeRequest,
  incoming: Stream.Stream<ClientPublication>
) => Effect.Effect<Reply.StreamReply, unknown>

export interface StreamCallOptions {
  readonly method: StreamMethod
  readonly run: Run
  readonly inflight: Set<Fiber.Fiber<unknown, unknown>>
  readonly failureReply: FailureReply
  /** The `requireCredentials` check of the server, when set. */
  readonly credentials?: { readonly key: string; readonly ok: (metadata: grpc.Metadata) => boolean }
  /** Logs (throttled) a call refused for want of credentials. */
  readonly refuse: (method: string) => void
}

/** Refuses a call without the required proxy credentials; true when it was refused. */
const refused = (call: StreamCall, options: StreamCallOptions): boolean => {
  if (options.credentials === undefined || options.credentials.ok(call.metadata)) return false
  options.refuse(options.method.method)
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

/** Answers the first reply, then streams the publications; the call is ended by the fiber's observer. */
const serve = (
  call: StreamCall,
  reply: Effect.Effect<Reply.StreamReply, unknown>,
  options: StreamCallOptions,
  client: string
): Effect.Effect<void, grpc.ServerErrorResponse> => {
  const name = options.method.method
  const annotate = Effect.annotateLogs({ method: name, client })
  const failureMessage = options.method.encodeError(options.failureReply)

  return Effect.gen(function*() {
    const first = yield* Effect.exit(Effect.flatMap(reply, (r) => Effect.sync(() => [r, Codec.encodeStreamFirst(r)] as const)))
    if (Exit.isFailure(first)) {
      if (Cause.hasInterruptsOnly(first.cause)) return yield* Effect.interrupt
      const failure = Cause.findErrorOption(first.cause)
      if (failure._tag === "Some" && isRejection(failure.value)) {
        yield* write(call, Codec.encodeStreamFirst(failure.value))
        return
      }
      yield* Effect.logError(`${name} handler failed; answered error ${options.failureReply.code}`, first.cause)
        .pipe(annotate)
      yield* write(call, failureMessage)
      return
    }
    const [answer, bytes] = first.value
    yield* write(call, bytes)
    if (answer._tag !== "StreamResult") return
    const streamed = yield* Effect.exit(
      Stream.runForEach(answer.publications, (publication) =>
        Effect.flatMap(Effect.sync(() => Codec.encodeStreamPublication(publication)), (message) => write(call, message)))
    )
    if (Exit.isFailure(streamed)) {
      if (Cause.hasInterruptsOnly(streamed.cause)) return yield* Effect.interrupt
      yield* Effect.logError(`${name} publications failed; ended the stream with INTERNAL`, streamed.cause).pipe(annotate)
      return yield* Effect.fail(status(grpc.status.INTERNAL, "stream failed"))
    }
  })
}

/** Runs `program` for the call: cancellation interrupts it; its exit ends the call exactly once. */
const runForCall = (call: StreamCall, program: Effect.Effect<void, grpc.ServerErrorResponse>, options: StreamCallOptions) => {
  // Counted while the call's fiber runs: from the first message until the stream ends, fails or is cancelled.
  const open = Metric.withAttributes(Metrics.streamsOpen, { event: options.method.method })
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
 * The first message's subscribe request as a program: serve it, or answer 107 for JSON that does not parse, or
 * INVALID_ARGUMENT for bytes that do not decode.
 */
const withSubscribe = (
  decode: () => SubscribeRequest,
  call: StreamCall,
  options: StreamCallOptions,
  serveRequest: (request: SubscribeRequest) => Effect.Effect<void, grpc.ServerErrorResponse>
): Effect.Effect<void, grpc.ServerErrorResponse> =>
  Effect.suspend(() => {
    const name = options.method.method
    let request: SubscribeRequest
    try {
      request = decode()
    } catch (error) {
      if (isInvalidJson(error)) {
        const message = `bad request: ${error.field} is not valid JSON`
        return Effect.logWarning(`${name}: ${message}; answered 107`).pipe(
          Effect.andThen(write(call, options.method.encodeError({ code: ErrorCode.BadRequest, message })))
        )
      }
      const message = Codec.isDecodeFailure(error) ? error.message : String(error)
      return Effect.logWarning(`${name}: ${message}`).pipe(
        Effect.andThen(Effect.fail(status(grpc.status.INVALID_ARGUMENT, message)))
      )
    }
    return serveRequest(request)
  })

export const unidirectional = (handler: UnidirectionalHandler, options: StreamCallOptions) =>
(call: grpc.ServerWritableStream<Buffer, Buffer>): void => {
  if (refused(call, options)) return
  const program = withSubscribe(
    () => Codec.decodeSubscribe(call.request, Codec.headersFromMetadata(call.metadata, options.credentials?.key)),
    call,
    options,
    (request) => serve(call, Effect.suspend(() => handler(request)), options, request.client)
  )
  runForCall(call, program, options)
}

const isPublication = (
  message: pb.StreamSubscribeRequest
): message is pb.StreamSubscribeRequest & { publication: pb.Publication } => message.publication !== undefined

export const bidirectional = (handler: BidirectionalHandler, options: StreamCallOptions) =>
(call: grpc.ServerDuplexStream<Buffer, Buffer>): void => {
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
      return Codec.subscribeFromStream(message.subscribe_request, headers)
    }, call, options, (request) => {
      const incoming: Stream.Stream<ClientPublication> = rest.pipe(
        Stream.orDie,
        Stream.map((bytes) => Codec.decodeStreamMessage(bytes)),
        Stream.filter(isPublication),
        Stream.map((message) => Codec.clientPublication(request.protocol, message.publication))
      )
      return serve(call, Effect.suspend(() => handler(request, incoming)), options, request.client)
    })
  }))
  runForCall(call, program, options)
}

/**
 * A gRPC client that calls a running proxy server exactly as Centrifugo does: protobuf messages of
 * `centrifugal.centrifugo.proxy.CentrifugoProxy`, forwarded headers as lower-cased metadata, a deadline per call,
 * cancellation when the caller gives up. For integration tests of a server without a real Centrifugo.
 *
 * ```ts
 * import { ProxyClient } from "effect-centrifugo/testing"
 *
 * const port = 10001
 * const client = ProxyClient.make(`127.0.0.1:${port}`)
 * const response = await client.connect({ client: "c1", data: ProxyClient.json({ token: "t" }) }, { timeoutMs: 1000 })
 * client.close()
 * ```
 *
 * @since 0.1.0
 */
import * as grpc from "@grpc/grpc-js"
import { SERVICE } from "../grpc/methods.ts"
import * as pb from "../proto/generated/proxy.ts"

/**
 * Options of one call: metadata to send, a deadline, and an abort signal.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /** Metadata to send (Centrifugo forwards headers lower-cased). */
  readonly metadata?: Readonly<Record<string, string | ReadonlyArray<string>>>
  /** The call's deadline, in milliseconds from now (Centrifugo's proxy `timeout`). */
  readonly timeoutMs?: number
  /** Aborting cancels the call, as Centrifugo does when it stops waiting. */
  readonly signal?: AbortSignal
}

/**
 * Calls a gRPC proxy server the way Centrifugo does: one function per event, the stream subscriptions, and `raw`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProxyClient {
  readonly connect: (request: pb.ConnectRequest, options?: CallOptions) => Promise<pb.ConnectResponse>
  readonly refresh: (request: pb.RefreshRequest, options?: CallOptions) => Promise<pb.RefreshResponse>
  readonly subscribe: (request: pb.SubscribeRequest, options?: CallOptions) => Promise<pb.SubscribeResponse>
  readonly publish: (request: pb.PublishRequest, options?: CallOptions) => Promise<pb.PublishResponse>
  readonly rpc: (request: pb.RPCRequest, options?: CallOptions) => Promise<pb.RPCResponse>
  readonly subRefresh: (request: pb.SubRefreshRequest, options?: CallOptions) => Promise<pb.SubRefreshResponse>
  readonly mapPublish: (request: pb.MapPublishRequest, options?: CallOptions) => Promise<pb.MapPublishResponse>
  readonly mapRemove: (request: pb.MapRemoveRequest, options?: CallOptions) => Promise<pb.MapRemoveResponse>
  readonly sharedPollRefresh: (
    request: pb.SharedPollRefreshRequest,
    options?: CallOptions
  ) => Promise<pb.SharedPollRefreshResponse>
  readonly notifyCacheEmpty: (
    request: pb.NotifyCacheEmptyRequest,
    options?: CallOptions
  ) => Promise<pb.NotifyCacheEmptyResponse>
  readonly notifyChannelState: (
    request: pb.NotifyChannelStateRequest,
    options?: CallOptions
  ) => Promise<pb.NotifyChannelStateResponse>
  /** Opens a unidirectional stream subscription; messages arrive decoded. `pause()` it to play a slow client. */
  readonly subscribeUnidirectional: (
    request: pb.SubscribeRequest,
    options?: CallOptions
  ) => grpc.ClientReadableStream<pb.StreamSubscribeResponse>
  /** Opens a bidirectional stream subscription; write `{ subscribe_request }` first, then `{ publication }`s. */
  readonly subscribeBidirectional: (
    options?: CallOptions
  ) => grpc.ClientDuplexStream<pb.StreamSubscribeRequest, pb.StreamSubscribeResponse>
  /** Sends raw bytes to `method` (e.g. `"Connect"`) and returns the raw response bytes. */
  readonly raw: (method: string, bytes: Uint8Array, options?: CallOptions) => Promise<Buffer>
  readonly close: () => void
}

/**
 * A gRPC error as the client saw it: `code` is a `grpc.status`.
 *
 * @since 0.1.0
 * @category errors
 */
export type ProxyCallError = grpc.ServiceError

const identity = <A>(value: A): A => value

/**
 * A gRPC client of the proxy service at `address` (`host:port`), speaking Centrifugo's protobuf messages.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (address: string): ProxyClient => {
  const client = new grpc.Client(address, grpc.credentials.createInsecure())

  const metadataOf = (options: CallOptions): grpc.Metadata => {
    const metadata = new grpc.Metadata()
    for (const [name, value] of Object.entries(options.metadata ?? {})) {
      for (const v of typeof value === "string" ? [value] : value) metadata.add(name, v)
    }
    return metadata
  }
  const callOptionsOf = (options: CallOptions): grpc.CallOptions =>
    options.timeoutMs === undefined ? {} : { deadline: new Date(Date.now() + options.timeoutMs) }

  const raw = (method: string, bytes: Uint8Array, options: CallOptions = {}): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const call = client.makeUnaryRequest<Buffer, Buffer>(
        `/${SERVICE}/${method}`,
        identity,
        identity,
        Buffer.from(bytes),
        metadataOf(options),
        callOptionsOf(options),
        (error, response) => (error ? reject(error) : resolve(response!))
      )
      options.signal?.addEventListener("abort", () => call.cancel(), { once: true })
    })

  const subscribeUnidirectional = (request: pb.SubscribeRequest, options: CallOptions = {}) => {
    const call = client.makeServerStreamRequest<pb.SubscribeRequest, pb.StreamSubscribeResponse>(
      `/${SERVICE}/SubscribeUnidirectional`,
      (message) => Buffer.from(pb.SubscribeRequest.encode(message).finish()),
      (bytes) => pb.StreamSubscribeResponse.decode(bytes),
      request,
      metadataOf(options),
      callOptionsOf(options)
    )
    options.signal?.addEventListener("abort", () => call.cancel(), { once: true })
    return call
  }

  const subscribeBidirectional = (options: CallOptions = {}) => {
    const call = client.makeBidiStreamRequest<pb.StreamSubscribeRequest, pb.StreamSubscribeResponse>(
      `/${SERVICE}/SubscribeBidirectional`,
      (message) => Buffer.from(pb.StreamSubscribeRequest.encode(message).finish()),
      (bytes) => pb.StreamSubscribeResponse.decode(bytes),
      metadataOf(options),
      callOptionsOf(options)
    )
    options.signal?.addEventListener("abort", () => call.cancel(), { once: true })
    return call
  }

  const typed = <Req, Res>(
    method: string,
    request: { encode(message: Req): { finish(): Uint8Array } },
    response: { decode(input: Uint8Array): Res }
  ) =>
  async (message: Req, options?: CallOptions): Promise<Res> =>
    response.decode(await raw(method, request.encode(message).finish(), options))

  return {
    connect: typed("Connect", pb.ConnectRequest, pb.ConnectResponse),
    refresh: typed("Refresh", pb.RefreshRequest, pb.RefreshResponse),
    subscribe: typed("Subscribe", pb.SubscribeRequest, pb.SubscribeResponse),
    publish: typed("Publish", pb.PublishRequest, pb.PublishResponse),
    rpc: typed("RPC", pb.RPCRequest, pb.RPCResponse),
    subRefresh: typed("SubRefresh", pb.SubRefreshRequest, pb.SubRefreshResponse),
    mapPublish: typed("MapPublish", pb.MapPublishRequest, pb.MapPublishResponse),
    mapRemove: typed("MapRemove", pb.MapRemoveRequest, pb.MapRemoveResponse),
    sharedPollRefresh: typed("SharedPollRefresh", pb.SharedPollRefreshRequest, pb.SharedPollRefreshResponse),
    notifyCacheEmpty: typed("NotifyCacheEmpty", pb.NotifyCacheEmptyRequest, pb.NotifyCacheEmptyResponse),
    notifyChannelState: typed("NotifyChannelState", pb.NotifyChannelStateRequest, pb.NotifyChannelStateResponse),
    subscribeUnidirectional,
    subscribeBidirectional,
    raw,
    close: () => client.close()
  }
}

/**
 * JSON bytes of a value, as Centrifugo sends a JSON client's payload.
 *
 * @since 0.1.0
 * @category utils
 */
export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), "utf8")

/**
 * The JSON value in payload bytes from a response (`undefined` when empty).
 *
 * @since 0.1.0
 * @category utils
 */
export const parseJson = (bytes: Uint8Array | undefined): unknown =>
  bytes === undefined || bytes.length === 0 ? undefined : JSON.parse(Buffer.from(bytes).toString("utf8"))

/**
 * HandlerSet: one function per proxy event, from its request to an Effect of its reply, gathered in a service.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, HandlerSet, Reply, TokenStorage } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({
 *   connect: (request) =>
 *     Effect.gen(function*() {
 *       const tokens = yield* TokenStorage.TokenStorage // the handler needs TokenStorage ...
 *       const token = Auth.tokenFromConnectData(request) ?? ""
 *       const { user } = yield* Effect.orElseSucceed(tokens.load(token), () => ({ user: "" }))
 *       return Reply.connect({ user })
 *     }),
 *   rpc: () => Effect.succeed(Reply.rpc({ data: "pong" }))
 * })
 * // ... so MyHandlers is a Layer<HandlerSet, never, TokenStorage>: forgetting to provide TokenStorage is a
 * // compile error where the server is launched.
 * ```
 *
 * An event without a handler is answered with gRPC UNIMPLEMENTED naming the missing key: configure in Centrifugo
 * only the proxies you handle.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { type ChannelDescription, combineChannels, describeChannels } from "./internal/channels.ts"
import { provider } from "./internal/context.ts"
import * as Reply from "./Reply.ts"
import type * as ProxyRequest from "./ProxyRequest.ts"

import type { Handler } from "./Handler.ts"

/**
 * The handlers of every unary proxy event, with requirements `R`. Failures that are not
 * `Reply.error`/`Reply.disconnect` values are logged and answered with the server's default reply.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandlerRecord<R = never> {
  readonly connect?: Handler<ProxyRequest.ConnectRequest, Reply.ConnectReply, unknown, R>
  readonly refresh?: Handler<ProxyRequest.RefreshRequest, Reply.RefreshReply, unknown, R>
  readonly subscribe?: Handler<ProxyRequest.SubscribeRequest, Reply.SubscribeReply, unknown, R>
  readonly publish?: Handler<ProxyRequest.PublishRequest, Reply.PublishReply, unknown, R>
  readonly rpc?: Handler<ProxyRequest.RpcRequest, Reply.RpcReply, unknown, R>
  readonly subRefresh?: Handler<ProxyRequest.SubRefreshRequest, Reply.SubRefreshReply, unknown, R>
  /** A stream subscription (`subscribe_stream_proxy_enabled`): a first reply, then publications for one client. */
  readonly subscribeUnidirectional?: Handler<ProxyRequest.SubscribeRequest, Reply.StreamReply<unknown, R>, unknown, R>
  /** As `subscribeUnidirectional`, and the client's own publications into the channel arrive as `incoming`. */
  readonly subscribeBidirectional?: (
    request: ProxyRequest.SubscribeRequest,
    incoming: Stream.Stream<ProxyRequest.ClientPublication>
  ) => Effect.Effect<Reply.StreamReply<unknown, R>, unknown, R>
  readonly mapPublish?: Handler<ProxyRequest.MapPublishRequest, Reply.MapPublishReply, unknown, R>
  readonly mapRemove?: Handler<ProxyRequest.MapRemoveRequest, Reply.MapRemoveReply, unknown, R>
  readonly sharedPollRefresh?: Handler<ProxyRequest.SharedPollRefreshRequest, Reply.SharedPollRefreshReply, unknown, R>
  /** Centrifugo PRO only. */
  readonly notifyCacheEmpty?: Handler<ProxyRequest.NotifyCacheEmptyRequest, Reply.NotifyCacheEmptyReply, unknown, R>
  /** Centrifugo PRO only. */
  readonly notifyChannelState?: Handler<ProxyRequest.NotifyChannelStateRequest, Reply.NotifyChannelStateReply, unknown, R>
}

/**
 * The name of each handler in a record.
 *
 * @since 0.1.0
 * @category models
 */
export type EventName = keyof HandlerRecord

/**
 * The handler set as the server sees it: every requirement already provided.
 *
 * @since 0.1.0
 * @category services
 */
export interface HandlerSet extends HandlerRecord<never> {}

/** The service key of the handler set that the server runs. */
export const HandlerSet: Context.Service<HandlerSet, HandlerSet> = Context.Service<HandlerSet>("effect-centrifugo/HandlerSet")

// `any` in the constraint lets each handler keep its own error and requirement types; the exact ones are
// recovered by `RequirementsOf` below.
type AnyHandlerRecord = HandlerRecord<any>

/** The services a stream reply's publications need. */
type StreamRequirements<A> = A extends Reply.StreamResult<infer _E, infer R> ? R : never

/**
 * The union of the services every handler of `H` needs (stream publications included).
 *
 * @since 0.1.0
 * @category models
 */
export type RequirementsOf<H> = {
  [K in keyof H]-?: H[K] extends (...args: never) => Effect.Effect<infer A, infer _E, infer R> ? R | StreamRequirements<A>
    : never
}[keyof H]

/** Rejects unknown keys (a typo such as `conect` would otherwise be silently ignored). */
type Exact<H> = H & { readonly [K in Exclude<keyof H, EventName>]: never }

/**
 * What a handler-set Layer answers, known without building it (building needs the application's services): the
 * CLI writes a matching Centrifugo config from it, and the server checks a given config against it at start.
 *
 * @since 0.1.0
 * @category models
 */
export interface Description {
  readonly events: ReadonlyArray<EventName>
  /** The method names of an `RpcRouter.make` rpc handler, when known. */
  readonly rpcMethods?: ReadonlyArray<string>
  /** Some handler or interceptor reads the connection meta (Centrifugo's `include_connection_meta`). */
  readonly usesConnectionMeta?: boolean
  /** The typed channels a `ChannelRouter` routes, with the proxies each needs (the config's `channel.namespaces`). */
  readonly channels?: ReadonlyArray<ChannelDescription>
}

// Symbol.for: a Layer built with the application's copy of the library is readable by another copy (the CLI's).
const DescriptionKey: unique symbol = Symbol.for("effect-centrifugo/HandlerSet/Description") as never

/**
 * The description attached to a handler-set Layer, or undefined for a Layer not built by this library.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (handlers: unknown): Description | undefined =>
  (typeof handlers === "object" || typeof handlers === "function") && handlers !== null
    ? (handlers as { readonly [DescriptionKey]?: Description })[DescriptionKey]
    : undefined

/**
 * Attaches `description` to `handlers` (non-enumerable, so it never shows in logs or equality) and returns it.
 *
 * @since 0.1.0
 * @category utils
 */
export const withDescription = <L>(handlers: L, description: Description): L => {
  Object.defineProperty(handlers, DescriptionKey, { value: description, enumerable: false, configurable: true })
  return handlers
}

/**
 * The method names attached to an `RpcRouter.make` handler function.
 *
 * @since 0.1.0
 * @category constants
 */
export const RpcMethodsKey: unique symbol = Symbol.for("effect-centrifugo/Rpc/methods") as never

const describeRecord = (handlers: AnyHandlerRecord): Description => {
  const events = (Object.keys(handlers) as Array<EventName>).filter((name) => handlers[name] !== undefined)
  const rpcMethods = (handlers.rpc as { readonly [RpcMethodsKey]?: ReadonlyArray<string> } | undefined)?.[RpcMethodsKey]
  const channels = describeChannels(handlers)
  return { events, ...(rpcMethods === undefined ? {} : { rpcMethods }), ...(channels === undefined ? {} : { channels }) }
}

/**
 * Builds the handler set from a record of handlers. The Layer requires what the handlers require; the services
 * are resolved once, when the Layer is built, not per request.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 *
 * // A Layer<HandlerSet>: give it to ProxyServer.layer, HttpProxy.layer or HttpProxy.routes.
 * const MyHandlers = HandlerSet.layer({
 *   connect: () => Effect.succeed(Reply.connect({ user: "42", channels: ["news"] })),
 *   rpc: (request) => Effect.succeed(Reply.rpc({ data: { method: request.method } }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <const H extends AnyHandlerRecord>(
  handlers: Exact<H>
): Layer.Layer<HandlerSet, never, RequirementsOf<H>> =>
  withDescription(layerOf(handlers), describeRecord(handlers as AnyHandlerRecord))

const layerOf = <const H extends AnyHandlerRecord>(
  handlers: Exact<H>
): Layer.Layer<HandlerSet, never, RequirementsOf<H>> =>
  Layer.effect(
    HandlerSet,
    Effect.map(Effect.context<RequirementsOf<H>>(), (context) => {
      const table: Record<string, unknown> = {}
      for (const [name, handler] of Object.entries(handlers as AnyHandlerRecord)) {
        if (handler === undefined) continue
        const run = handler as (...args: Array<never>) => Effect.Effect<unknown>
        // Merge, not replace: request-scoped services provided around the call (by interceptors) stay visible.
        const provide = provider(context)
        table[name] = STREAM_EVENTS.has(name)
          // A stream reply's publications run later, outside this call, so they get the services too.
          ? (...args: Array<never>) => Effect.map(provide(run(...args)), (reply) => provideStream(reply, context))
          // Unary events take the request alone: no rest-arguments array per call.
          : (request: never) => provide(run(request))
      }
      return table as HandlerSet
    })
  )

const STREAM_EVENTS: ReadonlySet<string> = new Set(["subscribeUnidirectional", "subscribeBidirectional"])

const provideStream = (reply: unknown, context: Context.Context<never>): unknown =>
  Reply.isReply(reply) && reply._tag === "StreamResult"
    ? { ...reply, publications: Stream.provideContext((reply as Reply.StreamResult).publications, context) }
    : reply

/**
 * Which events a handler set answers, for logs and error messages.
 *
 * @since 0.1.0
 * @category utils
 */
export const eventNames = (handlers: HandlerSet): ReadonlyArray<EventName> =>
  (Object.keys(handlers) as Array<EventName>).filter((name) => handlers[name] !== undefined)

/**
 * Combines two handler sets; for an event both answer, `second` wins (so `merge(base, HandlerSet.layer({ rpc }))`
 * overrides one event). Interceptors applied to either side before merging stay with that side's handlers.
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge = <E1, R1, E2, R2>(
  first: Layer.Layer<HandlerSet, E1, R1>,
  second: Layer.Layer<HandlerSet, E2, R2>
): Layer.Layer<HandlerSet, E1 | E2, R1 | R2> => {
  const merged = mergeLayers(first, second)
  const a = describe(first)
  const b = describe(second)
  return a === undefined || b === undefined ? merged : withDescription(merged, combineDescriptions(a, b))
}

/**
 * The description of two handler sets merged (`second`'s rpc methods win, as its rpc handler does).
 *
 * @since 0.1.0
 * @category utils
 */
export const combineDescriptions = (a: Description, b: Description): Description => {
  const events = [...new Set([...a.events, ...b.events])]
  const rpcMethods = b.events.includes("rpc") ? b.rpcMethods : a.rpcMethods
  const usesConnectionMeta = a.usesConnectionMeta === true || b.usesConnectionMeta === true
  const channels = combineChannels(a.channels, b.channels, b.events)
  return {
    events,
    ...(rpcMethods === undefined ? {} : { rpcMethods }),
    ...(channels === undefined ? {} : { channels }),
    ...(usesConnectionMeta ? { usesConnectionMeta } : {})
  }
}

const mergeLayers = <E1, R1, E2, R2>(
  first: Layer.Layer<HandlerSet, E1, R1>,
  second: Layer.Layer<HandlerSet, E2, R2>
): Layer.Layer<HandlerSet, E1 | E2, R1 | R2> =>
  Layer.effect(
    HandlerSet,
    Effect.gen(function*() {
      const a = yield* Effect.provide(Effect.service(HandlerSet), first)
      const b = yield* Effect.provide(Effect.service(HandlerSet), second)
      const table: Record<string, unknown> = { ...a }
      for (const name of eventNames(b)) table[name] = b[name]
      return table as HandlerSet
    })
  )

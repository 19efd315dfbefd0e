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
 * // ... so MyHandlers is a HandlerSet.Described<TokenStorage>, a Layer<HandlerSet, never, TokenStorage> with its
 * // description: forgetting to provide TokenStorage is a compile error where the server is launched.
 * ```
 *
 * The description (`MyHandlers.description`: the events, RPC methods, whether the connection meta is read) is what
 * the CLI's `config` and `CentrifugoConfig.checkConfig` read. Interceptors, `merge` and `provide` keep it; a Layer
 * combinator of `effect` returns a plain Layer, which they do not take.
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
import type { ChannelDescription } from "./internal/channels.ts"
import { provider, providing } from "./internal/context.ts"
import { events as proxyEvents } from "./internal/events.ts"
import { isReply } from "./internal/replyRejections.ts"
import { combine, contribute, described } from "./internal/description.ts"
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
 * What a handler set answers, known without building it (building needs the application's services): the CLI writes
 * a matching Centrifugo config from it, and `CentrifugoConfig.checkConfig` checks a config against it. Read it as
 * `handlers.description` of a `Described` handler set.
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

/**
 * What a handler (its `description` property, as on `RpcRouter.make`'s router) or an interceptor (its
 * `description` option) adds to the description of the set it is part of.
 *
 * @since 0.1.0
 * @category models
 */
export type Contribution = { readonly [K in Exclude<keyof Description, "events">]?: Description[K] }

/**
 * A handler-set Layer with its description: what `HandlerSet.layer`, `HandlerSet.merge`, `HandlerSet.provide` and
 * every interceptor return, and what interceptors, `merge` and the CLI's `config --handlers` take. A Layer
 * combinator of `effect` (`Layer.provide`, ...) returns a plain Layer, so passing its result where a `Described` is
 * expected does not compile: use `HandlerSet.provide` to keep a handler set described.
 *
 * `R` are the services its handlers and interceptors need; `Failure` the failures its calls may end with (what
 * `Interceptor.mapFailures` cases receive, by tag); `E` the failures of building it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Described<R = never, Failure = never, E = never> extends Layer.Layer<HandlerSet, E, R> {
  readonly description: Description
  /** Type-level only (never set): the failures of its calls. */
  readonly "~failure"?: (_: never) => Failure
}

/**
 * The union of the failures every handler of `H` may end with.
 *
 * @since 0.1.0
 * @category models
 */
export type FailuresOf<H> = {
  [K in keyof H]-?: H[K] extends (...args: never) => Effect.Effect<infer _A, infer E, infer _R> ? E : never
}[keyof H]

const describeRecord = (handlers: AnyHandlerRecord): Description => {
  const events = (Object.keys(handlers) as Array<EventName>).filter((name) => handlers[name] !== undefined)
  let description: Description = { events }
  for (const name of events) {
    // A handler may say more about itself (`RpcRouter.make`: its method names) in a `description` property.
    const contribution = (handlers[name] as { readonly description?: Contribution }).description
    description = contribute(description, contribution, [name])
  }
  return description
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
 * // A HandlerSet.Described (a Layer<HandlerSet>): give it to ProxyServer.layer, HttpProxy.layer or HttpProxy.routes.
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
): Described<RequirementsOf<H>, FailuresOf<H>> => described(layerOf(handlers), describeRecord(handlers as AnyHandlerRecord))

const layerOf = <const H extends AnyHandlerRecord>(
  handlers: Exact<H>
): Layer.Layer<HandlerSet, never, RequirementsOf<H>> =>
  Layer.effect(
    HandlerSet,
    Effect.map(Effect.context<RequirementsOf<H>>(), (context) => {
      // Merge, not replace: request-scoped services provided around the call (by interceptors) stay visible.
      const provide = provider(context)
      const table: Record<string, unknown> = {}
      for (const [name, handler] of Object.entries(handlers as AnyHandlerRecord)) {
        if (handler === undefined) continue
        const run = handler as (...args: Array<never>) => Effect.Effect<unknown>
        if (STREAM_EVENTS.has(name)) {
          // A stream reply's publications run later, outside this call, so they get the services too.
          table[name] = (...args: Array<never>) => Effect.map(provide(run(...args)), (reply) => provideStream(reply, context))
        } else {
          // Unary events take the request alone: no rest-arguments array per call.
          table[name] = providing(run, context)
        }
      }
      return table as HandlerSet
    })
  )

const STREAM_EVENTS: ReadonlySet<string> = new Set(
  proxyEvents.filter((event) => event.kind !== "unary").map((event) => event.name)
)

const provideStream = (reply: unknown, context: Context.Context<never>): unknown =>
  isReply(reply) && reply._tag === "StreamResult"
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
export const merge = <R1, F1, E1, R2, F2, E2>(
  first: Described<R1, F1, E1>,
  second: Described<R2, F2, E2>
): Described<R1 | R2, F1 | F2, E1 | E2> =>
  described(mergeLayers(first, second), combine(first.description, second.description))

/**
 * `Layer.provide` for a handler set: provides `layer`'s services to the handlers and keeps the set described (so
 * interceptors can still wrap it and the CLI can still read it).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, HandlerSet, Reply, TokenStorage } from "effect-centrifugo"
 *
 * const App = HandlerSet.layer({
 *   connect: () => Effect.map(Auth.CurrentUser, (user) => Reply.connect({ user: user.id }))
 * }).pipe(Auth.authenticate(), HandlerSet.provide(TokenStorage.layerMemory({})))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const provide = <ROut, E2, R2>(layer: Layer.Layer<ROut, E2, R2>) =>
<R, F, E>(handlers: Described<R, F, E>): Described<Exclude<R, ROut> | R2, F, E | E2> =>
  described(Layer.provide(handlers, layer), handlers.description)

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

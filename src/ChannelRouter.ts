/**
 * ChannelRouter: the backend's side of typed channels. Subscribe, publish and sub-refresh handlers and one
 * authorization rule attach to a `Channel`; `ChannelRouter.handlers(routes)` gives the `subscribe`, `publish` and
 * `subRefresh` handlers of a handler set, dispatching each request to the route whose pattern matches its channel.
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Channel, ChannelRouter, HandlerSet } from "effect-centrifugo"
 *
 * const Ticket = Channel.make({
 *   pattern: "tickets:{id}",
 *   publication: Schema.Struct({ text: Schema.String, by: Schema.optional(Schema.String) }),
 *   options: { history: { size: 50, ttl: "600s" }, recovery: true }
 * })
 * declare const ownsTicket: (user: string, ticket: string) => Effect.Effect<boolean>
 *
 * const Tickets = ChannelRouter.route(Ticket, {
 *   // One rule guards subscribe and publish: agents join any ticket, customers only their own.
 *   authorize: ({ user, params }) =>
 *     user.claims.role === "agent" ? Effect.succeed(true) : ownsTicket(user.id, params.id),
 *   subscribe: true,
 *   // The client's data was decoded with the channel's Schema (bad data: 107 with the path); the value returned is
 *   // encoded with it and published instead.
 *   publish: (message, { user }) => Effect.succeed({ ...message, by: user.id })
 * })
 *
 * const App = HandlerSet.layer({ ...ChannelRouter.handlers([Tickets]) })
 * ```
 *
 * The rule sees the event (`subscribe`, `publish`, `subRefresh`), the channel, the pattern's typed `params`, the
 * request and the `user` with the token's `claims`: the `Auth.CurrentUser` provided by `Auth.authenticate()`, or
 * else the user `authenticate` stored in the connection meta (`include_connection_meta`), or else the request's
 * user with no claims. It answers `true` (go on) or `false` (error 103 "permission denied"); failing with a
 * `Reply.error` answers that error.
 *
 * A channel no route matches is refused with 103 "permission denied: no rule for channel NAME", as
 * `TopicRegistry` does. The routes are tried in order; the first whose pattern matches decides. Centrifugo ignores
 * errors in sub-refresh replies, so a refused sub-refresh (no route, or the rule says no) is answered
 * `expired: true`, which ends the subscription.
 *
 * Channels no route matches can go to handlers of your own instead (`handlers(routes, { otherwise: { subscribe:
 * TopicRegistry.subscribe } })`): they serve channels without namespace, and the config proxies those events in
 * `channel.without_namespace`.
 *
 * The handlers carry a description of the channels (namespace, options, which proxies each needs): the CLI's
 * `config` writes `channel.namespaces` from it and `config --check` compares a file with it.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Auth from "./Auth.ts"
import * as Channel from "./contract/Channel.ts"
import type { Handler } from "./Handler.ts"
import { patternOf } from "./internal/channelPattern.ts"
import { type ChannelUse, channelsOf } from "./internal/channels.ts"
import { requestUser } from "./internal/requestUser.ts"
import { describeIssue } from "./internal/schemaIssue.ts"
import { firstMatch } from "./internal/topicPattern.ts"
import type { PublishRequest, SubRefreshRequest, SubscribeRequest } from "./ProxyRequest.ts"
import * as Reply from "./Reply.ts"

/**
 * The channel events a route can answer.
 *
 * @since 0.1.0
 * @category models
 */
export type Event = "subscribe" | "publish" | "subRefresh"

/**
 * What a rule and a route's handlers see: the event, the channel name, its typed parameters, the user (with the
 * token's claims) and the request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Context<C extends Channel.Any, Req = SubscribeRequest | PublishRequest | SubRefreshRequest> {
  readonly event: Event
  readonly channel: string
  readonly params: Channel.ParamsOf<C>
  readonly user: Auth.CurrentUser
  readonly request: Req
}

/**
 * What attaches to one channel: the rule, and which events it answers (`true`: accept once the rule allows).
 *
 * @since 0.1.0
 * @category models
 */
export interface Handlers<C extends Channel.Any, R> {
  /** Guards every event of the route; `false` answers 103. Without it, every request is allowed. */
  readonly authorize?: (context: Context<C>) => Effect.Effect<boolean, unknown, R>
  /** Subscriptions through the subscribe proxy: `true`, or a handler giving the reply. */
  readonly subscribe?: true | ((context: Context<C, SubscribeRequest>) => Effect.Effect<Reply.SubscribeReply, unknown, R>)
  /**
   * Client publications through the publish proxy, decoded with the channel's Schema: `true` publishes the
   * decoded value, a handler returns the value to publish instead (encoded with the Schema), or fails with a
   * `Reply.error` to refuse it.
   */
  readonly publish?:
    | true
    | ((message: Channel.Type<C>, context: Context<C, PublishRequest>) => Effect.Effect<Channel.Type<C>, unknown, R>)
  /** Subscription refreshes through the sub_refresh proxy. */
  readonly subRefresh?: (context: Context<C, SubRefreshRequest>) => Effect.Effect<Reply.SubRefreshReply, unknown, R>
}

/**
 * A channel with what attaches to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Route<C extends Channel.Any, R> extends Handlers<C, R> {
  readonly channel: C
}

/**
 * Attaches a rule and handlers to a channel.
 *
 * @since 0.1.0
 * @category constructors
 */
export const route = <C extends Channel.Any, R = never>(channel: C, handlers: Handlers<C, R>): Route<C, R> => ({
  ...handlers,
  channel
})

// `any` lets each route keep its own channel and requirements; `RequirementsOf` recovers the latter.
type AnyRoute = Route<any, any>

/**
 * The services the routes need.
 *
 * @since 0.1.0
 * @category models
 */
export type RequirementsOf<Routes extends ReadonlyArray<AnyRoute>> = Routes[number] extends Route<any, infer R> ? R
  : never

/**
 * The handlers `handlers(routes)` returns, ready to spread into `HandlerSet.layer({ ... })`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChannelHandlers<R> {
  readonly subscribe?: Handler<SubscribeRequest, Reply.SubscribeReply, unknown, R>
  readonly publish?: Handler<PublishRequest, Reply.PublishReply, unknown, R>
  readonly subRefresh?: Handler<SubRefreshRequest, Reply.SubRefreshReply, unknown, R>
}

/** A route found for a channel name, with the name's parameters. */
type Found = { readonly item: AnyRoute; readonly params: Readonly<Record<string, string>> }

const denied = (message: string) => Reply.error(Reply.ErrorCode.PermissionDenied, message)

const eventsOf = (route: AnyRoute): ReadonlyArray<Event> =>
  (["subscribe", "publish", "subRefresh"] as const).filter((event) => route[event] !== undefined)

/**
 * The `subscribe`, `publish` and `subRefresh` handlers for these routes (only the events some route, or the
 * `otherwise` fallback for channels no route matches, answers).
 *
 * @since 0.1.0
 * @category constructors
 */
export const handlers = <const Routes extends ReadonlyArray<AnyRoute>, R2 = never>(
  routes: Routes,
  options: { readonly otherwise?: ChannelHandlers<R2> } = {}
): ChannelHandlers<RequirementsOf<Routes> | R2> => {
  const otherwise = (options.otherwise ?? {}) as ChannelHandlers<never>
  const uses: ReadonlyArray<ChannelUse> = [
    ...routes.map((route) => ({ channel: route.channel, events: eventsOf(route) })),
    // The fallback serves channels without namespace: their proxies stay in `channel.without_namespace`.
    ...(Object.keys(otherwise).length === 0 ? [] : [{
      channel: Channel.make({ pattern: "{channel}", publication: Schema.Unknown }),
      events: (["subscribe", "publish", "subRefresh"] as const).filter((event) => otherwise[event] !== undefined)
    }])
  ]

  // The first route whose pattern matches the channel, with its parameters: one search per request.
  const lookup = (channel: string): Found | undefined =>
    firstMatch(routes, (route) => patternOf(route.channel), channel, Channel.maxNameLength)

  // The route found for a request (one that answers `event`, so callers may use `route[event]!`) and its context,
  // once the rule allowed it; a refusal is a failed Reply.error.
  const enter = <Req extends SubscribeRequest | PublishRequest | SubRefreshRequest>(
    event: Event,
    request: Req,
    found: Found | undefined
  ) => {
    if (found === undefined) return Effect.fail(denied(`permission denied: no rule for channel ${request.channel}`))
    const route = found.item
    if (route[event] === undefined) return Effect.fail(denied("permission denied"))
    return Effect.flatMap(requestUser(request), (user) => {
      const context = { event, channel: request.channel, params: found.params, user, request }
      if (route.authorize === undefined) return Effect.succeed({ route, context })
      return Effect.flatMap(
        route.authorize(context) as Effect.Effect<boolean, unknown>,
        (allowed) => allowed ? Effect.succeed({ route, context }) : Effect.fail(denied("permission denied"))
      )
    })
  }

  const subscribe = (request: SubscribeRequest, found: Found | undefined) =>
    Effect.flatMap(enter("subscribe", request, found), ({ context, route }) =>
      route.subscribe === true
        ? Effect.succeed(Reply.subscribe())
        : (route.subscribe!(context) as Effect.Effect<Reply.SubscribeReply, unknown>))

  const publish = (request: PublishRequest, found: Found | undefined) =>
    Effect.flatMap(enter("publish", request, found), ({ context, route }) => {
      const decoded = Channel.decode(route.channel, request.data)
      if (Result.isFailure(decoded)) {
        return Effect.fail(
          Reply.error(Reply.ErrorCode.BadRequest, `bad request: ${describeIssue(decoded.failure.issue)}`)
        )
      }
      const value = route.publish === true
        ? Effect.succeed(decoded.success)
        : (route.publish!(decoded.success, context) as Effect.Effect<unknown, unknown>)
      return Effect.flatMap(value, (message) => {
        const encoded = Channel.encode(route.channel, message)
        // The handler's own value does not fit its Schema: a bug, logged and answered as an internal error.
        return Result.isFailure(encoded)
          ? Effect.fail(encoded.failure)
          : Effect.succeed(Reply.publish({ data: encoded.success }))
      })
    })

  // Centrifugo ignores errors in sub-refresh replies: a refusal there ends the subscription (`expired`).
  const subRefresh = (request: SubRefreshRequest, found: Found | undefined) =>
    Effect.matchEffect(enter("subRefresh", request, found), {
      onFailure: (refused) =>
        Reply.isRejection(refused) ? Effect.succeed(Reply.subRefresh({ expired: true })) : Effect.fail(refused),
      onSuccess: ({ context, route }) => route.subRefresh!(context) as Effect.Effect<Reply.SubRefreshReply, unknown>
    })

  // Channels no route matches go to the fallback handler of the event, when there is one.
  const orElse = <Req extends { readonly channel: string }>(
    routed: (request: Req, found: Found | undefined) => Effect.Effect<unknown, unknown>,
    fallback: ((request: Req) => Effect.Effect<unknown, unknown, unknown>) | undefined
  ) =>
  (request: Req) => {
    const found = lookup(request.channel)
    return found === undefined && fallback !== undefined ? fallback(request) : routed(request, found)
  }

  const out: Record<string, unknown> = {}
  const used = new Set(uses.flatMap((use) => use.events))
  for (
    const [event, handler] of [
      ["subscribe", orElse(subscribe, otherwise.subscribe)],
      ["publish", orElse(publish, otherwise.publish)],
      ["subRefresh", orElse(subRefresh, otherwise.subRefresh)]
    ] as const
  ) {
    if (!used.has(event)) continue
    // Read by HandlerSet.layer: the channels this handler routes join the set's description.
    out[event] = Object.assign(handler, { description: { channels: channelsOf(uses, event) } })
  }
  return out as ChannelHandlers<RequirementsOf<Routes>>
}

/**
 * TopicRegistry: who may subscribe to which channel, as rules from channel patterns to authorization effects.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { HandlerSet, TopicRegistry } from "effect-centrifugo"
 *
 * const Topics = TopicRegistry.layer([
 *   TopicRegistry.rule("public", () => Effect.succeed(true)),
 *   TopicRegistry.rule("user.{uuid}", ({ params, user }) => Effect.succeed(params.uuid === user)),
 *   TopicRegistry.rule("topic", ({ request }) => Effect.succeed(request.headers.secret === "secret")),
 *   TopicRegistry.rule("news[.{lang}]", ({ params }) => Effect.succeed(params.lang !== "xx"))
 * ])
 * const MyHandlers = HandlerSet.layer({ subscribe: TopicRegistry.subscribe }) // requires TopicRegistry
 * ```
 *
 * Patterns:
 * - literal text matches itself exactly (case-sensitive, compared by Unicode code points);
 * - `{name}` captures one or more characters up to the next separator: a parameter never contains `.`, `/`, `:`
 *   (Centrifugo's namespace boundary) or `#` (its user boundary), so `user.{id}` does not match `user.a.b`;
 * - `[...]` is optional: `news[.{lang}]` matches `news` (no `lang` param) and `news.en`;
 * - `{`, `}`, `[`, `]` are reserved; a parameter name is letters, digits and `_`, once per pattern.
 * Patterns are compiled once, when the Layer is built; an invalid one fails the Layer with `InvalidTopicPatternError`.
 *
 * Matching never backtracks: a pattern becomes a small automaton whose alternatives are followed side by side, so its cost grows linearly with the channel length whatever the pattern and the channel. Channels are
 * also capped: one longer than `maxChannelLength` UTF-8 bytes (default 255, Centrifugo's own default channel
 * `max_length`; `layer(rules, { maxChannelLength })`) matches no pattern and is denied with 103
 * "permission denied: channel name longer than N bytes".
 *
 * Rules are tried in registration order and the first matching pattern decides (later rules are not consulted,
 * even when the first one denies). Its effect receives the captured `params`, the `channel`, the `user`, the
 * token's `claims` and the whole subscribe `request` (headers, data, meta), may use any service (they join the Layer's requirements) and
 * answers `true` (allow), `false` (deny: error **103** "permission denied"), or a full subscribe reply. A channel
 * no pattern matches is denied with **103** "permission denied: no rule for channel NAME".
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reply from "../Reply.ts"
import { provider } from "../internal/context.ts"
import { compile, type CompiledPattern, firstMatch, tooLong } from "../internal/topicPattern.ts"
import { requestUser } from "../internal/requestUser.ts"
import type { SubscribeRequest } from "../ProxyRequest.ts"
import { type TaggedError, taggedError } from "../internal/tagged.ts"

/**
 * What a rule's `authorize` sees: the pattern's parameters, the channel, the user, the token's claims and the
 * subscribe request.
 *
 * @since 0.1.0
 * @category models
 */
export interface TopicContext {
  readonly params: Readonly<Record<string, string>>
  readonly channel: string
  readonly user: string
  /**
   * The token's claims: those of the `Auth.CurrentUser` that `Auth.authenticate()` provides, else of the user it
   * keeps in the connection meta (`include_connection_meta`), else none.
   */
  readonly claims: Readonly<Record<string, unknown>>
  readonly request: SubscribeRequest
}

/**
 * A rule's answer: allow, deny (103), or the subscribe reply itself.
 *
 * @since 0.1.0
 * @category models
 */
export type Decision = boolean | Reply.SubscribeReply

/**
 * One channel pattern and the function that authorizes subscriptions to channels it matches.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rule<R> {
  readonly pattern: string
  readonly authorize: (context: TopicContext) => Effect.Effect<Decision, unknown, R>
}

/**
 * Pairs a channel pattern (such as `chat.{room}`) with the function that authorizes subscriptions to it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rule = <R = never>(
  pattern: string,
  authorize: (context: TopicContext) => Effect.Effect<Decision, unknown, R>
): Rule<R> => ({ pattern, authorize })

/**
 * The first rule whose pattern matches, with its parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface Match {
  readonly pattern: string
  readonly params: Readonly<Record<string, string>>
}

/**
 * The channel authorization service: finds the rule matching a channel and authorizes subscribe requests with it.
 *
 * @since 0.1.0
 * @category services
 */
export interface TopicRegistry {
  readonly match: (channel: string) => Match | undefined
  readonly authorize: (request: SubscribeRequest) => Effect.Effect<Reply.SubscribeReply, unknown>
}

export const TopicRegistry: Context.Service<TopicRegistry, TopicRegistry> = Context.Service<TopicRegistry>(
  "effect-centrifugo/TopicRegistry"
)

/**
 * A channel pattern that does not compile, with the reason.
 *
 * @since 0.1.0
 * @category errors
 */
export interface InvalidTopicPatternError extends TaggedError<"InvalidTopicPatternError"> {
  readonly pattern: string
}

/**
 * Builds an `InvalidTopicPatternError`; it prints as `InvalidTopicPatternError: <message>`.
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidTopicPatternError = taggedError<InvalidTopicPatternError>("InvalidTopicPatternError")

/**
 * The longest channel (in UTF-8 bytes) matched by default: Centrifugo's own default `channel.max_length`. Longer
 * channels match no pattern, so the cost of matching is bounded whatever a client sends.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxChannelLength = 255

/**
 * Options of pattern matching: the longest channel, in UTF-8 bytes, that can match.
 *
 * @since 0.1.0
 * @category models
 */
export interface MatchOptions {
  /** Channels longer than this many UTF-8 bytes match nothing. Default `defaultMaxChannelLength` (255). */
  readonly maxChannelLength?: number
}

// ---------------------------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------------------------

// `any` lets each rule keep its own requirements; `RequirementsOf` recovers them for the Layer.
type AnyRules = ReadonlyArray<Rule<any>>
type RequirementsOf<Rules extends AnyRules> = Rules[number] extends Rule<infer R> ? R : never

const decide = (decision: Decision): Reply.SubscribeReply =>
  decision === true
    ? Reply.subscribe()
    : decision === false
    ? Reply.error(Reply.ErrorCode.PermissionDenied, "permission denied")
    : decision

/**
 * The registry from rules, in order. Their services are resolved once, when the Layer is built. Channels longer
 * than `options.maxChannelLength` UTF-8 bytes (default 255) match no rule and are denied with 103.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { HandlerSet, TopicRegistry } from "effect-centrifugo"
 *
 * declare const isMember: (user: string, room: string) => Effect.Effect<boolean>
 *
 * const Topics = TopicRegistry.layer([
 *   TopicRegistry.rule("news", () => Effect.succeed(true)),
 *   TopicRegistry.rule("user.{id}", ({ params, user }) => Effect.succeed(params.id === user)),
 *   TopicRegistry.rule("chat.{room}", ({ params, user }) => isMember(user, params.room ?? ""))
 * ])
 * // Any other channel is denied with 103 "permission denied: no rule for channel NAME".
 * const MyHandlers = HandlerSet.layer({ subscribe: TopicRegistry.subscribe }).pipe(Layer.provide(Topics))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <const Rules extends AnyRules>(
  rules: Rules,
  options: MatchOptions = {}
): Layer.Layer<TopicRegistry, InvalidTopicPatternError, RequirementsOf<Rules>> =>
  Layer.effect(
    TopicRegistry,
    Effect.gen(function*() {
      const compiled: Array<{ readonly pattern: CompiledPattern; readonly rule: Rule<RequirementsOf<Rules>> }> = []
      for (const rule of rules) {
        const pattern = compile(rule.pattern)
        if (typeof pattern === "string") {
          return yield* Effect.fail(
            InvalidTopicPatternError({ pattern: rule.pattern, message: `invalid topic pattern "${rule.pattern}": ${pattern}` })
          )
        }
        compiled.push({ pattern, rule })
      }
      const context = yield* Effect.context<RequirementsOf<Rules>>()
      // Merged into the caller's context once per caller's context, not copied on every call (Effect.provideContext).
      const provide = provider(context as Context.Context<never>)

      const maxChannelLength = options.maxChannelLength ?? defaultMaxChannelLength
      const find = (channel: string) => firstMatch(compiled, (entry) => entry.pattern, channel, maxChannelLength)

      return {
        match: (channel) => {
          const found = find(channel)
          return found === undefined ? undefined : { pattern: found.item.pattern.pattern, params: found.params }
        },
        authorize: (request) => {
          if (tooLong(request.channel, maxChannelLength)) {
            // Not echoed: the reply (and the client's log) should not carry an arbitrarily long name.
            return Effect.succeed(Reply.error(
              Reply.ErrorCode.PermissionDenied,
              `permission denied: channel name longer than ${maxChannelLength} bytes`
            ))
          }
          const found = find(request.channel)
          if (found === undefined) {
            return Effect.succeed(
              Reply.error(Reply.ErrorCode.PermissionDenied, `permission denied: no rule for channel ${request.channel}`)
            )
          }
          // The claims are read from the request's context first: the rule runs with the Layer's services only.
          return Effect.flatMap(requestUser(request), ({ claims }) =>
            found.item.rule.authorize({ params: found.params, channel: request.channel, user: request.user, claims, request })
              .pipe(Effect.map(decide), provide))
        }
      }
    })
  )

/**
 * A ready `subscribe` handler: authorizes through the TopicRegistry in context.
 *
 * @since 0.1.0
 * @category handlers
 */
export const subscribe = (request: SubscribeRequest): Effect.Effect<Reply.SubscribeReply, unknown, TopicRegistry> =>
  Effect.flatMap(Effect.service(TopicRegistry), (registry) => registry.authorize(request))

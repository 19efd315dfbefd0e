/**
 * TopicRegistry: who may subscribe to which channel, as rules from channel patterns to authorization effects.
 *
 * ```ts
 * const Topics = TopicRegistry.layer([
 *   TopicRegistry.rule("public", () => Effect.succeed(true)),
 *   TopicRegistry.rule("user.{uuid}", ({ params, user }) => Effect.succeed(params.uuid === user)),
 *   TopicRegistry.rule("topic", ({ request }) => Effect.succeed(request.headers.secret === "secret")),
 *   TopicRegistry.rule("news[.{lang}]", ({ params }) => Effect.succeed(params.lang !== "xx"))
 * ])
 * Handlers.layer({ subscribe: TopicRegistry.subscribe })   // requires TopicRegistry
 * ```
 *
 * Patterns:
 * - literal text matches itself exactly (case-sensitive, compared by Unicode code points);
 * - `{name}` captures one or more characters up to the next separator: a parameter never contains `.`, `/`, `:`
 *   (Centrifugo's namespace boundary) or `#` (its user boundary), so `user.{id}` does not match `user.a.b`;
 * - `[...]` is optional: `news[.{lang}]` matches `news` (no `lang` param) and `news.en`;
 * - `{`, `}`, `[`, `]` are reserved; a parameter name is letters, digits and `_`, once per pattern.
 * Patterns are compiled once, when the Layer is built; an invalid one fails the Layer with `InvalidTopicPattern`.
 *
 * Rules are tried in registration order and the first matching pattern decides (later rules are not consulted,
 * even when the first one denies). Its effect receives the captured `params`, the `channel`, the `user` and the
 * whole subscribe `request` (headers, data, meta), may use any service (they join the Layer's requirements) and
 * answers `true` (allow), `false` (deny: error **103** "permission denied"), or a full subscribe reply. A channel
 * no pattern matches is denied with **103** "permission denied: no rule for channel NAME".
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import * as Reply from "../Reply.ts"
import type { SubscribeRequest } from "../Request.ts"

export interface TopicContext {
  readonly params: Readonly<Record<string, string>>
  readonly channel: string
  readonly user: string
  readonly request: SubscribeRequest
}

/** A rule's answer: allow, deny (103), or the subscribe reply itself. */
export type Decision = boolean | Reply.SubscribeReply

export interface Rule<R> {
  readonly pattern: string
  readonly authorize: (context: TopicContext) => Effect.Effect<Decision, unknown, R>
}

export const rule = <R = never>(
  pattern: string,
  authorize: (context: TopicContext) => Effect.Effect<Decision, unknown, R>
): Rule<R> => ({ pattern, authorize })

/** The first rule whose pattern matches, with its parameters. */
export interface Match {
  readonly pattern: string
  readonly params: Readonly<Record<string, string>>
}

export interface TopicRegistry {
  readonly match: (channel: string) => Match | undefined
  readonly authorize: (request: SubscribeRequest) => Effect.Effect<Reply.SubscribeReply, unknown>
}

export const TopicRegistry: Context.Service<TopicRegistry, TopicRegistry> = Context.Service<TopicRegistry>(
  "effect-centrifugo/TopicRegistry"
)

export interface InvalidTopicPattern {
  readonly _tag: "InvalidTopicPattern"
  readonly pattern: string
  readonly message: string
}

// ---------------------------------------------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------------------------------------------

/** Characters a parameter can never contain. */
export const SEPARATORS = "./:#"
const PARAM = "[^./:#]+"
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export interface CompiledPattern {
  readonly pattern: string
  readonly regex: RegExp
  readonly names: ReadonlyArray<string>
}

const escape = (text: string): string => text.replace(/[.*+?^$|()\\]/g, "\\$&")

/** Compiles a pattern to an anchored regular expression, or explains why it is not valid. */
export const compile = (pattern: string): CompiledPattern | InvalidTopicPattern => {
  const invalid = (message: string): InvalidTopicPattern => ({
    _tag: "InvalidTopicPattern",
    pattern,
    message: `invalid topic pattern "${pattern}": ${message}`
  })
  if (pattern === "") return invalid("empty")
  const names: Array<string> = []
  let source = ""
  let depth = 0
  let i = 0
  while (i < pattern.length) {
    const char = pattern[i]!
    if (char === "{") {
      const end = pattern.indexOf("}", i)
      if (end === -1) return invalid("`{` without `}`")
      const name = pattern.slice(i + 1, end)
      if (!NAME.test(name)) return invalid(`parameter name "${name}" must be letters, digits and _`)
      if (names.includes(name)) return invalid(`parameter {${name}} appears twice`)
      names.push(name)
      source += `(?<${name}>${PARAM})`
      i = end + 1
    } else if (char === "[") {
      depth++
      source += "(?:"
      i++
    } else if (char === "]") {
      if (depth === 0) return invalid("`]` without `[`")
      depth--
      source += ")?"
      i++
    } else if (char === "}") {
      return invalid("`}` without `{`")
    } else {
      const codePoint = String.fromCodePoint(pattern.codePointAt(i)!)
      source += escape(codePoint)
      i += codePoint.length
    }
  }
  if (depth !== 0) return invalid("`[` without `]`")
  return { pattern, regex: new RegExp(`^${source}$`, "u"), names }
}

/** Matches a channel against a compiled pattern: its parameters, or undefined. */
export const matchPattern = (compiled: CompiledPattern, channel: string): Readonly<Record<string, string>> | undefined => {
  const result = compiled.regex.exec(channel)
  if (result === null) return undefined
  const params: Record<string, string> = {}
  for (const name of compiled.names) {
    const value = result.groups?.[name]
    if (value !== undefined) params[name] = value
  }
  return params
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

/** The registry from rules, in order. Their services are resolved once, when the Layer is built. */
export const layer = <const Rules extends AnyRules>(
  rules: Rules
): Layer.Layer<TopicRegistry, InvalidTopicPattern, RequirementsOf<Rules>> =>
  Layer.effect(
    TopicRegistry,
    Effect.gen(function*() {
      const compiled: Array<{ readonly pattern: CompiledPattern; readonly rule: Rule<RequirementsOf<Rules>> }> = []
      for (const rule of rules) {
        const pattern = compile(rule.pattern)
        if ("_tag" in pattern) return yield* Effect.fail(pattern)
        compiled.push({ pattern, rule })
      }
      const context = yield* Effect.context<RequirementsOf<Rules>>()

      const find = (channel: string) => {
        for (const entry of compiled) {
          const params = matchPattern(entry.pattern, channel)
          if (params !== undefined) return { entry, params }
        }
        return undefined
      }

      return {
        match: (channel) => {
          const found = find(channel)
          return found === undefined ? undefined : { pattern: found.entry.pattern.pattern, params: found.params }
        },
        authorize: (request) => {
          const found = find(request.channel)
          if (found === undefined) {
            return Effect.succeed(
              Reply.error(Reply.ErrorCode.PermissionDenied, `permission denied: no rule for channel ${request.channel}`)
            )
          }
          return found.entry.rule.authorize({ params: found.params, channel: request.channel, user: request.user, request })
            .pipe(Effect.map(decide), Effect.provideContext(context))
        }
      }
    })
  )

/** A ready `subscribe` handler: authorizes through the TopicRegistry in context. */
export const subscribe = (request: SubscribeRequest): Effect.Effect<Reply.SubscribeReply, unknown, TopicRegistry> =>
  Effect.flatMap(Effect.service(TopicRegistry), (registry) => registry.authorize(request))

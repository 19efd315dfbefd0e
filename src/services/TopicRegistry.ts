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
 * Matching never backtracks: a pattern becomes a small automaton whose alternatives are followed side by side (see
 * `compile`), so its cost grows linearly with the channel length whatever the pattern and the channel. Channels are
 * also capped: one longer than `maxChannelLength` UTF-8 bytes (default 255, Centrifugo's own default channel
 * `max_length`; `layer(rules, { maxChannelLength })`) matches no pattern and is denied with 103
 * "permission denied: channel name longer than N bytes".
 *
 * Rules are tried in registration order and the first matching pattern decides (later rules are not consulted,
 * even when the first one denies). Its effect receives the captured `params`, the `channel`, the `user` and the
 * whole subscribe `request` (headers, data, meta), may use any service (they join the Layer's requirements) and
 * answers `true` (allow), `false` (deny: error **103** "permission denied"), or a full subscribe reply. A channel
 * no pattern matches is denied with **103** "permission denied: no rule for channel NAME".
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reply from "../Reply.ts"
import type { SubscribeRequest } from "../ProxyRequest.ts"
import { type TaggedError, taggedError } from "../internal/tagged.ts"

/**
 * What a rule's `authorize` sees: the pattern's parameters, the channel, the user and the subscribe request.
 *
 * @since 0.1.0
 * @category models
 */
export interface TopicContext {
  readonly params: Readonly<Record<string, string>>
  readonly channel: string
  readonly user: string
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

// ---------------------------------------------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------------------------------------------

/**
 * Characters a parameter can never contain.
 *
 * @since 0.1.0
 * @category constants
 */
export const separators = "./:#"
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

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

/**
 * One instruction of the matcher (a Thompson/Pike automaton, see `compile`): consume a code point (`char`: this
 * one, `param`: any but a separator), fork (`split`: `prefer` first), jump, record a capture boundary, or accept.
 *
 * @since 0.1.0
 * @category models
 */
export type Instruction =
  | { readonly op: "char"; readonly codePoint: number }
  | { readonly op: "param" }
  | { readonly op: "split"; readonly prefer: number; readonly other: number }
  | { readonly op: "save"; readonly slot: number }
  | { readonly op: "match" }

/**
 * A channel pattern compiled for matching: its matcher program, parameter names and literal prefix.
 *
 * @since 0.1.0
 * @category models
 */
export interface CompiledPattern {
  readonly pattern: string
  /** The matcher program; parameter `names[i]` is captured between slots `2i` and `2i + 1`. */
  readonly program: ReadonlyArray<Instruction>
  readonly names: ReadonlyArray<string>
  /** The literal text every match starts with (up to the first `{` or `[`): a quick first check. */
  readonly prefix: string
}

/**
 * Compiles a pattern to a matcher program, or explains why it is not valid.
 *
 * The program is run by simulating all its alternatives at once, one channel code point at a time (never by
 * backtracking), so matching costs at most (channel length x program length) steps: `room.{a}-{b}` on a long run
 * of `-` is linear, where a backtracking regular expression is quadratic. Alternatives are ordered like a regular
 * expression's (a parameter takes as much as it can, an optional part is tried before skipping it), so the
 * captured parameters are the ones `^room\.([^./:#]+)-([^./:#]+)$` would give.
 *
 * @since 0.1.0
 * @category constructors
 */
export const compile = (pattern: string): CompiledPattern | InvalidTopicPatternError => {
  const invalid = (message: string): InvalidTopicPatternError =>
    InvalidTopicPatternError({ pattern, message: `invalid topic pattern "${pattern}": ${message}` })
  if (pattern === "") return invalid("empty")
  const names: Array<string> = []
  const program: Array<Instruction> = []
  // Indexes of the `split` opening each enclosing `[...]`, patched when its `]` is reached.
  const open: Array<number> = []
  let i = 0
  while (i < pattern.length) {
    const char = pattern[i]!
    if (char === "{") {
      const end = pattern.indexOf("}", i)
      if (end === -1) return invalid("`{` without `}`")
      const name = pattern.slice(i + 1, end)
      if (!NAME.test(name)) return invalid(`parameter name "${name}" must be letters, digits and _`)
      if (names.includes(name)) return invalid(`parameter {${name}} appears twice`)
      const slot = 2 * names.length
      names.push(name)
      // save start; param; split(back to param, on); save end — one or more code points, as many as possible.
      program.push({ op: "save", slot })
      const param = program.length
      program.push({ op: "param" })
      program.push({ op: "split", prefer: param, other: param + 2 })
      program.push({ op: "save", slot: slot + 1 })
      i = end + 1
    } else if (char === "[") {
      open.push(program.length)
      program.push({ op: "split", prefer: -1, other: -1 }) // patched at `]`
      i++
    } else if (char === "]") {
      const split = open.pop()
      if (split === undefined) return invalid("`]` without `[`")
      program[split] = { op: "split", prefer: split + 1, other: program.length }
      i++
    } else if (char === "}") {
      return invalid("`}` without `{`")
    } else {
      const codePoint = pattern.codePointAt(i)!
      program.push({ op: "char", codePoint })
      i += codePoint > 0xffff ? 2 : 1
    }
  }
  if (open.length !== 0) return invalid("`[` without `]`")
  program.push({ op: "match" })
  const special = pattern.search(/[{[]/)
  return { pattern, program, names, prefix: special === -1 ? pattern : pattern.slice(0, special) }
}

const SEPARATOR_CODE_POINTS = new Set([...separators].map((c) => c.codePointAt(0)!))

/** Longer than `max` UTF-8 bytes (a UTF-16 unit is at least one byte, so long strings are not even measured). */
const tooLong = (channel: string, max: number): boolean =>
  !(channel.length <= max && Buffer.byteLength(channel, "utf8") <= max)

interface Thread {
  readonly pc: number
  /** Code unit offsets of the capture boundaries; -1 = not set. */
  readonly captures: ReadonlyArray<number>
}

/**
 * Runs the program over the whole channel (anchored at both ends). Per code point each program instruction is
 * visited at most once (`visited` marks them per position), so the work is linear in the channel length; `cost`
 * counts those visits.
 */
const run = (
  compiled: CompiledPattern,
  channel: string,
  cost: { steps: number }
): ReadonlyArray<number> | undefined => {
  const { program } = compiled
  const visited = new Int32Array(program.length).fill(-1)
  let generation = 0

  // Follows jumps, forks and saves from `pc` (in priority order) and queues the threads that wait for input.
  const add = (list: Array<Thread>, pc: number, captures: ReadonlyArray<number>, position: number): void => {
    if (visited[pc] === generation) return // a higher-priority thread already got here: same future, keep it
    visited[pc] = generation
    cost.steps++
    const instruction = program[pc]!
    switch (instruction.op) {
      case "split":
        add(list, instruction.prefer, captures, position)
        add(list, instruction.other, captures, position)
        return
      case "save": {
        const next = captures.slice()
        next[instruction.slot] = position
        add(list, pc + 1, next, position)
        return
      }
      default:
        list.push({ pc, captures })
    }
  }

  let threads: Array<Thread> = []
  add(threads, 0, new Array<number>(2 * compiled.names.length).fill(-1), 0)
  let position = 0
  while (position < channel.length && threads.length > 0) {
    const codePoint = channel.codePointAt(position)!
    const nextPosition = position + (codePoint > 0xffff ? 2 : 1)
    const next: Array<Thread> = []
    generation++
    for (const thread of threads) {
      cost.steps++
      const instruction = program[thread.pc]!
      const accepts = instruction.op === "char"
        ? instruction.codePoint === codePoint
        : instruction.op === "param" && !SEPARATOR_CODE_POINTS.has(codePoint)
      if (accepts) add(next, thread.pc + 1, thread.captures, nextPosition)
    }
    threads = next
    position = nextPosition
  }
  if (position < channel.length) return undefined
  // The highest-priority thread that accepts at the end is the match a backtracking matcher would find first.
  for (const thread of threads) {
    cost.steps++
    if (program[thread.pc]!.op === "match") return thread.captures
  }
  return undefined
}

/**
 * Matches a channel against a compiled pattern: its parameters, or undefined. Linear in the channel length;
 * channels longer than `maxChannelLength` UTF-8 bytes (default 255) do not match.
 *
 * @since 0.1.0
 * @category utils
 */
export const matchPattern = (
  compiled: CompiledPattern,
  channel: string,
  options: MatchOptions = {}
): Readonly<Record<string, string>> | undefined => {
  if (tooLong(channel, options.maxChannelLength ?? defaultMaxChannelLength)) return undefined
  if (!channel.startsWith(compiled.prefix)) return undefined
  const captures = run(compiled, channel, { steps: 0 })
  if (captures === undefined) return undefined
  const params: Record<string, string> = {}
  compiled.names.forEach((name, index) => {
    const start = captures[2 * index]!
    const end = captures[2 * index + 1]!
    if (start >= 0 && end >= 0) params[name] = channel.slice(start, end)
  })
  return params
}

/**
 * The number of matcher steps matching this channel takes, without the length cap: a deterministic cost measure,
 * exported so tests can show it grows linearly with the channel length (no timing involved).
 *
 * @since 0.1.0
 * @category utils
 */
export const matchCost = (compiled: CompiledPattern, channel: string): number => {
  const cost = { steps: 0 }
  run(compiled, channel, cost)
  return cost.steps
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
        if ("_tag" in pattern) return yield* Effect.fail(pattern)
        compiled.push({ pattern, rule })
      }
      const context = yield* Effect.context<RequirementsOf<Rules>>()

      const maxChannelLength = options.maxChannelLength ?? defaultMaxChannelLength
      const find = (channel: string) => {
        if (tooLong(channel, maxChannelLength)) return undefined
        for (const entry of compiled) {
          const params = matchPattern(entry.pattern, channel, { maxChannelLength: Infinity })
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
          return found.entry.rule.authorize({ params: found.params, channel: request.channel, user: request.user, request })
            .pipe(Effect.map(decide), Effect.provideContext(context))
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

/**
 * Channel: a channel family as a value, shared by the backend, the browser and the Centrifugo config.
 *
 * A channel names its pattern (the namespace is the literal text before the first `:`), the Schema of its
 * publications and the Centrifugo namespace options it needs. It is pure data and functions (it imports only
 * `effect` and browser-safe internal helpers), so the same definition is imported by the server, the client entry
 * and the config generator.
 *
 * ```ts
 * import { Schema } from "effect"
 * import { Channel } from "effect-centrifugo"
 *
 * export const Ticket = Channel.make({
 *   pattern: "tickets:{id}",
 *   publication: Schema.Struct({ text: Schema.String, by: Schema.String }),
 *   options: { history: { size: 100, ttl: "300s" }, recovery: true, presence: true }
 * })
 *
 * Channel.name(Ticket, { id: "42" }) // "tickets:42"
 * Channel.parse(Ticket, "tickets:42") // { id: "42" }
 * // Channel.name(Ticket, { ticket: "42" }) does not compile: the pattern's parameter is `id`
 * ```
 *
 * Patterns: literal text, and `{name}` parameters (letters, digits and `_`, each once). A parameter's value is one
 * or more characters other than `.`, `/`, `:` and `#`, so `tickets:{id}` never matches `tickets:a:b`. The
 * namespace, when there is one, is literal (`{x}:room` is refused) and, as Centrifugo requires, 2 or more letters,
 * digits, `-`, `_` or `.`. `#` before a parameter makes a Centrifugo
 * user-limited channel (`personal:#{user}`): the namespace gets `allow_user_limited_channels`.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { compileChannelPattern, patternOf, rememberPattern, spell } from "../internal/channelPattern.ts"
import { decodeOptions } from "../internal/schemaIssue.ts"
import { isJson, notJson } from "../internal/jsonValue.ts"
import * as topicPattern from "../internal/topicPattern.ts"

const TypeId: unique symbol = Symbol.for("effect-centrifugo/Channel") as never

/**
 * The names of the `{name}` parameters of a pattern, as a union of string literals.
 *
 * @since 0.1.0
 * @category models
 */
export type ParamName<Pattern extends string> = Pattern extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamName<Rest>
  : never

/**
 * The parameters of a pattern: one string per `{name}` (`{}` for a pattern without parameters).
 *
 * @since 0.1.0
 * @category models
 */
export type Params<Pattern extends string> = { readonly [K in ParamName<Pattern>]: string }

/**
 * The Schema of a channel's publications: any Schema that needs no services to decode or encode (it runs in the
 * browser as well as on the server).
 *
 * @since 0.1.0
 * @category models
 */
export type Publication = Schema.ConstraintCodec<unknown, unknown, never, never> & Schema.Top

/**
 * The Centrifugo namespace options a channel needs; the config generator writes them (snake_case) into the
 * namespace. The proxies are not listed here: they follow from the handlers the backend attaches to the channel.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Keep recent publications: `history_size` and `history_ttl` (a Go duration such as `"300s"`). */
  readonly history?: { readonly size: number; readonly ttl: string }
  /** Recover missed publications on resubscribe (`force_recovery`); needs `history`. */
  readonly recovery?: boolean
  /** Track who is subscribed (`presence`), readable by subscribers. */
  readonly presence?: boolean
  /** Send join and leave messages to subscribers (`join_leave`, pushed to every subscriber). */
  readonly joinLeave?: boolean
  /** Clients may subscribe without a proxy or token (`allow_subscribe_for_client`). */
  readonly subscribeForClient?: boolean
  /** Subscribers may publish without the publish proxy (`allow_publish_for_subscriber`). */
  readonly publishForSubscriber?: boolean
}

/**
 * A channel family: its pattern, namespace, parameter names, publication Schema and namespace options.
 *
 * @since 0.1.0
 * @category models
 */
export interface Channel<Pattern extends string = string, P extends Publication = Publication> {
  readonly [TypeId]: typeof TypeId
  readonly pattern: Pattern
  /** The Centrifugo namespace (the literal text before the first `:`), or undefined for none. */
  readonly namespace: string | undefined
  readonly params: ReadonlyArray<ParamName<Pattern>>
  readonly publication: P
  readonly options: Options
  /** The channel is user-limited (`#` in the pattern). */
  readonly userLimited: boolean
}

/**
 * Any channel, whatever its pattern and Schema.
 *
 * @since 0.1.0
 * @category models
 */
// `any` so channels of every pattern and Schema fit one list (the Schema type is invariant in places).
export type Any = Channel<string, any>

/**
 * The decoded type of a channel's publications.
 *
 * @since 0.1.0
 * @category models
 */
export type Type<C extends Any> = C["publication"]["Type"]

/**
 * The encoded (wire, JSON) type of a channel's publications.
 *
 * @since 0.1.0
 * @category models
 */
export type Encoded<C extends Any> = C["publication"]["Encoded"]

/**
 * The parameters of a channel's pattern.
 *
 * @since 0.1.0
 * @category models
 */
export type ParamsOf<C extends Any> = Params<C["pattern"]>

/**
 * The characters a parameter value can never contain (Centrifugo's namespace `:` and user `#` boundaries, and
 * the usual separators `.` and `/`).
 *
 * @since 0.1.0
 * @category constants
 */
export const separators: "./:#" = topicPattern.separators

/**
 * Centrifugo's default `channel.max_length`, in UTF-8 bytes: longer names never match a channel.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxNameLength = 255

/**
 * Defines a channel family. Throws a TypeError for an invalid pattern, or `recovery` without `history` (a
 * definition is static: the mistake shows at module load, not at the first request).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Channel } from "effect-centrifugo"
 *
 * export const Personal = Channel.make({
 *   pattern: "personal:#{user}",
 *   publication: Schema.Struct({ notice: Schema.String })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const Pattern extends string, P extends Publication>(definition: {
  readonly pattern: Pattern
  readonly publication: P
  readonly options?: Options
}): Channel<Pattern, P> => {
  const compiled = compileChannelPattern(definition.pattern)
  if (definition.options?.recovery === true && definition.options.history === undefined) {
    // Centrifugo refuses such a namespace: recovery replays the history.
    throw new TypeError(`channel ${definition.pattern}: recovery needs history ({ size, ttl })`)
  }
  const colon = definition.pattern.indexOf(":")
  const channel: Channel<Pattern, P> = {
    [TypeId]: TypeId,
    pattern: definition.pattern,
    namespace: colon === -1 ? undefined : definition.pattern.slice(0, colon),
    params: compiled.names as ReadonlyArray<ParamName<Pattern>>,
    publication: definition.publication,
    options: definition.options ?? {},
    userLimited: definition.pattern.includes("#")
  }
  rememberPattern(channel, compiled)
  return channel
}

/**
 * True for a value built by `Channel.make`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isChannel = (value: unknown): value is Any =>
  typeof value === "object" && value !== null && (value as Any)[TypeId] === TypeId

/**
 * The concrete channel name for these parameters: `name(Ticket, { id: "42" })` is `"tickets:42"`. A wrong or
 * missing parameter is a compile error; a value that is empty or contains a separator (`.`, `/`, `:`, `#`) throws
 * a TypeError (the name would not parse back).
 *
 * @since 0.1.0
 * @category utils
 */
export const name = <C extends Any>(
  channel: C,
  ...[params]: [ParamName<C["pattern"]>] extends [never] ? [params?: Params<C["pattern"]>] : [params: Params<C["pattern"]>]
): string => {
  const values = (params ?? {}) as Readonly<Record<string, string>>
  return spell(patternOf(channel), (param) => {
    const value = values[param]
    if (typeof value !== "string" || !topicPattern.isParamValue(value)) {
      throw new TypeError(
        `channel ${channel.pattern}: parameter ${param} must be a non-empty string without ${separators}, got ${
          JSON.stringify(value)
        }`
      )
    }
    return value
  })
}

/**
 * The parameters of a concrete channel name, or undefined when the name is not one of this channel's (names
 * longer than `maxNameLength` UTF-8 bytes never match).
 *
 * @since 0.1.0
 * @category utils
 */
export const parse = <C extends Any>(channel: C, name: string): Params<C["pattern"]> | undefined =>
  topicPattern.matchPattern(patternOf(channel), name, maxNameLength) as Params<C["pattern"]> | undefined

/**
 * The first channel of the list whose pattern matches `name`, with its parameters.
 *
 * @since 0.1.0
 * @category utils
 */
export const find = <C extends Any>(
  channels: ReadonlyArray<C>,
  name: string
): { readonly channel: C; readonly params: Readonly<Record<string, string>> } | undefined => {
  const found = topicPattern.firstMatch(channels, patternOf, name, maxNameLength)
  return found === undefined ? undefined : { channel: found.item, params: found.params }
}

/**
 * Decodes a publication (its JSON value) with the channel's Schema.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = <C extends Any>(channel: C, data: unknown): Result.Result<Type<C>, Schema.SchemaError> =>
  Schema.decodeUnknownResult(channel.publication as Publication)(data, decodeOptions) as Result.Result<
    Type<C>,
    Schema.SchemaError
  >

/**
 * Encodes a publication with the channel's Schema, to the JSON value that travels. An encoded value that is not JSON
 * as it is (a Schema whose encoded side is a `Map`, a `Date`, bytes, a `bigint`) fails with a `SchemaError` naming
 * where, rather than reaching `JSON.stringify` (which would turn a `Map` into `{}`): use a Schema that encodes to
 * JSON there (`Schema.DateFromString`, `Schema.BigIntFromString`, an array of entries).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = <C extends Any>(channel: C, value: Type<C>): Result.Result<Encoded<C>, Schema.SchemaError> => {
  const encoded = Schema.encodeUnknownResult(channel.publication as Publication)(value) as Result.Result<
    Encoded<C>,
    Schema.SchemaError
  >
  if (Result.isFailure(encoded) || isJson(encoded.success)) return encoded
  const problem = notJson(encoded.success, "publication")!
  return Result.fail(
    new Schema.SchemaError(
      new SchemaIssue.InvalidValue({
        message: `${problem.what} at ${problem.path} is not JSON: the channel's Schema must encode to JSON`
      })
    )
  )
}

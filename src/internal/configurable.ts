/**
 * Options that a server's `layerConfig` accepts as plain values or as `Config`s, with an environment variable as
 * the default of each: the pattern Effect's own `layerConfig` functions follow, shared by both transports.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"

/**
 * An option given as a value, or as a `Config` read when the Layer is built.
 *
 * @since 0.1.0
 * @category models
 */
export type Configurable<A> = A | Config.Config<A>

/**
 * Every option of `O` as a value or a `Config`.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigurableOptions<O> = {
  readonly [K in keyof O]?: Configurable<Exclude<O[K], undefined>>
}

/**
 * The value of `value` (read when it is a `Config`), or of `fallback` when it was not given.
 *
 * @since 0.1.0
 * @category utils
 */
export const read = <A>(value: Configurable<A> | undefined, fallback: Config.Config<A>): Effect.Effect<A, Config.ConfigError> =>
  value === undefined ? fallback : Config.isConfig(value) ? value as Config.Config<A> : Effect.succeed(value as A)

/**
 * The value of an optional option that has no environment default: `undefined` when not given.
 *
 * @since 0.1.0
 * @category utils
 */
export const readOptional = <A>(value: Configurable<A> | undefined): Effect.Effect<A | undefined, Config.ConfigError> =>
  value === undefined ? Effect.succeed(undefined) : Config.isConfig(value) ? value as Config.Config<A> : Effect.succeed(value as A)

/**
 * Start-up configuration that reports every problem at once, in words: `all({...})` reads each `Config` on its own
 * and fails with one `ConfigError` listing each variable that is missing ("PROXY_X is not set") or invalid
 * ("PROXY_X: expected a valid Duration string"), instead of Effect's first `SchemaError(Expected string at [...])`.
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"

/** One failed variable, for people: its name and what is wrong. */
export const describe = (error: Config.ConfigError): string => {
  const text = error.cause._tag === "SourceError" ? error.cause.message : String(error.cause.message ?? error.cause)
  const at = /at \["([^"\]]+)"\]/.exec(text)
  const first = text.split("\n")[0]!.replace(/^SchemaError\(/, "").trim()
  // From the environment every value is a string: "Expected string" means the variable is absent.
  if (at !== null && /^Expected string$/.test(first)) return `${at[1]} is not set`
  return at !== null ? `${at[1]}: ${first.charAt(0).toLowerCase()}${first.slice(1)}` : first
}

/** A `ConfigError` with these lines as its message. */
export const configError = (problems: ReadonlyArray<string>): Config.ConfigError =>
  new Config.ConfigError(new ConfigProvider.SourceError({ message: problems.join("; ") }))

type Success<C> = C extends Config.Config<infer A> ? A : never

/** Reads `wrapped` (a `Config`, or a record of them, nested), gathering the problems of every `Config` in it. */
const collect = (wrapped: unknown, problems: Array<string>): Effect.Effect<unknown> => {
  if (Config.isConfig(wrapped)) {
    return Effect.map(Effect.result(wrapped), (result) => {
      if (result._tag === "Success") return result.success
      problems.push(describe(result.failure))
      return undefined
    })
  }
  return Effect.gen(function*() {
    const values: Record<string, unknown> = {}
    for (const [key, config] of Object.entries(wrapped as Record<string, unknown>)) {
      values[key] = yield* collect(config, problems)
    }
    return values
  })
}

/**
 * `Config.unwrap` read at once, or one `ConfigError` naming every missing or invalid variable (`Config.unwrap` stops
 * at the first).
 */
export const unwrap = <A>(wrapped: Config.Wrap<A>): Effect.Effect<A, Config.ConfigError> =>
  Effect.gen(function*() {
    const problems: Array<string> = []
    const value = yield* collect(wrapped, problems)
    if (problems.length > 0) return yield* Effect.fail(configError(problems))
    return value as A
  })

/** Every config of `configs`, or one `ConfigError` naming every missing or invalid variable. */
export const all = <const Configs extends Record<string, Config.Config<unknown>>>(
  configs: Configs
): Effect.Effect<{ readonly [K in keyof Configs]: Success<Configs[K]> }, Config.ConfigError> =>
  unwrap(configs as unknown as Config.Wrap<{ readonly [K in keyof Configs]: Success<Configs[K]> }>)

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

/** Every config of `configs`, or one `ConfigError` naming every missing or invalid variable. */
export const all = <const Configs extends Record<string, Config.Config<unknown>>>(
  configs: Configs
): Effect.Effect<{ readonly [K in keyof Configs]: Success<Configs[K]> }, Config.ConfigError> =>
  Effect.gen(function*() {
    const values: Record<string, unknown> = {}
    const problems: Array<string> = []
    for (const [key, config] of Object.entries(configs)) {
      const result = yield* Effect.result(config)
      if (result._tag === "Success") values[key] = result.success
      else problems.push(describe(result.failure))
    }
    if (problems.length > 0) return yield* Effect.fail(configError(problems))
    return values as { readonly [K in keyof Configs]: Success<Configs[K]> }
  })

/**
 * The shared secret of both transports: a key and value every proxy call must carry. Centrifugo sends it as gRPC
 * metadata (`grpc.credentials_key` / `grpc.credentials_value` of a proxy) or as an HTTP header
 * (`http.static_headers`); both servers check it here, in constant time, and read it from the environment here.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Redacted from "effect/Redacted"
import { timingSafeEqual } from "node:crypto"

/**
 * The credentials every call must carry (the servers' `requireCredentials` option).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequiredCredentials {
  /** The metadata key (gRPC) or header name (HTTP); compared lower-cased. */
  readonly key: string
  readonly value: Redacted.Redacted<string> | string
}

/** The environment variables a server reads its credentials from. */
export interface CredentialsEnv {
  readonly key: string
  readonly value: string
}

const valueOf = (required: RequiredCredentials): string =>
  typeof required.value === "string" ? required.value : Redacted.value(required.value)

/** Why these credentials would protect nothing (an empty key or value), if they would; `env` names the variables. */
export const problem = (required: RequiredCredentials | undefined, env: CredentialsEnv): string | undefined => {
  if (required === undefined) return undefined
  if (required.key.trim() === "") return `requireCredentials.key (${env.key}) is empty`
  if (valueOf(required) === "") return `requireCredentials.value (${env.value}) is empty`
  return undefined
}

/** The check of one server: the lower-cased key to look up, and whether the value found there is the right one. */
export interface CredentialsCheck {
  /** The lower-cased key (removed from `request.headers`, so the secret never reaches handlers or logs). */
  readonly key: string
  /** Compares in constant time (no early exit on the first differing byte). */
  readonly ok: (given: string | undefined) => boolean
}

/** The check of `required`, or `undefined` when nothing is required. */
export const check = (required: RequiredCredentials | undefined): CredentialsCheck | undefined => {
  if (required === undefined) return undefined
  const expected = Buffer.from(valueOf(required))
  return {
    key: required.key.toLowerCase(),
    ok: (given) => {
      if (given === undefined) return false
      const bytes = Buffer.from(given)
      return bytes.length === expected.length && timingSafeEqual(bytes, expected)
    }
  }
}

/** The credentials from the variables `env`: both set or neither (then none); only one set is a `ConfigError`. */
export const fromEnv = (env: CredentialsEnv): Config.Config<RequiredCredentials | undefined> =>
  Config.all({
    key: Config.String(env.key).pipe(Config.option),
    value: Config.Redacted(env.value).pipe(Config.option)
  }).pipe(Config.flatMap(({ key, value }): Config.Config<RequiredCredentials | undefined> => {
    if (key._tag === "Some" && value._tag === "Some") return Config.succeed({ key: key.value, value: value.value })
    if (key._tag === "None" && value._tag === "None") return Config.succeed(undefined)
    const [set, unset] = key._tag === "Some" ? [env.key, env.value] : [env.value, env.key]
    return Config.fail(new ConfigProvider.SourceError({ message: `${set} is set but ${unset} is not: set both, or neither` }))
  }))

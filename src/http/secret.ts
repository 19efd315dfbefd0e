/**
 * The shared secret of HTTP proxies: Centrifugo has no per-call credentials for HTTP, so a secret travels as a
 * static header (`http.static_headers`) and every request must carry its exact value.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { timingSafeEqual } from "node:crypto"
import { MESSAGE_HEADERS } from "./headers.ts"

export interface RequiredHeader {
  readonly name: string
  readonly value: Redacted.Redacted<string> | string
}

/** The 401 body and warning text. */
export const UNAUTHORIZED = "effect-centrifugo: missing or wrong proxy secret header (see the proxy's http.static_headers)"

const valueOf = (required: RequiredHeader): string =>
  typeof required.value === "string" ? required.value : Redacted.value(required.value)

/** Why a secret would protect nothing (an empty name or value, a header of the message itself), if it would. */
export const problem = (required: RequiredHeader | undefined): string | undefined => {
  if (required === undefined) return undefined
  if (required.name.trim() === "") return "requireHeader.name (PROXY_HTTP_SECRET_HEADER) is empty"
  if (valueOf(required) === "") return "requireHeader.value (PROXY_HTTP_SECRET) is empty"
  if (MESSAGE_HEADERS.has(required.name.toLowerCase())) {
    return `requireHeader.name ${required.name} is a header of the HTTP message itself`
  }
  return undefined
}

export interface SecretCheck {
  /** The header's lower-cased name (removed from `request.headers`). */
  readonly name: string
  readonly ok: (headers: Readonly<Record<string, string>>) => boolean
}

/** The check: the header's value compared in constant time (no early exit on the first differing byte). */
export const check = (required: RequiredHeader | undefined): SecretCheck | undefined => {
  if (required === undefined) return undefined
  const name = required.name.toLowerCase()
  const expected = Buffer.from(valueOf(required))
  return {
    name,
    ok: (headers) => {
      const given = headers[name]
      if (given === undefined) return false
      const bytes = Buffer.from(given)
      return bytes.length === expected.length && timingSafeEqual(bytes, expected)
    }
  }
}

/** PROXY_HTTP_SECRET_HEADER + PROXY_HTTP_SECRET: both or neither, never empty; fails with the reason otherwise. */
export const fromEnv: Effect.Effect<RequiredHeader | undefined, string | Config.ConfigError> = Effect.gen(function*() {
  const { name, value } = yield* Config.all({
    name: Config.String("PROXY_HTTP_SECRET_HEADER").pipe(Config.option),
    value: Config.Redacted("PROXY_HTTP_SECRET").pipe(Config.option)
  })
  if (name._tag === "None" && value._tag === "None") return undefined
  if (name._tag === "None") {
    return yield* Effect.fail("PROXY_HTTP_SECRET is set but PROXY_HTTP_SECRET_HEADER is not: set both, or neither")
  }
  if (value._tag === "None") {
    return yield* Effect.fail("PROXY_HTTP_SECRET_HEADER is set but PROXY_HTTP_SECRET is not: set both, or neither")
  }
  return { name: name.value, value: value.value }
})

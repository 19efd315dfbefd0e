/**
 * TokenStorage: turns an access token into the user it stands for, and issues tokens.
 *
 * Two implementations ship:
 * - `layerMemory(...)`: tokens kept in a Map, for tests and demos (`issue` makes random opaque tokens);
 * - `layerJwt({ secret })` / `layerJwtConfig()`: stateless HS256 JSON Web Tokens (`sub` = user, `exp` = expiry,
 *   other claims kept), verified with a constant-time comparison; interoperable with any JWT library and with
 *   Centrifugo's own HMAC tokens when they share the secret.
 *
 * The JWT storage is strict, and every token it refuses fails `load` with `TokenRejectedError` (never a defect), which
 * `Auth.authenticate` answers 101 unauthorized:
 * - three segments, each the canonical unpadded base64url text of its bytes (so one token has one spelling: `=`
 *   padding, standard-base64 `+`/`/`, trailing garbage or non-zero unused bits are refused, also in the signature);
 * - a header that is a JSON object with `alg: "HS256"` and no `crit`; a payload that is a JSON object with a
 *   string `sub`;
 * - `exp`, `nbf`, `iat`, when present, finite numbers (a string `exp` is refused, not read as "never expires");
 *   the token is valid from `nbf` and until (excluding) `exp`, both widened by `clockSkew` (default 0,
 *   `PROXY_TOKEN_CLOCK_SKEW` for `layerJwtConfig`).
 *
 * A database-backed storage is a Layer of your own: `Layer.effect(TokenStorage, Effect.gen(function*() {
 * const sql = yield* Database; return { load: (token) => ..., issue: (payload) => ... } }))`; `load` fails with
 * `TokenRejectedError` for unknown or expired tokens and may fail otherwise (a database error becomes the server's
 * failure reply, 100 temporary, so clients retry instead of being told their token is bad).
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import * as EnvConfig from "../internal/envConfig.ts"
import { type TaggedError, taggedError } from "../internal/tagged.ts"
import { isPlainObject } from "../internal/plainObject.ts"

/**
 * Whom a token stands for.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenPayload {
  readonly user: string
  /** Anything else the token carries (roles, tenant...). */
  readonly claims: Readonly<Record<string, unknown>>
  /** Unix seconds; absent = does not expire. */
  readonly expiresAt?: number
}

/**
 * A token that does not stand for anyone (any more).
 *
 * @since 0.1.0
 * @category errors
 */
export interface TokenRejectedError extends TaggedError<"TokenRejectedError"> {
  /** `not-yet-valid`: a JWT whose `nbf` (not before) is still in the future. */
  readonly reason: "unknown" | "expired" | "not-yet-valid" | "malformed" | "bad-signature"
}

/**
 * Builds a `TokenRejectedError` (for a TokenStorage of your own); it prints as `TokenRejectedError: <message>`.
 *
 * @since 0.1.0
 * @category errors
 */
export const TokenRejectedError = taggedError<TokenRejectedError>("TokenRejectedError")

/**
 * Options of `TokenStorage.issue`: how long the new token is valid.
 *
 * @since 0.1.0
 * @category models
 */
export interface IssueOptions {
  /** How long the token is valid; default: the storage's default TTL. */
  readonly ttl?: Duration.Input
}

/**
 * Turns tokens into users (`load`) and users into tokens (`issue`); `Auth.authenticate` reads it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TokenStorage } from "effect-centrifugo"
 *
 * // A login endpoint mints a token; Auth.authenticate loads it on connect.
 * const login = (user: string) =>
 *   Effect.gen(function*() {
 *     const tokens = yield* TokenStorage.TokenStorage
 *     return yield* tokens.issue({ user, claims: { role: "reader" } }, { ttl: "15 minutes" })
 *   })
 *
 * const checked = (token: string) =>
 *   Effect.flatMap(TokenStorage.TokenStorage, (tokens) => tokens.load(token)) // fails with TokenRejectedError
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export interface TokenStorage {
  readonly load: (token: string) => Effect.Effect<TokenPayload, TokenRejectedError>
  readonly issue: (
    payload: { readonly user: string; readonly claims?: Readonly<Record<string, unknown>> },
    options?: IssueOptions
  ) => Effect.Effect<string>
}

export const TokenStorage: Context.Service<TokenStorage, TokenStorage> = Context.Service<TokenStorage>(
  "effect-centrifugo/TokenStorage"
)

const nowSeconds = Effect.map(Clock.currentTimeMillis, (ms) => Math.floor(ms / 1000))

const expiresAt = (now: number, ttl: Duration.Input | undefined): number | undefined =>
  ttl === undefined ? undefined : now + Math.ceil(Duration.toMillis(Duration.fromInputUnsafe(ttl)) / 1000)

// ---------------------------------------------------------------------------------------------------------------
// In memory
// ---------------------------------------------------------------------------------------------------------------

/**
 * Tokens in a Map: `layerMemory({ "demo-token": { user: "alice", claims: {} } })`. Issued tokens are 32 random
 * bytes, hex. Expiry (`expiresAt`) is checked against Effect's Clock, so `TestClock` drives it in tests.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Auth, type HandlerSet, TokenStorage } from "effect-centrifugo"
 *
 * declare const MyHandlers: HandlerSet.Described<Auth.CurrentUser>
 *
 * const Tokens = TokenStorage.layerMemory({ "token-of-alice": { user: "alice", claims: { admin: true } } })
 * const Served = MyHandlers.pipe(Auth.authenticate(), Layer.provide(Tokens))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (
  initial: Readonly<Record<string, TokenPayload>> = {},
  options: { readonly defaultTtl?: Duration.Input } = {}
): Layer.Layer<TokenStorage> =>
  Layer.sync(TokenStorage, () => {
    const tokens = new Map(Object.entries(initial))
    return {
      load: (token) => {
        const payload = tokens.get(token)
        if (payload === undefined) return Effect.fail(TokenRejectedError({ reason: "unknown", message: "unknown token" }))
        // The clock is read only for tokens that can expire: most lookups need no time at all.
        if (payload.expiresAt === undefined) return Effect.succeed(payload)
        const expiresAt = payload.expiresAt
        return Effect.flatMap(
          nowSeconds,
          (now) => expiresAt <= now ? Effect.fail(TokenRejectedError({ reason: "expired", message: "token expired" })) : Effect.succeed(payload)
        )
      },
      issue: (payload, issueOptions) =>
        Effect.map(nowSeconds, (now) => {
          const token = randomBytes(32).toString("hex")
          const expiry = expiresAt(now, issueOptions?.ttl ?? options.defaultTtl)
          tokens.set(token, { user: payload.user, claims: payload.claims ?? {}, ...(expiry === undefined ? {} : { expiresAt: expiry }) })
          return token
        })
    }
  })

// ---------------------------------------------------------------------------------------------------------------
// HS256 JWT
// ---------------------------------------------------------------------------------------------------------------

const base64url = (input: Buffer | string): string => Buffer.from(input).toString("base64url")
const HEADER = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))

const sign = (secret: Buffer, signingInput: string): Buffer => createHmac("sha256", secret).update(signingInput).digest()

/**
 * The bytes of a segment, only when the segment is their canonical base64url text (no padding, no `+`/`/`, no
 * stray characters, unused low bits of the last character zero). Node's decoder is lenient about all of these, so
 * one set of bytes has many spellings; accepting only the canonical one makes a token's text unique.
 */
const decodeCanonical = (segment: string): Buffer | undefined => {
  const bytes = Buffer.from(segment, "base64url")
  return bytes.toString("base64url") === segment ? bytes : undefined
}


/** JSON of a canonical base64url segment, or undefined for anything else (never throws). */
const parseSegment = (segment: string): unknown => {
  const bytes = decodeCanonical(segment)
  if (bytes === undefined) return undefined
  try {
    return JSON.parse(bytes.toString("utf8"))
  } catch {
    return undefined
  }
}

/** The time claims this storage reads; when present each must be a finite number (RFC 7519 NumericDate). */
const TIME_CLAIMS = ["exp", "nbf", "iat"] as const

/**
 * Options of the HS256 JWT storage: the secret, the lifetime of issued tokens and the clock skew tolerated.
 *
 * @since 0.1.0
 * @category models
 */
export interface JwtOptions {
  /** The HMAC secret: at least 32 bytes (RFC 7518 §3.2: an HS256 key is at least the hash's 256 bits). */
  readonly secret: Redacted.Redacted<string> | string
  /** Lifetime of issued tokens. Default 1 hour. */
  readonly ttl?: Duration.Input
  /**
   * Clock skew tolerated between the issuer and this server, applied to `exp` (accepted until `exp + clockSkew`)
   * and `nbf` (accepted from `nbf - clockSkew`). Default 0; must be finite and not negative.
   */
  readonly clockSkew?: Duration.Input
}

/**
 * HS256's shortest key, in bytes (RFC 7518 §3.2).
 *
 * @since 0.1.0
 * @category constants
 */
export const minSecretBytes = 32

const secretProblem = (bytes: number): string | undefined =>
  bytes >= minSecretBytes
    ? undefined
    : `is ${bytes} bytes long; HS256 needs at least ${minSecretBytes} (RFC 7518 §3.2), e.g. \`openssl rand -base64 32\``

/**
 * The JWT implementation on its own, for use outside a Layer (e.g. to mint tokens in a login endpoint).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeJwt = (options: JwtOptions): TokenStorage => {
  const secret = Buffer.from(typeof options.secret === "string" ? options.secret : Redacted.value(options.secret), "utf8")
  const problem = secretProblem(secret.length)
  if (problem !== undefined) throw new RangeError(`TokenStorage JWT secret ${problem}`)
  const defaultTtl = options.ttl ?? Duration.hours(1)
  const skewMillis = Duration.toMillis(Duration.fromInputUnsafe(options.clockSkew ?? 0))
  if (!Number.isFinite(skewMillis) || skewMillis < 0) {
    throw new RangeError("TokenStorage JWT clockSkew must be a finite, non-negative duration")
  }

  // Total: every input ends in a payload or a TokenRejectedError, so a hostile token can never become a defect (which
  // the server would answer 100 temporary, and clients would retry forever).
  const decode = (token: string, nowMillis: number): TokenPayload | TokenRejectedError => {
    const malformed = (why: string) => TokenRejectedError({ reason: "malformed", message: `token is not a valid JWT: ${why}` })
    const parts = token.split(".")
    if (parts.length !== 3) return TokenRejectedError({ reason: "malformed", message: "token is not a JWT" })
    const [header, body, signature] = parts as [string, string, string]

    const headerJson = parseSegment(header)
    if (!isPlainObject(headerJson)) return malformed("header is not a base64url JSON object")
    // Only HS256: refusing every other `alg` (notably "none") closes the algorithm-confusion hole.
    if (headerJson.alg !== "HS256") return malformed("algorithm must be HS256")
    // RFC 7515 4.1.11: extensions the recipient does not understand must be refused; we understand none.
    if (Object.hasOwn(headerJson, "crit")) return malformed("critical header extensions are not supported")

    if (decodeCanonical(signature) === undefined) return malformed("signature is not canonical base64url")
    // Compare texts, not decoded bytes: the decoder would map many spellings onto the same MAC.
    const expected = Buffer.from(base64url(sign(secret, `${header}.${body}`)), "latin1")
    const given = Buffer.from(signature, "latin1")
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return TokenRejectedError({ reason: "bad-signature", message: "token signature does not match" })
    }

    const claims = parseSegment(body)
    if (!isPlainObject(claims)) return malformed("payload is not a base64url JSON object")
    if (typeof claims.sub !== "string") return TokenRejectedError({ reason: "malformed", message: "token has no `sub` (user) claim" })
    for (const name of TIME_CLAIMS) {
      const value = claims[name]
      if (Object.hasOwn(claims, name) && (typeof value !== "number" || !Number.isFinite(value))) {
        return malformed(`\`${name}\` must be a number of seconds`)
      }
    }
    const { exp, sub, ...rest } = claims as Record<string, unknown> & { readonly exp?: number; readonly sub: string }
    const nbf = rest.nbf as number | undefined
    if (exp !== undefined && exp * 1000 + skewMillis <= nowMillis) return TokenRejectedError({ reason: "expired", message: "token expired" })
    if (nbf !== undefined && nbf * 1000 - skewMillis > nowMillis) {
      return TokenRejectedError({ reason: "not-yet-valid", message: "token is not valid yet (nbf)" })
    }
    return { user: sub, claims: rest, ...(exp === undefined ? {} : { expiresAt: exp }) }
  }

  return {
    load: (token) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const result = decode(token, now)
        return "_tag" in result ? Effect.fail(result) : Effect.succeed(result)
      }),
    issue: (payload, issueOptions) =>
      Effect.map(nowSeconds, (now) => {
        const exp = expiresAt(now, issueOptions?.ttl ?? defaultTtl)
        const body = base64url(JSON.stringify({ ...payload.claims, sub: payload.user, iat: now, exp }))
        return `${HEADER}.${body}.${base64url(sign(secret, `${HEADER}.${body}`))}`
      })
  }
}

/**
 * The HS256 JWT storage as a Layer, from options given in code.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { Auth, type HandlerSet, TokenStorage } from "effect-centrifugo"
 *
 * declare const MyHandlers: HandlerSet.Described<Auth.CurrentUser>
 *
 * const Tokens = TokenStorage.layerJwt({ secret: Redacted.make("a secret of at least 32 bytes ....."), ttl: "1 hour" })
 * const Served = MyHandlers.pipe(Auth.authenticate(), Layer.provide(Tokens))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerJwt = (options: JwtOptions): Layer.Layer<TokenStorage> => Layer.sync(TokenStorage, () => makeJwt(options))

/**
 * `layerJwt` configured from `PROXY_TOKEN_HMAC_SECRET` (required), `PROXY_TOKEN_TTL` (a duration, default 1 hour) and
 * `PROXY_TOKEN_CLOCK_SKEW` (a duration, default 0: see `JwtOptions.clockSkew`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerJwtConfig = (): Layer.Layer<TokenStorage, Config.ConfigError> =>
  Layer.effect(
    TokenStorage,
    Effect.flatMap(
      EnvConfig.all({
        secret: Config.Redacted("PROXY_TOKEN_HMAC_SECRET"),
        ttl: Config.Duration("PROXY_TOKEN_TTL").pipe(Config.withDefault(Duration.hours(1))),
        clockSkew: Config.Duration("PROXY_TOKEN_CLOCK_SKEW").pipe(Config.withDefault(Duration.zero))
      }),
      (options) => {
        const problem = secretProblem(Buffer.byteLength(Redacted.value(options.secret), "utf8"))
        return problem === undefined
          ? Effect.succeed(makeJwt(options))
          : Effect.fail(EnvConfig.configError([`PROXY_TOKEN_HMAC_SECRET ${problem}`]))
      }
    )
  )

/**
 * TokenStorage: turns an access token into the user it stands for, and issues tokens.
 *
 * Two implementations ship:
 * - `layerMemory(...)`: tokens kept in a Map, for tests and demos (`issue` makes random opaque tokens);
 * - `layerJwt({ secret })` / `layerJwtConfig()`: stateless HS256 JSON Web Tokens (`sub` = user, `exp` = expiry,
 *   other claims kept), verified with a constant-time comparison; interoperable with any JWT library and with
 *   Centrifugo's own HMAC tokens when they share the secret.
 *
 * A database-backed storage is a Layer of your own: `Layer.effect(TokenStorage, Effect.gen(function*() {
 * const sql = yield* Database; return { load: (token) => ..., issue: (payload) => ... } }))`; `load` fails with
 * `TokenRejected` for unknown or expired tokens and may fail otherwise (a database error becomes the server's
 * failure reply, 100 temporary, so clients retry instead of being told their token is bad).
 *
 * @since 0.1.0
 */
import { Clock, Config, Context, Duration, Effect, Layer, Redacted } from "effect"
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"

/** Whom a token stands for. */
export interface TokenPayload {
  readonly user: string
  /** Anything else the token carries (roles, tenant...). */
  readonly claims: Readonly<Record<string, unknown>>
  /** Unix seconds; absent = does not expire. */
  readonly expiresAt?: number
}

/** A token that does not stand for anyone (any more). */
export interface TokenRejected {
  readonly _tag: "TokenRejected"
  readonly reason: "unknown" | "expired" | "malformed" | "bad-signature"
  readonly message: string
}

export const tokenRejected = (reason: TokenRejected["reason"], message: string): TokenRejected => ({
  _tag: "TokenRejected",
  reason,
  message
})

export interface IssueOptions {
  /** How long the token is valid; default: the storage's default TTL. */
  readonly ttl?: Duration.Input
}

export interface TokenStorage {
  readonly load: (token: string) => Effect.Effect<TokenPayload, TokenRejected>
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
 */
export const layerMemory = (
  initial: Readonly<Record<string, TokenPayload>> = {},
  options: { readonly defaultTtl?: Duration.Input } = {}
): Layer.Layer<TokenStorage> =>
  Layer.sync(TokenStorage, () => {
    const tokens = new Map(Object.entries(initial))
    return {
      load: (token) =>
        Effect.flatMap(nowSeconds, (now) => {
          const payload = tokens.get(token)
          if (payload === undefined) return Effect.fail(tokenRejected("unknown", "unknown token"))
          if (payload.expiresAt !== undefined && payload.expiresAt <= now) {
            return Effect.fail(tokenRejected("expired", "token expired"))
          }
          return Effect.succeed(payload)
        }),
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

export interface JwtOptions {
  /** The HMAC secret; at least 32 bytes is advisable. */
  readonly secret: Redacted.Redacted<string> | string
  /** Lifetime of issued tokens. Default 1 hour. */
  readonly ttl?: Duration.Input
}

/** The JWT implementation on its own, for use outside a Layer (e.g. to mint tokens in a login endpoint). */
export const makeJwt = (options: JwtOptions): TokenStorage => {
  const secret = Buffer.from(typeof options.secret === "string" ? options.secret : Redacted.value(options.secret), "utf8")
  if (secret.length === 0) throw new RangeError("TokenStorage JWT secret must not be empty")
  const defaultTtl = options.ttl ?? Duration.hours(1)

  const decode = (token: string, now: number): TokenPayload | TokenRejected => {
    const parts = token.split(".")
    if (parts.length !== 3) return tokenRejected("malformed", "token is not a JWT")
    const [header, body, signature] = parts as [string, string, string]
    let headerJson: { alg?: unknown }
    let claims: Record<string, unknown>
    try {
      headerJson = JSON.parse(Buffer.from(header, "base64url").toString("utf8"))
      claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"))
    } catch {
      return tokenRejected("malformed", "token is not a JWT")
    }
    // Only HS256: refusing every other `alg` (notably "none") closes the algorithm-confusion hole.
    if (headerJson.alg !== "HS256") return tokenRejected("malformed", "token algorithm must be HS256")
    const expected = sign(secret, `${header}.${body}`)
    const given = Buffer.from(signature, "base64url")
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return tokenRejected("bad-signature", "token signature does not match")
    }
    if (typeof claims !== "object" || claims === null || typeof claims.sub !== "string") {
      return tokenRejected("malformed", "token has no `sub` (user) claim")
    }
    const { exp, sub, ...rest } = claims
    if (typeof exp === "number" && exp <= now) return tokenRejected("expired", "token expired")
    return { user: sub, claims: rest, ...(typeof exp === "number" ? { expiresAt: exp } : {}) }
  }

  return {
    load: (token) =>
      Effect.flatMap(nowSeconds, (now) => {
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

export const layerJwt = (options: JwtOptions): Layer.Layer<TokenStorage> => Layer.sync(TokenStorage, () => makeJwt(options))

/** `layerJwt` configured from `TOKEN_HMAC_SECRET` (required) and `TOKEN_TTL` (a duration, default 1 hour). */
export const layerJwtConfig = (): Layer.Layer<TokenStorage, Config.ConfigError> =>
  Layer.effect(
    TokenStorage,
    Effect.map(
      Config.all({
        secret: Config.Redacted("TOKEN_HMAC_SECRET"),
        ttl: Config.Duration("TOKEN_TTL").pipe(Config.withDefault(Duration.hours(1)))
      }),
      makeJwt
    )
  )

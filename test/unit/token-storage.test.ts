// TokenStorage: the HS256 JWT storage refuses every malformed or forged token as a TokenRejectedError (so the
// authenticate interceptor answers 101, never the temporary 100 of a defect), accepts only the canonical encoding
// of each segment, and checks exp / nbf (with an optional clock skew) against Effect's Clock.
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Exit, Layer } from "effect"
import { TestClock } from "effect/testing"
import { createHmac } from "node:crypto"
import { Auth, HandlerSet, Reply, TokenStorage } from "../../src/index.ts"
import { connectRequest, handle } from "../../src/testing/index.ts"

const SECRET = "a-test-secret-of-at-least-32-bytes!"
const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64url")
const mac = (input: string, secret = SECRET): string => createHmac("sha256", secret).update(input).digest("base64url")
/** A token over these exact segments, signed with the secret (so only the checks after the signature can refuse it). */
const signed = (header: string, payload: string, secret = SECRET): string => `${header}.${payload}.${mac(`${header}.${payload}`, secret)}`
const token = (header: string, payload: string): string => signed(b64(header), b64(payload))

const HS256 = `{"alg":"HS256","typ":"JWT"}`
const CLAIMS = `{"sub":"ann","exp":3600}`
const valid = token(HS256, CLAIMS)
const [validHeader, validPayload, validSignature] = valid.split(".") as [string, string, string]

/** The base64url alphabet, for flipping the unused low bits of a last character. */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
/** The same bytes with the last character's unused low bits set: decodes identically, is not canonical. */
const withLowBitsChanged = (segment: string): string => {
  const unused = segment.length % 4 === 2 ? 4 : segment.length % 4 === 3 ? 2 : 0
  if (unused === 0) throw new Error(`segment ${segment} has no unused bits`)
  const last = ALPHABET.indexOf(segment.at(-1)!)
  return segment.slice(0, -1) + ALPHABET[last | ((1 << unused) - 1)]
}
const toStandardBase64 = (segment: string): string => segment.replaceAll("-", "+").replaceAll("_", "/")

/** The first claims (of a bounded family) whose signed token has `-` or `_` in the given segment. */
const withUrlSafeChar = (part: "header" | "signature"): string => {
  for (let i = 0; i < 500; i++) {
    const t = part === "header" ? token(`{"alg":"HS256","kid":"${"?".repeat(i % 7)}>${i}"}`, CLAIMS) : token(HS256, `{"sub":"ann","n":${i}}`)
    const [h, , s] = t.split(".") as [string, string, string]
    if (/[-_]/.test(part === "header" ? h : s)) return t
  }
  throw new Error("no token with a url-safe character found")
}

/** A valid token over non-canonical header/payload text: the signature covers exactly what was sent. */
const resignedWithHeader = (header: string): string => signed(header, validPayload)
const resignedWithPayload = (payload: string): string => signed(validHeader, payload)

const forgeries: ReadonlyArray<readonly [string, string]> = [
  // Structure
  ["empty string", ""],
  ["one segment", validHeader],
  ["two segments", `${validHeader}.${validPayload}`],
  ["four segments", `${valid}.${validSignature}`],
  ["only dots", ".."],
  ["whitespace appended", `${valid} `],
  // Header
  ["header is JSON null, unsigned", `bnVsbA.${validPayload}.${validSignature}`],
  ["header is JSON null, signed", token("null", CLAIMS)],
  ["header is a number", token("1", CLAIMS)],
  ["header is a string", token(`"HS256"`, CLAIMS)],
  ["header is an array", token(`["HS256"]`, CLAIMS)],
  ["header without alg", token(`{"typ":"JWT"}`, CLAIMS)],
  ["alg none, empty signature", `${b64(`{"alg":"none"}`)}.${validPayload}.`],
  ["alg HS512", token(`{"alg":"HS512"}`, CLAIMS)],
  ["alg in lower case", token(`{"alg":"hs256"}`, CLAIMS)],
  ["alg null", token(`{"alg":null}`, CLAIMS)],
  ["header declares critical extensions", token(`{"alg":"HS256","crit":["exp"]}`, CLAIMS)],
  ["header is not JSON", token("{", CLAIMS)],
  ["header not base64url", resignedWithHeader("*eyJhbGciOiJIUzI1NiJ9")],
  ["header with = padding", resignedWithHeader(`${b64(`{"alg":"HS256"}`)}=`)],
  ["header with changed unused bits", resignedWithHeader(withLowBitsChanged(b64(`{"alg": "HS256"}`)))],
  ["header in standard base64", (() => {
    const [h, p] = withUrlSafeChar("header").split(".") as [string, string]
    return signed(toStandardBase64(h), p)
  })()],
  // Payload
  ["payload is JSON null", token(HS256, "null")],
  ["payload is a number", token(HS256, "42")],
  ["payload is an array", token(HS256, `["ann"]`)],
  ["payload is a string", token(HS256, `"ann"`)],
  ["payload without sub", token(HS256, `{"exp":3600}`)],
  ["sub is a number", token(HS256, `{"sub":42}`)],
  ["payload is not JSON", token(HS256, "{")],
  ["payload not base64url", resignedWithPayload(`${validPayload}*`)],
  ["payload with = padding", resignedWithPayload(`${b64(`{"sub":"ann"}`)}=`)],
  ["payload with changed unused bits", resignedWithPayload(withLowBitsChanged(b64(`{"sub":"ann"}`)))],
  ["payload changed after signing", `${validHeader}.${b64(`{"sub":"root","exp":3600}`)}.${validSignature}`],
  // Registered claims of the wrong type
  ["exp is a string", token(HS256, `{"sub":"ann","exp":"never"}`)],
  ["exp is null", token(HS256, `{"sub":"ann","exp":null}`)],
  ["exp is infinite", token(HS256, `{"sub":"ann","exp":1e999}`)],
  ["nbf is a string", token(HS256, `{"sub":"ann","nbf":"0"}`)],
  ["iat is a string", token(HS256, `{"sub":"ann","iat":"0"}`)],
  ["iat is an object", token(HS256, `{"sub":"ann","iat":{}}`)],
  // Signature
  ["signature with = appended", `${valid}=`],
  ["signature with == appended", `${valid}==`],
  ["signature with !! appended", `${valid}!!`],
  ["signature with changed unused bits", `${validHeader}.${validPayload}.${withLowBitsChanged(validSignature)}`],
  ["signature in standard base64", (() => {
    const [h, p, s] = withUrlSafeChar("signature").split(".") as [string, string, string]
    return `${h}.${p}.${toStandardBase64(s)}`
  })()],
  ["signature truncated", valid.slice(0, -1)],
  ["signature empty", `${validHeader}.${validPayload}.`],
  ["signed with another secret", signed(validHeader, validPayload, `${SECRET}-other`)]
]

const jwt = TokenStorage.layerJwt({ secret: SECRET })
const load = (t: string) => Effect.flatMap(Effect.service(TokenStorage.TokenStorage), (storage) => storage.load(t))
const reason = (t: string) => Effect.map(Effect.flip(load(t)), (rejected) => rejected.reason)

const served = HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "from-handler" })) }).pipe(
  Auth.authenticate(),
  Layer.provide(jwt)
)

describe("TokenStorage.layerJwt: forged and malformed tokens", () => {
  it.effect("the valid token is accepted (the baseline the forgeries are made from)", () =>
    Effect.gen(function*() {
      expect(yield* load(valid)).toEqual({ user: "ann", claims: {}, expiresAt: 3600 })
      expect((yield* handle(connectRequest({ data: { token: valid } }))).result).toMatchObject({ user: "from-handler" })
    }).pipe(Effect.provide(Layer.merge(jwt, served))))

  it.effect.each(forgeries)("%s: rejected as TokenRejectedError (no defect)", ([, forged]) =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(load(forged))
      expect(Exit.hasDies(exit)).toBe(false)
      expect(Exit.isFailure(exit) && Exit.findErrorOption(exit)).toMatchObject({ value: { _tag: "TokenRejectedError" } })
    }).pipe(Effect.provide(jwt)))

  it.effect.each(forgeries)("%s: the connect is answered 101 unauthorized", ([, forged]) =>
    Effect.gen(function*() {
      const reply = yield* handle(connectRequest({ data: { token: forged } }))
      expect(reply.error).toMatchObject({ code: 101, temporary: false })
    }).pipe(Effect.provide(served)))

  it.effect("reasons: structure is malformed, a wrong MAC is bad-signature", () =>
    Effect.gen(function*() {
      expect(yield* reason(token("null", CLAIMS))).toBe("malformed")
      expect(yield* reason(`${valid}=`)).toBe("malformed")
      expect(yield* reason(token(HS256, `{"sub":"ann","exp":"never"}`))).toBe("malformed")
      expect(yield* reason(signed(validHeader, validPayload, `${SECRET}-other`))).toBe("bad-signature")
    }).pipe(Effect.provide(jwt)))
})

describe("TokenStorage.layerJwt: time claims against the Clock", () => {
  const at = (seconds: number) => TestClock.setTime(seconds * 1000)
  const exp100 = token(HS256, `{"sub":"ann","exp":100}`)
  const nbf50 = token(HS256, `{"sub":"ann","nbf":50}`)

  it.effect("exp: valid strictly before it, expired from it on", () =>
    Effect.gen(function*() {
      yield* at(99.999)
      expect((yield* load(exp100)).user).toBe("ann")
      yield* at(100)
      expect(yield* reason(exp100)).toBe("expired")
    }).pipe(Effect.provide(jwt)))

  it.effect("nbf: not yet valid before it, valid from it on", () =>
    Effect.gen(function*() {
      yield* at(49.999)
      expect(yield* reason(nbf50)).toBe("not-yet-valid")
      yield* at(50)
      expect((yield* load(nbf50)).claims).toEqual({ nbf: 50 })
    }).pipe(Effect.provide(jwt)))

  it.effect("clockSkew widens both bounds by the same amount", () =>
    Effect.gen(function*() {
      yield* at(109.999)
      expect((yield* load(exp100)).user).toBe("ann")
      yield* at(110)
      expect(yield* reason(exp100)).toBe("expired")
      yield* at(40)
      expect((yield* load(nbf50)).user).toBe("ann")
      yield* at(39.999)
      expect(yield* reason(nbf50)).toBe("not-yet-valid")
    }).pipe(Effect.provide(TokenStorage.layerJwt({ secret: SECRET, clockSkew: "10 seconds" }))))

  it.effect("layerJwtConfig reads PROXY_TOKEN_CLOCK_SKEW", () =>
    Effect.gen(function*() {
      yield* at(104)
      expect((yield* load(exp100)).user).toBe("ann")
      yield* at(105)
      expect(yield* reason(exp100)).toBe("expired")
    }).pipe(
      Effect.provide(TokenStorage.layerJwtConfig()),
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({ PROXY_TOKEN_HMAC_SECRET: SECRET, PROXY_TOKEN_CLOCK_SKEW: "5 seconds" })))
    ))

  it("a negative or infinite clock skew is refused", () => {
    expect(() => TokenStorage.makeJwt({ secret: SECRET, clockSkew: "-1 second" })).toThrow(RangeError)
    expect(() => TokenStorage.makeJwt({ secret: SECRET, clockSkew: Duration.infinity })).toThrow(RangeError)
  })

  it.effect("issued tokens round-trip and carry iat/exp as numbers", () =>
    Effect.gen(function*() {
      yield* at(1000)
      const storage = yield* TokenStorage.TokenStorage
      const issued = yield* storage.issue({ user: "bob", claims: { role: "admin" } }, { ttl: "1 minute" })
      expect(yield* storage.load(issued)).toEqual({ user: "bob", claims: { role: "admin", iat: 1000 }, expiresAt: 1060 })
    }).pipe(Effect.provide(jwt)))
})

describe("TokenStorage.layerJwtConfig: start-up errors in words", () => {
  const startError = (env: Record<string, string>) =>
    Effect.runPromise(
      Layer.build(TokenStorage.layerJwtConfig()).pipe(
        Effect.scoped,
        Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))),
        Effect.flip,
        Effect.map((error) => error.message)
      )
    )

  it("a missing secret is named as missing, not as a SchemaError", async () => {
    const message = await startError({})
    expect(message).toContain("PROXY_TOKEN_HMAC_SECRET is not set")
    expect(message).not.toContain("Expected string")
  })

  it("every missing or invalid variable is reported at once", async () => {
    const message = await startError({ PROXY_TOKEN_TTL: "soon", PROXY_TOKEN_CLOCK_SKEW: "a bit" })
    expect(message).toContain("PROXY_TOKEN_HMAC_SECRET is not set")
    expect(message).toContain("PROXY_TOKEN_TTL: expected a valid Duration string")
    expect(message).toContain("PROXY_TOKEN_CLOCK_SKEW: expected a valid Duration string")
  })

  it("an HS256 secret shorter than 32 bytes is refused with the reason (RFC 7518)", async () => {
    const message = await startError({ PROXY_TOKEN_HMAC_SECRET: "short-secret" })
    expect(message).toContain("PROXY_TOKEN_HMAC_SECRET is 12 bytes long; HS256 needs at least 32 (RFC 7518")
    expect(() => TokenStorage.makeJwt({ secret: "x".repeat(31) })).toThrow(/31 bytes long; HS256 needs at least 32/)
    expect(TokenStorage.makeJwt({ secret: "x".repeat(32) })).toBeDefined()
  })
})

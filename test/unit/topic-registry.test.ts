// TopicRegistry: pattern compilation and matching (examples and properties), rule order, authorization.
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Schema } from "effect"
import { HandlerSet, Reply } from "../../src/index.ts"
import { compile, matchCost, matchPattern, separators } from "../../src/internal/topicPattern.ts"
import * as TopicRegistry from "../../src/services/TopicRegistry.ts"
import { handle, subscribeRequest } from "../../src/testing/index.ts"

const compiled = (pattern: string) => {
  const result = compile(pattern)
  if (typeof result === "string") throw new Error(result)
  return result
}
const match = (pattern: string, channel: string) =>
  matchPattern(compiled(pattern), channel, TopicRegistry.defaultMaxChannelLength)

describe("patterns", () => {
  it("capture named parameters", () => {
    expect(match("user.{uuid}", "user.42")).toEqual({ uuid: "42" })
    expect(match("chat:{room}.{thread}", "chat:lobby.7")).toEqual({ room: "lobby", thread: "7" })
    expect(match("user.{uuid}", "user.")).toBeUndefined()
    expect(match("user.{uuid}", "user.a.b")).toBeUndefined()
    expect(match("user.{uuid}", "user.a/b")).toBeUndefined()
    expect(match("user.{uuid}", "xuser.42")).toBeUndefined()
  })

  it("optional parts", () => {
    expect(match("news[.{lang}]", "news")).toEqual({})
    expect(match("news[.{lang}]", "news.en")).toEqual({ lang: "en" })
    expect(match("news[.{lang}]", "news.")).toBeUndefined()
    expect(match("a[.b[.c]]", "a.b.c")).toEqual({})
    expect(match("a[.b[.c]]", "a.c")).toBeUndefined()
  })

  it("literal regex characters are literal", () => {
    expect(match("a+b(c)*", "a+b(c)*")).toEqual({})
    expect(match("a+b(c)*", "aab")).toBeUndefined()
    expect(match("price$", "price$")).toEqual({})
  })

  it("case-sensitive, Unicode kept whole", () => {
    expect(match("News", "news")).toBeUndefined()
    expect(match("user.{id}", "user.Ünïcødé-用户-🎉")).toEqual({ id: "Ünïcødé-用户-🎉" })
    expect(match("🎉.{id}", "🎉.x")).toEqual({ id: "x" })
  })

  it.each([
    ["", "empty"],
    ["user.{", "`{` without `}`"],
    ["user.}", "`}` without `{`"],
    ["news[.x", "`[` without `]`"],
    ["news].x", "`]` without `[`"],
    ["user.{a-b}", "parameter name \"a-b\""],
    ["{a}.{a}", "parameter {a} appears twice"]
  ])("rejects %j: %s", (pattern, reason) => {
    const result = compile(pattern)
    expect(typeof result === "string" && result).toContain(reason)
  })
})

const Separator = Schema.Literals([".", "/", ":", "#"])
const hasSeparator = (s: string) => [...separators].some((c) => s.includes(c))

describe("pattern properties", () => {
  it.prop("a parameter matches exactly the non-empty values without separators", [Schema.String], ([value]) => {
    const params = match("user.{id}", `user.${value}`)
    const valid = value.length > 0 && !hasSeparator(value)
    return valid ? params?.id === value : params === undefined
  })

  it.prop("a parameter cannot be made to match across a separator", [Schema.String, Separator, Schema.String], ([a, sep, b]) =>
    match("user.{id}", `user.${a}${sep}${b}`) === undefined)

  it.prop("literal text is case-sensitive", [Schema.String], ([value]) =>
    match("user.{id}", `USER.${value}`) === undefined && match("USER.{id}", `user.${value}`) === undefined)

  it.prop("a literal pattern matches itself and nothing else", [Schema.String, Schema.String], ([pattern, other]) => {
    if (/[{}[\]]/.test(pattern) || pattern === "") return true
    return match(pattern, pattern) !== undefined && (other === pattern || match(pattern, other) === undefined)
  })

  it.prop("prefix.{x}.suffix matches only prefix + one parameter + suffix", [Schema.String, Schema.String], ([value, noise]) => {
    const params = match("a.{x}.z", `a.${value}.z${noise}`)
    if (params === undefined) return noise !== "" || value === "" || hasSeparator(value)
    return noise === "" && params.x === value
  })
})

interface Acl {
  readonly isMember: (user: string, room: string) => Effect.Effect<boolean>
}
const Acl = Context.Service<Acl>("test/Acl")

describe("the registry", () => {
  const topics = TopicRegistry.layer([
    TopicRegistry.rule("topic", ({ request }) => Effect.succeed(request.headers.secret === "secret")),
    TopicRegistry.rule("user.{uuid}", ({ params, user }) => Effect.succeed(params.uuid === user)),
    TopicRegistry.rule("user.admin", () => Effect.succeed(true)), // never reached: user.{uuid} comes first
    TopicRegistry.rule("room.{name}", ({ params, user }) =>
      Effect.flatMap(Effect.service(Acl), (acl) => acl.isMember(user, params.name!))),
    TopicRegistry.rule("news[.{lang}]", ({ params }) =>
      Effect.succeed(Reply.subscribe({ data: { lang: params.lang ?? "en" } })))
  ])
  const served = HandlerSet.layer({ subscribe: TopicRegistry.subscribe }).pipe(
    Layer.provide(topics),
    Layer.provide(Layer.succeed(Acl, { isMember: (user, room) => Effect.succeed(user === "ann" && room === "dev") }))
  )

  it.effect("authorizes with the first matching rule, its params, the user, headers and services", () =>
    Effect.gen(function*() {
      const sub = (channel: string, user = "ann", headers = {}) => handle(subscribeRequest({ channel, user, headers }))
      expect((yield* sub("topic", "ann", { secret: "secret" })).result).toEqual({})
      expect((yield* sub("topic", "ann", { secret: "guess" })).error).toEqual({ code: 103, message: "permission denied", temporary: false })
      expect((yield* sub("user.ann")).result).toEqual({})
      expect((yield* sub("user.bob")).error?.code).toBe(103)
      expect((yield* sub("user.admin", "ann")).error?.code).toBe(103) // first match decides
      expect((yield* sub("room.dev")).result).toEqual({})
      expect((yield* sub("room.ops")).error?.code).toBe(103)
      expect((yield* sub("news")).result).toEqual({ data: { lang: "en" } })
      expect((yield* sub("news.de")).result).toEqual({ data: { lang: "de" } })
      expect((yield* sub("elsewhere")).error).toEqual({
        code: 103,
        message: "permission denied: no rule for channel elsewhere",
        temporary: false
      })
    }).pipe(Effect.provide(served)))

  it.effect("match() reports the pattern and parameters", () =>
    Effect.gen(function*() {
      const registry = yield* TopicRegistry.TopicRegistry
      expect(registry.match("user.42")).toEqual({ pattern: "user.{uuid}", params: { uuid: "42" } })
      expect(registry.match("nothing")).toBeUndefined()
    }).pipe(Effect.provide(topics), Effect.provide(Layer.succeed(Acl, { isMember: () => Effect.succeed(false) }))))

  it.effect("an invalid pattern fails the Layer at build time", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.provide(Effect.service(TopicRegistry.TopicRegistry), TopicRegistry.layer([
        TopicRegistry.rule("user.{", () => Effect.succeed(true))
      ])))
      expect(error._tag).toBe("InvalidTopicPatternError")
      // The pattern named once (it used to read `invalid topic pattern "user.{": invalid topic pattern "user.{": ...`).
      expect(error.message).toBe("invalid topic pattern \"user.{\": `{` without `}`")
    }))

  it("a rule's services are the Layer's requirements", () => {
    // @ts-expect-error Acl is required
    const incomplete: Layer.Layer<TopicRegistry.TopicRegistry, TopicRegistry.InvalidTopicPatternError> = topics
    expect(incomplete).toBeDefined()
  })
})

// The reference semantics: the anchored regular expression a pattern stands for (what the registry used before it
// stopped backtracking). Only run on short channels here.
const referenceRegex = (pattern: string): RegExp => {
  let source = ""
  for (const char of pattern) {
    source += char === "[" ? "(?:" : char === "]" ? ")?" : char === "{" ? "(?<" : char === "}" ? ">[^./:#]+)" : char
      .replace(/[.*+?^$|()\\]/g, "\\$&")
  }
  return new RegExp(`^${source}$`, "u")
}
const referenceMatch = (pattern: string, channel: string) => {
  const groups = referenceRegex(pattern).exec(channel)?.groups
  if (groups === undefined) return referenceRegex(pattern).test(channel) ? {} : undefined
  return Object.fromEntries(Object.entries(groups).filter(([, v]) => v !== undefined))
}

const SHAPES = [
  "user.{id}",
  "room.{a}-{b}",
  "trio.{a}-{b}-{c}",
  "{a}{b}",
  "{a}-{b}-{c}-{d}",
  "news[.{lang}]",
  "x.{a}[-{b}[-{c}]]",
  "a[.b[.c]]",
  "chat:{room}.{thread}",
  "🎉[-{a}]-{b}"
]
const Piece = Schema.Literals(["a", "-", ".", ":", "é", "🎉", "x", "news", "room.", "trio."])

describe("linear-time matching", () => {
  it.prop(
    "gives the same answer and parameters as the backtracking regular expression",
    [Schema.Array(Piece), Schema.Literals(SHAPES)],
    ([pieces, pattern]) => {
      const channel = pieces.join("")
      expect(match(pattern, channel)).toEqual(referenceMatch(pattern, channel))
    }
  )

  it("greedy parameters, as before: the last separator splits", () => {
    expect(match("room.{a}-{b}", "room.x-y-z")).toEqual({ a: "x-y", b: "z" })
    expect(match("trio.{a}-{b}-{c}", "trio.1-2-3-4")).toEqual({ a: "1-2", b: "3", c: "4" })
    expect(match("{a}{b}", "xyz")).toEqual({ a: "xy", b: "z" })
    expect(match("x.{a}[-{b}[-{c}]]", "x.p-q")).toEqual({ a: "p-q" })
  })

  // Channel families that make a backtracking matcher quadratic or worse: long runs of the character separating
  // two parameters, ending so that the match fails (or succeeds) only at the very end.
  const families: ReadonlyArray<readonly [string, (n: number) => string]> = [
    ["dashes then a separator", (n) => `room.${"-".repeat(n)}.`],
    ["a-a-a... then a separator", (n) => `trio.${"a-".repeat(n / 2)}:`],
    ["a-a-a... matching", (n) => `trio.${"a-".repeat(n / 2)}a`],
    ["one long parameter", (n) => `user.${"u".repeat(n)}`],
    ["no separator at all", (n) => "a".repeat(n)],
    ["astral code points", (n) => `🎉${"-🎉".repeat(n / 2)}`]
  ]
  const cost = (pattern: string, channel: string) => matchCost(compiled(pattern), channel)

  it.each(SHAPES)("%s: doubling the channel at most doubles the steps, within 10 percent", (pattern) => {
    for (const [family, make] of families) {
      for (const n of [1_000, 2_000, 4_000]) {
        const ratio = cost(pattern, make(2 * n)) / cost(pattern, make(n))
        expect(ratio, `${family}, n=${n}`).toBeLessThanOrEqual(2.2)
      }
    }
  })

  it("the steps are bounded by channel length x program size", () => {
    for (const pattern of SHAPES) {
      const program = compiled(pattern).program.length
      for (const [, make] of families) {
        const channel = make(4_000)
        expect(cost(pattern, channel)).toBeLessThanOrEqual(2 * (channel.length + 1) * program)
      }
    }
  })
})

describe("channel length cap", () => {
  const atLimit = `user.${"u".repeat(250)}` // 255 bytes

  it("channels up to 255 UTF-8 bytes match, longer ones do not", () => {
    expect(TopicRegistry.defaultMaxChannelLength).toBe(255)
    expect(match("user.{id}", atLimit)).toEqual({ id: "u".repeat(250) })
    expect(match("user.{id}", `${atLimit}u`)).toBeUndefined()
    // Bytes, not characters: 5 + 125 x 2 = 255 bytes match, one more two-byte character does not.
    expect(match("user.{id}", `user.${"é".repeat(125)}`)).toEqual({ id: "é".repeat(125) })
    expect(match("user.{id}", `user.${"é".repeat(126)}`)).toBeUndefined()
    expect(match("user.{id}", `user.${"u".repeat(4 * 1024 * 1024)}`)).toBeUndefined()
  })

  it("the cap is configurable", () => {
    const long = `user.${"u".repeat(1_000)}`
    expect(matchPattern(compiled("user.{id}"), long, 1_005)).toEqual({ id: "u".repeat(1_000) })
    expect(matchPattern(compiled("user.{id}"), long, 1_004)).toBeUndefined()
  })

  it.effect("the registry denies a too-long channel with 103, without echoing it", () =>
    Effect.gen(function*() {
      const registry = yield* TopicRegistry.TopicRegistry
      expect(registry.match(atLimit)).toEqual({ pattern: "user.{id}", params: { id: "u".repeat(250) } })
      expect(registry.match(`${atLimit}u`)).toBeUndefined()
      expect((yield* handle(subscribeRequest({ channel: atLimit }))).result).toEqual({})
      expect((yield* handle(subscribeRequest({ channel: `user.${"u".repeat(40_000)}` }))).error).toEqual({
        code: 103,
        message: "permission denied: channel name longer than 255 bytes",
        temporary: false
      })
    }).pipe(Effect.provide(
      HandlerSet.layer({ subscribe: TopicRegistry.subscribe }).pipe(
        Layer.provideMerge(TopicRegistry.layer([TopicRegistry.rule("user.{id}", () => Effect.succeed(true))]))
      )
    )))

  it.effect("a registry with a larger cap matches longer channels", () =>
    Effect.gen(function*() {
      const registry = yield* TopicRegistry.TopicRegistry
      expect(registry.match(`user.${"u".repeat(1_000)}`)?.params).toEqual({ id: "u".repeat(1_000) })
      expect(registry.match(`user.${"u".repeat(1_996)}`)).toBeUndefined()
    }).pipe(Effect.provide(TopicRegistry.layer([TopicRegistry.rule("user.{id}", () => Effect.succeed(true))], {
      maxChannelLength: 2_000
    }))))
})

import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { Channel } from "effect-centrifugo"

const Ticket = Channel.make({
  pattern: "tickets:{id}",
  publication: Schema.Struct({ text: Schema.String.check(Schema.isMinLength(1)), by: Schema.optional(Schema.String) }),
  options: { history: { size: 10, ttl: "60s" }, recovery: true }
})
const Personal = Channel.make({ pattern: "personal:#{user}", publication: Schema.Struct({ notice: Schema.String }) })
const Lobby = Channel.make({ pattern: "lobby", publication: Schema.String })
const Pair = Channel.make({ pattern: "game:{a}-{b}", publication: Schema.Number })

describe("Channel", () => {
  it("derives the namespace, parameter names and user limit from the pattern", () => {
    expect([Ticket.namespace, Ticket.params, Ticket.userLimited]).toEqual(["tickets", ["id"], false])
    expect([Personal.namespace, Personal.params, Personal.userLimited]).toEqual(["personal", ["user"], true])
    expect([Lobby.namespace, Lobby.params]).toEqual([undefined, []])
    expect(Channel.isChannel(Ticket)).toBe(true)
    expect(Channel.isChannel({ pattern: "x" })).toBe(false)
  })

  it("formats names from typed parameters and parses them back", () => {
    expect(Channel.name(Ticket, { id: "42" })).toBe("tickets:42")
    expect(Channel.name(Personal, { user: "alice" })).toBe("personal:#alice")
    expect(Channel.name(Lobby)).toBe("lobby")
    expect(Channel.name(Pair, { a: "x", b: "y" })).toBe("game:x-y")
    expect(Channel.parse(Ticket, "tickets:42")).toEqual({ id: "42" })
    expect(Channel.parse(Personal, "personal:#alice")).toEqual({ user: "alice" })
    expect(Channel.parse(Pair, "game:x-y-z")).toEqual({ a: "x-y", b: "z" })
    expect(Channel.parse(Lobby, "lobby")).toEqual({})
    for (const name of ["tickets:", "tickets:a:b", "tickets:a.b", "ticket:1", "xtickets:1", "personal:alice"]) {
      expect(Channel.parse(Ticket, name) ?? Channel.parse(Personal, name)).toBeUndefined()
    }
    expect(Channel.parse(Ticket, `tickets:${"x".repeat(300)}`)).toBeUndefined()
    expect(Channel.find([Lobby, Ticket, Personal], "tickets:7")).toEqual({ channel: Ticket, params: { id: "7" } })
    expect(Channel.find([Lobby, Ticket], "nope")).toBeUndefined()
  })

  it("refuses parameter values that would not parse back, and invalid patterns", () => {
    expect(() => Channel.name(Ticket, { id: "a:b" })).toThrow(/parameter id/)
    expect(() => Channel.name(Ticket, { id: "" })).toThrow(/parameter id/)
    for (const pattern of ["", "{ns}:x", "ab:{id", "ab:{1x}", "ab:{x}{x}", "ab:[{x}]", "ab}", "a:{x}", "a b:{x}"]) {
      expect(() => Channel.make({ pattern, publication: Schema.String })).toThrow(/invalid channel pattern/)
    }
    expect(() => Channel.make({ pattern: "ab:{x}", publication: Schema.String, options: { recovery: true } }))
      .toThrow(/recovery needs history/)
  })

  it("decodes and encodes publications with the channel's Schema", () => {
    const ok = Channel.decode(Ticket, { text: "hi", extra: 1 })
    expect(Result.isSuccess(ok) && ok.success).toEqual({ text: "hi" })
    const bad = Channel.decode(Ticket, { text: 1 })
    expect(Result.isFailure(bad) && String(bad.failure)).toMatch(/text/)
    const encoded = Channel.encode(Ticket, { text: "hi", by: "bob" })
    expect(Result.isSuccess(encoded) && encoded.success).toEqual({ text: "hi", by: "bob" })
    expect(Result.isFailure(Channel.encode(Ticket, { text: "" }))).toBe(true)
  })

  it("a publication whose Schema does not encode to JSON fails to encode, naming where (not {} on the wire)", () => {
    const Event = Channel.make({
      pattern: "events:{id}",
      publication: Schema.Struct({ at: Schema.DateFromString, tally: Schema.ReadonlyMap(Schema.String, Schema.Number) })
    })
    const encoded = Channel.encode(Event, { at: new Date(0), tally: new Map([["a", 1]]) })
    expect(Result.isFailure(encoded) && String(encoded.failure)).toContain(
      "a Map object at publication.tally is not JSON: the channel's Schema must encode to JSON"
    )
    const WithDate = Channel.make({ pattern: "dates:{id}", publication: Schema.Struct({ at: Schema.Date }) })
    const date = Channel.encode(WithDate, { at: new Date(0) })
    expect(Result.isFailure(date) && String(date.failure)).toContain("a Date object at publication.at is not JSON")
    // What encodes to JSON passes, with its JSON form (a Date through DateFromString is its ISO string).
    const ok = Channel.encode(Channel.make({ pattern: "ok:{id}", publication: Schema.Struct({ at: Schema.DateFromString }) }), {
      at: new Date(0)
    })
    expect(Result.isSuccess(ok) && ok.success).toEqual({ at: "1970-01-01T00:00:00.000Z" })
  })

  it("types: parameters and publications are checked at compile time", () => {
    // @ts-expect-error the pattern's parameter is `id`
    expect(() => Channel.name(Ticket, { ticket: "1" })).toThrow()
    // @ts-expect-error a parameter is missing
    expect(() => Channel.name(Pair, { a: "x" })).toThrow()
    // @ts-expect-error `text` is a string
    expect(Result.isFailure(Channel.encode(Ticket, { text: 1 }))).toBe(true)
    const params: Channel.ParamsOf<typeof Pair> = { a: "1", b: "2" }
    const value: Channel.Type<typeof Ticket> = { text: "typed" }
    expect([params.a, value.text]).toEqual(["1", "typed"])
  })
})

describe("Channel module", () => {
  it("is browser-safe: it and the internal modules it imports import only effect (no node:, no grpc, no server code)", async () => {
    const { readFile } = await import("node:fs/promises")
    const seen = new Map<string, string>()
    const visit = async (url: URL): Promise<void> => {
      if (seen.has(url.href)) return
      const source = await readFile(url, "utf8")
      seen.set(url.href, source)
      for (const [, path] of source.matchAll(/^import[^"]*"([^"]+)"/gm)) {
        if (path!.startsWith(".")) await visit(new URL(path!, url))
      }
    }
    await visit(new URL("../../src/contract/Channel.ts", import.meta.url))
    const modules = [...seen.keys()].map((href) => href.slice(href.indexOf("/src/") + 1))
    expect(modules).toContain("src/contract/Channel.ts")
    expect(modules.filter((path) => !/^src\/(contract|internal)\//.test(path))).toEqual([])
    for (const source of seen.values()) {
      const imports = [...source.matchAll(/^import[^"]*"([^"]+)"/gm)].map((match) => match[1]!)
      expect(imports.filter((path) => !path.startsWith("effect/") && !path.startsWith("."))).toEqual([])
      expect(source).not.toMatch(/\bBuffer\b|\bprocess\./)
    }
  })
})

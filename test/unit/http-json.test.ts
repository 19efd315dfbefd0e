// The HTTP codec's body splitter and decoders on edge cases of valid and invalid JSON.
import { describe, expect, it } from "vitest"
import * as Codec from "../../src/http/codec/index.ts"
import { fields, isBadBody } from "../../src/http/json.ts"
import { isInvalidJson } from "../../src/internal/payloadWire.ts"
import { thrown } from "../support/thrown.ts"

const split = (text: string) =>
  Object.fromEntries(fields(Buffer.from(text)).entries().map(([k, v]) => [k, Buffer.from(v).toString("utf8")]))

describe("fields: a JSON object's top-level values as raw bytes", () => {
  it("keeps each value's bytes as sent: whitespace, number spellings, strings with brackets and quotes", () => {
    expect(split(` { "a" : [1, {"x":"]}"}] ,"b":"q\\"}{" , "c": 1.50e2 ,"d":null, "e":{} }  `)).toEqual({
      a: `[1, {"x":"]}"}]`,
      b: `"q\\"}{"`,
      c: "1.50e2",
      d: "null",
      e: "{}"
    })
    expect(split("{}")).toEqual({})
  })

  it("reads escaped keys, and keeps the last of a repeated key (as Go's encoding/json)", () => {
    expect(split(`{"cl\\u0069ent":"a","x":1,"x":2}`)).toEqual({ client: `"a"`, x: "2" })
  })

  it("refuses what is not one JSON object", () => {
    for (const text of ["", "[]", "\"s\"", "{", `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1} {}`, `{"a":[1}`, `{"a":"x}`]) {
      expect({ text, bad: isBadBody(thrown(() => fields(Buffer.from(text)))) }).toEqual({ text, bad: true })
    }
  })

  it("skips any depth without recursion (a million nested arrays)", () => {
    const deep = `${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`
    expect(split(`{"data":${deep},"client":"c"}`).client).toBe(`"c"`)
  })
})

describe("decoders", () => {
  it("a payload nested deeper than 512 levels is InvalidJson (error 107), not a stack overflow", () => {
    const deep = `${"[".repeat(513)}${"]".repeat(513)}`
    const error = thrown(() => Codec.decodeRpc(Buffer.from(`{"client":"c","user":"u","data":${deep}}`), {}))
    expect(isInvalidJson(error)).toBe(true)
    const ok = Codec.decodeRpc(Buffer.from(`{"client":"c","user":"u","data":${"[".repeat(512)}${"]".repeat(512)}}`), {})
    expect(Array.isArray(ok.data)).toBe(true)
  })

  it("null fields read as absent (Go leaves the zero value), wrong types are BadBody", () => {
    const request = Codec.decodeConnect(Buffer.from(`{"client":null,"channels":null,"name":"js"}`), {})
    expect({ client: request.client, channels: request.channels, name: request.name }).toEqual({
      client: "",
      channels: [],
      name: "js"
    })
    expect(isBadBody(thrown(() => Codec.decodeSubscribe(Buffer.from(`{"labels":{"a":1}}`), {})))).toBe(true)
    expect(isBadBody(thrown(() => Codec.decodeSharedPollRefresh(Buffer.from(`{"items":[{"version":-1}]}`), {})))).toBe(true)
  })

  it("data and rawData agree on both reading paths (one JSON.parse, or the splitter), escaped and repeated keys too", () => {
    const deepField = `"deep":${"[".repeat(600)}${"]".repeat(600)}`
    const bodies = [
      // JSON.parse path: a valid, shallow body
      [`{"client":"c","data":{"n":12345678901234567890, "s":"}{"}}`, `{"n":12345678901234567890, "s":"}{"}`],
      [`{"data":1,"client":"c","data":  [2 ,3] }`, `[2 ,3]`],
      [`{"client":"c","d\\u0061ta":{"x":1}}`, `{"x":1}`],
      // A key repeated, once escaped: the last one wins for data and rawData alike, in either order.
      [`{"client":"c","data":{"a":1},"d\\u0061ta":{"b":2}}`, `{"b":2}`],
      [`{"client":"c","d\\u0061ta":{"b":2},"data":{"a":1}}`, `{"a":1}`],
      [`{"client":"c","data":{"a":1},"\\u0064ata":[3],"x":"\\n"}`, `[3]`],
      // Splitter path: an unread field that is not JSON, or nested deeper than a payload may be
      [`{"client":"c","unread":[1,,2],"data":{"n":12345678901234567890}}`, `{"n":12345678901234567890}`],
      [`{"client":"c",${deepField},"data":[1]}`, `[1]`]
    ] as const
    for (const [body, raw] of bodies) {
      const request = Codec.decodeRpc(Buffer.from(body), {})
      expect({ body: body.slice(0, 40), raw: Buffer.from(request.rawData!).toString("utf8"), data: request.data })
        .toEqual({ body: body.slice(0, 40), raw, data: JSON.parse(raw) })
      expect(request.client).toBe(body.includes(`"client":"c"`) ? "c" : "")
    }
  })

  it("binary encoding reads b64data and ignores data", () => {
    const request = Codec.decodePublish(Buffer.from(`{"encoding":"binary","b64data":"AP8=","data":{"x":1}}`), {})
    expect(request.data).toBeUndefined()
    expect([...request.rawData!]).toEqual([0, 255])
  })
})

describe("encoders", () => {
  it("refuse what Centrifugo could not read: rawJson that is not JSON, binary where only JSON fits", async () => {
    const { Payload, Reply } = await import("../../src/index.ts")
    expect(() => Codec.encodeRpc(Reply.rpc({ data: Payload.rawJson("{nope") }))).toThrow(/not JSON/)
    expect(() => Codec.encodeConnect(Reply.connect({ user: "u", meta: Payload.binary(new Uint8Array([1])) }))).toThrow(
      /meta must be JSON/
    )
    expect(() =>
      Codec.encodeSharedPollRefresh(
        Reply.sharedPollRefresh({ items: [{ key: "k", version: 1, data: Payload.binary(new Uint8Array([1])) }] })
      )
    ).toThrow(/gRPC transport for binary items/)
    expect(Codec.encodeRpc(Reply.rpc({ data: Payload.rawJson(` {"a": 1} `) }))).toBe(`{"result":{"data": {"a": 1} }}`)
  })

  it("escape channel names used as keys of subs", async () => {
    const { Reply } = await import("../../src/index.ts")
    const json = Codec.encodeConnect(Reply.connect({ user: "u", subs: { 'a"b\\c': { cacheRecover: true } } }))
    expect(JSON.parse(json)).toEqual({ result: { user: "u", subs: { 'a"b\\c': { cache_recover: true } } } })
  })
})

// JSON wire contract of the HTTP transport with Centrifugo v6.9.1: Centrifugo marshals the Go structs of
// internal/proxyproto/proxy.pb.go with encoding/json, so their json tags are the wire names. Every key our codec
// writes must be a json tag of the matching struct with a value of its Go type, and every field Centrifugo sends
// in a request must reach the domain request. Renaming a field on either side fails here.
import { describe, expect, it } from "vitest"
import * as Codec from "../../src/http/codec/index.ts"
import { httpEvents } from "../../src/http/events.ts"
import { Payload, Reply } from "../../src/index.ts"
import { loadGoStructs, mismatches } from "../support/go-json-contract.ts"
import { upstreamProto } from "../support/proto-contract.ts"

const structs = loadGoStructs(upstreamProto("internal/proxyproto/proxy.pb.go"))

const override = { presence: true, joinLeave: false, forceRecovery: true, forcePositioning: true, forcePushJoinLeave: true }

// Every reply field set, once with JSON payloads and once with binary ones (the b64 twins).
const replies = (binary: boolean) => {
  const p = (value: unknown) => (binary ? Payload.binary(Buffer.from(JSON.stringify(value))) : value)
  return {
    Connect: Codec.encodeConnect(Reply.connect({
      user: "u",
      expireAt: 1_900_000_000,
      info: p({ i: 1 }),
      data: p({ d: 1 }),
      channels: ["a"],
      subs: { a: { expireAt: 1_900_000_000, info: p({ i: 2 }), data: p({ d: 2 }), override, cacheRecover: true } },
      meta: { m: 1 }
    })),
    Refresh: Codec.encodeRefresh(Reply.refresh({ expired: true, expireAt: 1_900_000_000, info: p({ i: 1 }), meta: { m: 1 } })),
    Subscribe: Codec.encodeSubscribe(Reply.subscribe({ expireAt: 1_900_000_000, info: p({ i: 1 }), data: p({ d: 1 }), override })),
    Publish: Codec.encodePublish(Reply.publish({
      data: p({ d: 1 }),
      skipHistory: true,
      tags: { t: "1" },
      idempotencyKey: "k",
      delta: true,
      version: 3,
      versionEpoch: "e"
    })),
    RPC: Codec.encodeRpc(Reply.rpc({ data: p({ d: 1 }) })),
    SubRefresh: Codec.encodeSubRefresh(Reply.subRefresh({ expired: true, expireAt: 1_900_000_000, info: p({ i: 1 }) })),
    MapPublish: Codec.encodeMapPublish(Reply.mapPublish({
      key: "k",
      data: p({ d: 1 }),
      tags: { t: "1" },
      score: 5,
      keyMode: "if_new",
      streamData: p({ s: 1 }),
      idempotencyKey: "i",
      delta: true,
      version: 4,
      versionEpoch: "e"
    })),
    MapRemove: Codec.encodeMapRemove(Reply.mapRemove({ key: "k", tags: { t: "1" }, idempotencyKey: "i" })),
    SharedPollRefresh: Codec.encodeSharedPollRefresh(Reply.sharedPollRefresh({
      items: [{ key: "k", data: { d: 1 }, version: 2, removed: true, prevData: { d: 0 } }],
      epoch: "e"
    }))
  }
}

const responseStruct = (tag: string) => `${tag}Response`
const resultStruct = (tag: string) => `${tag}Result`

/** Upstream result fields we do not write (PRO capabilities, labels, server-side tag filters). */
const NOT_WRITTEN: Record<string, ReadonlyArray<string>> = {
  ConnectResult: ["caps", "labels"],
  RefreshResult: ["caps"],
  SubscribeResult: ["allow", "server_tags_filter"],
  SubscribeOptions: ["server_tags_filter"]
}

const keysDeep = (value: unknown, struct: string, out: Map<string, Set<string>>) => {
  if (typeof value !== "object" || value === null) return
  const fields = structs[struct] ?? {}
  const seen = out.get(struct) ?? new Set<string>()
  out.set(struct, seen)
  for (const [key, v] of Object.entries(value)) {
    seen.add(key)
    const type = fields[key]?.replace(/^(\[\]|map\[string\])?\*?/, "")
    if (type !== undefined && structs[type] !== undefined) {
      if (Array.isArray(v)) v.forEach((item) => keysDeep(item, type, out))
      else if (fields[key]!.startsWith("map[")) Object.values(v as object).forEach((item) => keysDeep(item, type, out))
      else keysDeep(v, type, out)
    }
  }
}

describe("HTTP JSON wire contract with Centrifugo v6.9.1 (json tags of internal/proxyproto/proxy.pb.go)", () => {
  it("reads the upstream structs (sanity: the tags this test relies on exist)", () => {
    expect(structs.ConnectRequest).toMatchObject({ client: "string", data: "Raw", b64data: "string", channels: "[]string" })
    expect(structs.ConnectResult).toMatchObject({ expire_at: "int64", info: "Raw", subs: "map[string]*SubscribeOptions" })
    expect(structs.SubscribeOptionOverride).toMatchObject({ join_leave: "*BoolValue" })
  })

  it("covers exactly the events Centrifugo proxies over HTTP", () => {
    expect(httpEvents.map((e) => e.spec.tag)).toEqual(Object.keys(replies(false)))
    for (const event of httpEvents) {
      expect(structs[`${event.spec.tag}Request`], event.spec.tag).toBeDefined()
      expect(structs[responseStruct(event.spec.tag)], event.spec.tag).toBeDefined()
    }
  })

  it("writes every reply with upstream names and Go types, JSON and binary payloads alike", () => {
    for (const binary of [false, true]) {
      for (const [tag, json] of Object.entries(replies(binary))) {
        expect({ tag, binary, problems: mismatches(structs, responseStruct(tag), JSON.parse(json)) }).toEqual({
          tag,
          binary,
          problems: []
        })
      }
    }
  })

  it("writes every upstream result field it can (all but PRO capabilities, labels and tag filters)", () => {
    const written = new Map<string, Set<string>>()
    for (const binary of [false, true]) {
      for (const [tag, json] of Object.entries(replies(binary))) keysDeep(JSON.parse(json), responseStruct(tag), written)
    }
    for (const tag of httpEvents.map((e) => e.spec.tag)) {
      for (const struct of [resultStruct(tag), ...(tag === "Connect" ? ["SubscribeOptions"] : [])]) {
        const expected = Object.keys(structs[struct]!).filter((k) => !(NOT_WRITTEN[struct] ?? []).includes(k)).sort()
        expect({ struct, keys: [...(written.get(struct) ?? [])].sort() }).toEqual({ struct, keys: expected })
      }
    }
  })

  it("writes error and disconnect replies with upstream names", () => {
    const error = JSON.parse(Codec.encodeConnect(Reply.error(1403, "no", true)))
    const disconnect = JSON.parse(Codec.encodeConnect(Reply.disconnect(4503, "bye")))
    expect(error).toEqual({ error: { code: 1403, message: "no", temporary: true } })
    expect(disconnect).toEqual({ disconnect: { code: 4503, reason: "bye" } })
    expect(mismatches(structs, "ConnectResponse", error)).toEqual([])
    expect(mismatches(structs, "ConnectResponse", disconnect)).toEqual([])
  })

  /** A value of a Go type that names its field, so the decoded request shows where each one went. */
  const sample = (name: string, type: string): unknown => {
    if (type === "Raw") return { field: name }
    if (type === "string") return `${name}-value`
    if (type === "[]string") return [`${name}-value`]
    if (type === "map[string]string") return { [`${name}-key`]: `${name}-value` }
    if (type === "[]*SharedPollRefreshItem") return [{ key: `${name}-value`, version: 7 }]
    throw new Error(`no sample for ${type}`)
  }

  it("reads every field Centrifugo sends in each request (JSON and binary encodings)", () => {
    for (const event of httpEvents) {
      const fields = structs[`${event.spec.tag}Request`]!
      for (const encoding of ["json", "binary"]) {
        const body: Record<string, unknown> = {}
        for (const [name, type] of Object.entries(fields)) body[name] = sample(name, type)
        if ("encoding" in fields) body.encoding = encoding
        if ("b64data" in fields) body.b64data = Buffer.from("b64data-value").toString("base64")
        const decoded = event.decode(Buffer.from(JSON.stringify(body)), {})
        // Bytes as text (Buffer's own toJSON runs before a replacer), bigint versions as numbers.
        const seen = JSON.stringify(decoded, (_, v) =>
          typeof v === "bigint"
            ? Number(v)
            : v?.type === "Buffer" && Array.isArray(v.data)
            ? Buffer.from(v.data).toString("utf8")
            : v)
        for (const name of Object.keys(fields)) {
          // One of data / b64data is read, depending on the encoding, as Centrifugo fills one of them.
          if ((name === "data" && encoding === "binary") || (name === "b64data" && encoding === "json")) continue
          const marker = name === "encoding" ? `"${encoding}"` : name === "items" ? `"items-value"` : `${name}-value`
          const rawMarker = `{"field":"${name}"}`
          const found = seen.includes(marker) || seen.includes(rawMarker)
          expect({ event: event.spec.tag, encoding, name, found }).toEqual({ event: event.spec.tag, encoding, name, found: true })
        }
      }
    }
  })
})

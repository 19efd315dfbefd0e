// The domain codec: proto requests -> typed requests, typed replies -> proto responses, for every unary event.
import { Metadata } from "@grpc/grpc-js"
import { describe, expect, it } from "vitest"
import { Payload, Reply } from "../../src/index.ts"
import { isInvalidJson } from "../../src/internal/payloadWire.ts"
import * as Codec from "../../src/grpc/codec/index.ts"
import * as pb from "../../src/proto/generated/proxy.ts"
import { ProxyClient } from "../../src/testing/index.ts"

const { json, parseJson } = ProxyClient
const common = { client: "c1", transport: "websocket", protocol: "json", encoding: "json" }
const headers = { authorization: "Bearer x" }
const bytes = <T>(fns: { encode(m: T): { finish(): Uint8Array } }, message: T) => fns.encode(message).finish()

describe("requests", () => {
  it("connect: connection fields, headers, parsed data and its raw bytes, SDK name/version, channels", () => {
    const request = Codec.decodeConnect(
      bytes(pb.ConnectRequest, { ...common, data: json({ a: [1] }), name: "js", version: "5.8.0", channels: ["x"] }),
      headers
    )
    expect(request).toEqual({
      _tag: "Connect",
      ...common,
      headers,
      data: { a: [1] },
      rawData: json({ a: [1] }),
      name: "js",
      version: "5.8.0",
      channels: ["x"]
    })
  })

  it("absent data is undefined; explicit empty JSON values are values", () => {
    expect(Codec.decodeConnect(bytes(pb.ConnectRequest, common), {}).data).toBeUndefined()
    expect(Codec.decodeConnect(bytes(pb.ConnectRequest, { ...common, data: json({}) }), {}).data).toEqual({})
    expect(Codec.decodeConnect(bytes(pb.ConnectRequest, { ...common, data: json("") }), {}).data).toBe("")
    expect(Codec.decodeConnect(bytes(pb.ConnectRequest, { ...common, data: json(null) }), {}).data).toBeNull()
  })

  it("binary encoding: rawData holds the decoded b64data and data is not parsed", () => {
    const raw = Buffer.from([0, 1, 2, 255])
    const request = Codec.decodeRpc(
      bytes(pb.RPCRequest, { ...common, encoding: "binary", method: "m", b64data: raw.toString("base64") }),
      {}
    )
    expect(request.data).toBeUndefined()
    expect(Buffer.from(request.rawData!)).toEqual(raw)
  })

  it("refresh, subscribe, publish, rpc, sub_refresh: user, channel/method, token, meta and labels", () => {
    const meta = json({ plan: "gold" })
    expect(Codec.decodeRefresh(bytes(pb.RefreshRequest, { ...common, user: "u", meta, labels: { l: "1" } }), {}))
      .toMatchObject({ _tag: "Refresh", user: "u", meta: { plan: "gold" }, labels: { l: "1" } })
    expect(
      Codec.decodeSubscribe(bytes(pb.SubscribeRequest, { ...common, user: "u", channel: "ch", token: "t", data: json(1), meta }), {})
    ).toMatchObject({ _tag: "Subscribe", user: "u", channel: "ch", token: "t", data: 1, meta: { plan: "gold" } })
    expect(Codec.decodePublish(bytes(pb.PublishRequest, { ...common, user: "u", channel: "ch", data: json([1]), meta }), {}))
      .toMatchObject({ _tag: "Publish", channel: "ch", data: [1], meta: { plan: "gold" } })
    expect(Codec.decodeRpc(bytes(pb.RPCRequest, { ...common, user: "u", method: "m", data: json("x"), meta }), {}))
      .toMatchObject({ _tag: "RPC", method: "m", data: "x", meta: { plan: "gold" } })
    expect(Codec.decodeSubRefresh(bytes(pb.SubRefreshRequest, { ...common, user: "u", channel: "ch", meta }), {}))
      .toMatchObject({ _tag: "SubRefresh", user: "u", channel: "ch", meta: { plan: "gold" } })
  })

  it("invalid JSON in data or meta throws InvalidJson naming the field", () => {
    const thrown = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return e
      }
      throw new Error("did not throw")
    }
    const data = thrown(() => Codec.decodeRpc(bytes(pb.RPCRequest, { ...common, data: Buffer.from("{") }), {}))
    expect(isInvalidJson(data) && data.field).toBe("data")
    const meta = thrown(() => Codec.decodeRefresh(bytes(pb.RefreshRequest, { ...common, meta: Buffer.from("nope") }), {}))
    expect(isInvalidJson(meta) && meta.field).toBe("meta")
  })

  it("rawData is there only when a payload arrived (the key itself, not an undefined value)", () => {
    expect("rawData" in Codec.decodeConnect(bytes(pb.ConnectRequest, common), {})).toBe(false)
    expect("rawData" in Codec.decodeSubscribe(bytes(pb.SubscribeRequest, { ...common, encoding: "binary", b64data: "" }), {}))
      .toBe(false)
    expect("rawData" in Codec.decodePublish(bytes(pb.PublishRequest, { ...common, data: json(0) }), {})).toBe(true)
  })

  it("strings are UTF-8: multi-byte text, invalid bytes as U+FFFD, a leading BOM kept; a cut-off string is undecodable", () => {
    // Field 1 (client) written by hand, so that it can hold bytes no encoder would produce.
    const client = (text: ReadonlyArray<number>) => Buffer.from([10, text.length, ...text])
    const utf8 = (text: string) => [...Buffer.from(text, "utf8")]
    const long = "ünïcödé-".repeat(5)
    expect(Codec.decodeConnect(client(utf8(long)), {}).client).toBe(long)
    expect(Codec.decodeConnect(client([0xef, 0xbb, 0xbf, ...utf8("é"), 0xff, 0x78]), {}).client).toBe("\ufeffé\ufffdx")
    expect(Codec.decodeConnect(client(utf8("ascii")), {}).client).toBe("ascii")
    let caught: unknown
    try {
      Codec.decodeConnect(Buffer.from([10, 5, 0x61, 0x62]), {})
    } catch (e) {
      caught = e
    }
    expect(Codec.isDecodeFailure(caught)).toBe(true)
  })

  it("transport, protocol and encoding values Centrifugo sends read as themselves, and near misses as their own text", () => {
    const cases = ["websocket", "uni_http_stream", "sse", "protobuf", "binary", "json", "websockex", "jsoN", "bina", ""]
    for (const text of cases) {
      const request = Codec.decodeConnect(bytes(pb.ConnectRequest, { client: text, transport: text, protocol: text }), {})
      expect([request.client, request.transport, request.protocol]).toEqual([text, text, text])
    }
    // The same bytes twice decode to the same (equal) strings, also when a field is one byte short of a known one.
    const cut = Codec.decodeConnect(Buffer.from([18, 8, ...Buffer.from("websocke")]), {})
    expect(cut.transport).toBe("websocke")
  })

  it("gRPC metadata as headers: repeated values joined, -bin values as base64, the credentials key left out", () => {
    const metadata = new Metadata()
    metadata.add("x-multi", "a")
    metadata.add("x-multi", "b")
    metadata.set("x-one", "1")
    metadata.set("x-data-bin", Buffer.from([1, 2, 3]))
    metadata.set("x-secret", "s")
    const expected = { "x-multi": "a, b", "x-one": "1", "x-data-bin": "AQID" }
    expect(Codec.headersFromMetadata(metadata, "x-secret")).toEqual(expected)
    // The same through the public toJSON(), for a Metadata that does not keep its entries in a Map.
    const opaque = { toJSON: () => metadata.toJSON() } as unknown as Metadata
    expect(Codec.headersFromMetadata(opaque, "x-secret")).toEqual(expected)
  })

  it("undecodable bytes throw a DecodeFailure", () => {
    let caught: unknown
    try {
      Codec.decodeSubscribe(Buffer.from([0xff, 0xff, 0xff]), {})
    } catch (e) {
      caught = e
    }
    expect(Codec.isDecodeFailure(caught)).toBe(true)
  })
})

describe("replies", () => {
  it("connect result: every field Centrifugo reads", () => {
    const response = pb.ConnectResponse.decode(Codec.encodeConnect(Reply.connect({
      user: "42",
      expireAt: new Date(1_900_000_000_500),
      info: { name: "Ann" },
      data: Payload.binary(Buffer.from([1, 2])),
      channels: ["a"],
      subs: {
        b: {
          expireAt: 10,
          info: "i",
          data: Payload.rawJson('{"pre":"encoded"}'),
          override: { joinLeave: true, forceRecovery: false },
          cacheRecover: true
        }
      },
      meta: { m: 1 }
    })))
    const result = response.result!
    expect(result.user).toBe("42")
    expect(result.expire_at).toBe(1_900_000_000n)
    expect(parseJson(result.info)).toEqual({ name: "Ann" })
    expect(result.data).toBeUndefined()
    expect(result.b64data).toBe(Buffer.from([1, 2]).toString("base64"))
    expect(result.channels).toEqual(["a"])
    const sub = result.subs!.b!
    expect(sub.expire_at).toBe(10n)
    expect(parseJson(sub.info)).toBe("i")
    expect(Buffer.from(sub.data!).toString()).toBe('{"pre":"encoded"}')
    expect(sub.override).toEqual({ join_leave: { value: true }, force_recovery: {} })
    expect(sub.cache_recover).toBe(true)
    expect(parseJson(result.meta)).toEqual({ m: 1 })
  })

  it("refresh and sub_refresh results", () => {
    expect(pb.RefreshResponse.decode(Codec.encodeRefresh(Reply.refresh({ expired: true }))).result).toEqual({ expired: true })
    const refreshed = pb.RefreshResponse.decode(
      Codec.encodeRefresh(Reply.refresh({ expireAt: 5, info: [], meta: {} }))
    ).result!
    expect([refreshed.expire_at, parseJson(refreshed.info), parseJson(refreshed.meta)]).toEqual([5n, [], {}])
    const sub = pb.SubRefreshResponse.decode(
      Codec.encodeSubRefresh(Reply.subRefresh({ expireAt: 7, info: Payload.binary(Buffer.from("x")) }))
    ).result!
    expect([sub.expire_at, sub.b64info]).toEqual([7n, Buffer.from("x").toString("base64")])
    // An empty result still says "allowed": the result message is present.
    expect(pb.SubRefreshResponse.decode(Codec.encodeSubRefresh(Reply.subRefresh())).result).toEqual({})
  })

  it("subscribe result with override; an empty subscribe result is still a result", () => {
    const response = pb.SubscribeResponse.decode(Codec.encodeSubscribe(Reply.subscribe({
      expireAt: 9,
      info: { i: 1 },
      data: { d: 1 },
      override: { presence: true, forcePositioning: true, forcePushJoinLeave: false }
    })))
    expect(response.result).toMatchObject({ expire_at: 9n })
    expect(parseJson(response.result!.data)).toEqual({ d: 1 })
    expect(response.result!.override).toEqual({
      presence: { value: true },
      force_positioning: { value: true },
      force_push_join_leave: {}
    })
    expect(pb.SubscribeResponse.decode(Codec.encodeSubscribe(Reply.subscribe())).result).toEqual({})
  })

  it("publish result: data, skip_history, tags, idempotency key, delta, version (uint64), epoch", () => {
    const result = pb.PublishResponse.decode(Codec.encodePublish(Reply.publish({
      data: { t: 1 },
      skipHistory: true,
      tags: { k: "v" },
      idempotencyKey: "idem",
      delta: true,
      version: 18_446_744_073_709_551_615n,
      versionEpoch: "e1"
    }))).result!
    expect(parseJson(result.data)).toEqual({ t: 1 })
    expect(result).toMatchObject({
      skip_history: true,
      tags: { k: "v" },
      idempotency_key: "idem",
      delta: true,
      version: 18_446_744_073_709_551_615n,
      version_epoch: "e1"
    })
  })

  it("rpc result: any JSON value, including scalars and explicit empties", () => {
    for (const value of ["pong", 0, false, null, "", {}, []]) {
      const result = pb.RPCResponse.decode(Codec.encodeRpc(Reply.rpc({ data: value }))).result!
      expect(parseJson(result.data)).toEqual(value)
    }
    expect(pb.RPCResponse.decode(Codec.encodeRpc(Reply.rpc())).result).toEqual({})
  })

  it("error and disconnect replies for every event that has them", () => {
    const error = Reply.error(1400, "nope", true)
    const disconnect = Reply.disconnect(4000, "bye")
    for (const encode of [Codec.encodeConnect, Codec.encodeSubscribe, Codec.encodePublish, Codec.encodeRpc]) {
      const fns = [pb.ConnectResponse, pb.SubscribeResponse, pb.PublishResponse, pb.RPCResponse][
        [Codec.encodeConnect, Codec.encodeSubscribe, Codec.encodePublish, Codec.encodeRpc].indexOf(encode)
      ]!
      expect(fns.decode((encode as (r: Reply.Rejection) => Buffer)(error))).toEqual({
        error: { code: 1400, message: "nope", temporary: true }
      })
      expect(fns.decode((encode as (r: Reply.Rejection) => Buffer)(disconnect))).toEqual({
        disconnect: { code: 4000, reason: "bye" }
      })
    }
  })

  it("refuses replies that cannot be sent, with the field in the message", () => {
    expect(() => Codec.encodeRpc(Reply.rpc({ data: () => 1 }))).toThrow("data: function has no JSON form")
    expect(() => Codec.encodeRpc(Reply.rpc({ data: { n: 1n } }))).toThrow(TypeError)
    expect(() => Codec.encodeConnect(Reply.connect({ user: "", expireAt: -1 }))).toThrow("expireAt must be a Unix time")
    expect(() => Codec.encodePublish(Reply.publish({ version: -1 }))).toThrow("version must be an integer")
    expect(() => Codec.encodeConnect(Reply.connect({ user: "", meta: Payload.binary(Buffer.from("x")) }))).toThrow(
      "meta must be JSON"
    )
  })
})

describe("the shared protobuf writer", () => {
  it("an encode that fails half-way does not leak bytes into the next message", () => {
    // A score beyond int64 makes the protobuf writer throw after it wrote the key and the data.
    const broken = Reply.mapPublish({ key: "k", data: { big: "x".repeat(300) }, score: 2n ** 70n })
    expect(() => Codec.encodeMapPublish(broken)).toThrow()
    const next = pb.RPCResponse.decode(Codec.encodeRpc(Reply.rpc({ data: "clean" })))
    expect(next).toEqual({ result: { data: Buffer.from('"clean"') } })
    // Each message is its own copy: encoding the next one does not change the bytes already handed out.
    const first = Codec.encodeRpc(Reply.rpc({ data: "first" }))
    const copy = Buffer.from(first)
    Codec.encodeRpc(Reply.rpc({ data: "second, and longer" }))
    expect(first).toEqual(copy)
    // A message larger than the writer has held so far (and than Node's pooled buffers) comes out whole.
    const big = "y".repeat(64 * 1024)
    expect(parseJson(pb.RPCResponse.decode(Codec.encodeRpc(Reply.rpc({ data: big }))).result?.data)).toBe(big)
    // And many messages in a row each come out whole.
    for (let i = 0; i < 50; i++) {
      expect(parseJson(pb.RPCResponse.decode(Codec.encodeRpc(Reply.rpc({ data: { i } }))).result?.data)).toEqual({ i })
    }
  })
})

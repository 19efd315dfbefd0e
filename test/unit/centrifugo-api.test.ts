// CentrifugoApi without a server: what each method puts on the wire, how results and failures come back, retries,
// the gRPC wire conversion, and the in-memory test double.
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer, Logger } from "effect"
import { TestClock } from "effect/testing"
import { CentrifugoApi, Payload } from "../../src/index.ts"
import { fromProto, toProto } from "../../src/api/wire.ts"
import { CentrifugoApiMemory } from "../../src/testing/index.ts"

/** A transport that records requests and answers from a table. */
const fakeTransport = (answers: Record<string, unknown>) => {
  const sent: Array<[string, unknown]> = []
  const transport: CentrifugoApi.Transport = (method, request) => {
    sent.push([method, request])
    const answer = answers[method]
    return answer instanceof Error
      ? Effect.fail(CentrifugoApi.CentrifugoTransportError({ method, message: answer.message }))
      : Effect.succeed((answer ?? {}) as Record<string, unknown>)
  }
  return { sent, transport }
}

describe("inputs on the wire (Centrifugo's JSON API form)", () => {
  it.effect("camelCase inputs become snake_case fields; payloads are JSON values or b64", () =>
    Effect.gen(function*() {
      const { sent, transport } = fakeTransport({})
      const api = CentrifugoApi.make(transport)
      yield* api.publish({ channel: "c", data: { a: 1 }, skipHistory: true, idempotencyKey: "k", tags: { t_1: "x" } })
      yield* api.broadcast({ channels: ["a", "b"], data: Payload.binary(Buffer.from([1, 2])) })
      yield* api.subscribe({ channel: "c", user: "u", expireAt: 10, info: {}, recoverSince: { offset: 3, epoch: "e" }, override: { joinLeave: false } })
      yield* api.disconnect({ user: "u", whitelist: ["c1"], disconnect: { code: 4500, reason: "r" } })
      yield* api.history({ channel: "c", limit: -1, since: { offset: 1, epoch: "e" }, reverse: true })
      yield* api.mapReadStream({ channel: "m", since: { offset: 2, epoch: "e" }, limit: 5 })
      yield* api.batch([{ presenceStats: { channel: "c" } }, { historyRemove: { channel: "c" } }], { parallel: true })
      expect(sent).toEqual([
        ["publish", { channel: "c", data: { a: 1 }, skip_history: true, idempotency_key: "k", tags: { t_1: "x" } }],
        ["broadcast", { channels: ["a", "b"], b64data: Buffer.from([1, 2]).toString("base64") }],
        ["subscribe", { channel: "c", user: "u", expire_at: 10, info: {}, recover_since: { offset: 3, epoch: "e" }, override: { join_leave: { value: false } } }],
        ["disconnect", { user: "u", whitelist: ["c1"], disconnect: { code: 4500, reason: "r" } }],
        ["history", { channel: "c", limit: -1, since: { offset: 1, epoch: "e" }, reverse: true }],
        ["map_read_stream", { channel: "m", since_offset: 2, since_epoch: "e", limit: 5 }],
        ["batch", { commands: [{ presence_stats: { channel: "c" } }, { history_remove: { channel: "c" } }], parallel: true }]
      ])
    }))

  it.effect("results come back typed", () =>
    Effect.gen(function*() {
      const { transport } = fakeTransport({
        presence: { presence: { "c-1": { user: "u", client: "c-1", conn_info: { n: 1 } } } },
        history: { publications: [{ data: "x", offset: 5, info: { user: "u", client: "c" } }], offset: 5, epoch: "e" },
        broadcast: { responses: [{ result: { offset: 1, epoch: "e" } }, { error: { code: 102, message: "unknown channel" } }] }
      })
      const api = CentrifugoApi.make(transport)
      expect(yield* api.presence({ channel: "c" })).toEqual({ "c-1": { user: "u", client: "c-1", connInfo: { n: 1 } } })
      expect(yield* api.history({ channel: "c" })).toEqual({
        publications: [{ data: "x", offset: 5, info: { user: "u", client: "c" } }],
        offset: 5,
        epoch: "e"
      })
      expect(yield* api.broadcast({ channels: ["a", "b"], data: 1 })).toEqual([
        { channel: "a", result: { offset: 1, epoch: "e" } },
        { channel: "b", error: { code: 102, message: "unknown channel" } }
      ])
      const failed = yield* Effect.flip(
        CentrifugoApi.broadcastAll({ channels: ["a", "b"], data: 1 }).pipe(Effect.provideService(CentrifugoApi.CentrifugoApi, api))
      )
      expect(failed).toMatchObject({ _tag: "CentrifugoApiError", method: "broadcast", code: 102, message: "b: unknown channel" })
    }))
})

describe("retries", () => {
  it.effect("an idempotent publish is retried after transport errors; others are not", () =>
    Effect.gen(function*() {
      let attempts = 0
      const flaky: CentrifugoApi.Transport = (method) =>
        Effect.suspend(() =>
          ++attempts < 3 ? Effect.fail(CentrifugoApi.CentrifugoTransportError({ method, message: "connection reset" })) : Effect.succeed({ offset: 1 })
        )
      const api = CentrifugoApi.make(flaky)
      const fiber = yield* Effect.forkChild(api.publish({ channel: "c", data: 1, idempotencyKey: "once" }))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toEqual({ offset: 1 })
      expect(attempts).toBe(3)

      attempts = 0
      const failure = yield* Effect.flip(api.publish({ channel: "c", data: 1 }))
      expect(failure._tag).toBe("CentrifugoTransportError")
      expect(attempts).toBe(1)
    }))

  it.effect("API errors are never retried, even with an idempotency key", () =>
    Effect.gen(function*() {
      let attempts = 0
      const refusing: CentrifugoApi.Transport = (method) =>
        Effect.suspend(() => (attempts++, Effect.fail(CentrifugoApi.CentrifugoApiError({ method, code: 102, message: "unknown channel" }))))
      const failure = yield* Effect.flip(CentrifugoApi.make(refusing).publish({ channel: "x", data: 1, idempotencyKey: "k" }))
      expect([failure._tag, attempts]).toEqual(["CentrifugoApiError", 1])
    }))
})

describe("gRPC wire conversion", () => {
  it("payloads become JSON bytes, 64-bit fields bigints, map keys untouched; and back", () => {
    const proto = toProto({ channel: "c", data: { a: 1 }, version: 7, tags: { data: "not a payload" }, since: { offset: 3 } }) as Record<string, unknown>
    expect(Buffer.from(proto.data as Uint8Array).toString()).toBe('{"a":1}')
    expect(proto.version).toBe(7n)
    expect(proto.tags).toEqual({ data: "not a payload" })
    expect(proto.since).toEqual({ offset: 3n })
    const back = fromProto({ publications: [{ data: Buffer.from('"x"'), offset: 9n }], offset: 9n, presence: { info: { conn_info: Buffer.from("{}") } } })
    expect(back).toEqual({ publications: [{ data: "x", offset: 9 }], offset: 9, presence: { info: { conn_info: {} } } })
    // Binary publication data that is not JSON stays bytes.
    expect((fromProto({ data: Buffer.from([0xff]) }) as { data: unknown }).data).toBeInstanceOf(Uint8Array)
  })
})

describe("CentrifugoApiMemory", () => {
  it.effect("records calls, keeps history with offsets, presence and map state", () => {
    // "" = channels without namespace keep history.
    const memory = CentrifugoApiMemory.make({ history: { "": { size: 100 } } })
    return Effect.gen(function*() {
      const api = yield* CentrifugoApi.CentrifugoApi
      expect(yield* api.publish({ channel: "news", data: { n: 1 } })).toEqual({ offset: 1, epoch: "epoch-1" })
      yield* api.broadcast({ channels: ["news", "other"], data: { n: 2 } })
      expect(yield* api.publish({ channel: "news", data: "quiet", skipHistory: true })).toEqual({})
      expect(memory.published("news")).toEqual([{ n: 1 }, { n: 2 }, "quiet"])
      const history = yield* api.history({ channel: "news", limit: -1, since: { offset: 1, epoch: "epoch-1" } })
      expect(history.publications.map((p) => [p.offset, p.data])).toEqual([[2, { n: 2 }]])
      memory.setPresence("room", [{ user: "a", client: "c1" }, { user: "a", client: "c2" }])
      expect(yield* api.presenceStats({ channel: "room" })).toEqual({ numClients: 2, numUsers: 1 })
      expect(yield* api.mapPublish({ channel: "m", key: "k", data: 1, keyMode: "if_new" })).toMatchObject({ offset: 1 })
      expect(yield* api.mapPublish({ channel: "m", key: "k", data: 2, keyMode: "if_new" })).toMatchObject({ suppressed: true })
      expect(yield* api.mapStats({ channel: "m" })).toEqual({ numKeys: 1 })
      memory.failNext("disconnect", 108, "not available")
      expect(yield* Effect.flip(api.disconnect({ user: "a" }))).toMatchObject({ _tag: "CentrifugoApiError", code: 108 })
      expect(memory.calls.map((c) => c.method)).toEqual([
        "publish", "broadcast", "publish", "history", "presenceStats", "mapPublish", "mapPublish", "mapStats", "disconnect"
      ])
    }).pipe(Effect.provide(memory.layer))
  })
})

describe("CentrifugoApiMemory answers like Centrifugo: stream positions only where the channel keeps history", () => {
  it.effect("by default no channel keeps history: publish answers {}, history and historyRemove 108", () => {
    const memory = CentrifugoApiMemory.make()
    return Effect.gen(function*() {
      const api = yield* CentrifugoApi.CentrifugoApi
      expect(yield* api.publish({ channel: "news", data: 1 })).toEqual({})
      expect(yield* api.broadcast({ channels: ["news", "chat:1"], data: 2 })).toEqual([
        { channel: "news", result: {} },
        { channel: "chat:1", result: {} }
      ])
      const notAvailable = { _tag: "CentrifugoApiError", code: 108, message: "not available" }
      expect(yield* Effect.flip(api.history({ channel: "news", limit: -1 }))).toMatchObject(notAvailable)
      expect(yield* Effect.flip(api.historyRemove({ channel: "news" }))).toMatchObject(notAvailable)
      // What was published is still there for the test to read.
      expect(memory.published("news")).toEqual([1, 2])
    }).pipe(Effect.provide(memory.layer))
  })

  it.effect("history by namespace: size keeps the newest, ttl (by the Clock) drops the old, other namespaces answer {}", () => {
    const memory = CentrifugoApiMemory.make({ history: { chat: { size: 2, ttl: "1 minute" } } })
    return Effect.gen(function*() {
      const api = yield* CentrifugoApi.CentrifugoApi
      expect(yield* api.publish({ channel: "chat:room", data: "a" })).toEqual({ offset: 1, epoch: "epoch-1" })
      expect(yield* api.publish({ channel: "news", data: "x" })).toEqual({})
      expect(yield* api.publish({ channel: "chatter", data: "x" })).toEqual({}) // not the `chat` namespace
      yield* api.publish({ channel: "chat:room", data: "b" })
      yield* TestClock.adjust("40 seconds")
      expect(yield* api.publish({ channel: "chat:room", data: "c" })).toEqual({ offset: 3, epoch: "epoch-1" })
      const all = yield* api.history({ channel: "chat:room", limit: -1 })
      expect(all).toEqual({ publications: [{ data: "b", offset: 2 }, { data: "c", offset: 3 }], offset: 3, epoch: "epoch-1" })
      yield* TestClock.adjust("30 seconds") // "b" is 70 s old, "c" 30 s
      expect((yield* api.history({ channel: "chat:room", limit: -1 })).publications).toEqual([{ data: "c", offset: 3 }])
      expect(yield* api.publish({ channel: "chat:room", data: "d", skipHistory: true })).toEqual({})
      yield* api.historyRemove({ channel: "chat:room" })
      expect(yield* api.history({ channel: "chat:room", limit: -1 })).toEqual({ publications: [], offset: 3, epoch: "epoch-1" })
      expect(memory.published("chat:room")).toEqual(["a", "b", "c", "d"])
    }).pipe(Effect.provide(memory.layer))
  })

  it.effect("history by a function of the channel name, with another namespace boundary", () => {
    const memory = CentrifugoApiMemory.make({
      namespaceBoundary: "/",
      history: (channel) => (channel.startsWith("feed/") ? { size: 10 } : undefined)
    })
    return Effect.gen(function*() {
      const api = yield* CentrifugoApi.CentrifugoApi
      expect(yield* api.publish({ channel: "feed/1", data: 1 })).toEqual({ offset: 1, epoch: "epoch-1" })
      expect(yield* api.publish({ channel: "feed:1", data: 1 })).toEqual({})
    }).pipe(Effect.provide(memory.layer))
  })
})

describe("a server API that is not configured", () => {
  const lines: Array<string> = []
  const capture = Logger.layer([Logger.make<unknown, void>(({ logLevel, message }) => {
    lines.push(`${logLevel} ${(Array.isArray(message) ? message : [message]).join(" ")}`)
  })])
  const emptyEnv = ConfigProvider.layer(ConfigProvider.fromEnvRecord({}))

  it.effect("layerHttpConfig({ optional: true }) without PROXY_CENTRIFUGO_API_KEY: one warning, calls fail with 108", () =>
    Effect.gen(function*() {
      const api = yield* CentrifugoApi.CentrifugoApi
      const failure = yield* Effect.flip(api.publish({ channel: "news", data: 1, idempotencyKey: "k" }))
      expect(failure).toMatchObject({
        _tag: "CentrifugoApiError",
        method: "publish",
        code: 108,
        message: expect.stringContaining("server API not configured: PROXY_CENTRIFUGO_API_KEY is not set")
      })
      yield* Effect.flip(api.presence({ channel: "news" }))
      expect(lines.filter((line) => line.includes("CentrifugoApi disabled"))).toHaveLength(1)
      expect(lines[0]).toMatch(/^Warn/)
    }).pipe(Effect.provide(CentrifugoApi.layerHttpConfig({ optional: true }).pipe(Layer.provide([capture, emptyEnv])))))

  it.effect("layerHttpConfig() still requires the key", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Layer.build(CentrifugoApi.layerHttpConfig()).pipe(Effect.scoped))
      expect(exit._tag).toBe("Failure")
    }).pipe(Effect.provide(emptyEnv)))

  it.effect("with the key set, the optional form is the HTTP client (no warning)", () =>
    Effect.gen(function*() {
      lines.length = 0
      const env = ConfigProvider.layer(ConfigProvider.fromEnvRecord({ PROXY_CENTRIFUGO_API_KEY: "k", PROXY_CENTRIFUGO_API_URL: "http://127.0.0.1:1" }))
      const failure = yield* Effect.flip(
        Effect.flatMap(Effect.service(CentrifugoApi.CentrifugoApi), (api) => api.info()).pipe(
          Effect.provide(CentrifugoApi.layerHttpConfig({ optional: true }).pipe(Layer.provide([capture, env])))
        )
      )
      expect(failure._tag).toBe("CentrifugoTransportError")
      expect(lines).toEqual([])
    }))
})

// Stream subscriptions, map, shared-poll and PRO notification methods, in-process with a grpc-js client that calls
// the server exactly as Centrifugo does.
import * as grpc from "@grpc/grpc-js"
import { Effect, Schedule, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HandlerSet, Payload, Reply } from "../../src/index.ts"
import type * as pb from "../../src/proto/generated/proxy.ts"
import { ProxyClient, TestServer } from "../../src/testing/index.ts"
import { collect } from "../support/streams.ts"

const { json, parseJson } = ProxyClient

const state = {
  produced: 0,
  acquired: 0,
  released: 0,
  pageSize: 1024
}

const handlers = HandlerSet.layer({
  subscribeUnidirectional: (request) => {
    switch (request.channel) {
      case "stream:three":
        return Effect.succeed(Reply.stream(
          Stream.make(1, 2, 3).pipe(Stream.map((n) => ({ data: { n }, tags: { index: String(n) } }))),
          { data: { welcome: request.user } }
        ))
      case "stream:binary":
        return Effect.succeed(Reply.stream(Stream.make({ data: Payload.binary(Buffer.from([0, 255])) })))
      case "stream:denied":
        return Effect.fail(Reply.error(1403, "no stream for you"))
      case "stream:broken-start":
        return Effect.die(new Error("could not open the feed"))
      case "stream:broken-later":
        return Effect.succeed(Reply.stream(
          Stream.concat(Stream.make({ data: 1 }), Stream.fail(new Error("feed lost")))
        ))
      case "stream:endless":
        // Counts acquisitions and releases of the feed, and every publication it produces.
        return Effect.succeed(Reply.stream(
          Stream.unwrap(Effect.acquireRelease(
            Effect.sync(() => state.acquired++),
            () => Effect.sync(() => state.released++)
          ).pipe(Effect.as(
            Stream.iterate(0, (n) => n + 1).pipe(
              Stream.map((n) => {
                state.produced++
                return { data: { n, padding: "x".repeat(state.pageSize) } }
              })
            )
          )))
        ))
      default:
        return Effect.succeed(Reply.error(1404, "unknown stream"))
    }
  },
  subscribeBidirectional: (request, incoming) =>
    Effect.succeed(Reply.stream(
      incoming.pipe(Stream.map((publication) => ({
        data: { echo: publication.data, by: request.user, tags: publication.tags }
      })))
    )),
  mapPublish: (request) =>
    request.key === "forbidden"
      ? Effect.succeed(Reply.error(1403, "read-only key"))
      : Effect.succeed(Reply.mapPublish({
        key: request.key.toLowerCase(),
        data: { value: request.data, by: request.user },
        keyMode: "if_new",
        tags: { source: "backend" },
        version: 7
      })),
  mapRemove: (request) => Effect.succeed(Reply.mapRemove({ key: request.key, idempotencyKey: `rm-${request.key}` })),
  sharedPollRefresh: (request) =>
    Effect.succeed(Reply.sharedPollRefresh({
      items: request.items.map((item) =>
        item.key === "gone"
          ? { key: item.key, version: item.version + 1n, removed: true }
          : { key: item.key, version: item.version + 1n, data: { price: 10 } }
      ),
      epoch: "e1"
    })),
  notifyCacheEmpty: (request) => Effect.succeed(Reply.notifyCacheEmpty({ populated: request.channel === "cached" })),
  notifyChannelState: (request) =>
    request.events.some((event) => event.type === "bogus")
      ? Effect.succeed(Reply.error(1400, "unknown event type"))
      : Effect.succeed(Reply.notifyChannelState())
})

describe("stream subscriptions", () => {
  let server: TestServer.RunningServer
  let client: ProxyClient.ProxyClient

  beforeAll(async () => {
    server = await TestServer.start(handlers)
    client = ProxyClient.make(server.address)
  })
  afterAll(async () => {
    client.close()
    await server.stop()
  })

  it("unidirectional: the subscribe response first, then each publication, then OK", async () => {
    const { messages, status } = await collect(client.subscribeUnidirectional({ channel: "stream:three", user: "ann" }))
    expect(status.code).toBe(grpc.status.OK)
    expect(parseJson(messages[0]!.subscribe_response?.result?.data)).toEqual({ welcome: "ann" })
    expect(messages.slice(1).map((m) => [parseJson(m.publication?.data), m.publication?.tags])).toEqual([
      [{ n: 1 }, { index: "1" }],
      [{ n: 2 }, { index: "2" }],
      [{ n: 3 }, { index: "3" }]
    ])
  })

  it("binary publications are sent as the bytes themselves", async () => {
    const { messages } = await collect(client.subscribeUnidirectional({ channel: "stream:binary" }))
    expect([...messages[1]!.publication!.data!]).toEqual([0, 255])
  })

  it("a rejection is the first and only message", async () => {
    const { messages, status } = await collect(client.subscribeUnidirectional({ channel: "stream:denied" }))
    expect(status.code).toBe(grpc.status.OK)
    expect(messages).toEqual([{ subscribe_response: { error: { code: 1403, message: "no stream for you" } } }])
  })

  it("a failure before the first reply answers error 100; a failure later ends the call with INTERNAL; both logged", async () => {
    const start = await collect(client.subscribeUnidirectional({ channel: "stream:broken-start" }))
    expect(start.messages).toEqual([
      { subscribe_response: { error: { code: 100, message: "internal server error", temporary: true } } }
    ])
    const later = await collect(client.subscribeUnidirectional({ channel: "stream:broken-later" }))
    expect(later.messages).toHaveLength(2)
    expect(later.status.code).toBe(grpc.status.INTERNAL)
    expect(server.logs.some((l) => l.cause.includes("could not open the feed"))).toBe(true)
    expect(server.logs.some((l) => l.message.includes("publications failed") && l.cause.includes("feed lost"))).toBe(true)
  })

  it("cancelling the call interrupts the stream and runs its finalizer once", async () => {
    const released = state.released
    const call = client.subscribeUnidirectional({ channel: "stream:endless" })
    let received = 0
    await new Promise<void>((resolve) => {
      call.on("data", () => {
        if (++received === 5) {
          call.cancel()
          resolve()
        }
      })
      call.on("error", () => {})
    })
    await expect.poll(() => state.released, { timeout: 2_000 }).toBe(released + 1)
    expect(state.acquired).toBe(state.released)
  })

  it("a client that stops reading holds the producer back: production stays bounded", async () => {
    state.produced = 0
    const call = client.subscribeUnidirectional({ channel: "stream:endless" })
    call.on("error", () => {})
    let received = 0
    let slow = true
    call.on("data", () => {
      received++
      if (slow) call.pause() // a slow client: takes one message, then nothing
    })
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const producedWhilePaused = state.produced
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    // No growth while paused: the producer waits for HTTP/2 flow control, it does not buffer without limit.
    expect(state.produced).toBe(producedWhilePaused)
    // The bound is the transport's windows and buffers (~1 KiB messages): a few hundred, not thousands.
    expect(producedWhilePaused).toBeLessThan(1_000)
    console.log(`backpressure: ${producedWhilePaused} publications of ~1 KiB produced while the client read ${received}`)
    slow = false
    call.resume()
    await expect.poll(() => state.produced, { timeout: 2_000 }).toBeGreaterThan(producedWhilePaused)
    call.cancel()
  })

  it("bidirectional: the client's publications reach the handler as a stream and come back transformed", async () => {
    const call = client.subscribeBidirectional()
    const messages: Array<pb.StreamSubscribeResponse> = []
    const done = new Promise<grpc.StatusObject>((resolve) => {
      call.on("data", (m: pb.StreamSubscribeResponse) => messages.push(m))
      call.on("error", () => {})
      call.on("status", resolve)
    })
    call.write({ subscribe_request: { client: "c1", protocol: "json", encoding: "json", user: "bob", channel: "bidi:echo" } })
    call.write({ publication: { data: json({ text: "one" }), tags: { t: "1" } } })
    call.write({ publication: { data: json({ text: "two" }) } })
    await expect.poll(() => messages.length, { timeout: 2_000 }).toBe(3)
    call.end() // Centrifugo half-closes: the incoming stream ends, so does the reply stream
    expect((await done).code).toBe(grpc.status.OK)
    expect(messages[0]!.subscribe_response).toEqual({ result: {} })
    expect(messages.slice(1).map((m) => parseJson(m.publication?.data))).toEqual([
      { echo: { text: "one" }, by: "bob", tags: { t: "1" } },
      { echo: { text: "two" }, by: "bob", tags: {} }
    ])
  })

  it("a stream method without a handler answers UNIMPLEMENTED", async () => {
    const bare = await TestServer.start(HandlerSet.layer({}))
    const bareClient = ProxyClient.make(bare.address)
    try {
      const { status } = await collect(bareClient.subscribeUnidirectional({ channel: "x" }))
      expect(status.code).toBe(grpc.status.UNIMPLEMENTED)
      expect(status.details).toContain("no `subscribeUnidirectional` handler")
    } finally {
      bareClient.close()
      await bare.stop()
    }
  })

  it("map publish and remove: every result field on the wire", async () => {
    const published = await client.mapPublish({ user: "ann", channel: "map:x", key: "Key", data: json(5) })
    expect(published.result).toMatchObject({ key: "key", key_mode: "if_new", tags: { source: "backend" }, version: 7n })
    expect(parseJson(published.result?.data)).toEqual({ value: 5, by: "ann" })
    expect((await client.mapPublish({ key: "forbidden" })).error).toEqual({ code: 1403, message: "read-only key" })
    expect((await client.mapRemove({ key: "k" })).result).toEqual({ key: "k", idempotency_key: "rm-k" })
  })

  it("shared-poll refresh: versions, data and removals", async () => {
    const response = await client.sharedPollRefresh({
      channel: "prices",
      items: [{ key: "apple", version: 3n }, { key: "gone", version: 1n }]
    })
    expect(response.result?.epoch).toBe("e1")
    expect(response.result?.items?.map((i) => [i.key, i.version, i.removed ?? false, parseJson(i.data)])).toEqual([
      ["apple", 4n, false, { price: 10 }],
      ["gone", 2n, true, undefined]
    ])
  })

  it("PRO notifications: cache empty and channel state, in-process (open-source Centrifugo never sends them)", async () => {
    expect((await client.notifyCacheEmpty({ channel: "cached" })).result).toEqual({ populated: true })
    expect((await client.notifyCacheEmpty({ channel: "other" })).result).toEqual({})
    const ok = await client.notifyChannelState({ events: [{ time_ms: 1n, channel: "a", type: "occupied" }] })
    expect(ok).toEqual({ result: {} })
    const bad = await client.notifyChannelState({ events: [{ channel: "a", type: "bogus" }] })
    expect(bad.error).toEqual({ code: 1400, message: "unknown event type" })
  })
})


describe("stream subscriptions at a forced shutdown", () => {
  it("end with UNAVAILABLE (as README says), not CANCELLED, once shutdownTimeout passes", async () => {
    const server = await TestServer.start(
      HandlerSet.layer({
        subscribeUnidirectional: () =>
          Effect.succeed(Reply.stream(Stream.fromEffectSchedule(Effect.succeed({ data: 1 }), Schedule.spaced("50 millis"))))
      }),
      { shutdownTimeout: "100 millis" }
    )
    const client = ProxyClient.make(server.address)
    try {
      const call = client.subscribeUnidirectional({ client: "c", channel: "stream:ticks" })
      const done = collect(call)
      await new Promise<void>((resolve) => call.once("data", () => resolve()))
      await server.stop()
      const { status } = await done
      expect(grpc.status[status.code]).toBe("UNAVAILABLE")
      expect(status.details).toBe("server shutting down")
    } finally {
      client.close()
    }
  })
})

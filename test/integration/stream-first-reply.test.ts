// A stream subscription's first reply goes through the same pipeline as a unary call: the time budget, the
// failure reply, the log line with the call's annotations, invalid JSON answered 107, for both stream methods.
import * as grpc from "@grpc/grpc-js"
import { Effect, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HandlerSet, Reply } from "../../src/index.ts"
import type * as pb from "../../src/proto/generated/proxy.ts"
import { ProxyClient, TestServer } from "../../src/testing/index.ts"
import { collect } from "../support/streams.ts"

const interrupted: Array<string> = []

/** The first reply of a channel: slow (outlives the budget), failing, or a stream of one publication. */
const first = (channel: string): Effect.Effect<Reply.StreamReply, unknown> => {
  if (channel === "slow") {
    return Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted.push(channel))))
  }
  if (channel === "failing") return Effect.fail(new Error("no feed"))
  return Effect.succeed(Reply.stream(Stream.make({ data: { n: 1 } })))
}

const handlers = HandlerSet.layer({
  subscribeUnidirectional: (request) => first(request.channel),
  subscribeBidirectional: (request) => first(request.channel)
})

const FAILURE = { subscribe_response: { error: { code: 100, message: "internal server error", temporary: true } } }

describe("the first reply of a stream subscription goes through the pipeline", () => {
  let server: TestServer.RunningServer
  let client: ProxyClient.ProxyClient

  beforeAll(async () => {
    server = await TestServer.start(handlers, { timeout: "200 millis" })
    client = ProxyClient.make(server.address)
  })
  afterAll(async () => {
    client.close()
    await server.stop()
  })

  /** Opens a stream of `kind` on `channel`, as Centrifugo does. */
  const open = (kind: "uni" | "bidi", channel: string, data?: Buffer) => {
    const request = { client: "c1", user: "ann", channel, protocol: "json", encoding: "json", ...(data ? { data } : {}) }
    if (kind === "uni") return client.subscribeUnidirectional(request)
    const call = client.subscribeBidirectional()
    call.write({ subscribe_request: request })
    return call
  }

  it.each(["uni", "bidi"] as const)("%s: a first reply that outlives the budget is interrupted and answered error 100", async (kind) => {
    const before = interrupted.length
    const { messages, status } = await collect(open(kind, "slow"))
    expect(messages).toEqual([FAILURE])
    expect(status.code).toBe(grpc.status.OK)
    expect(interrupted.length).toBe(before + 1)
    const line = server.logs.findLast((l) => l.level === "Error")!
    expect(line.cause).toContain("did not answer within")
  })

  it.each(["uni", "bidi"] as const)("%s: a failure is answered error 100, logged once with the call's annotations", async (kind) => {
    const method = kind === "uni" ? "SubscribeUnidirectional" : "SubscribeBidirectional"
    const before = server.logs.length
    const { messages } = await collect(open(kind, "failing"))
    expect(messages).toEqual([FAILURE])
    const lines = server.logs.slice(before).filter((l) => l.level === "Error")
    expect(lines).toHaveLength(1)
    expect(lines[0]!.message).toBe(`${method} failed; answered error 100`)
    expect(lines[0]!.cause).toContain("no feed")
    expect(lines[0]!.annotations).toMatchObject({
      event: kind === "uni" ? "subscribeUnidirectional" : "subscribeBidirectional",
      client: "c1",
      user: "ann",
      channel: "failing"
    })
    expect(lines[0]!.annotations.durationMs).toMatch(/^\d+\.\d$/)
  })

  it.each(["uni", "bidi"] as const)("%s: data that is not JSON is answered 107 without calling the handler", async (kind) => {
    const { messages } = await collect(open(kind, "ok", Buffer.from("{nope")))
    expect(messages[0]!.subscribe_response?.error?.code).toBe(107)
    expect(messages).toHaveLength(1)
  })

  it.each(["uni", "bidi"] as const)("%s: an accepted stream still sends its first reply, then its publications", async (kind) => {
    const call = open(kind, "ok")
    if (kind === "bidi") (call as grpc.ClientDuplexStream<pb.StreamSubscribeRequest, pb.StreamSubscribeResponse>).end()
    const { messages, status } = await collect(call)
    expect(status.code).toBe(grpc.status.OK)
    expect(messages.map((m) => Object.keys(m)[0])).toEqual(["subscribe_response", "publication"])
    expect(ProxyClient.parseJson(messages[1]!.publication?.data)).toEqual({ n: 1 })
  })
})

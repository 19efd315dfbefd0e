// The gRPC server in-process, called by a grpc-js client exactly as Centrifugo calls it.
import * as grpc from "@grpc/grpc-js"
import { Deferred, Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HandlerSet, Reply } from "../../src/index.ts"
import * as pb from "../../src/proto/generated/proxy.ts"
import { ProxyClient, TestServer } from "../../src/testing/index.ts"

const { json, parseJson } = ProxyClient

const grpcError = (promise: Promise<unknown>): Promise<grpc.ServiceError> =>
  promise.then(
    (value) => {
      throw new Error(`expected a gRPC error, got ${JSON.stringify(value)}`)
    },
    (error: grpc.ServiceError) => error
  )

describe("ProxyServer over gRPC", () => {
  // Observations from inside handlers, keyed by test.
  const seen = new Map<string, unknown>()
  const interrupted = new Set<string>()
  let server: TestServer.RunningServer
  let client: ProxyClient.ProxyClient

  const slow = (key: string) =>
    Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted.add(key))))

  const handlers = HandlerSet.layer({
    connect: (request) =>
      Effect.gen(function*() {
        seen.set("connect", request)
        const mode = (request.data as { mode?: string } | undefined)?.mode
        switch (mode) {
          case "defect":
            return yield* Effect.die(new Error("boom in connect"))
          case "throw":
            throw new Error("thrown in connect")
          case "failure":
            return yield* Effect.fail({ _tag: "DatabaseDown" as const })
          case "reject":
            return yield* Effect.fail(Reply.error(1403, "forbidden by test"))
          case "disconnect":
            return Reply.disconnect(4501, "go away")
          case "bad-code":
            return Reply.error(42, "not a valid code")
          case "empty":
            return Reply.connect({ user: "", data: {}, info: "", meta: {} })
          case "hang":
            return yield* slow(request.client)
          case "slow-ok":
            yield* Effect.sleep("300 millis")
            return Reply.connect({ user: "slow" })
          default:
            return Reply.connect({
              user: "42",
              expireAt: 1_900_000_000,
              data: { echo: request.data, name: request.name },
              channels: ["news", "chat:42"],
              subs: { "personal:42": { data: { welcome: true }, override: { presence: false } } },
              meta: { role: "admin" }
            })
        }
      }),
    refresh: (request) =>
      request.user === "broken"
        ? Effect.die(new Error("refresh store down"))
        : Effect.succeed(Reply.refresh({ expireAt: 1_900_000_100, meta: { refreshed: true } })),
    rpc: (request) =>
      request.method === "wrong-reply"
        // A handler written in JS (or cast) that answers another event's reply.
        ? Effect.succeed(Reply.subscribe() as unknown as Reply.RpcResult)
        : Effect.succeed(Reply.rpc({ data: { method: request.method, input: request.data } }))
  })

  beforeAll(async () => {
    server = await TestServer.start(handlers, { shutdownTimeout: "200 millis" })
    client = ProxyClient.make(server.address)
  })
  afterAll(async () => {
    client.close()
    await server.stop()
  })

  it("decodes the request (headers, data) and encodes every connect result field", async () => {
    const response = await client.connect(
      { client: "c-1", transport: "websocket", protocol: "json", encoding: "json", name: "js", data: json({ token: "t" }) },
      { metadata: { authorization: "Bearer abc", "x-multi": ["a", "b"] }, timeoutMs: 2000 }
    )
    const request = seen.get("connect") as { headers: Record<string, string>; data: unknown; client: string }
    expect(request.client).toBe("c-1")
    expect(request.data).toEqual({ token: "t" })
    expect(request.headers.authorization).toBe("Bearer abc")
    expect(request.headers["x-multi"]).toBe("a, b")
    expect(response.error).toBeUndefined()
    const result = response.result!
    expect(result.user).toBe("42")
    expect(result.expire_at).toBe(1_900_000_000n)
    expect(parseJson(result.data)).toEqual({ echo: { token: "t" }, name: "js" })
    expect(result.channels).toEqual(["news", "chat:42"])
    expect(parseJson(result.subs!["personal:42"]!.data)).toEqual({ welcome: true })
    // An explicit override to false: the BoolValue wrapper is present (its false value is off the wire).
    expect(result.subs!["personal:42"]!.override?.presence).toEqual({})
    expect(result.subs!["personal:42"]!.override?.join_leave).toBeUndefined()
    expect(parseJson(result.meta)).toEqual({ role: "admin" })
  })

  it("sends explicit empty JSON values, distinct from unset", async () => {
    const response = await client.connect({ client: "c-2", data: json({ mode: "empty" }) })
    expect(Buffer.from(response.result!.data!).toString()).toBe("{}")
    expect(Buffer.from(response.result!.info!).toString()).toBe('""')
    expect(response.result!.user ?? "").toBe("")
    expect(response.result!.expire_at).toBeUndefined()
    expect(response.result!.channels).toBeUndefined()
  })

  it("answers a defect with error 100 (temporary) and logs the cause once", async () => {
    const before = server.logs.length
    const response = await client.connect({ client: "c-3", data: json({ mode: "defect" }) })
    expect(response.error).toEqual({ code: 100, message: "internal server error", temporary: true })
    const lines = server.logs.slice(before).filter((l) => l.level === "Error")
    expect(lines).toHaveLength(1)
    expect(lines[0]!.message).toContain("Connect failed; answered error 100")
    expect(lines[0]!.cause).toContain("boom in connect")
  })

  it("answers a thrown exception and an unhandled typed failure the same way", async () => {
    const thrown = await client.connect({ client: "c-4", data: json({ mode: "throw" }) })
    const failed = await client.connect({ client: "c-5", data: json({ mode: "failure" }) })
    expect(thrown.error?.code).toBe(100)
    expect(failed.error?.code).toBe(100)
    expect(server.logs.some((l) => l.cause.includes("thrown in connect"))).toBe(true)
    expect(server.logs.some((l) => l.cause.includes("DatabaseDown"))).toBe(true)
  })

  it("turns Reply.error raised as a failure, and Reply.disconnect, into those replies", async () => {
    const rejected = await client.connect({ client: "c-6", data: json({ mode: "reject" }) })
    // proto3 leaves false and "" off the wire: temporary=false decodes as absent.
    expect(rejected.error).toEqual({ code: 1403, message: "forbidden by test" })
    expect(rejected.result).toBeUndefined()
    const disconnected = await client.connect({ client: "c-7", data: json({ mode: "disconnect" }) })
    expect(disconnected.disconnect).toEqual({ code: 4501, reason: "go away" })
  })

  it("answers a reply built with an invalid code as an internal error naming the rule", async () => {
    const response = await client.connect({ client: "c-8", data: json({ mode: "bad-code" }) })
    expect(response.error?.code).toBe(100)
    expect(server.logs.some((l) => l.cause.includes("code 42 is not allowed"))).toBe(true)
  })

  it("answers another event's reply as an internal error", async () => {
    const response = await client.rpc({ client: "c-9", method: "wrong-reply" })
    expect(response.error?.code).toBe(100)
    expect(server.logs.some((l) => l.cause.includes("the rpc handler answered SubscribeResult"))).toBe(true)
  })

  it("answers a refresh failure with gRPC INTERNAL, so Centrifugo extends the session and retries", async () => {
    const error = await grpcError(client.refresh({ client: "c-10", user: "broken" }))
    expect(error.code).toBe(grpc.status.INTERNAL)
    const ok = await client.refresh({ client: "c-10", user: "u", meta: json({ a: 1 }) })
    expect(ok.result?.expire_at).toBe(1_900_000_100n)
    expect(parseJson(ok.result?.meta)).toEqual({ refreshed: true })
  })

  it("answers invalid JSON in data with error 107 without calling the handler", async () => {
    seen.delete("connect")
    const response = await client.connect({ client: "c-11", data: Buffer.from("{not json") })
    expect(response.error?.code).toBe(107)
    expect(response.error?.message).toMatch(/^bad request: data is not valid JSON \(.+\)$/)
    expect(seen.has("connect")).toBe(false)
    expect(server.logs.some((l) => l.level === "Warn" && l.message.includes("data is not valid JSON"))).toBe(true)
  })

  it("a flood of invalid JSON is answered every time and warned about once per 10 s", async () => {
    const warnings = () => server.logs.filter((l) => l.level === "Warn" && l.message.includes("data is not valid JSON"))
    const before = warnings().length
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.connect({ client: `flood-${i}`, data: Buffer.from("{not json") }))
    )
    expect(replies.map((r) => r.error?.code)).toEqual(Array(50).fill(107))
    // At most one line for the 50 (none when an earlier warning opened this 10 s window; one when this is the first).
    expect(warnings().length - before).toBeLessThanOrEqual(1)
  })

  it("answers undecodable bytes with INVALID_ARGUMENT", async () => {
    // Field 1 (client, a string) declared with length 100 but only 3 bytes follow.
    const error = await grpcError(client.raw("Connect", Buffer.from([0x0a, 100, 1, 2, 3])))
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT)
    expect(error.details).toContain("undecodable ConnectRequest")
  })

  it("answers a method without handler with UNIMPLEMENTED naming the handler", async () => {
    const error = await grpcError(client.subscribe({ client: "c-12", channel: "news" }))
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED)
    expect(error.details).toContain("no `subscribe` handler")
    const stream = await grpcError(client.raw("NotifyCacheEmpty", pb.NotifyCacheEmptyRequest.encode({ channel: "x" }).finish()))
    expect(stream.code).toBe(grpc.status.UNIMPLEMENTED)
  })

  it("answers the failure reply shortly before the call's deadline and interrupts the handler", async () => {
    const before = server.logs.length
    // Answered, not reset: Centrifugo gets the reply it would have turned a timeout into, with no RST_STREAM.
    const response = await client.connect({ client: "deadline-1", data: json({ mode: "hang" }) }, { timeoutMs: 300 })
    expect(response.error).toEqual({ code: 100, message: "internal server error", temporary: true })
    await expect.poll(() => interrupted.has("deadline-1"), { timeout: 2000 }).toBe(true)
    const lines = server.logs.slice(before).filter((l) => l.level === "Error")
    expect(lines).toHaveLength(1)
    expect(lines[0]!.cause).toContain("did not answer within")
  })

  it("interrupts the handler when Centrifugo cancels the call", async () => {
    const controller = new AbortController()
    const call = grpcError(client.connect({ client: "cancel-1", data: json({ mode: "hang" }) }, { signal: controller.signal }))
    setTimeout(() => controller.abort(), 100)
    expect((await call).code).toBe(grpc.status.CANCELLED)
    await expect.poll(() => interrupted.has("cancel-1"), { timeout: 2000 }).toBe(true)
  })

  it("answers 200 concurrent calls, each with its own reply", async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.rpc({ client: `c-${i}`, method: `m${i}`, data: json(i) }))
    )
    responses.forEach((response, i) => expect(parseJson(response.result?.data)).toEqual({ method: `m${i}`, input: i }))
  })
})

describe("ProxyServer limits and shutdown", () => {
  it("refuses a message over maxReceiveMessageLength with RESOURCE_EXHAUSTED and keeps serving", async () => {
    const server = await TestServer.start(
      HandlerSet.layer({ rpc: () => Effect.succeed(Reply.rpc({ data: "ok" })) }),
      { maxReceiveMessageLength: 1024 }
    )
    const client = ProxyClient.make(server.address)
    try {
      const error = await grpcError(client.rpc({ method: "big", data: json("x".repeat(4096)) }))
      expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED)
      const ok = await client.rpc({ method: "small", data: json("x") })
      expect(parseJson(ok.result?.data)).toBe("ok")
    } finally {
      client.close()
      await server.stop()
    }
  })

  it("lets in-flight calls finish on shutdown, then interrupts what outlives the grace period", async () => {
    const finished: Array<string> = []
    const gate = Effect.runSync(Deferred.make<void>())
    const server = await TestServer.start(
      HandlerSet.layer({
        rpc: (request) =>
          request.method === "quick"
            ? Effect.sleep("150 millis").pipe(Effect.as(Reply.rpc({ data: "done" })), Effect.ensuring(Effect.sync(() => finished.push("quick"))))
            : Deferred.await(gate).pipe(Effect.as(Reply.rpc()), Effect.onInterrupt(() => Effect.sync(() => finished.push("interrupted"))))
      }),
      { shutdownTimeout: "400 millis" }
    )
    const client = ProxyClient.make(server.address)
    try {
      const quick = client.rpc({ method: "quick" })
      const stuck = grpcError(client.rpc({ method: "stuck" }))
      await new Promise((resolve) => setTimeout(resolve, 50))
      const stopping = server.stop()
      expect(parseJson((await quick).result?.data)).toBe("done")
      const error = await stuck
      expect(error.code).toBe(grpc.status.UNAVAILABLE)
      expect(error.details).toBe("server shutting down")
      await stopping
      expect(finished).toEqual(["quick", "interrupted"])
      expect(server.logs.some((l) => l.message.includes("1 call(s) still running"))).toBe(true)
    } finally {
      client.close()
    }
  })

  it("timeout bounds every call, as on HTTP: a call whose deadline is later is answered when timeout passes", async () => {
    const interruptedHere: Array<string> = []
    const server = await TestServer.start(
      HandlerSet.layer({
        rpc: () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interruptedHere.push("rpc"))))
      }),
      { timeout: "200 millis" }
    )
    const client = ProxyClient.make(server.address)
    try {
      // A deadline of 10 s: without `timeout` bounding the call, its budget would be the deadline less the margin.
      const response = await client.rpc({ method: "hang" }, { timeoutMs: 10_000 })
      expect(response.error).toEqual({ code: 100, message: "internal server error", temporary: true })
      expect(interruptedHere).toEqual(["rpc"])
      const errors = server.logs.filter((l) => l.level === "Error")
      expect(errors).toHaveLength(1)
      expect(errors[0]!.cause).toContain("did not answer within 200ms")
    } finally {
      client.close()
      await server.stop()
    }
  })

  it("fails to start with a clear error when the port is taken", async () => {
    const first = await TestServer.start(HandlerSet.layer({}))
    const taken = await Effect.runPromise(
      Effect.flip(Layer.build(
        (await import("../../src/grpc/ProxyServer.ts")).layer({ host: "127.0.0.1", port: first.port }).pipe(
          Layer.provide(HandlerSet.layer({}))
        )
      ).pipe(Effect.scoped))
    ).finally(() => first.stop())
    expect(taken._tag).toBe("ProxyServerError")
    expect(taken.message).toContain(`cannot bind 127.0.0.1:${first.port}`)
  })
})

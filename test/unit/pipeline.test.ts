// The core pipeline's promises, in the forms users actually write: a throw anywhere in user code (before or
// after an Effect exists) becomes the failure reply and one log line with the cause, through the server and
// through `handle` alike; rejections can be yielded; `handle` shows why a call failed; logs cannot be forged.
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Layer, Schema } from "effect"
import { afterAll, beforeAll } from "vitest"
import {
  CentrifugoApi,
  Handler,
  HandlerSet,
  Interceptor,
  Payload,
  ProxyServer,
  Reply,
  RpcRouter,
  TokenStorage
} from "../../src/index.ts"
import {
  connectRequest,
  handle,
  ProxyClient,
  refreshRequest,
  rpcRequest,
  TestServer
} from "../../src/testing/index.ts"

const boom = (where: string): never => {
  throw new Error(`thrown in ${where}`)
}

/** Each case: a handler set where user code throws, and the text the logged cause must contain. */
const throwingCases: ReadonlyArray<readonly [string, Layer.Layer<HandlerSet.HandlerSet>, string]> = [
  ["a handler that throws before returning an Effect", HandlerSet.layer({ rpc: (): Effect.Effect<Reply.RpcReply> => boom("handler") }), "thrown in handler"],
  [
    "an out-of-range Reply.error code evaluated as an argument",
    HandlerSet.layer({ rpc: () => Effect.succeed(Reply.error(200, "x")) }),
    "Reply.error: code 200 is not allowed"
  ],
  [
    "an interceptor that throws before returning an Effect",
    HandlerSet.layer({ rpc: () => Effect.succeed(Reply.rpc()) }).pipe(Interceptor.make(() => boom("interceptor"))),
    "thrown in interceptor"
  ],
  [
    "an RpcRouter.make method that throws",
    HandlerSet.layer({ rpc: RpcRouter.make({ m: (): Effect.Effect<string> => boom("rpc method") }) }),
    "thrown in rpc method"
  ],
  [
    "a Schema check that throws while decoding the payload",
    HandlerSet.layer({
      rpc: Handler.withPayload(
        Schema.String.check(Schema.makeFilter((): boolean => boom("schema check"))),
        () => Effect.succeed(Reply.rpc())
      )
    }),
    "thrown in schema check"
  ],
  [
    "a withPayload handler that throws before returning an Effect",
    HandlerSet.layer({
      rpc: Handler.withPayload(Schema.String, (): Effect.Effect<Reply.RpcReply> => boom("payload handler"))
    }),
    "thrown in payload handler"
  ],
  [
    "a reply with no JSON form, answered after the handler waited",
    HandlerSet.layer({ rpc: () => Effect.as(Effect.yieldNow, Reply.rpc({ data: { n: 1n } })) }),
    "BigInt"
  ],
  [
    "a mapFailures case that throws",
    HandlerSet.layer({ rpc: () => Effect.fail({ _tag: "Oops" as const }) }).pipe(
      Interceptor.mapFailures({ Oops: () => boom("mapFailures case") })
    ),
    "thrown in mapFailures case"
  ],
  [
    "a reply whose data has no JSON form",
    HandlerSet.layer({ rpc: () => Effect.succeed(Reply.rpc({ data: { n: 1n } })) }),
    "BigInt"
  ]
]

describe("a throw anywhere in user code", () => {
  describe.each(throwingCases)("%s", (_name, handlers, causeText) => {
    it.effect("handle: answers error 100 (temporary), with the cause and one Error line", () =>
      Effect.gen(function*() {
        const reply = yield* handle(rpcRequest({ method: "m", data: "x" }))
        expect(reply.error).toEqual({ code: 100, message: "internal server error", temporary: true })
        expect(reply.cause).toBeDefined()
        expect(Cause.pretty(reply.cause!)).toContain(causeText)
        const errors = reply.logs.filter((line) => line.level === "Error")
        expect(errors).toHaveLength(1)
        expect(errors[0]!.annotations).toMatchObject({ event: "rpc", method: "m" })
      }).pipe(Effect.provide(handlers)))

    describe("through the gRPC server", () => {
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
      it("answers error 100 (temporary) and logs one Error line with the cause", async () => {
        const before = server.logs.length
        const response = await client.rpc({ client: "c1", method: "m", data: ProxyClient.json("x") })
        expect(response.error).toEqual({ code: 100, message: "internal server error", temporary: true })
        const errors = server.logs.slice(before).filter((line) => line.level === "Error")
        expect(errors).toHaveLength(1)
        expect(errors[0]!.cause).toContain(causeText)
      })
    })
  })

  it.effect("refresh (whose error Centrifugo ignores) answers the transport failure status instead", () =>
    Effect.gen(function*() {
      const reply = yield* handle(refreshRequest())
      expect(reply.status?.code).toBe(13)
      expect(Cause.pretty(reply.cause!)).toContain("thrown in refresh")
    }).pipe(Effect.provide(HandlerSet.layer({ refresh: (): Effect.Effect<Reply.RefreshReply> => boom("refresh") }))))
})

describe("JSON nested beyond the limit", () => {
  let server: TestServer.RunningServer
  let client: ProxyClient.ProxyClient
  let called = 0
  beforeAll(async () => {
    server = await TestServer.start(HandlerSet.layer({
      rpc: RpcRouter.make({
        decode: RpcRouter.method(Schema.Struct({ a: Schema.Unknown }), (payload) => {
          called++
          return Effect.succeed(payload)
        }),
        echo: (request) => {
          called++
          return Effect.succeed(request.data)
        }
      })
    }))
    client = ProxyClient.make(server.address)
  })
  afterAll(async () => {
    client.close()
    await server.stop()
  })

  const nested = (depth: number) => Buffer.from(`${"[".repeat(depth)}${"]".repeat(depth)}`)

  it.each([10_000, 100_000, 1_000_000])("%i levels: answered 107 (not temporary) without calling the handler", async (depth) => {
    for (const method of ["decode", "echo"]) {
      const response = await client.rpc({ client: "c", method, data: nested(depth) })
      expect(response.error).toMatchObject({ code: 107, message: expect.stringContaining("nested deeper than 512") })
      expect(response.error?.temporary ?? false).toBe(false)
    }
    expect(called).toBe(0)
  })

  it("the limit itself is accepted, and brackets inside strings do not count", async () => {
    const atLimit = await client.rpc({ client: "c", method: "echo", data: nested(Payload.maxJsonDepth) })
    expect(atLimit.error).toBeUndefined()
    const inString = await client.rpc({ client: "c", method: "echo", data: ProxyClient.json("[".repeat(5000)) })
    expect(ProxyClient.parseJson(inString.result?.data)).toBe("[".repeat(5000))
  })
})

describe("rejections are yieldable", () => {
  it.effect("return yield* Reply.error(...) answers that error, logged as no failure", () =>
    Effect.gen(function*() {
      const reply = yield* handle(connectRequest())
      expect(reply.error).toEqual({ code: 1403, message: "nope", temporary: false })
      expect(reply.cause).toBeUndefined()
      expect(reply.logs.filter((line) => line.level === "Error")).toHaveLength(0)
    }).pipe(Effect.provide(HandlerSet.layer({
      connect: () =>
        Effect.gen(function*() {
          if (Math.random() < 2) return yield* Reply.error(1403, "nope")
          return Reply.connect({ user: "never" })
        })
    }))))

  it.effect("a rejection raised after the handler waited answers that error, logged as no failure", () =>
    Effect.gen(function*() {
      const reply = yield* handle(connectRequest())
      expect(reply.error).toEqual({ code: 1404, message: "later", temporary: false })
      expect(reply.logs.filter((line) => line.level === "Error")).toHaveLength(0)
    }).pipe(Effect.provide(HandlerSet.layer({
      connect: () => Effect.andThen(Effect.yieldNow, Effect.fail(Reply.error(1404, "later")))
    }))))

  it.effect("return yield* Reply.disconnect(...) closes the connection", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest())
      expect(reply.disconnect).toEqual({ code: 4501, reason: "bye" })
    }).pipe(Effect.provide(HandlerSet.layer({ rpc: () => Effect.gen(function*() { return yield* Reply.disconnect(4501, "bye") }) }))))

  it("rejections print as their fields", () => {
    const rejection = Reply.error(1404, "missing", true)
    expect(JSON.stringify(rejection)).toBe('{"_tag":"ErrorReply","code":1404,"message":"missing","temporary":true}')
    expect(String(rejection)).toBe("ErrorReply(1404: missing, temporary)")
    expect(String(Reply.disconnect(4500, "bye"))).toBe("DisconnectReply(4500: bye)")
  })
})

describe("the library's own failures print with their tag", () => {
  it("TokenRejectedError, ProxyServerError and the CentrifugoApi failures", () => {
    expect(Cause.pretty(Cause.fail(CentrifugoApi.CentrifugoApiError({ method: "publish", code: 102, message: "unknown channel" })))).toMatch(
      /^CentrifugoApiError: unknown channel/
    )
    expect(Cause.pretty(Cause.fail(CentrifugoApi.CentrifugoTransportError({ method: "publish", message: "connection refused", cause: new Error("ECONNREFUSED") }))))
      .toMatch(/^CentrifugoTransportError: connection refused[\s\S]*ECONNREFUSED/)
    expect(Cause.pretty(Cause.fail(TokenStorage.TokenRejectedError({ reason: "expired", message: "token expired" })))).toMatch(
      /^TokenRejectedError: token expired/
    )
    expect(Cause.pretty(Cause.fail(ProxyServer.ProxyServerError({ message: "cannot bind", cause: new Error("EADDRINUSE") })))).toMatch(
      /^ProxyServerError: cannot bind[\s\S]*EADDRINUSE/
    )
    // Matching and JSON see the fields.
    expect(TokenStorage.TokenRejectedError({ reason: "unknown", message: "x" })).toMatchObject({ _tag: "TokenRejectedError", reason: "unknown", message: "x" })
    expect(JSON.parse(JSON.stringify(TokenStorage.TokenRejectedError({ reason: "unknown", message: "x" })))).toEqual({ _tag: "TokenRejectedError", reason: "unknown", message: "x" })
  })
})

describe("handle shows why a call failed", () => {
  it.effect("the cause of an unhandled typed failure and the call's log lines, under it.effect", () =>
    Effect.gen(function*() {
      const reply = yield* handle(connectRequest({ client: "c-9" }))
      expect(reply.error?.code).toBe(100)
      expect(Cause.pretty(reply.cause!)).toContain("DatabaseDown")
      expect(reply.logs.map((line) => [line.level, line.message])).toEqual([
        ["Info", "looking the user up"],
        ["Error", "Connect failed; answered error 100"]
      ])
      expect(reply.logs[1]!.annotations).toMatchObject({ event: "connect", client: "c-9" })
    }).pipe(Effect.provide(HandlerSet.layer({
      connect: () =>
        Effect.gen(function*() {
          yield* Effect.logInfo("looking the user up")
          return yield* Effect.fail({ _tag: "DatabaseDown" as const })
        })
    }))))
})

describe("log lines cannot be forged by client text", () => {
  const forged = "m\n[00:00:00.000] ERROR forged line\u001b[31m"
  it.effect("Interceptor.logging and the failure line escape control characters", () =>
    Effect.gen(function*() {
      const ok = yield* handle(rpcRequest({ method: forged, user: "u\r\nx" }))
      const failed = yield* handle(rpcRequest({ method: `${forged}-fail` }))
      const lines = [...ok.logs, ...failed.logs]
      expect(lines).toHaveLength(2)
      for (const line of lines) {
        const text = `${line.message} ${JSON.stringify(Object.values(line.annotations))}`
        expect(line.message).not.toMatch(/[\n\r\u001b]/)
        expect(Object.values(line.annotations).join("")).not.toMatch(/[\n\r\u001b]/)
        expect(text).toContain("\\n[00:00:00.000] ERROR forged line")
      }
    }).pipe(Effect.provide(HandlerSet.layer({
      rpc: (request) =>
        request.method.endsWith("-fail") ? Effect.die("failing on purpose") : Effect.succeed(Reply.rpc())
    }).pipe(Interceptor.logging()))))
})

describe("a reply of another event's kind", () => {
  // A handler written in JavaScript, or cast, may answer another event's reply: the pipeline refuses it before any
  // codec reads it, for every transport.
  const handlers = HandlerSet.layer({
    refresh: () => Effect.succeed(Reply.error(1400, "x") as unknown as Reply.RefreshResult),
    rpc: () => Effect.succeed(Reply.subscribe() as unknown as Reply.RpcReply)
  })

  for (const transport of ["grpc", "http"] as const) {
    it.effect(`is a failure, logged with what was answered (${transport})`, () =>
      Effect.gen(function*() {
        const rpc = yield* handle(rpcRequest(), { transport })
        expect(rpc.error?.code).toBe(100)
        expect(rpc.cause !== undefined && Cause.pretty(rpc.cause)).toContain(
          "the rpc handler answered SubscribeResult; expected a RpcResult or Reply.error / Reply.disconnect"
        )
        // Refresh answers no errors: the failure is the transport's (a gRPC status, an HTTP 500).
        const refresh = yield* handle(refreshRequest(), { transport })
        expect(refresh.status?.code).toBe(transport === "grpc" ? 13 : 500)
        expect(refresh.cause !== undefined && Cause.pretty(refresh.cause)).toContain(
          "the refresh handler answered ErrorReply; expected a RefreshResult"
        )
      }).pipe(Effect.provide(handlers)))
  }
})

// The testing kit's handle(): results typed per event, and calls as an established connection (establish).
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Cause, Effect, Exit, Stream } from "effect"
import { HandlerSet, Payload, Reply, RpcRouter } from "../../src/index.ts"
import {
  connectRequest,
  establish,
  handle,
  publishRequest,
  refreshRequest,
  rpcRequest,
  sharedPollRefreshRequest,
  subscribeRequest
} from "../../src/testing/index.ts"

const AppHandlers = HandlerSet.layer({
  connect: (request) => {
    const user = (request.data as { user?: string } | undefined)?.user
    return user === undefined
      ? Effect.succeed(Reply.disconnect(4501, "no user"))
      : Effect.succeed(Reply.connect({ user, meta: { role: "admin" }, info: { name: user.toUpperCase() }, expireAt: 60 }))
  },
  rpc: RpcRouter.make({
    whoami: (request) => Effect.succeed({ user: request.user, meta: request.meta ?? null, client: request.client })
  }),
  publish: (request) => Effect.succeed(Reply.publish({ data: { by: request.user } }))
})

describe("handle: results typed per event", () => {
  it.effect("a connect result has user and expire_at; an rpc result has data", () =>
    Effect.gen(function*() {
      const connected = yield* handle(connectRequest({ data: { user: "alice" } }))
      expectTypeOf(connected.result?.user).toEqualTypeOf<string | undefined>()
      expectTypeOf(connected.result?.expire_at).toEqualTypeOf<number | undefined>()
      expect(connected.result?.user).toBe("alice")
      expect(connected.result?.expire_at).toBeGreaterThan(0)
      // @ts-expect-error a connect result has no `method`
      expect(connected.result?.method).toBeUndefined()
      const called = yield* handle(rpcRequest({ method: "whoami" }))
      expectTypeOf(called.result?.data).toEqualTypeOf<unknown>()
      // @ts-expect-error an rpc result has no `user`
      expect(called.result?.user).toBeUndefined()
    }).pipe(Effect.provide(AppHandlers)))
})

describe("establish: calls as an established connection", () => {
  it.effect("later requests carry the connection's client, user and the meta its connect reply set", () =>
    Effect.gen(function*() {
      const alice = yield* establish(connectRequest({ client: "client-a", data: { user: "alice" } }))
      expect(alice).toMatchObject({ client: "client-a", user: "alice", meta: { role: "admin" }, info: { name: "ALICE" } })
      const whoami = yield* handle(alice.as(rpcRequest({ method: "whoami" })))
      expect(whoami.result?.data).toEqual({ user: "alice", meta: { role: "admin" }, client: "client-a" })
      const published = yield* handle(alice.as(publishRequest({ channel: "chat", data: { text: "hi" } })))
      expect(published.result?.data).toEqual({ by: "alice" })
    }).pipe(Effect.provide(AppHandlers)))

  it.effect("a refused connect fails with ConnectionRefusedError and the reply", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(establish(connectRequest({ data: {} })))
      expect(Exit.isFailure(exit)).toBe(true)
      const refused = yield* Effect.flip(establish(connectRequest({ data: {} })))
      expect(refused._tag).toBe("ConnectionRefusedError")
      expect(refused.reply.disconnect).toEqual({ code: 4501, reason: "no user" })
    }).pipe(Effect.provide(AppHandlers)))
})

describe("handle: the transport's answers, chosen explicitly", () => {
  const Handlers = HandlerSet.layer({
    refresh: () => Effect.fail("down"),
    sharedPollRefresh: () =>
      Effect.succeed(Reply.sharedPollRefresh({ items: [{ key: "k", version: 1, data: Payload.binary(new Uint8Array([1])) }] })),
    subscribeUnidirectional: (request) =>
      Effect.succeed(Reply.stream(Stream.empty, { data: { channel: request.channel }, expireAt: 100 }))
  })

  it.effect("statuses are gRPC's by default and HTTP's with transport: http", () =>
    Effect.gen(function*() {
      expect((yield* handle(refreshRequest())).status?.code).toBe(13)
      expect((yield* handle(refreshRequest(), { transport: "http" })).status?.code).toBe(500)
      expect((yield* handle(rpcRequest())).status?.code).toBe(12)
      expect((yield* handle(rpcRequest(), { transport: "http" })).status?.code).toBe(501)
    }).pipe(Effect.provide(Handlers)))

  it.effect("a reply only one transport can send: binary shared-poll data is sent over gRPC, a failure over HTTP", () =>
    Effect.gen(function*() {
      const overGrpc = yield* handle(sharedPollRefreshRequest({ items: [{ key: "k", version: 0n }] }))
      expect(overGrpc.result?.items?.[0]?.data).toEqual(Buffer.from([1]))
      const overHttp = yield* handle(sharedPollRefreshRequest({ items: [{ key: "k", version: 0n }] }), { transport: "http" })
      expect(overHttp.error).toEqual({ code: 100, message: "internal server error", temporary: true })
      expect(overHttp.cause).toBeDefined()
    }).pipe(Effect.provide(Handlers)))

  it.effect("event: a stream handler's first reply", () =>
    Effect.gen(function*() {
      const first = yield* handle(subscribeRequest({ channel: "s" }), { event: "subscribeUnidirectional" })
      expect(first.result).toEqual({ data: { channel: "s" }, expire_at: 100 })
      expect((yield* handle(subscribeRequest({ channel: "s" }))).status?.code).toBe(12)
    }).pipe(Effect.provide(Handlers)))
})

it.effect("handle: an event whose handler takes another request kind is a defect naming both", () =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(handle(rpcRequest(), { event: "subscribeUnidirectional" }))
    expect(Exit.isFailure(exit) && String(Cause.squash(exit.cause))).toContain("takes Subscribe requests, got RPC")
  }).pipe(Effect.provide(HandlerSet.layer({}))))

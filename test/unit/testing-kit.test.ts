// The testing kit's handle(): results typed per event, and calls as an established connection (establish).
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { HandlerSet, Reply, RpcRouter } from "../../src/index.ts"
import { connectRequest, establish, handle, publishRequest, rpcRequest } from "../../src/testing/index.ts"

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

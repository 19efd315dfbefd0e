// A complete test of a handler set with effect-centrifugo/testing (docs/guides/testing.md shows this file).
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Schema } from "effect"
import { Auth, HandlerSet, Reply, RpcRouter } from "effect-centrifugo"
import { connectRequest, handle, Mocks, rpcRequest } from "effect-centrifugo/testing"

// --- the code under test ---------------------------------------------------------------------------------------
interface Orders {
  readonly count: (user: string) => Effect.Effect<number>
}
const Orders = Context.Service<Orders>("app/Orders")

const AppHandlers = HandlerSet.layer({
  connect: () => Effect.map(Effect.service(Auth.CurrentUser), (user) => Reply.connect({ user: user.id })),
  rpc: RpcRouter.make({
    "orders:count": RpcRouter.method(
      Schema.Struct({ status: Schema.Literals(["open", "closed"]) }),
      Effect.fnUntraced(function*() {
        const user = yield* Auth.CurrentUser
        const orders = yield* Orders
        return { count: yield* orders.count(user.id) }
      })
    )
  })
}).pipe(Auth.authenticate()) // Layer<HandlerSet, never, TokenStorage | Orders>

// --- the test --------------------------------------------------------------------------------------------------
const OrdersMock = Layer.succeed(Orders, { count: (user) => Effect.succeed(user === "alice" ? 3 : 0) })
const TestApp = AppHandlers.pipe(Layer.provide([Mocks.tokens({ "alice-token": "alice" }), OrdersMock]))

describe("app handlers", () => {
  it.effect("connects with a good token, refuses a bad one", () =>
    Effect.gen(function*() {
      const ok = yield* handle(connectRequest({ data: { authToken: "alice-token" } }))
      expect(ok.result?.user).toBe("alice")
      const refused = yield* handle(connectRequest({ data: { authToken: "nope" } }))
      expect(refused.error).toEqual({ code: 101, message: "unauthorized: unknown token", temporary: false })
    }).pipe(Effect.provide(TestApp)))

  it.effect("counts the caller's orders; bad payloads get 107", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({ user: "alice", method: "orders:count", data: { status: "open" } }))
      expect(reply.result).toEqual({ data: { count: 3 } })
      const bad = yield* handle(rpcRequest({ user: "alice", method: "orders:count", data: { status: "lost" } }))
      expect(bad.error?.code).toBe(107)
    }).pipe(Effect.provide(TestApp)))
})

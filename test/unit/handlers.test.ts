// HandlerSet as a Layer: services flow from handlers into the Layer's requirements, and are resolved at build time.
import { assert, describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { HandlerSet, ProxyServer, Reply } from "../../src/index.ts"
import { connectRequest, rpcRequest } from "../../src/testing/index.ts"

interface UserDirectory {
  readonly lookup: (token: string) => Effect.Effect<string | undefined>
}
const UserDirectory = Context.Service<UserDirectory>("test/UserDirectory")

interface Clock2 {
  readonly now: () => number
}
const Clock2 = Context.Service<Clock2>("test/Clock2")

const MyHandlers = HandlerSet.layer({
  connect: (request) =>
    Effect.gen(function*() {
      const directory = yield* UserDirectory
      const token = (request.data as { token?: string } | undefined)?.token ?? ""
      const user = yield* directory.lookup(token)
      if (user === undefined) return yield* Effect.fail(Reply.error(Reply.ErrorCode.Unauthorized, "bad token"))
      return Reply.connect({ user })
    }),
  rpc: (request) => Clock2.use((clock) => Effect.succeed(Reply.rpc({ data: { method: request.method, at: clock.now() } })))
})

const DirectoryMock = Layer.succeed(UserDirectory, {
  lookup: (token) => Effect.succeed(token === "good" ? "alice" : undefined)
})
const ClockMock = Layer.succeed(Clock2, { now: () => 1234 })

describe("HandlerSet.layer", () => {
  it.effect("runs each handler with the services of its mock Layers", () =>
    Effect.gen(function*() {
      const handlers = yield* HandlerSet.HandlerSet
      assert.deepStrictEqual(
        yield* handlers.connect!(connectRequest({ data: { token: "good" } })),
        Reply.connect({ user: "alice" })
      )
      const rejected = yield* Effect.flip(handlers.connect!(connectRequest({ data: { token: "bad" } })))
      expect(rejected).toMatchObject({ _tag: "ErrorReply", code: 101 })
      expect(yield* handlers.rpc!(rpcRequest({ method: "now" }))).toMatchObject({ data: { method: "now", at: 1234 } })
      expect(HandlerSet.eventNames(handlers)).toEqual(["connect", "rpc"])
    }).pipe(Effect.provide(MyHandlers.pipe(Layer.provide([DirectoryMock, ClockMock])))))

  it.effect("resolves services once, when the Layer is built", () =>
    Effect.gen(function*() {
      let builds = 0
      const counted = Layer.effect(UserDirectory, Effect.sync(() => {
        builds++
        return { lookup: () => Effect.succeed("bob") }
      }))
      const handlers = yield* Effect.provide(Effect.service(HandlerSet.HandlerSet), MyHandlers.pipe(Layer.provide([counted, ClockMock])))
      for (let i = 0; i < 3; i++) yield* handlers.connect!(connectRequest())
      expect(builds).toBe(1)
    }))
})

describe("types carry the requirements", () => {
  it("a handler's services appear in the Layer's requirements", () => {
    type Requirements = Layer.Services<typeof MyHandlers>
    type IsAny<T> = 0 extends (1 & T) ? true : false
    const check: IsAny<Requirements> extends true ? false
      : [Requirements] extends [UserDirectory | Clock2] ? ([UserDirectory | Clock2] extends [Requirements] ? true : false)
      : false = true
    expect(check).toBe(true)
  })

  it("launching a server whose handlers miss a service does not compile", () => {
    const server = ProxyServer.layer({ port: 0 }).pipe(Layer.provide(MyHandlers), Layer.provide(DirectoryMock))
    // Clock2 is still required, so the program's requirements are not `never`:
    // @ts-expect-error Type 'Clock2' is not assignable to type 'never'
    const launch: Effect.Effect<never, unknown, never> = Layer.launch(server)
    expect(launch).toBeDefined()
    const complete: Effect.Effect<never, unknown, never> = Layer.launch(server.pipe(Layer.provide(ClockMock)))
    expect(complete).toBeDefined()
  })

  it("a misspelt event name does not compile", () => {
    // @ts-expect-error 'conect' is not an event
    const layer = HandlerSet.layer({ conect: () => Effect.succeed(Reply.connect({ user: "" })) })
    expect(layer).toBeDefined()
  })

  it("a handler answering another event's reply does not compile", () => {
    // @ts-expect-error a subscribe result is not a connect reply
    const layer = HandlerSet.layer({ connect: () => Effect.succeed(Reply.subscribe()) })
    expect(layer).toBeDefined()
  })

  it("refresh cannot answer an error (Centrifugo ignores it): it does not compile", () => {
    // @ts-expect-error refresh replies are results only
    const layer = HandlerSet.layer({ refresh: () => Effect.succeed(Reply.error(400, "x")) })
    expect(layer).toBeDefined()
  })
})

// Typed client payloads, the RPC router, and handler-set composition.
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Schema, SchemaGetter } from "effect"
import { Handler, HandlerSet, Interceptor, Reply, RpcRouter } from "../../src/index.ts"
import { handle, publishRequest, rpcRequest, subscribeRequest } from "../../src/testing/index.ts"

const News = Schema.Struct({
  title: Schema.String.check(Schema.isMinLength(3)),
  tags: Schema.Array(Schema.String)
})

describe("Handler.withPayload", () => {
  let calls = 0
  const handlers = HandlerSet.layer({
    publish: Handler.withPayload(News, (news, request) =>
      Effect.sync(() => {
        calls++
        return Reply.publish({ data: { ...news, title: news.title.toUpperCase(), by: request.user } })
      }))
  })

  it.effect("decodes the data and hands the typed value to the handler", () =>
    Effect.gen(function*() {
      const reply = yield* handle(publishRequest({ user: "ann", data: { title: "hello", tags: ["a"] } }))
      expect(reply.result).toEqual({ data: { title: "HELLO", tags: ["a"], by: "ann" } })
    }).pipe(Effect.provide(handlers)))

  it.effect("bad data gets 107 naming each field and why; the handler is not called", () =>
    Effect.gen(function*() {
      calls = 0
      const reply = yield* handle(publishRequest({ data: { title: "hi", tags: "a" } }))
      expect(reply.error?.code).toBe(107)
      expect(reply.error?.message).toBe(
        "bad request: title: Expected a value with a length of at least 3; tags: Expected array"
      )
      const missing = yield* handle(publishRequest({ data: {} }))
      expect(missing.error?.message).toBe("bad request: title: Missing key; tags: Missing key")
      const none = yield* handle(publishRequest())
      expect(none.error?.message).toBe("bad request: Expected object")
      expect(calls).toBe(0)
    }).pipe(Effect.provide(handlers)))
})

describe("Handler.withPayload with a generator function", () => {
  interface Counter {
    readonly next: Effect.Effect<number>
  }
  const Counter = Context.Service<Counter>("test/Counter")
  let n = 0
  const CounterLive = Layer.succeed(Counter, { next: Effect.sync(() => ++n) })
  class Refused extends Error {
    readonly _tag = "Refused"
  }
  const handlers = HandlerSet.layer({
    publish: Handler.withPayload(News, function*(news, request) {
      const counter = yield* Counter
      if (news.title === "nope") return yield* Effect.fail(new Refused())
      const count = yield* counter.next
      return Reply.publish({ data: { title: news.title, by: request.user, count } })
    })
  })

  it.effect("runs the body once per call with the decoded value; yields see the services; failures stay failures", () =>
    Effect.gen(function*() {
      n = 0
      const first = yield* handle(publishRequest({ user: "ann", data: { title: "hello", tags: [] } }))
      const second = yield* handle(publishRequest({ user: "bob", data: { title: "again", tags: [] } }))
      expect(first.result).toEqual({ data: { title: "hello", by: "ann", count: 1 } })
      expect(second.result).toEqual({ data: { title: "again", by: "bob", count: 2 } })
      const bad = yield* handle(publishRequest({ data: { title: "x", tags: [] } }))
      expect(bad.error?.code).toBe(107)
      expect(n).toBe(2)
      // An undeclared failure is the server's failure reply (internal error), as for any handler.
      const refused = yield* handle(publishRequest({ data: { title: "nope", tags: [] } }))
      expect(refused.error?.code).toBe(100)
      expect(n).toBe(2)
    }).pipe(Effect.provide(handlers.pipe(Layer.provide(CounterLive)))))

  it("the body's failures and services are in the handler set's type", () => {
    // @ts-expect-error the layer still needs Counter
    const needsNothing: Layer.Layer<HandlerSet.HandlerSet, never, never> = handlers
    const provided: Layer.Layer<HandlerSet.HandlerSet, never, never> = handlers.pipe(Layer.provide(CounterLive))
    type Failure = typeof handlers extends HandlerSet.Described<infer _R, infer F> ? F : never
    const refused: Failure = new Refused()
    const badRequest: Failure = Reply.error(107, "bad request")
    // @ts-expect-error a failure the body cannot end with is not in the union (which is not `unknown`)
    const other: Failure = "other"
    expect([needsNothing, provided, refused, badRequest, other].length).toBe(5)
  })

  it("inside HandlerSet.layer the request type is inferred and a missing service is in the layer's type", () => {
    const layer = HandlerSet.layer({
      connect: Handler.withPayload(Schema.Struct({ token: Schema.String }), function*({ token }, request) {
        const counter = yield* Counter
        const count = yield* counter.next
        return Reply.connect({ user: `${token}:${request.client}:${count}` })
      })
    })
    // @ts-expect-error the layer still needs Counter
    const needsNothing: Layer.Layer<HandlerSet.HandlerSet, never, never> = layer
    const provided: Layer.Layer<HandlerSet.HandlerSet, never, never> = layer.pipe(Layer.provide(CounterLive))
    expect([needsNothing, provided].length).toBe(2)
  })
})

describe("Handler.withPayload with a schema that needs a service to decode", () => {
  interface Prefix {
    readonly value: string
  }
  const Prefix = Context.Service<Prefix>("test/Prefix")
  // Decoding `name` reads a service, so the decode is an effect rather than an immediate result.
  const Prefixed = Schema.String.pipe(Schema.decodeTo(Schema.String, {
    decode: SchemaGetter.transformEffect((name: string) => Effect.map(Effect.service(Prefix), (p) => `${p.value}${name}`)),
    encode: SchemaGetter.passthrough()
  }))
  const handlers = HandlerSet.layer({
    rpc: Handler.withPayload(Schema.Struct({ name: Prefixed, n: Schema.Number }), (payload) =>
      Effect.succeed(Reply.rpc({ data: payload })))
  }).pipe(Layer.provide(Layer.succeed(Prefix, { value: "p:" })))

  it.effect("valid data is decoded with the service; bad data still lists every problem", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({ data: { name: "x", n: 1 } }))
      expect(reply.result).toEqual({ data: { name: "p:x", n: 1 } })
      const bad = yield* handle(rpcRequest({ data: { name: 1, n: "a" } }))
      expect(bad.error?.message).toBe("bad request: name: Expected string; n: Expected number")
    }).pipe(Effect.provide(handlers)))
})

interface NewsStore {
  readonly list: (page: number) => Effect.Effect<ReadonlyArray<string>>
}
const NewsStore = Context.Service<NewsStore>("test/NewsStore")

describe("RpcRouter.make", () => {
  const rpc = RpcRouter.make({
    ping: () => Effect.succeed("pong"),
    "news:list": RpcRouter.method(Schema.Struct({ page: Schema.Number }), ({ page }) =>
      Effect.flatMap(Effect.service(NewsStore), (store) => store.list(page))),
    "news:nothing": () => Effect.void,
    "news:raw": () => Effect.succeed(Reply.rpc({ data: { full: "reply" } })),
    "news:refuse": () => Effect.fail(Reply.error(1403, "no"))
  })
  const handlers = HandlerSet.layer({ rpc }).pipe(
    HandlerSet.provide(Layer.succeed(NewsStore, { list: (page) => Effect.succeed([`page ${page}`]) }))
  )

  it.effect("dispatches on the method name; results are the data", () =>
    Effect.gen(function*() {
      expect((yield* handle(rpcRequest({ method: "ping" }))).result).toEqual({ data: "pong" })
      expect((yield* handle(rpcRequest({ method: "news:list", data: { page: 2 } }))).result).toEqual({ data: ["page 2"] })
      expect((yield* handle(rpcRequest({ method: "news:nothing" }))).result).toEqual({})
      expect((yield* handle(rpcRequest({ method: "news:raw" }))).result).toEqual({ data: { full: "reply" } })
      expect((yield* handle(rpcRequest({ method: "news:refuse" }))).error).toEqual({ code: 1403, message: "no", temporary: false })
    }).pipe(Effect.provide(handlers)))

  it.effect("a method's schema rejects bad payloads with 107", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({ method: "news:list", data: { page: "two" } }))
      expect(reply.error).toEqual({ code: 107, message: "bad request: page: Expected number", temporary: false })
    }).pipe(Effect.provide(handlers)))

  it.effect("an unknown method gets 104 method not found", () =>
    Effect.gen(function*() {
      expect((yield* handle(rpcRequest({ method: "nope" }))).error).toEqual({
        code: 104,
        message: "method not found: nope",
        temporary: false
      })
    }).pipe(Effect.provide(handlers)))

  it.effect("interceptors apply to the router like to any handler", () => {
    const seen: Array<string> = []
    const spied = handlers.pipe(Interceptor.make((request, next) => {
      if (request._tag === "RPC") seen.push(request.method)
      return next(request)
    }))
    return Effect.gen(function*() {
      yield* handle(rpcRequest({ method: "ping" }))
      yield* handle(rpcRequest({ method: "nope" }))
      expect(seen).toEqual(["ping", "nope"])
    }).pipe(Effect.provide(spied))
  })

  it("the methods' services are the router's requirements, also when the router is written inline", () => {
    const layer = HandlerSet.layer({ rpc })
    const inline = HandlerSet.layer({
      rpc: RpcRouter.make({ list: () => Effect.flatMap(Effect.service(NewsStore), (store) => store.list(1)) })
    })
    // Exactly NewsStore: not `any`, which would hide a missing service.
    const exact: [Layer.Services<typeof layer>, Layer.Services<typeof inline>] extends [NewsStore, NewsStore]
      ? [NewsStore, NewsStore] extends [Layer.Services<typeof layer>, Layer.Services<typeof inline>] ? 0 extends (1 & Layer.Services<typeof inline>) ? false : true
      : false
      : false = true
    expect(exact).toBe(true)
    // @ts-expect-error NewsStore is required
    const incomplete: Layer.Layer<HandlerSet.HandlerSet> = inline
    expect(incomplete).toBeDefined()
  })
})

describe("HandlerSet.merge", () => {
  it.effect("combines handler sets; the second wins for an event both answer", () =>
    Effect.gen(function*() {
      const base = HandlerSet.layer({
        rpc: () => Effect.succeed(Reply.rpc({ data: "base" })),
        subscribe: () => Effect.succeed(Reply.subscribe({ data: "base" }))
      })
      const override = HandlerSet.layer({ rpc: () => Effect.succeed(Reply.rpc({ data: "override" })) })
      const merged = HandlerSet.merge(base, override)
      const [rpc, subscribe] = yield* Effect.all([handle(rpcRequest()), handle(subscribeRequest())]).pipe(
        Effect.provide(merged)
      )
      expect(rpc.result).toEqual({ data: "override" })
      expect(subscribe.result).toEqual({ data: "base" })
    }))
})

// Interceptors as Layer transformations: each capability, ordering, and the shipped interceptors,
// exercised through the testing kit's `handle` (the same pipeline the server runs).
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Logger, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Auth, HandlerSet, Interceptor, Reply, RpcRouter } from "../../src/index.ts"
import type { ProxyRequest } from "../../src/ProxyRequest.ts"
import {
  connectRequest,
  handle,
  Mocks,
  publishRequest,
  refreshRequest,
  rpcRequest,
  subRefreshRequest,
  subscribeRequest
} from "../../src/testing/index.ts"

const echo = HandlerSet.layer({
  connect: (request) => Effect.succeed(Reply.connect({ user: "u", data: request.data })),
  rpc: (request) => Effect.succeed(Reply.rpc({ data: { method: request.method, data: request.data } })),
  subscribe: () => Effect.succeed(Reply.subscribe())
})

describe("interceptor capabilities", () => {
  it.effect("runs code before and after the handler, with the request and the reply in hand", () => {
    const seen: Array<string> = []
    const spy = Interceptor.make((request, next) =>
      Effect.gen(function*() {
        seen.push(`before ${request._tag}`)
        const reply = yield* next(request)
        seen.push(`after ${reply._tag}`)
        return reply
      })
    )
    return Effect.gen(function*() {
      yield* handle(rpcRequest({ method: "m" }))
      expect(seen).toEqual(["before RPC", "after RpcResult"])
    }).pipe(Effect.provide(echo.pipe(spy)))
  })

  it.effect("is told the event's name, the handler's key, also for a stream's first reply", () => {
    const seen: Array<string> = []
    const handlers = HandlerSet.layer({
      subscribe: () => Effect.succeed(Reply.subscribe()),
      subRefresh: () => Effect.succeed(Reply.subRefresh()),
      subscribeUnidirectional: () => Effect.succeed(Reply.stream(Stream.empty))
    })
    const spy = Interceptor.make((request, next, event) => (seen.push(`${request._tag} ${event}`), next(request)))
    return Effect.gen(function*() {
      yield* handle(subscribeRequest())
      yield* handle(subRefreshRequest())
      yield* handle(subscribeRequest(), { event: "subscribeUnidirectional" })
      expect(seen).toEqual(["Subscribe subscribe", "SubRefresh subRefresh", "Subscribe subscribeUnidirectional"])
    }).pipe(Effect.provide(handlers.pipe(spy)))
  })

  it.effect("short-circuits with a reply without calling the handler", () => {
    let called = false
    const handlers = HandlerSet.layer({
      rpc: () => Effect.sync(() => (called = true, Reply.rpc()))
    })
    const gate = Interceptor.make((request, next) =>
      request._tag === "RPC" && request.method === "forbidden"
        ? Effect.succeed(Reply.error(1403, "closed"))
        : next(request)
    )
    return Effect.gen(function*() {
      expect((yield* handle(rpcRequest({ method: "forbidden" }))).error).toEqual({ code: 1403, message: "closed", temporary: false })
      expect(called).toBe(false)
      expect((yield* handle(rpcRequest({ method: "open" }))).result).toEqual({})
      expect(called).toBe(true)
    }).pipe(Effect.provide(handlers.pipe(gate)))
  })

  it.effect("passes on a changed request", () => {
    const rename = Interceptor.make((request, next) =>
      next(request._tag === "RPC" ? { ...request, method: `v2:${request.method}` } : request)
    )
    return Effect.gen(function*() {
      expect((yield* handle(rpcRequest({ method: "list" }))).result).toEqual({ data: { method: "v2:list" } })
    }).pipe(Effect.provide(echo.pipe(rename)))
  })

  it.effect("provides a request-scoped service that handlers read", () => {
    interface Tenant {
      readonly id: string
    }
    const Tenant = Context.Service<Tenant>("test/Tenant")
    const handlers = HandlerSet.layer({
      rpc: () => Effect.map(Effect.service(Tenant), (tenant) => Reply.rpc({ data: tenant.id }))
    })
    const tenantFromHeader = Interceptor.provide(Tenant, (request) =>
      request.headers["x-tenant"] === undefined
        ? Effect.fail(Reply.error(1400, "x-tenant header required"))
        : Effect.succeed({ id: request.headers["x-tenant"] }))
    // Layer<HandlerSet, never, Tenant> -> Layer<HandlerSet, never, never>
    const served: Layer.Layer<HandlerSet.HandlerSet> = handlers.pipe(tenantFromHeader)
    return Effect.gen(function*() {
      expect((yield* handle(rpcRequest({ headers: { "x-tenant": "acme" } }))).result).toEqual({ data: "acme" })
      expect((yield* handle(rpcRequest())).error?.code).toBe(1400)
    }).pipe(Effect.provide(served))
  })

  it.effect("turns typed failures into replies: each case receives the failure of its tag, typed", () => {
    const handlers = HandlerSet.layer({
      rpc: (request) =>
        request.method === "missing"
          ? Effect.fail({ _tag: "NotFound" as const, what: "news 7" })
          : Effect.fail({ _tag: "Boom" as const })
    })
    const received: Array<{ _tag: "NotFound"; what: string }> = []
    const mapped = handlers.pipe(
      Interceptor.mapFailures({
        NotFound: (failure) => {
          expectTypeOf(failure).toEqualTypeOf<{ _tag: "NotFound"; what: string }>()
          received.push(failure)
          return Reply.error(1404, `${failure.what} not found`)
        }
      })
    )
    // What is left: Boom passes through, NotFound became a reply (or the ErrorReply its case answers).
    expectTypeOf(mapped).toEqualTypeOf<HandlerSet.Described<never, { _tag: "Boom" } | Reply.ErrorReply>>()
    return Effect.gen(function*() {
      expect((yield* handle(rpcRequest({ method: "missing" }))).error).toEqual({
        code: 1404,
        message: "news 7 not found",
        temporary: false
      })
      expect(received).toEqual([{ _tag: "NotFound", what: "news 7" }])
      // Other failures still reach the server's default: 100, temporary.
      expect((yield* handle(rpcRequest({ method: "other" }))).error).toMatchObject({ code: 100, temporary: true })
    }).pipe(Effect.provide(mapped))
  })

  it("a case for a tag the handlers cannot fail with does not compile", () => {
    const handlers = HandlerSet.layer({ rpc: () => Effect.fail({ _tag: "NotFound" as const }) })
    // @ts-expect-error "Missing" is no failure of these handlers
    const wrong = handlers.pipe(Interceptor.mapFailures({ Missing: () => Reply.error(1404, "x") }))
    // Library errors are typed through interceptors too: Interceptor.timeout adds HandlerTimeoutError.
    const timed = handlers.pipe(
      Interceptor.timeout("1 second"),
      Interceptor.mapFailures({
        HandlerTimeoutError: (failure) => Reply.error(1504, `${failure.event} was too slow`),
        NotFound: () => Reply.error(1404, "not found")
      })
    )
    expectTypeOf(timed).toEqualTypeOf<HandlerSet.Described<never, Reply.ErrorReply>>()
    // The wrong-tag call still builds (types aside, an unknown tag is simply never matched).
    expect(wrong.description.events).toEqual(["rpc"])
  })

  it.effect("an RpcRouter keeps its methods' failures for mapFailures", () => {
    interface NoSuchNews {
      readonly _tag: "NoSuchNews"
      readonly id: number
    }
    const handlers = HandlerSet.layer({
      rpc: RpcRouter.make({ "news:get": () => Effect.fail<NoSuchNews>({ _tag: "NoSuchNews", id: 7 }) })
    }).pipe(Interceptor.mapFailures({ NoSuchNews: (failure) => Reply.error(1404, `no news ${failure.id}`) }))
    return Effect.gen(function*() {
      expect((yield* handle(rpcRequest({ method: "news:get" }))).error?.message).toBe("no news 7")
    }).pipe(Effect.provide(handlers))
  })
})

describe("ordering", () => {
  const trace: Array<string> = []
  const tracer = (name: string, events?: ReadonlyArray<HandlerSet.EventName>) =>
    Interceptor.make((request, next) =>
      Effect.gen(function*() {
        trace.push(`${name}>`)
        const reply = yield* next(request)
        trace.push(`<${name}`)
        return reply
      }), events === undefined ? {} : { events })
  const traced = HandlerSet.layer({
    rpc: () => Effect.sync(() => (trace.push("rpc"), Reply.rpc())),
    subscribe: () => Effect.sync(() => (trace.push("subscribe"), Reply.subscribe()))
  }).pipe(tracer("a"), tracer("onlyRpc", ["rpc"]), tracer("c"))

  it.effect("the last applied is the outermost; per-event interceptors keep their place and skip other events", () =>
    Effect.gen(function*() {
      trace.length = 0
      yield* handle(rpcRequest())
      expect(trace).toEqual(["c>", "onlyRpc>", "a>", "rpc", "<a", "<onlyRpc", "<c"])
      trace.length = 0
      yield* handle(subscribeRequest())
      expect(trace).toEqual(["c>", "a>", "subscribe", "<a", "<c"])
    }).pipe(Effect.provide(traced)))
})

describe("shipped interceptors", () => {
  it.effect("logging: one line per call with event, subject, outcome and duration", () => {
    const lines: Array<string> = []
    const capture = Logger.make<unknown, void>(({ message }) => {
      lines.push((Array.isArray(message) ? message : [message]).join(" "))
    })
    return Effect.gen(function*() {
      yield* handle(rpcRequest({ method: "news:list" }))
      yield* handle(subscribeRequest({ channel: "chat:1" }))
      expect(lines).toHaveLength(2)
      expect(lines[0]).toMatch(/^RPC news:list -> ok in \d+\.\d ms$/)
      expect(lines[1]).toMatch(/^Subscribe chat:1 -> ok in \d+\.\d ms$/)
    }).pipe(Effect.provide(echo.pipe(Interceptor.logging()).pipe(Layer.provide(Logger.layer([capture])))))
  })

  it.effect("timeout: a handler slower than the limit is interrupted and answered as a failure", () => {
    let interrupted = false
    const slow = HandlerSet.layer({
      rpc: () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => (interrupted = true))))
    }).pipe(Interceptor.timeout("2 seconds", { events: ["rpc"] }))
    return Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(handle(rpcRequest()))
      yield* TestClock.adjust("2 seconds")
      const reply = yield* Fiber.join(fiber)
      expect(reply.error).toEqual({ code: 100, message: "internal server error", temporary: true })
      expect(interrupted).toBe(true)
    }).pipe(Effect.provide(slow))
  })

  it.effect("timeout with orElse answers the chosen reply", () => {
    const slow = HandlerSet.layer({ rpc: () => Effect.never }).pipe(
      Interceptor.timeout("1 second", { orElse: () => Effect.succeed(Reply.error(1408, "try later", true)) })
    )
    return Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(handle(rpcRequest()))
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).error).toEqual({ code: 1408, message: "try later", temporary: true })
    }).pipe(Effect.provide(slow))
  })
})

describe("Auth.authenticate", () => {
  const handlers = HandlerSet.layer({
    connect: () => Effect.map(Effect.service(Auth.CurrentUser), (user) => Reply.connect({ user: user.id })),
    subscribe: (request) =>
      Effect.map(
        Effect.service(Auth.CurrentUser),
        (user) => request.channel === `user.${user.id}` ? Reply.subscribe() : Reply.error(1403, "not yours")
      ),
    publish: () => Effect.map(Effect.service(Auth.CurrentUser), (user) => Reply.publish({ data: { by: user.id, ...user.claims } })),
    rpc: () => Effect.map(Effect.service(Auth.CurrentUser), (user) => Reply.rpc({ data: user })),
    refresh: () => Effect.succeed(Reply.refresh({ expireAt: 2_000_000_000 })),
    subRefresh: () => Effect.succeed(Reply.subRefresh({ expireAt: 2_000_000_000 }))
  })
  const served = handlers.pipe(
    Auth.authenticate(),
    Layer.provide(Mocks.tokens({ good: { user: "alice", claims: { role: "admin" } }, bob: "bob" }))
  )

  it.effect("connect: a good token in the data authenticates and is remembered in the connection meta", () =>
    Effect.gen(function*() {
      const reply = yield* handle(connectRequest({ data: { authToken: "good" } }))
      expect(reply.result).toEqual({ user: "alice", meta: { auth: { id: "alice", claims: { role: "admin" } } } })
      expect((yield* handle(connectRequest({ data: { token: "bob" } }))).result?.user).toBe("bob")
    }).pipe(Effect.provide(served)))

  it.effect("connect: a bearer header works too", () =>
    Effect.gen(function*() {
      const reply = yield* handle(connectRequest({ headers: { authorization: "Bearer bob" } }))
      expect(reply.result?.user).toBe("bob")
    }).pipe(Effect.provide(served)))

  it.effect("connect: a bad or missing token is refused with 101 and the handler is not called", () =>
    Effect.gen(function*() {
      expect((yield* handle(connectRequest({ data: { authToken: "forged" } }))).error).toEqual({
        code: 101,
        message: "unauthorized: unknown token",
        temporary: false
      })
      expect((yield* handle(connectRequest())).error?.message).toBe("unauthorized: no token")
    }).pipe(Effect.provide(served)))

  it.effect("other events: the user from the connection meta (with claims), a bearer header, or Centrifugo's user", () =>
    Effect.gen(function*() {
      const meta = { auth: { id: "alice", claims: { role: "admin" } } }
      expect((yield* handle(publishRequest({ meta, data: {} }))).result).toEqual({ data: { by: "alice", role: "admin" } })
      expect((yield* handle(rpcRequest({ user: "", headers: { authorization: "Bearer bob" } }))).result)
        .toEqual({ data: { id: "bob", claims: {} } })
      expect((yield* handle(rpcRequest({ user: "carol" }))).result).toEqual({ data: { id: "carol", claims: {} } })
      expect((yield* handle(subscribeRequest({ user: "carol", channel: "user.carol" }))).result).toEqual({})
      expect((yield* handle(subscribeRequest({ user: "carol", channel: "user.dave" }))).error?.code).toBe(1403)
    }).pipe(Effect.provide(served)))

  it.effect("anonymous connections are refused: 101, or expired for refresh and sub_refresh", () =>
    Effect.gen(function*() {
      expect((yield* handle(rpcRequest({ user: "" }))).error?.code).toBe(101)
      expect((yield* handle(refreshRequest({ user: "" }))).result).toEqual({ expired: true })
      expect((yield* handle(subRefreshRequest({ user: "" }))).result).toEqual({ expired: true })
      expect((yield* handle(refreshRequest({ user: "alice" }))).result).toEqual({ expire_at: 2_000_000_000 })
    }).pipe(Effect.provide(served)))
})

describe("types", () => {
  it("a handler needing CurrentUser compiles into a server only when an interceptor provides it", () => {
    const needsUser = HandlerSet.layer({
      rpc: () => Effect.map(Effect.service(Auth.CurrentUser), (user) => Reply.rpc({ data: user.id }))
    })
    // @ts-expect-error CurrentUser is still required
    const unwrapped: Layer.Layer<HandlerSet.HandlerSet> = needsUser
    const wrapped: Layer.Layer<HandlerSet.HandlerSet, never, import("../../src/services/TokenStorage.ts").TokenStorage> =
      needsUser.pipe(Auth.authenticate())
    expect([unwrapped, wrapped]).toHaveLength(2)
  })

  it("an interceptor limited to some events cannot provide a service", () => {
    // `make` has no way to provide; `provide`/`makeProviding` take no `events` option.
    // @ts-expect-error no `events` option on provide
    const limited = Interceptor.provide(Auth.CurrentUser, () => Effect.succeed({ id: "x", claims: {} }), { events: ["rpc"] })
    expect(limited).toBeDefined()
  })
})

// A request builder type-check: every builder returns the request union's members.
const _all: ReadonlyArray<ProxyRequest> = [connectRequest(), refreshRequest(), subscribeRequest(), publishRequest(), rpcRequest(), subRefreshRequest()]

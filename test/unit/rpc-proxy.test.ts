// RpcProxy: an effect/rpc RpcGroup answering the rpc event, through the testing kit's `handle` (the servers' own
// pipeline): the envelope, declared and undeclared failures, 107, 104, the fallback, middleware, services, the
// handler-set description; and the compile errors a wrong payload, result or implementation gives.
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Schema } from "effect"
import { Rpc, RpcGroup, RpcMiddleware, RpcSchema } from "effect/rpc"
import { HandlerSet, Interceptor, Reply, RpcProxy, RpcRouter } from "../../src/index.ts"
import { CentrifugeRpc, Publications } from "../../src/client/index.ts"
import { handle, rpcRequest } from "../../src/testing/index.ts"
import { DeskRpcs, Thread } from "../support/desk-contract.ts"

interface Tenant {
  readonly id: string
}
const Tenant = Context.Service<Tenant>("test/Tenant")

// A middleware as effect/rpc writes them (a class is Effect's way; src/ has none, tests may).
class Stamp extends RpcMiddleware.Service<Stamp, { provides: Tenant }>()("test/Stamp") {}

const Group = RpcGroup.make(
  Rpc.make("when", { payload: { at: Schema.Number }, success: Schema.Struct({ at: Schema.Date }) }),
  Rpc.make("fail", { error: Schema.TaggedStruct("Nope", { why: Schema.String }) }),
  Rpc.make("undeclared"),
  Rpc.make("lie", { success: Schema.Number }),
  Rpc.make("who", { success: Schema.String }),
  Rpc.make("tenant", { success: Schema.String }).middleware(Stamp)
)

const GroupLive = Group.toLayer({
  when: ({ at }) => Effect.succeed({ at: new Date(at) }),
  fail: () => Effect.fail({ _tag: "Nope", why: "because" } as const),
  // What the types forbid, forced: a failure the contract does not declare.
  undeclared: () => Effect.fail("not in the contract") as unknown as Effect.Effect<void>,
  lie: () => Effect.succeed("not a number" as unknown as number),
  who: () =>
    Effect.gen(function*() {
      const request = yield* RpcProxy.CurrentRequest
      const tenant = yield* Tenant
      return `${request.user}@${tenant.id}`
    }),
  tenant: () => Effect.map(Tenant, (tenant) => tenant.id)
})

const StampLive = Layer.succeed(Stamp, (effect) => Effect.provideService(effect, Tenant, { id: "stamped" }))

// The request-scoped Tenant, from an interceptor, as for any handler.
const Intercepted = RpcProxy.layer(Group, GroupLive, { fallback: RpcRouter.make({ ping: () => Effect.succeed("pong") }) })
  .pipe(Interceptor.provide(Tenant, () => Effect.succeed({ id: "acme" })))
const Served = Intercepted.pipe(HandlerSet.provide(StampLive))

const call = (method: string, data: unknown = {}) => handle(rpcRequest({ method, data, user: "ann" }))

describe("RpcProxy.layer", () => {
  it.effect("success: the value encoded with the success Schema, in Effect's JSON Exit", () =>
    Effect.gen(function*() {
      expect((yield* call("when", { at: 0 })).result).toEqual({
        data: { _tag: "Success", value: { at: "1970-01-01T00:00:00.000Z" } }
      })
      // Request-scoped services from interceptors and the request itself reach the method; middleware runs.
      expect((yield* call("who")).result).toEqual({ data: { _tag: "Success", value: "ann@acme" } })
      expect((yield* call("tenant")).result).toEqual({ data: { _tag: "Success", value: "stamped" } })
    }).pipe(Effect.provide(Served)))

  it.effect("a declared failure travels encoded; undeclared failures, defects and bad results are 100", () =>
    Effect.gen(function*() {
      expect((yield* call("fail")).result).toEqual({
        data: { _tag: "Failure", cause: [{ _tag: "Fail", error: { _tag: "Nope", why: "because" } }] }
      })
      expect((yield* call("undeclared")).error).toMatchObject({ code: 100 })
      expect((yield* call("lie")).error).toMatchObject({ code: 100 })
    }).pipe(Effect.provide(Served)))

  it.effect("a payload that does not fit: 107 with the path; unknown methods: the fallback, else 104", () =>
    Effect.gen(function*() {
      // The payload is read in its JSON form (Schema.toCodecJson): a number may also come as "Infinity" or "NaN".
      expect((yield* call("when", { at: "noon" })).error).toMatchObject({
        code: 107,
        message: expect.stringMatching(/^bad request: at: Expected /)
      })
      expect((yield* call("when", {})).error).toMatchObject({ code: 107, message: "bad request: at: Missing key" })
      expect((yield* call("ping")).result).toEqual({ data: "pong" })
      const bare = RpcProxy.layer(Group, GroupLive).pipe(
        Interceptor.provide(Tenant, () => Effect.succeed({ id: "acme" })),
        Layer.provide(StampLive)
      )
      expect((yield* Effect.provide(call("ping"), bare)).error).toMatchObject({ code: 104, message: "method not found: ping" })
    }).pipe(Effect.provide(Served)))

  it("describes the methods (the group's, then the router's) for the config generator", () => {
    expect(Intercepted.description).toEqual({
      events: ["rpc"],
      rpcMethods: ["when", "fail", "undeclared", "lie", "who", "tenant", "ping"]
    })
  })

  it("refuses a streaming method when the Layer is made (Centrifugo's RPC answers once)", () => {
    const Streaming = RpcGroup.make(Rpc.make("ticks", { success: RpcSchema.Stream(Schema.Number, Schema.Never) }))
    expect(() => RpcProxy.layer(Streaming, Streaming.toLayer({ ticks: () => Effect.die("unused") as never })))
      .toThrow(/"ticks" streams its result/)
  })
})

// Compile errors: each line below must fail to type-check (tsc --noEmit runs over test/).
const typeChecks = () => {
  DeskRpcs.toLayer({
    // @ts-expect-error the result is not a Ticket
    "ticket.open": () => Effect.succeed({ id: "one" }),
    "ticket.list": () => Effect.succeed([]),
    "ticket.crash": () => Effect.void
  })
  // @ts-expect-error an implementation of another group does not serve this one
  RpcProxy.layer(DeskRpcs, GroupLive)
  return Effect.gen(function*() {
    const desk = yield* CentrifugeRpc.make(DeskRpcs, { rpc: async () => ({ data: null }) })
    // @ts-expect-error the payload's subject is a string
    yield* desk["ticket.open"]({ subject: 1 })
    // @ts-expect-error a Ticket is not a string
    const _wrong: string = yield* desk["ticket.open"]({ subject: "ok" })
    const promises = CentrifugeRpc.promiseClient(DeskRpcs, { rpc: async () => ({ data: null }) })
    // @ts-expect-error a missing subject
    void promises["ticket.open"]({})
    // @ts-expect-error the list is of Tickets
    const _list: Promise<ReadonlyArray<number>> = promises["ticket.list"]()
    const sub = null as unknown as Publications.SubscriptionLike
    // @ts-expect-error `text` is a string
    void Publications.publish(sub, Thread, { text: 1, by: "me" })
    // @ts-expect-error the channel's parameter is `id`
    Publications.subscribe(null as never, Thread, { room: "7" }, { onData: () => {}, onError: () => {} })
  })
}
void typeChecks

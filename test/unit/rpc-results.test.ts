// RpcRouter.method results: JSON as they are (checked by the compiler where the type says, by the router where it cannot),
// or encoded with a `success` Schema.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { HandlerSet, Payload, Reply, RpcRouter } from "../../src/index.ts"
import { handle, rpcRequest } from "../../src/testing/index.ts"

const Page = Schema.Struct({ page: Schema.Number })

describe("RpcRouter.method result types (compile-time)", () => {
  it("JSON results, interfaces, replies and Payload values compile", () => {
    interface News {
      readonly id: number
      readonly tags: ReadonlyArray<string>
      readonly author?: { readonly name: string } | null
    }
    const news: News = { id: 1, tags: [] }
    const methods = [
      RpcRouter.method(Page, () => Effect.succeed(news)),
      RpcRouter.method(Page, () => Effect.succeed([1, "two", null, { three: true }] as const)),
      RpcRouter.method(Page, () => Effect.succeed(Reply.rpc({ data: 1 }))),
      RpcRouter.method(Page, () => Effect.succeed(Payload.binary(new Uint8Array([1])))),
      RpcRouter.method(Page, () => Effect.void),
      RpcRouter.method(Page, () => Effect.succeed(JSON.parse("{}") as unknown))
    ]
    expect(methods).toHaveLength(6)
  })

  it("a function, bigint, Date, Map or bytes in the result does not compile without a success Schema", () => {
    const methods = [
      // @ts-expect-error a bigint is not JSON
      RpcRouter.method(Page, () => Effect.succeed({ count: 1n })),
      // @ts-expect-error a Date is not JSON (JSON.stringify would turn it into a string the client cannot tell apart)
      RpcRouter.method(Page, () => Effect.succeed({ at: new Date() })),
      // @ts-expect-error a function is not JSON (JSON.stringify would drop it)
      RpcRouter.method(Page, () => Effect.succeed({ next: () => 2 })),
      // @ts-expect-error a Map is not JSON
      RpcRouter.method(Page, () => Effect.succeed([new Map<string, number>()])),
      // @ts-expect-error bytes are not JSON: answer Payload.binary(bytes)
      RpcRouter.method(Page, () => Effect.succeed(new Uint8Array([1])))
    ]
    expect(methods).toHaveLength(5)
  })

  it("the router checks its plain methods' result types the same way", () => {
    const ok = RpcRouter.make({
      ping: () => Effect.succeed("pong"),
      nothing: () => Effect.void,
      refuse: () => Effect.fail(Reply.error(1403, "no")),
      reply: () => Effect.succeed(Reply.rpc({ data: 1 }))
    })
    const notJson = RpcRouter.make({
      ping: () => Effect.succeed("pong"),
      // @ts-expect-error a bigint is not JSON
      count: () => Effect.succeed({ total: 1n })
    })
    expect([ok, notJson]).toHaveLength(2)
  })

  it("with a success Schema the method returns the Schema's type, checked against it", () => {
    const At = Schema.Struct({ at: Schema.DateFromString })
    const ok = RpcRouter.method(Page, () => Effect.succeed({ at: new Date(0) }), { success: At })
    // @ts-expect-error the result must be the success Schema's type
    const wrong = RpcRouter.method(Page, () => Effect.succeed({ at: "yesterday" }), { success: At })
    expect([ok, wrong]).toHaveLength(2)
  })
})

describe("RpcRouter.method results (run time)", () => {
  const Stats = Schema.Struct({ count: Schema.BigIntFromString, at: Schema.DateFromString })
  const handlers = HandlerSet.layer({
    rpc: RpcRouter.make({
      stats: RpcRouter.method(Page, ({ page }) => Effect.succeed({ count: 10n ** 20n + BigInt(page), at: new Date(0) }), {
        success: Stats
      }),
      invalid: RpcRouter.method(Page, () => Effect.succeed({ count: 1n, at: new Date(Number.NaN) }), { success: Stats }),
      refused: RpcRouter.method(Page, () => Effect.fail(Reply.error(1403, "no")), { success: Stats }),
      // Typed `unknown`, so only the router can tell.
      untyped: () => Effect.succeed({ items: [{ at: new Date(0) as unknown }] } as unknown),
      bigint: () => Effect.succeed(JSON.parse("{}") as unknown).pipe(Effect.as({ n: 1n } as unknown)),
      cycle: () => Effect.sync(() => {
        const node: Record<string, unknown> = {}
        node.self = node
        return node as unknown
      })
    })
  })

  it.effect("a success Schema encodes the result: bigints and Dates reach the client as their JSON form", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({ method: "stats", data: { page: 1 } }))
      expect(reply.result).toEqual({ data: { count: "100000000000000000001", at: "1970-01-01T00:00:00.000Z" } })
      expect((yield* handle(rpcRequest({ method: "refused", data: { page: 1 } }))).error?.code).toBe(1403)
    }).pipe(Effect.provide(handlers)))

  it.effect("a result that does not fit its success Schema, or is not JSON, is a failure (100), not a silent change", () =>
    Effect.gen(function*() {
      for (const method of ["invalid", "untyped", "bigint", "cycle"]) {
        const reply = yield* handle(rpcRequest({ method, data: { page: 1 } }))
        expect(reply.error, method).toMatchObject({ code: 100, temporary: true })
      }
    }).pipe(Effect.provide(handlers)))

  it.effect("JSON answers pass as they are: nested, shared sub-objects, null-prototype objects, Payload values", () =>
    Effect.gen(function*() {
      const shared = { n: 1 }
      const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: "v" })
      const answers: ReadonlyArray<unknown> = [
        "text",
        0,
        null,
        [1, "a", [true, null]],
        { a: shared, b: [shared, shared], c: { d: { e: [] } } },
        bare,
        { raw: Payload.rawJson("{\"x\":1}") }
      ]
      const router = RpcRouter.make({ m: (request) => Effect.succeed(answers[Number(request.data)]) })
      for (let i = 0; i < answers.length; i++) {
        const reply = yield* router(rpcRequest({ method: "m", data: i }))
        expect(reply, String(i)).toEqual(Reply.rpc({ data: answers[i] }))
      }
      for (const bad of [Number.NaN, { a: [1, Symbol("s")] }, { f: () => 1 }, [new Map()]]) {
        const router = RpcRouter.make({ m: () => Effect.succeed(bad as unknown) })
        expect(yield* Effect.flip(router(rpcRequest({ method: "m" })))).toMatchObject({ _tag: "RpcResultNotJsonError" })
      }
    }))

  it.effect("the failure says which method, where in the result and what to do", () =>
    Effect.gen(function*() {
      const router = RpcRouter.make({
        untyped: () => Effect.succeed({ items: [{ at: new Date(0) as unknown }] } as unknown),
        big: () => Effect.succeed([1, 2n] as unknown),
        cycle: () =>
          Effect.sync(() => {
            const node: Record<string, unknown> = {}
            node.self = node
            return node as unknown
          })
      })
      expect(yield* Effect.flip(router(rpcRequest({ method: "untyped" })))).toMatchObject({
        _tag: "RpcResultNotJsonError",
        method: "untyped",
        path: "data.items[0].at",
        message: "rpc method \"untyped\" answered a Date object at data.items[0].at, which is not JSON: convert it, " +
          "or give RpcRouter.method a success Schema that encodes it"
      })
      expect(yield* Effect.flip(router(rpcRequest({ method: "big" })))).toMatchObject({ path: "data[1]" })
      expect(yield* Effect.flip(router(rpcRequest({ method: "cycle" })))).toMatchObject({ path: "data.self" })
      const invalid = RpcRouter.method(Page, () => Effect.succeed({ count: 1n, at: new Date(Number.NaN) }), {
        success: Schema.Struct({ count: Schema.BigIntFromString, at: Schema.DateFromString })
      })
      const failure = yield* Effect.flip(invalid(rpcRequest({ method: "stats", data: { page: 1 } })))
      expect(failure).toMatchObject({ _tag: "RpcResultInvalidError", method: "stats" })
      expect((failure as RpcRouter.RpcResultInvalidError).message).toContain("the result does not fit its success Schema")
    }))
})

describe("RpcRouter.method without a payload", () => {
  const methods = RpcRouter.make({
    now: RpcRouter.method((request) => Effect.succeed({ method: request.method, at: 1 }))
  })

  it.effect("answers whatever the client sent, with no Schema to write", () =>
    Effect.gen(function*() {
      const withData = yield* handle(rpcRequest({ method: "now", data: { ignored: true } }))
      expect(withData.result?.data).toEqual({ method: "now", at: 1 })
      const without = yield* handle(rpcRequest({ method: "now" }))
      expect(without.result?.data).toEqual({ method: "now", at: 1 })
    }).pipe(Effect.provide(HandlerSet.layer({ rpc: methods }))))

  it("keeps the JSON result check", () => {
    // @ts-expect-error a Date is not JSON
    const dated = RpcRouter.method(() => Effect.succeed(new Date()))
    expect(dated).toBeTypeOf("function")
  })
})

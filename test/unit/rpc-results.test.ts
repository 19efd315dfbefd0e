// Rpc.method results: JSON as they are (checked by the compiler where the type says, by the router where it cannot),
// or encoded with a `success` Schema.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Handlers, Payload, Reply, Rpc } from "../../src/index.ts"
import { handle, rpcRequest } from "../../src/testing/index.ts"

const Page = Schema.Struct({ page: Schema.Number })

describe("Rpc.method result types (compile-time)", () => {
  it("JSON results, interfaces, replies and Payload values compile", () => {
    interface News {
      readonly id: number
      readonly tags: ReadonlyArray<string>
      readonly author?: { readonly name: string } | null
    }
    const news: News = { id: 1, tags: [] }
    const methods = [
      Rpc.method(Page, () => Effect.succeed(news)),
      Rpc.method(Page, () => Effect.succeed([1, "two", null, { three: true }] as const)),
      Rpc.method(Page, () => Effect.succeed(Reply.rpc({ data: 1 }))),
      Rpc.method(Page, () => Effect.succeed(Payload.binary(new Uint8Array([1])))),
      Rpc.method(Page, () => Effect.void),
      Rpc.method(Page, () => Effect.succeed(JSON.parse("{}") as unknown))
    ]
    expect(methods).toHaveLength(6)
  })

  it("a function, bigint, Date, Map or bytes in the result does not compile without a success Schema", () => {
    const methods = [
      // @ts-expect-error a bigint is not JSON
      Rpc.method(Page, () => Effect.succeed({ count: 1n })),
      // @ts-expect-error a Date is not JSON (JSON.stringify would turn it into a string the client cannot tell apart)
      Rpc.method(Page, () => Effect.succeed({ at: new Date() })),
      // @ts-expect-error a function is not JSON (JSON.stringify would drop it)
      Rpc.method(Page, () => Effect.succeed({ next: () => 2 })),
      // @ts-expect-error a Map is not JSON
      Rpc.method(Page, () => Effect.succeed([new Map<string, number>()])),
      // @ts-expect-error bytes are not JSON: answer Payload.binary(bytes)
      Rpc.method(Page, () => Effect.succeed(new Uint8Array([1])))
    ]
    expect(methods).toHaveLength(5)
  })

  it("the router checks its plain methods' result types the same way", () => {
    const ok = Rpc.router({
      ping: () => Effect.succeed("pong"),
      nothing: () => Effect.void,
      refuse: () => Effect.fail(Reply.error(1403, "no")),
      reply: () => Effect.succeed(Reply.rpc({ data: 1 }))
    })
    const notJson = Rpc.router({
      ping: () => Effect.succeed("pong"),
      // @ts-expect-error a bigint is not JSON
      count: () => Effect.succeed({ total: 1n })
    })
    expect([ok, notJson]).toHaveLength(2)
  })

  it("with a success Schema the method returns the Schema's type, checked against it", () => {
    const At = Schema.Struct({ at: Schema.DateFromString })
    const ok = Rpc.method(Page, () => Effect.succeed({ at: new Date(0) }), { success: At })
    // @ts-expect-error the result must be the success Schema's type
    const wrong = Rpc.method(Page, () => Effect.succeed({ at: "yesterday" }), { success: At })
    expect([ok, wrong]).toHaveLength(2)
  })
})

describe("Rpc.method results (run time)", () => {
  const Stats = Schema.Struct({ count: Schema.BigIntFromString, at: Schema.DateFromString })
  const handlers = Handlers.layer({
    rpc: Rpc.router({
      stats: Rpc.method(Page, ({ page }) => Effect.succeed({ count: 10n ** 20n + BigInt(page), at: new Date(0) }), {
        success: Stats
      }),
      invalid: Rpc.method(Page, () => Effect.succeed({ count: 1n, at: new Date(Number.NaN) }), { success: Stats }),
      refused: Rpc.method(Page, () => Effect.fail(Reply.error(1403, "no")), { success: Stats }),
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
      const router = Rpc.router({ m: (request) => Effect.succeed(answers[Number(request.data)]) })
      for (let i = 0; i < answers.length; i++) {
        const reply = yield* router(rpcRequest({ method: "m", data: i }))
        expect(reply, String(i)).toEqual(Reply.rpc({ data: answers[i] }))
      }
      for (const bad of [Number.NaN, { a: [1, Symbol("s")] }, { f: () => 1 }, [new Map()]]) {
        const router = Rpc.router({ m: () => Effect.succeed(bad as unknown) })
        expect(yield* Effect.flip(router(rpcRequest({ method: "m" })))).toMatchObject({ _tag: "RpcResultNotJson" })
      }
    }))

  it.effect("the failure says which method, where in the result and what to do", () =>
    Effect.gen(function*() {
      const router = Rpc.router({
        untyped: () => Effect.succeed({ items: [{ at: new Date(0) as unknown }] } as unknown),
        big: () => Effect.succeed([1, 2n] as unknown),
        cycle: () =>
          Effect.sync(() => {
            const node: Record<string, unknown> = {}
            node.self = node
            return node as unknown
          })
      })
      expect(yield* Effect.flip(router(rpcRequest({ method: "untyped" })))).toEqual({
        _tag: "RpcResultNotJson",
        method: "untyped",
        path: "data.items[0].at",
        message: "rpc method \"untyped\" answered a Date object at data.items[0].at, which is not JSON: convert it, " +
          "or give Rpc.method a success Schema that encodes it"
      })
      expect(yield* Effect.flip(router(rpcRequest({ method: "big" })))).toMatchObject({ path: "data[1]" })
      expect(yield* Effect.flip(router(rpcRequest({ method: "cycle" })))).toMatchObject({ path: "data.self" })
      const invalid = Rpc.method(Page, () => Effect.succeed({ count: 1n, at: new Date(Number.NaN) }), {
        success: Schema.Struct({ count: Schema.BigIntFromString, at: Schema.DateFromString })
      })
      const failure = yield* Effect.flip(invalid(rpcRequest({ method: "stats", data: { page: 1 } })))
      expect(failure).toMatchObject({ _tag: "RpcResultInvalid", method: "stats" })
      expect((failure as Rpc.RpcResultInvalid).message).toContain("the result does not fit its success Schema")
    }))
})

describe("Rpc.method without a payload", () => {
  const methods = Rpc.router({
    now: Rpc.method((request) => Effect.succeed({ method: request.method, at: 1 }))
  })

  it.effect("answers whatever the client sent, with no Schema to write", () =>
    Effect.gen(function*() {
      const withData = yield* handle(rpcRequest({ method: "now", data: { ignored: true } }))
      expect(withData.result?.data).toEqual({ method: "now", at: 1 })
      const without = yield* handle(rpcRequest({ method: "now" }))
      expect(without.result?.data).toEqual({ method: "now", at: 1 })
    }).pipe(Effect.provide(Handlers.layer({ rpc: methods }))))

  it("keeps the JSON result check", () => {
    // @ts-expect-error a Date is not JSON
    const dated = Rpc.method(() => Effect.succeed(new Date()))
    expect(dated).toBeTypeOf("function")
  })
})

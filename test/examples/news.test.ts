// RPC-to-HTTP example: the news app reached through HttpBridge.rpc, in-process, with the testing kit.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HandlerSet, HttpBridge } from "effect-centrifugo"
import { handle, rpcRequest } from "effect-centrifugo/testing"
import { NewsHttp, NewsStoreMemory } from "../../examples/news.ts"

const served = HandlerSet.layer({ rpc: HttpBridge.rpc }).pipe(Layer.provide(NewsHttp), Layer.provide(NewsStoreMemory))

describe("news over RPC -> HTTP", () => {
  it.effect("stores with validation and shows by id; status and body come back as the result", () =>
    Effect.gen(function*() {
      const stored = yield* handle(rpcRequest({ method: "post:news/store", user: "ann", data: { title: "Hello", body: "First!" } }))
      expect(stored.result).toEqual({ data: { status: 201, body: { id: 1, title: "Hello", body: "First!", author: "ann" } } })
      const shown = yield* handle(rpcRequest({ method: "get:news/1", data: { lang: "en" } }))
      expect(shown.result).toEqual({ data: { status: 200, body: { id: 1, title: "Hello", body: "First!", author: "ann" } } })
      const missing = yield* handle(rpcRequest({ method: "get:/news/9" }))
      expect(missing.result).toEqual({ data: { status: 404, body: { message: "news 9 not found" } } })
      const invalid = yield* handle(rpcRequest({ method: "post:news/store", data: { title: "Hi" } }))
      expect(invalid.result).toEqual({
        data: {
          status: 422,
          body: { message: "validation failed", errors: "title: Expected a value with a length of at least 3" }
        }
      })
      // `body` is optional (the PHP seed's own call sends only a title).
      const titleOnly = yield* handle(rpcRequest({ method: "post:news/store", user: "ann", data: { title: "News title" } }))
      expect(titleOnly.result).toEqual({ data: { status: 201, body: { id: 2, title: "News title", body: "", author: "ann" } } })
    }).pipe(Effect.provide(served)))

  it.effect("a user ID outside ASCII is stored as the author it is (the bridge percent-encodes the header)", () =>
    Effect.gen(function*() {
      const stored = yield* handle(rpcRequest({ method: "post:news/store", user: "用户", data: { title: "你好世界" } }))
      expect(stored.result).toMatchObject({ data: { status: 201, body: { author: "用户" } } })
    }).pipe(Effect.provide(served)))

  it.effect("calls that are not HTTP requests are errors: 104 without a verb, 107 for an unsupported verb", () =>
    Effect.gen(function*() {
      expect((yield* handle(rpcRequest({ method: "news" }))).error?.code).toBe(104)
      expect((yield* handle(rpcRequest({ method: "trace:news/1" }))).error).toEqual({
        code: 107,
        message: "unsupported HTTP method: TRACE",
        temporary: false
      })
      expect((yield* handle(rpcRequest({ method: "put:nowhere" }))).result).toEqual({ data: { status: 404, body: "" } })
    }).pipe(Effect.provide(served)))
})

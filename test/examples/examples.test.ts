// Unit tests of every example module, with mock Layers and the testing kit.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { CentrifugoApi, ChannelRouter, HandlerSet, HttpBridge } from "effect-centrifugo"
import {
  CentrifugoApiMemory,
  connectRequest,
  handle,
  Mocks,
  publishRequest,
  refreshRequest,
  rpcRequest,
  subscribeRequest
} from "effect-centrifugo/testing"
import { acceptAll, autoSubscribe, tokenAuth } from "../../examples/connect.ts"
import { NewsStoreMemory } from "../../examples/news.ts"
import { ChatRooms } from "../../examples/publish.ts"
import { refresh } from "../../examples/refresh.ts"
import { NewsRpcHandlers, rpc } from "../../examples/rpc.ts"
import { subscribe, Topics } from "../../examples/subscribe.ts"

describe("connect examples", () => {
  it.effect("accept-all: anonymous user", () =>
    Effect.gen(function*() {
      expect((yield* handle(connectRequest())).result).toEqual({})
    }).pipe(Effect.provide(HandlerSet.layer({ connect: acceptAll }))))

  it.effect("auto-subscribe: the connection is subscribed to public", () =>
    Effect.gen(function*() {
      expect((yield* handle(connectRequest())).result).toEqual({ channels: ["public"] })
    }).pipe(Effect.provide(HandlerSet.layer({ connect: autoSubscribe }))))

  const withTokens = HandlerSet.layer({ connect: tokenAuth }).pipe(Layer.provide(Mocks.tokens({ t1: "alice" })))

  it.effect("token auth: a known token names the user and subscribes user-, chat- and public channels", () =>
    Effect.gen(function*() {
      const reply = yield* handle(connectRequest({ data: { authToken: "t1" } }))
      expect(reply.result).toMatchObject({
        user: "alice",
        channels: ["user-alice", "chat-alice", "public"],
        data: { user: "alice" }
      })
      expect(reply.result?.expire_at).toBeGreaterThan(Date.now() / 1000)
    }).pipe(Effect.provide(withTokens)))

  it.effect("token auth: an unknown or missing token closes the connection with 4501", () =>
    Effect.gen(function*() {
      const refused = { code: 4501, reason: "connection is not allowed" }
      expect((yield* handle(connectRequest({ data: { authToken: "forged" } }))).disconnect).toEqual(refused)
      expect((yield* handle(connectRequest())).disconnect).toEqual(refused)
    }).pipe(Effect.provide(withTokens)))
})

describe("topic-authorized subscribe", () => {
  const served = HandlerSet.layer({ ...ChannelRouter.handlers([ChatRooms], { otherwise: { subscribe } }) }).pipe(
    Layer.provide(Topics)
  )
  const sub = (channel: string, user = "alice", headers: Record<string, string> = {}) =>
    handle(subscribeRequest({ channel, user, headers }))

  it.effect("topic needs the secret header; user.{uuid} only its owner; news for all; chat for users", () =>
    Effect.gen(function*() {
      expect((yield* sub("topic", "alice", { secret: "secret" })).result).toEqual({})
      expect((yield* sub("topic")).error?.code).toBe(103)
      expect((yield* sub("user.alice")).result).toEqual({})
      expect((yield* sub("user.bob")).error?.code).toBe(103)
      expect((yield* sub("news.fr")).result).toEqual({ data: { lang: "fr" } })
      expect((yield* sub("chat:lobby")).result).toEqual({})
      expect((yield* sub("chat:lobby", "")).error?.code).toBe(103)
      expect((yield* sub("vault")).error?.message).toBe("permission denied: no rule for channel vault")
    }).pipe(Effect.provide(served)))
})

describe("refresh", () => {
  it.effect("extends a user's session by an hour (virtual clock), expires an anonymous one", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      expect((yield* handle(refreshRequest({ user: "alice" }))).result).toEqual({ expire_at: 1_700_003_600 })
      expect((yield* handle(refreshRequest({ user: "" }))).result).toEqual({ expired: true })
    }).pipe(Effect.provide(HandlerSet.layer({ refresh }))))
})

describe("rpc", () => {
  it.effect("ping answers pong; unknown names that are not verb:path get 104", () =>
    Effect.gen(function*() {
      expect((yield* handle(rpcRequest({ method: "ping" }))).result).toEqual({ data: "pong" })
      expect((yield* handle(rpcRequest({ method: "pong" }))).error?.code).toBe(104)
    }).pipe(
      Effect.provide(HandlerSet.layer({ rpc })),
      // Neither the HTTP fallback nor the API is reached here: mocks that would fail the test if called.
      Effect.provide(Layer.mock(HttpBridge.HttpBridge, {})),
      Effect.provide(Layer.mock(CentrifugoApi.CentrifugoApi, {})),
      Effect.provide(NewsStoreMemory)
    ))

  it.effect("news.create (RpcGroup) stores the news and broadcasts it to news and the author's channel", () => {
    const api = CentrifugoApiMemory.make()
    return Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({ method: "news.create", user: "ann", data: { title: "Hello", body: "b" } }))
      // The group's success travels as Effect's JSON Exit (RpcProxy's envelope).
      expect(reply.result).toEqual({ data: { _tag: "Success", value: { id: 1, deliveredTo: ["news", "user.ann"] } } })
      const news = { type: "news", news: { id: 1, title: "Hello", body: "b", author: "ann" } }
      expect(api.published("news")).toEqual([news])
      expect(api.published("user.ann")).toEqual([news])
      expect(api.calls.map((c) => c.method)).toEqual(["broadcast"])
      // news.get: the stored news, or the declared failure NewsNotFound in the envelope.
      expect((yield* handle(rpcRequest({ method: "news.get", data: { id: 1 } }))).result).toEqual({
        data: { _tag: "Success", value: news.news }
      })
      expect((yield* handle(rpcRequest({ method: "news.get", data: { id: 9 } }))).result).toEqual({
        data: { _tag: "Failure", cause: [{ _tag: "Fail", error: { _tag: "NewsNotFound", id: 9 } }] }
      })
      // A broadcast that fails for a channel fails the RPC (the handler must not lose a channel silently).
      api.failNext("broadcast", 102, "unknown channel")
      expect((yield* handle(rpcRequest({ method: "news.create", user: "ann", data: { title: "Again", body: "b" } }))).error)
        .toMatchObject({ code: 100 })
      // Outside the group: the router's ping.
      expect((yield* handle(rpcRequest({ method: "ping" }))).result).toEqual({ data: "pong" })
    }).pipe(
      Effect.provide(NewsRpcHandlers),
      Effect.provide(Layer.mock(HttpBridge.HttpBridge, {})),
      Effect.provide(api.layer),
      Effect.provide(NewsStoreMemory)
    )
  })
})

describe("chat rooms (a typed channel)", () => {
  it.effect("stamps valid messages with author and time; refuses invalid ones with 107", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 10, 28, 12))
      const into = { channel: "chat:lobby" }
      expect((yield* handle(publishRequest({ ...into, user: "bob", data: { text: "hi", by: "mallory" } }))).result)
        .toEqual({ data: { text: "hi", by: "bob", at: "2026-11-28T12:00:00.000Z" } })
      expect((yield* handle(publishRequest({ ...into, user: "", data: { text: "hi" } }))).error?.code).toBe(103)
      expect((yield* handle(publishRequest({ ...into, data: { text: "" } }))).error).toEqual({
        code: 107,
        message: "bad request: text: Expected a value with a length of at least 1",
        temporary: false
      })
    }).pipe(Effect.provide(HandlerSet.layer({ ...ChannelRouter.handlers([ChatRooms]) }))))
})

// HandlerSet for the rest of the proxy surface, through the testing kit.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { Auth, HandlerSet, Reply } from "../../src/index.ts"
import {
  clientPublication,
  handle,
  mapPublishRequest,
  mapRemoveRequest,
  Mocks,
  notifyCacheEmptyRequest,
  notifyChannelStateRequest,
  sharedPollRefreshRequest,
  subscribeRequest
} from "../../src/testing/index.ts"

describe("the rest of the surface", () => {
  const handlers = HandlerSet.layer({
    mapPublish: (request) => Effect.succeed(Reply.mapPublish({ key: request.key.toUpperCase(), data: request.data })),
    mapRemove: () => Effect.succeed(Reply.mapRemove({ tags: { why: "test" } })),
    sharedPollRefresh: (request) =>
      Effect.succeed(Reply.sharedPollRefresh({ items: request.items.map((i) => ({ key: i.key, version: i.version + 1n })) })),
    notifyCacheEmpty: () => Effect.die(new Error("cache store down")),
    notifyChannelState: (request) => Effect.succeed(
      request.events.length === 0 ? Reply.error(1400, "no events") : Reply.notifyChannelState()
    ),
    subscribeBidirectional: (_request, incoming) =>
      Effect.succeed(Reply.stream(incoming.pipe(Stream.map((p) => ({ data: { got: p.data } })))))
  })

  it.effect("map, shared poll and notifications answer through the same pipeline", () =>
    Effect.gen(function*() {
      expect((yield* handle(mapPublishRequest({ key: "k", data: 1 }))).result).toEqual({ key: "K", data: 1 })
      expect((yield* handle(mapRemoveRequest())).result).toEqual({ tags: { why: "test" } })
      expect((yield* handle(sharedPollRefreshRequest({ items: [{ key: "a", version: 1n }] }))).result)
        .toEqual({ items: [{ key: "a", version: 2 }] })
      expect((yield* handle(notifyChannelStateRequest())).error).toEqual({ code: 1400, message: "no events", temporary: false })
      // Cache-empty has no error field: a failure answers a gRPC INTERNAL status (and is logged).
      expect((yield* handle(notifyCacheEmptyRequest())).status).toEqual({ code: 13, details: "notifyCacheEmpty handler failed" })
    }).pipe(Effect.provide(handlers)))

  it.effect("a bidirectional handler can be unit-tested with a stream of client publications", () =>
    Effect.gen(function*() {
      const table = yield* Effect.service(HandlerSet.HandlerSet)
      const reply = yield* table.subscribeBidirectional!(
        subscribeRequest({ channel: "bidi:x" }),
        Stream.make(clientPublication("a"), clientPublication("b"))
      )
      if (reply._tag !== "StreamResult") throw new Error("expected a stream")
      expect(yield* Stream.runCollect(reply.publications)).toEqual([
        { data: { got: "a" } },
        { data: { got: "b" } }
      ])
    }).pipe(Effect.provide(handlers)))

  it.effect("authenticate lets Centrifugo's own calls through as Auth.serverUser", () =>
    Effect.gen(function*() {
      const reply = yield* handle(notifyCacheEmptyRequest({ channel: "c" }))
      expect(reply.result).toEqual({ populated: true })
    }).pipe(Effect.provide(
      HandlerSet.layer({
        notifyCacheEmpty: () => Effect.map(Effect.service(Auth.CurrentUser), (user) => Reply.notifyCacheEmpty({ populated: user.id === "" }))
      }).pipe(Auth.authenticate(), Layer.provide(Mocks.tokens({})))
    )))
})

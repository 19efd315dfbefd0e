import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Schema } from "effect"
import { Auth, CentrifugoApi, Channel, ChannelRouter, HandlerSet, Reply, TopicRegistry } from "effect-centrifugo"
import {
  CentrifugoApiMemory,
  handle,
  publishRequest,
  subRefreshRequest,
  subscribeRequest
} from "effect-centrifugo/testing"

const Ticket = Channel.make({
  pattern: "tickets:{id}",
  publication: Schema.Struct({ text: Schema.String.check(Schema.isMinLength(1)), by: Schema.optional(Schema.String) }),
  options: { history: { size: 10, ttl: "60s" }, recovery: true, presence: true }
})
const Personal = Channel.make({ pattern: "personal:#{user}", publication: Schema.Struct({ notice: Schema.String }) })

/** Who opened which ticket: a service the rule needs (it joins the Layer's requirements). */
const Owners = Context.Service<{ readonly owner: (ticket: string) => string }>("test/Owners")

const Tickets = ChannelRouter.route(Ticket, {
  // Agents (a token claim) may do anything; customers only in their own tickets.
  authorize: ({ params, user }) =>
    user.claims.role === "agent"
      ? Effect.succeed(true)
      : Effect.map(Effect.service(Owners), (owners) => owners.owner(params.id) === user.id),
  subscribe: true,
  publish: (message, { user }) => Effect.succeed({ ...message, by: user.id })
})
const PersonalRoute = ChannelRouter.route(Personal, {
  subscribe: ({ params, user }) =>
    Effect.succeed(params.user === user.id ? Reply.subscribe({ data: { hello: user.id } }) : Reply.error(103, "no")),
  subRefresh: () => Effect.succeed(Reply.subRefresh({ expireAt: 10 }))
})

const Served = HandlerSet.layer({ ...ChannelRouter.handlers([Tickets, PersonalRoute]) }).pipe(
  Layer.provide(Layer.succeed(Owners, { owner: (ticket) => (ticket === "1" ? "carol" : "dave") }))
)
const meta = (id: string, claims: Record<string, unknown>) => ({ [Auth.metaKey]: { id, claims } })

describe("ChannelRouter", () => {
  it.effect("one rule with claims decides subscribe and publish", () =>
    Effect.gen(function*() {
      const customer = { user: "carol", meta: meta("carol", { role: "customer" }) }
      const agent = { user: "alice", meta: meta("alice", { role: "agent" }) }
      expect((yield* handle(subscribeRequest({ ...customer, channel: "tickets:1" }))).result).toBeDefined()
      expect((yield* handle(subscribeRequest({ ...customer, channel: "tickets:2" }))).error?.code).toBe(103)
      expect((yield* handle(subscribeRequest({ ...agent, channel: "tickets:2" }))).result).toBeDefined()
      expect((yield* handle(publishRequest({ ...customer, channel: "tickets:2", data: { text: "x" } }))).error?.code)
        .toBe(103)
      const published = yield* handle(publishRequest({ ...agent, channel: "tickets:2", data: { text: "hi", x: 1 } }))
      expect(published.result?.data).toEqual({ text: "hi", by: "alice" })
      // CurrentUser provided by an interceptor wins over the meta.
      const provided = yield* handle(publishRequest({ ...customer, channel: "tickets:2", data: { text: "hi" } })).pipe(
        Effect.provideService(Auth.CurrentUser, { id: "dave", claims: {} })
      )
      expect(provided.error).toBeUndefined()
    }).pipe(Effect.provide(Served)))

  it.effect("bad publish data is 107 with the path, and the handler is not called", () =>
    Effect.gen(function*() {
      const agent = { user: "alice", meta: meta("alice", { role: "agent" }) }
      const reply = yield* handle(publishRequest({ ...agent, channel: "tickets:2", data: { text: 5 } }))
      expect(reply.error?.code).toBe(107)
      expect(reply.error?.message).toMatch(/^bad request: text: /)
      const empty = yield* handle(publishRequest({ ...agent, channel: "tickets:2", data: { text: "" } }))
      expect(empty.error?.message).toMatch(/^bad request: text: /)
    }).pipe(Effect.provide(Served)))

  it.effect("unknown channels and events no route answers are refused with 103", () =>
    Effect.gen(function*() {
      const unknown = yield* handle(subscribeRequest({ channel: "other:1" }))
      expect(unknown.error).toMatchObject({ code: 103, message: "permission denied: no rule for channel other:1" })
      expect((yield* handle(publishRequest({ channel: "personal:#user-1", data: { notice: "x" } }))).error?.code)
        .toBe(103)
      expect((yield* handle(subRefreshRequest({ channel: "tickets:1" }))).result?.expired).toBe(true)
      const own = yield* handle(subscribeRequest({ user: "bob", channel: "personal:#bob" }))
      expect(own.result?.data).toEqual({ hello: "bob" })
      expect((yield* handle(subRefreshRequest({ channel: "personal:#bob" }))).result?.expire_at).toBe(10)
    }).pipe(Effect.provide(Served)))

  it.effect("with otherwise, exactly the channels no route matches go to the fallback", () =>
    Effect.gen(function*() {
      const agent = { user: "alice", meta: meta("alice", { role: "agent" }) }
      expect((yield* handle(subscribeRequest({ ...agent, channel: "tickets:1" }))).result).toEqual({})
      expect((yield* handle(subscribeRequest({ channel: "news" }))).result?.data).toEqual({ fallback: "news" })
      // Too long for any route (over 255 bytes): not matched, so the fallback's.
      const long = `tickets:${"é".repeat(124)}`
      expect((yield* handle(subscribeRequest({ ...agent, channel: long }))).result?.data).toEqual({ fallback: long })
      // A matched route that does not answer the event refuses it; the fallback is only for unmatched channels.
      const unanswered = yield* handle(publishRequest({ channel: "personal:#bob", data: { notice: "x" } }))
      expect(unanswered.error).toMatchObject({ code: 103, message: "permission denied" })
      expect((yield* handle(publishRequest({ channel: "news", data: {} }))).result?.data).toEqual({ fallback: "news" })
      // No fallback for sub-refresh: an unmatched channel is refused (expired).
      expect((yield* handle(subRefreshRequest({ channel: "news" }))).result?.expired).toBe(true)
    }).pipe(Effect.provide(
      HandlerSet.layer({
        ...ChannelRouter.handlers([Tickets, PersonalRoute], {
          otherwise: {
            subscribe: (request) => Effect.succeed(Reply.subscribe({ data: { fallback: request.channel } })),
            publish: (request) => Effect.succeed(Reply.publish({ data: { fallback: request.channel } }))
          }
        })
      }).pipe(Layer.provide(Layer.succeed(Owners, { owner: () => "carol" })))
    )))

  it("describes the routed channels for the config", () => {
    const description = HandlerSet.layer({ ...ChannelRouter.handlers([Tickets, PersonalRoute]) }).description
    expect(description.events).toEqual(["subscribe", "publish", "subRefresh"])
    expect(description.channels?.map((c) => [c.namespace, c.events])).toEqual([
      ["tickets", ["subscribe", "publish"]],
      ["personal", ["subscribe", "subRefresh"]]
    ])
  })

  it.effect("the server API publishes typed values, encoded with the channel's Schema", () =>
    Effect.gen(function*() {
      const memory = CentrifugoApiMemory.make()
      yield* CentrifugoApi.publishTo(Ticket, { id: "9" }, { text: "typed" }).pipe(Effect.provide(memory.layer))
      yield* CentrifugoApi.broadcastTo(Personal, [{ user: "a" }, { user: "b" }], { notice: "n" }).pipe(
        Effect.provide(memory.layer)
      )
      expect(memory.published("tickets:9")).toEqual([{ text: "typed" }])
      expect(memory.published("personal:#b")).toEqual([{ notice: "n" }])
      const refused = yield* Effect.flip(
        CentrifugoApi.publishTo(Ticket, { id: "9" }, { text: "" }).pipe(Effect.provide(memory.layer))
      )
      expect(refused._tag).toBe("SchemaError")
      expect(memory.published("tickets:9")).toHaveLength(1)
    }))

  it("types: wrong publications and parameters do not compile", () => {
    const typeOnly = () => {
      // @ts-expect-error `text` must be a string
      CentrifugoApi.publishTo(Ticket, { id: "1" }, { text: 1 })
      // @ts-expect-error the pattern's parameter is `id`
      CentrifugoApi.publishTo(Ticket, { ticket: "1" }, { text: "x" })
      // @ts-expect-error a personal notice is not a ticket message
      CentrifugoApi.broadcastTo(Personal, [{ user: "a" }], { text: "x" })
      ChannelRouter.route(Ticket, {
        // @ts-expect-error the published value must be a ticket message
        publish: (message) => Effect.succeed({ ...message, text: 42 })
      })
      ChannelRouter.route(Ticket, {
        // @ts-expect-error `params` has `id` only
        authorize: ({ params }) => Effect.succeed(params.ticket === "1")
      })
    }
    expect(typeof typeOnly).toBe("function")
  })
})

describe("TopicRegistry rules see the token's claims too", () => {
  const Topics = TopicRegistry.layer([
    TopicRegistry.rule("staff.{room}", ({ claims }) => Effect.succeed(claims.role === "agent"))
  ])
  const served = HandlerSet.layer({ subscribe: TopicRegistry.subscribe }).pipe(HandlerSet.provide(Topics))

  it.effect("from the connection meta, or from the CurrentUser an interceptor provides", () =>
    Effect.gen(function*() {
      const agent = subscribeRequest({ user: "alice", channel: "staff.1", meta: meta("alice", { role: "agent" }) })
      expect((yield* handle(agent)).error).toBeUndefined()
      const customer = subscribeRequest({ user: "carol", channel: "staff.1", meta: meta("carol", { role: "customer" }) })
      expect((yield* handle(customer)).error?.code).toBe(103)
      const provided = yield* handle(customer).pipe(
        Effect.provideService(Auth.CurrentUser, { id: "carol", claims: { role: "agent" } })
      )
      expect(provided.error).toBeUndefined()
    }).pipe(Effect.provide(served)))
})

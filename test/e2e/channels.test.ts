// Typed channels end to end (issue 22): the support desk's contract (test/support/contract.ts) served over gRPC and
// HTTP behind a real Centrifugo v6.9.1 whose config is generated from the handler set, driven by centrifuge-js.
// One rule with a token claim decides subscribe and publish (agents join any ticket, customers their own); bad
// publications get 107 with the path; the server API publishes a typed value that subscribers receive.
import type { Centrifuge } from "centrifuge"
import { Effect } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { Auth, CentrifugoApi, ChannelRouter, HandlerSet, Reply, TokenStorage } from "../../src/index.ts"
import { Centrifugo, TestServer } from "../../src/testing/index.ts"
import { Ticket, routes } from "../support/contract.ts"
import { centrifugoBin, client, next, subscribed } from "../support/e2e.ts"

const handlers = HandlerSet.layer({
  connect: () => Effect.map(Auth.CurrentUser, (user) => Reply.connect({ user: user.id })),
  ...ChannelRouter.handlers(routes)
}).pipe(
  Auth.authenticate(),
  HandlerSet.provide(TokenStorage.layerMemory({
    "agent-token": { user: "alice", claims: { role: "agent" } },
    "carol-token": { user: "carol", claims: { role: "customer" } },
    "dave-token": { user: "dave", claims: { role: "customer" } }
  }))
)

for (const transport of ["grpc", "http"] as const) {
  describe(`typed channels through Centrifugo (${transport})`, () => {
    let server: TestServer.RunningServer | TestServer.RunningServer | undefined
    let centrifugo: Centrifugo.RunningCentrifugo | undefined
    const clients: Array<Centrifuge> = []
    const connect = (token: string) => {
      const c = client(centrifugo!.websocketUrl, { data: { authToken: token } })
      clients.push(c)
      c.connect()
      return c
    }
    const refused = async (c: Centrifuge, channel: string) => {
      const sub = c.newSubscription(channel)
      const gone = next<{ code: number; reason: string }>(sub, "unsubscribed")
      sub.subscribe()
      return gone
    }

    beforeAll(async () => {
      server = transport === "grpc" ? await TestServer.start(handlers) : await TestServer.startHttp(handlers)
      // No namespace written here: the config comes from the handler set's routed channels.
      centrifugo = await Centrifugo.start({ bin: centrifugoBin(), transport, proxy: server.address, handlers })
    })
    afterEach(() => {
      for (const c of clients.splice(0)) c.disconnect()
    })
    afterAll(async () => {
      await centrifugo?.stop()
      await server?.stop()
    })

    it("a rule with a claim decides subscribe: agents join any ticket, customers their own", async () => {
      const carol = connect("carol-token")
      const agent = connect("agent-token")
      await subscribed(carol, "tickets:carol-1")
      expect(await refused(carol, "tickets:dave-1")).toMatchObject({ code: 103 })
      await subscribed(agent, "tickets:dave-1")
    })

    it("the same rule decides publish; the published value is stamped with its author", async () => {
      const carol = connect("carol-token")
      const dave = connect("dave-token")
      const agent = connect("agent-token")
      const watching = await subscribed(agent, "tickets:carol-2")
      const received = next<{ data: unknown }>(watching, "publication")
      await carol.publish("tickets:carol-2", { text: "my printer is on fire", by: "someone else" })
      expect((await received).data).toEqual({ text: "my printer is on fire", by: "carol" })
      await expect(dave.publish("tickets:carol-2", { text: "hi" })).rejects.toMatchObject({ code: 103 })
      const answer = next<{ data: unknown }>(watching, "publication")
      await agent.publish("tickets:carol-2", { text: "on my way" })
      expect((await answer).data).toEqual({ text: "on my way", by: "alice" })
    })

    it("a publication that does not fit the channel's Schema is refused with 107 and the path", async () => {
      const agent = connect("agent-token")
      await expect(agent.publish("tickets:carol-3", { text: 5 })).rejects.toMatchObject({
        code: 107,
        message: expect.stringMatching(/^bad request: text: Expected string/)
      })
      await expect(agent.publish("tickets:carol-3", { text: "" })).rejects.toMatchObject({
        code: 107,
        message: expect.stringMatching(/^bad request: text: /)
      })
    })

    it("the server API publishes a typed value, received as that value", async () => {
      const carol = connect("carol-token")
      const sub = await subscribed(carol, "tickets:carol-4")
      const received = next<{ data: unknown }>(sub, "publication")
      const api = CentrifugoApi.layerHttpFetch({ url: centrifugo!.httpUrl, key: centrifugo!.apiKey })
      await Effect.runPromise(
        CentrifugoApi.publishTo(Ticket, { id: "carol-4" }, { text: "we replaced it", by: "desk" }).pipe(
          Effect.provide(api)
        )
      )
      expect((await received).data).toEqual({ text: "we replaced it", by: "desk" })
    })
  })
}

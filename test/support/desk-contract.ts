// A small "support desk" contract for the RPC tests: what the backend serves and the client calls, written once.
import { Effect, Ref, Schema } from "effect"
import { Rpc, RpcGroup } from "effect/rpc"
import { Channel, RpcProxy } from "../../src/index.ts"

export const Ticket = Schema.Struct({
  id: Schema.Number,
  subject: Schema.String.check(Schema.isMinLength(3)),
  by: Schema.String,
  // A Date on the server and on the client; an ISO string on the wire.
  at: Schema.Date
})

export const SubjectTaken = Schema.TaggedStruct("SubjectTaken", { subject: Schema.String, id: Schema.Number })

export const DeskRpcs = RpcGroup.make(
  Rpc.make("ticket.open", { payload: { subject: Ticket.fields.subject }, success: Ticket, error: SubjectTaken }),
  Rpc.make("ticket.list", { success: Schema.Array(Ticket) }),
  Rpc.make("ticket.crash")
)

/** The desk in memory: opening a subject twice is the declared failure; `ticket.crash` is a defect. */
export const DeskLive = DeskRpcs.toLayer(Effect.gen(function*() {
  const tickets = yield* Ref.make<ReadonlyArray<typeof Ticket.Type>>([])
  return {
    "ticket.open": ({ subject }) =>
      Effect.gen(function*() {
        const request = yield* RpcProxy.CurrentRequest
        const all = yield* Ref.get(tickets)
        const taken = all.find((t) => t.subject === subject)
        if (taken !== undefined) return yield* Effect.fail(SubjectTaken.make({ subject, id: taken.id }))
        const ticket = { id: all.length + 1, subject, by: request.user, at: new Date(Date.UTC(2026, 0, 1)) }
        yield* Ref.set(tickets, [...all, ticket])
        return ticket
      }),
    "ticket.list": () => Ref.get(tickets),
    "ticket.crash": () => Effect.die(new Error("boom"))
  }
}))

export const DeskHandlers = RpcProxy.layer(DeskRpcs, DeskLive)

/** A ticket's message thread: a channel without namespace (Centrifugo's `without_namespace` options apply). */
export const Thread = Channel.make({
  pattern: "thread.{id}",
  publication: Schema.Struct({ text: Schema.String.check(Schema.isMinLength(1)), by: Schema.String })
})

/**
 * The support desk of issue 22 as a contract shared by the tests: typed channels for tickets (agents join any,
 * customers their own) and personal notices, and the routes a backend attaches to them.
 */
import { Effect, Schema } from "effect"
import { Channel, ChannelRouter } from "effect-centrifugo"

export const TicketMessage = Schema.Struct({
  text: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(500)),
  by: Schema.optional(Schema.String)
})

export const Ticket = Channel.make({
  pattern: "tickets:{id}",
  publication: TicketMessage,
  options: { history: { size: 50, ttl: "300s" }, recovery: true, presence: true, joinLeave: true }
})

export const Personal = Channel.make({
  pattern: "personal:#{user}",
  publication: Schema.Struct({ notice: Schema.String })
})

/** Customers own the tickets whose id starts with their name: `carol-1` is carol's. */
export const ownsTicket = (user: string, ticket: string) => ticket.startsWith(`${user}-`)

export const Tickets = ChannelRouter.route(Ticket, {
  authorize: ({ params, user }) => Effect.succeed(user.claims.role === "agent" || ownsTicket(user.id, params.id)),
  subscribe: true,
  publish: (message, { user }) => Effect.succeed({ ...message, by: user.id })
})

export const PersonalNotices = ChannelRouter.route(Personal, {
  authorize: ({ params, user }) => Effect.succeed(params.user === user.id),
  subscribe: true
})

export const routes = [Tickets, PersonalNotices] as const

/**
 * The chat rooms the generic test backends serve with hand-written handlers (any data): `chat:{room}` with
 * presence, join/leave and history, passed to the testing kit as `channels: [Chat]`.
 */
export const Chat = Channel.make({
  pattern: "chat:{room}",
  publication: Schema.Unknown,
  options: { presence: true, joinLeave: true, history: { size: 100, ttl: "300s" } }
})

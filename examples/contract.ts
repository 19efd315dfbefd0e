/**
 * The example's contract, shared by the backend, the demo's clients and the Centrifugo config: the chat rooms as a
 * typed channel. `chat:{room}` keeps history (recovery) and presence, and sends join/leave messages; what is
 * published there is a `ChatMessage`.
 */
import { Schema } from "effect"
import { Channel } from "effect-centrifugo"

/** A chat message: the client sends `text`; the backend stamps `by` and `at` before it is published. */
export const ChatMessage = Schema.Struct({
  text: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(500)),
  by: Schema.optional(Schema.String),
  at: Schema.optional(Schema.String)
})

export const ChatRoom = Channel.make({
  pattern: "chat:{room}",
  publication: ChatMessage,
  options: { history: { size: 100, ttl: "300s" }, recovery: true, presence: true, joinLeave: true }
})

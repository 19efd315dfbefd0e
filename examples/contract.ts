/**
 * The example's contract, shared by the backend, the demo's clients (the browser's bundle too) and the Centrifugo
 * config: the chat rooms as a typed channel, and the news RPCs as an effect/rpc RpcGroup.
 *
 * `chat:{room}` keeps history (recovery) and presence, and sends join/leave messages; what is published there is a
 * `ChatMessage`. The news RPCs are served by examples/rpc.ts (`RpcProxy.layer`) and called by the browser through
 * `effect-centrifugo/client` (examples/web/client.ts).
 *
 * It imports `effect` by module path and `Channel` from the browser-safe client entry, so a bundler keeps only what
 * the contract uses.
 */
import * as Schema from "effect/Schema"
import * as Rpc from "effect/rpc/Rpc"
import * as RpcGroup from "effect/rpc/RpcGroup"
import { Channel } from "effect-centrifugo/client"

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

export const News = Schema.Struct({
  id: Schema.Number,
  title: Schema.String,
  body: Schema.String,
  author: Schema.String
})

export const CreateNews = Schema.Struct({
  title: Schema.String.check(Schema.isMinLength(3)),
  body: Schema.String
})

/** The answer to `news.create`: the stored id and the channels the broadcast reached. */
export const Created = Schema.Struct({ id: Schema.Number, deliveredTo: Schema.Array(Schema.String) })

/** `news.get` of an id that is not stored: a declared failure, decoded as such on the client. */
export const NewsNotFound = Schema.TaggedStruct("NewsNotFound", { id: Schema.Number })

export const NewsRpcs = RpcGroup.make(
  Rpc.make("news.create", { payload: CreateNews, success: Created }),
  Rpc.make("news.get", { payload: { id: Schema.Number }, success: News, error: NewsNotFound })
)

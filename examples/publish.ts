/**
 * Publish: the client's message is validated (typed payload) and stamped with its author and time before
 * Centrifugo broadcasts it. Bad messages get 107 and are not published.
 */
import { Clock, Effect, Schema } from "effect"
import { Handler, Reply, type ProxyRequest } from "effect-centrifugo"

export const ChatMessage = Schema.Struct({
  text: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(500))
})

export const publish = Handler.withPayload(ChatMessage, (message, request: ProxyRequest.PublishRequest) =>
  Effect.map(Clock.currentTimeMillis, (now) =>
    Reply.publish({ data: { text: message.text, by: request.user || "anonymous", at: new Date(now).toISOString() } })))

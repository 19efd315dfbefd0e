/**
 * Subscriptions authorized by topic rules (the seed's `'topic' => header SECRET == 'secret'` and
 * `'user.{uuid}' => $uuid === $userId`), plus an open `news[.{lang}]`: the channels without namespace. The chat rooms
 * are a typed channel (examples/contract.ts, examples/publish.ts). The first matching rule decides; any other channel
 * is refused with 103.
 */
import { Effect } from "effect"
import { Reply, TopicRegistry } from "effect-centrifugo"

export const Topics = TopicRegistry.layer([
  // The `secret` header of the client's WebSocket request (forwarded with `http_headers: ["Secret"]`).
  TopicRegistry.rule("topic", ({ request }) => Effect.succeed(request.headers.secret === "secret")),
  TopicRegistry.rule("user.{uuid}", ({ params, user }) => Effect.succeed(params.uuid === user)),
  TopicRegistry.rule("news[.{lang}]", ({ params }) =>
    Effect.succeed(Reply.subscribe({ data: { lang: params.lang ?? "en" } })))
])

/** The subscribe handler: authorize through the registry. */
export const subscribe = TopicRegistry.subscribe

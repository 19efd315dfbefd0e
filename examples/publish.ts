/**
 * The chat rooms (examples/contract.ts): any logged-in user may join a room and publish into it. A message is
 * decoded with the channel's Schema and stamped with its author and time before Centrifugo broadcasts it; bad
 * messages get 107 (with the path of the problem) and are not published.
 */
import { Clock, Effect } from "effect"
import { ChannelRouter } from "effect-centrifugo"
import { ChatRoom } from "./contract.ts"

export { ChatMessage } from "./contract.ts"

export const ChatRooms = ChannelRouter.route(ChatRoom, {
  authorize: ({ user }) => Effect.succeed(user.id !== ""),
  subscribe: true,
  publish: (message, { user }) =>
    Effect.map(Clock.currentTimeMillis, (now) => ({ text: message.text, by: user.id, at: new Date(now).toISOString() }))
})

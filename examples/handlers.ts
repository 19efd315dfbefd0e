/**
 * The example backend's handlers: one per proxy event, each a small Effect program.
 * examples/main.ts serves them; examples/demo.ts drives them through a real Centrifugo.
 */
import { Effect } from "effect"
import { Handlers, Reply } from "effect-centrifugo"

const hourFromNow = () => Math.floor(Date.now() / 1000) + 3600

export const AppHandlers = Handlers.layer({
  // Accept everyone; the name in the connect data becomes the user ID. Everyone is subscribed to `news`.
  connect: (request) =>
    Effect.gen(function*() {
      const name = (request.data as { name?: unknown } | undefined)?.name
      const user = typeof name === "string" ? name : ""
      yield* Effect.logInfo(`connect ${user || "(anonymous)"} over ${request.transport}`)
      return Reply.connect({ user, data: { welcome: `hello ${user || "stranger"}` }, channels: ["news"], expireAt: hourFromNow() })
    }),

  // Sessions are extended an hour at a time.
  refresh: () => Effect.succeed(Reply.refresh({ expireAt: hourFromNow() })),

  // Every channel is open, except `vault`.
  subscribe: (request) =>
    request.channel === "vault"
      ? Effect.succeed(Reply.error(1403, "permission denied"))
      : Effect.succeed(Reply.subscribe({ data: { joined: request.channel } })),

  // Publications are stamped with their author before Centrifugo broadcasts them.
  publish: (request) =>
    Effect.succeed(Reply.publish({ data: { ...(request.data as object), by: request.user || "anonymous" } })),

  rpc: (request) =>
    request.method === "ping"
      ? Effect.succeed(Reply.rpc({ data: "pong" }))
      : Effect.succeed(Reply.error(Reply.ErrorCode.MethodNotFound, `unknown method ${request.method}`)),

  subRefresh: () => Effect.succeed(Reply.subRefresh({ expireAt: hourFromNow() }))
})

// The handlers of effect-centrifugo's benchmarked servers (gRPC and HTTP): what bench/servers/logic.ts describes.
import { Effect, Layer, Schema } from "effect"
import { Handler, HandlerSet, Reply, TokenStorage } from "../../src/index.ts"
import { realisticChannels, TOKENS } from "./logic.ts"

export const noop = HandlerSet.layer({
  connect: () => Effect.succeed(Reply.connect({ user: "u" })),
  subscribe: () => Effect.succeed(Reply.subscribe()),
  rpc: () => Effect.succeed(Reply.rpc())
})

const ConnectData = Schema.Struct({ token: Schema.String })
const Tokens = TokenStorage.layerMemory(
  Object.fromEntries([...TOKENS].map(([token, user]) => [token, { user, claims: {} }]))
)
export const realistic = HandlerSet.layer({
  connect: Handler.withPayload(ConnectData, ({ token }) =>
    Effect.gen(function*() {
      const tokens = yield* TokenStorage.TokenStorage
      const payload = yield* tokens.load(token)
      return Reply.connect({ user: payload.user, channels: realisticChannels(payload.user), data: { ok: true } })
    }))
}).pipe(Layer.provide(Tokens))

/**
 * The same handler made once with Effect.fnUntraced, not an Effect.gen per call (the hot-path tip in
 * docs/guides/handlers-and-replies.md).
 */
export const realisticMadeOnce = HandlerSet.layer({
  connect: Handler.withPayload(ConnectData, Effect.fnUntraced(function*({ token }) {
    const tokens = yield* TokenStorage.TokenStorage
    const payload = yield* tokens.load(token)
    return Reply.connect({ user: payload.user, channels: realisticChannels(payload.user), data: { ok: true } })
  }))
}).pipe(Layer.provide(Tokens))

export const handlers = process.env.MODE === "realistic" ? realistic : noop

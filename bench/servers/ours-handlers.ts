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
/**
 * The realistic Connect as the docs write a handler of several steps: a generator function given to
 * `Handler.withPayload`, made into an Effect function once (docs/guides/handlers-and-replies.md#typed-payloads).
 */
export const realistic = HandlerSet.layer({
  connect: Handler.withPayload(ConnectData, function*({ token }) {
    const tokens = yield* TokenStorage.TokenStorage
    const payload = yield* tokens.load(token)
    return Reply.connect({ user: payload.user, channels: realisticChannels(payload.user), data: { ok: true } })
  })
}).pipe(Layer.provide(Tokens))

/**
 * The same handler written `(payload) => Effect.gen(function*() { ... })`, which makes a new generator function on
 * every call: the form the docs advise against on a hot path, measured in process for what it costs.
 */
export const realisticGenPerCall = HandlerSet.layer({
  connect: Handler.withPayload(ConnectData, ({ token }) =>
    Effect.gen(function*() {
      const tokens = yield* TokenStorage.TokenStorage
      const payload = yield* tokens.load(token)
      return Reply.connect({ user: payload.user, channels: realisticChannels(payload.user), data: { ok: true } })
    }))
}).pipe(Layer.provide(Tokens))

export const handlers = process.env.MODE === "realistic" ? realistic : noop

/**
 * RPC: `ping` answers `pong` (any JSON value, not only arrays); `news.create` stores a news item and broadcasts it
 * to `news` and the author's `user.{id}` channel through Centrifugo's server API; every `verb:path` call goes to
 * the news HTTP app (examples/news.ts) through `HttpBridge.rpc`.
 */
import { Effect, Schema } from "effect"
import { CentrifugoApi, HttpBridge, RpcRouter } from "effect-centrifugo"
import { NewsStore } from "./news.ts"

export const CreateNews = Schema.Struct({
  title: Schema.String.check(Schema.isMinLength(3)),
  body: Schema.String
})

export const rpc = RpcRouter.make(
  {
    ping: () => Effect.succeed("pong"),
    "news.create": RpcRouter.method(CreateNews, (input, request) =>
      Effect.gen(function*() {
        const news = yield* (yield* NewsStore).store({ ...input, author: request.user })
        // Stored, then broadcast (not skipHistory: where the namespace keeps history, late subscribers can recover it).
        const delivered = yield* CentrifugoApi.broadcastAll({
          channels: ["news", `user.${request.user}`],
          data: { type: "news", news }
        })
        return { id: news.id, deliveredTo: delivered.map((d) => d.channel) }
      }))
  },
  // Methods the router does not know are tried as `verb:path` HTTP calls (104 when they are not).
  { notFound: HttpBridge.rpc }
)


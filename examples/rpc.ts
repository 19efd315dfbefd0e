/**
 * RPC: the news RPCs (examples/contract.ts) as an `effect/rpc` RpcGroup: `news.create` stores a news item and
 * broadcasts it to `news` and the author's `user.{id}` channel through Centrifugo's server API; `news.get` reads one
 * back or fails with the declared `NewsNotFound`. Every other method goes to the router: `ping` answers `pong`, and
 * `verb:path` calls go to the news HTTP app (examples/news.ts) through `HttpBridge.rpc`.
 */
import { Effect } from "effect"
import { CentrifugoApi, HttpBridge, RpcProxy, RpcRouter } from "effect-centrifugo"
import { NewsStore } from "./news.ts"
import { NewsNotFound, NewsRpcs } from "./contract.ts"

export { CreateNews } from "./contract.ts"

/** The group's implementation: an ordinary `toLayer`, with the app's services and the Centrifugo request. */
export const NewsRpcsLive = NewsRpcs.toLayer({
  // Each handler is made once (Effect.fnUntraced) and run per call.
  "news.create": Effect.fnUntraced(function*(input) {
    const { user } = yield* RpcProxy.CurrentRequest
    const news = yield* (yield* NewsStore).store({ ...input, author: user })
    // Stored, then broadcast (not skipHistory: where the namespace keeps history, late subscribers can recover it).
    // A channel the broadcast missed is not a failure the contract declares: a defect, answered 100 and logged.
    const delivered = yield* Effect.orDie(
      CentrifugoApi.broadcastAll({ channels: ["news", `user.${user}`], data: { type: "news", news } })
    )
    return { id: news.id, deliveredTo: delivered.map((d) => d.channel) }
  }),
  "news.get": Effect.fnUntraced(function*({ id }) {
    const news = yield* (yield* NewsStore).find(id)
    return news ?? (yield* Effect.fail(NewsNotFound.make({ id })))
  })
})

/** Methods outside the group: `ping`, and `verb:path` calls to the news HTTP app (104 when they are not). */
export const rpc = RpcRouter.make({ ping: () => Effect.succeed("pong") }, { notFound: HttpBridge.rpc })

/** The `rpc` event: the group first, the router for the rest. */
export const NewsRpcHandlers = RpcProxy.layer(NewsRpcs, NewsRpcsLive, { fallback: rpc })

/**
 * The example backend: every example wired into one handler set, with the services it needs.
 * main.ts serves it; the tests and the demo use it too.
 */
import { Duration, Effect, Layer, Option } from "effect"
import { CentrifugoApi, ChannelRouter, HandlerSet, Interceptor, Reply, TokenStorage } from "effect-centrifugo"
import { tokenAuth } from "./connect.ts"
import { NewsHttp, NewsStoreMemory } from "./news.ts"
import { ChatRooms } from "./publish.ts"
import { refresh } from "./refresh.ts"
import { NewsRpcHandlers } from "./rpc.ts"
import { subscribe, Topics } from "./subscribe.ts"

/**
 * The demo's tokens (docs/guides/getting-started.md lists them); the last is the one the PHP seed's JavaScript
 * snippets send.
 */
export const DEMO_TOKENS = {
  "alice-token": { user: "alice", claims: { name: "Alice" } },
  "bob-token": { user: "bob", claims: { name: "Bob" } },
  "my-app-auth-token": { user: "my-app-user", claims: { name: "The seed's example user" } }
} as const

export const AppHandlers = HandlerSet.merge(
  HandlerSet.layer({
    connect: tokenAuth,
    refresh,
    // The chat rooms are a typed channel; the other channels (no namespace) are authorized by the topic rules.
    ...ChannelRouter.handlers([ChatRooms], { otherwise: { subscribe } }),
    // Subscriptions whose expireAt passes are extended by an hour.
    subRefresh: () => Effect.succeed(Reply.subRefresh({ expireAt: Math.floor(Date.now() / 1000) + 3600 }))
  }),
  // rpc: the news RpcGroup (examples/contract.ts), then `ping` and the HTTP bridge.
  NewsRpcHandlers
).pipe(Interceptor.timeout(Duration.seconds(2)), Interceptor.metrics(), Interceptor.logging())

/**
 * Tokens: HS256 JWTs when PROXY_TOKEN_HMAC_SECRET is set (PROXY_TOKEN_TTL optional), else the demo tokens in memory.
 */
export const AppTokens = Layer.unwrap(
  Effect.map(Effect.sync(() => Option.fromNullishOr(process.env.PROXY_TOKEN_HMAC_SECRET)), (secret) =>
    Option.isSome(secret) ? TokenStorage.layerJwtConfig() : TokenStorage.layerMemory(DEMO_TOKENS))
)

/** Everything the handlers need but Centrifugo's server API (the news store is shared by RPC and HTTP). */
export const AppServices = Layer.mergeAll(AppTokens, Topics, NewsHttp).pipe(Layer.provideMerge(NewsStoreMemory))

/** The app with a given server API client (tests pass one pointing at their Centrifugo, or the in-memory double). */
export const AppWith = <E>(api: Layer.Layer<CentrifugoApi.CentrifugoApi, E>) =>
  AppHandlers.pipe(HandlerSet.provide(AppServices), HandlerSet.provide(api))

/**
 * The app as main.ts serves it: the server API over HTTP from PROXY_CENTRIFUGO_API_URL / PROXY_CENTRIFUGO_API_KEY. Without a key
 * it still starts (one warning); only `news.create`, which broadcasts, then fails.
 */
export const App = AppWith(CentrifugoApi.layerHttpConfig({ optional: true }))

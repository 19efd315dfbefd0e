/**
 * Three ways to answer a connect, as the PHP seed shows them:
 * - `acceptAll`: every connection is accepted as anonymous;
 * - `autoSubscribe`: accepted, and subscribed server-side to `public` (no client code needed);
 * - `tokenAuth`: the client's `authToken` (connect data) is loaded through TokenStorage; its user is subscribed to
 *   `user-{id}`, `chat-{id}` and `public`, or the connection is closed with 4501 (4500+: the SDK does not retry).
 */
import { Effect } from "effect"
import { Auth, Reply, type ProxyRequest, TokenStorage } from "effect-centrifugo"

export const acceptAll = (_request: ProxyRequest.ConnectRequest) => Effect.succeed(Reply.connect({ user: "" }))

export const autoSubscribe = (_request: ProxyRequest.ConnectRequest) =>
  Effect.succeed(Reply.connect({ user: "", channels: ["public"] }))

/** Custom disconnect code for a refused connection (4500-4999: terminal). */
export const NOT_ALLOWED = 4501

// Made once with Effect.fnUntraced and run per call (an `(request) => Effect.gen(...)` makes a generator per call).
export const tokenAuth = Effect.fnUntraced(function*(request: ProxyRequest.ConnectRequest) {
  const token = Auth.tokenFromConnectData(request)
  if (token === undefined) return Reply.disconnect(NOT_ALLOWED, "connection is not allowed")
  const tokens = yield* TokenStorage.TokenStorage
  const payload = yield* tokens.load(token).pipe(
    Effect.catchTag("TokenRejectedError", () => Effect.succeed(undefined))
  )
  if (payload === undefined) return Reply.disconnect(NOT_ALLOWED, "connection is not allowed")
  return Reply.connect({
    user: payload.user,
    channels: [`user-${payload.user}`, `chat-${payload.user}`, "public"],
    data: { user: payload.user },
    // Refresh asks again at this time (Unix seconds).
    expireAt: Math.floor(Date.now() / 1000) + 3600
  })
})

/**
 * Authentication: the `CurrentUser` request-scoped service and the interceptor that provides it from tokens.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Auth, HandlerSet, Reply } from "effect-centrifugo"
 *
 * const Served = HandlerSet.layer({
 *   subscribe: (request) =>
 *     Effect.gen(function*() {
 *       const user = yield* Auth.CurrentUser // only compiles into a server wrapped by Auth.authenticate()
 *       return request.channel === `user.${user.id}` ? Reply.subscribe() : yield* Reply.error(403, "forbidden")
 *     })
 * }).pipe(Auth.authenticate()) // requires TokenStorage instead
 * ```
 *
 * Where the user comes from (`authenticate` defaults; each source can be replaced):
 * - **connect**: a token in the client's connect data (`{ "authToken": "..." }` or `{ "token": "..." }`), else an
 *   `authorization: Bearer ...` header (forward it with `http_headers: ["Authorization"]`). The token is loaded
 *   through `TokenStorage`. On success the user and claims are added to the connection's `meta` under `auth`, so
 *   later events can recover the claims (with `include_connection_meta: true`) without loading the token again.
 * - **every other event**: the `auth` entry of the connection meta when present; else a bearer header, loaded
 *   through TokenStorage; else the `user` Centrifugo attached to the connection (it authenticated the connection
 *   itself, so the ID is trusted) with no claims. An anonymous connection (`user` is "") is not authenticated.
 *
 * Calls Centrifugo makes on its own behalf (shared-poll refresh, PRO notifications) have no client: they pass with
 * `CurrentUser` `{ id: "", claims: {} }` (`Auth.serverUser`).
 *
 * Unauthenticated calls are answered without calling the handler: connect, subscribe, publish and rpc with
 * error **101** "unauthorized" (not temporary: the SDK stops instead of retrying a bad token); refresh and
 * sub_refresh with `expired: true` (Centrifugo has no error reply for them).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Interceptor from "./Interceptor.ts"
import * as Reply from "./Reply.ts"
import { type ConnectRequest, isClientRequest, type ProxyRequest } from "./ProxyRequest.ts"
import { type TokenPayload, TokenStorage } from "./services/TokenStorage.ts"

/**
 * The authenticated user of the current call.
 *
 * @since 0.1.0
 * @category services
 */
export interface CurrentUser {
  readonly id: string
  readonly claims: Readonly<Record<string, unknown>>
}

export const CurrentUser: Context.Service<CurrentUser, CurrentUser> = Context.Service<CurrentUser>(
  "effect-centrifugo/CurrentUser"
)

/**
 * The connection meta key where `authenticate` keeps the user across events.
 *
 * @since 0.1.0
 * @category constants
 */
export const metaKey = "auth"

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * `{ authToken }` or `{ token }` from the connect data.
 *
 * @since 0.1.0
 * @category utils
 */
export const tokenFromConnectData = (request: ConnectRequest): string | undefined => {
  if (!isRecord(request.data)) return undefined
  const token = request.data.authToken ?? request.data.token
  return typeof token === "string" && token !== "" ? token : undefined
}

/**
 * The token of an `authorization: Bearer <token>` header.
 *
 * @since 0.1.0
 * @category utils
 */
export const bearerToken = (request: ProxyRequest): string | undefined => {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")
  return match?.[1]
}

/**
 * The user `authenticate` stored in the connection meta, if any.
 *
 * @since 0.1.0
 * @category utils
 */
export const userFromMeta = (request: ProxyRequest): CurrentUser | undefined => {
  if (!("meta" in request) || !isRecord(request.meta)) return undefined
  const auth = request.meta[metaKey]
  if (!isRecord(auth) || typeof auth.id !== "string") return undefined
  return { id: auth.id, claims: isRecord(auth.claims) ? auth.claims : {} }
}

/**
 * The answer to an unauthenticated call, per event (see the module doc).
 *
 * @since 0.1.0
 * @category utils
 */
export const unauthenticated = (request: ProxyRequest, message: string): Reply.AnyReply => {
  switch (request._tag) {
    case "Refresh":
      return Reply.refresh({ expired: true })
    case "SubRefresh":
      return Reply.subRefresh({ expired: true })
    default:
      return Reply.error(Reply.ErrorCode.Unauthorized, message)
  }
}

/**
 * Options of `Auth.authenticate`: where the connect token comes from and whether the user is kept in the connection
 * meta.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthenticateOptions {
  /** The connect token; default `tokenFromConnectData`, then `bearerToken`. */
  readonly connectToken?: (request: ConnectRequest) => string | undefined
  /** Keep the user in the connection meta (under `auth`) for later events. Default true. */
  readonly rememberInMeta?: boolean
}

const fromPayload = (payload: TokenPayload): CurrentUser => ({ id: payload.user, claims: payload.claims })

/**
 * The CurrentUser of calls Centrifugo makes on its own (shared-poll refresh, PRO notifications).
 *
 * @since 0.1.0
 * @category constants
 */
export const serverUser: CurrentUser = { id: "", claims: {} }

/**
 * Provides `CurrentUser` to every handler, from tokens loaded through `TokenStorage` (see the module doc), and
 * answers unauthenticated calls itself.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Auth, HandlerSet, Reply, TokenStorage } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({
 *   // The interceptor answers 101 "unauthorized" to a bad or missing token before this handler runs.
 *   connect: () => Effect.map(Auth.CurrentUser, (user) => Reply.connect({ user: user.id })),
 *   rpc: () => Effect.map(Auth.CurrentUser, (user) => Reply.rpc({ data: { claims: user.claims } }))
 * })
 *
 * // Requires TokenStorage instead of CurrentUser: here HS256 JWTs from TOKEN_HMAC_SECRET.
 * const Served = MyHandlers.pipe(Auth.authenticate(), Layer.provide(TokenStorage.layerJwtConfig()))
 * ```
 *
 * @since 0.1.0
 * @category interceptors
 */
export const authenticate = (options: AuthenticateOptions = {}): Interceptor.Interceptor<CurrentUser, TokenStorage> => {
  const connectToken = options.connectToken ?? ((request: ConnectRequest) => tokenFromConnectData(request) ?? bearerToken(request))
  const remember = options.rememberInMeta ?? true

  const resolve = (storage: TokenStorage, request: ProxyRequest): Effect.Effect<CurrentUser | string> => {
    const load = (token: string) =>
      storage.load(token).pipe(
        Effect.map(fromPayload),
        Effect.catchTag("TokenRejectedError", (rejected) => Effect.succeed(`unauthorized: ${rejected.message}`))
      )
    // Centrifugo's own calls (shared-poll refresh, PRO notifications) have no client: they run as nobody.
    if (!isClientRequest(request)) return Effect.succeed(serverUser)
    if (request._tag === "Connect") {
      const token = connectToken(request)
      return token === undefined ? Effect.succeed("unauthorized: no token") : load(token)
    }
    const remembered = userFromMeta(request)
    if (remembered !== undefined) return Effect.succeed(remembered)
    const bearer = bearerToken(request)
    if (bearer !== undefined) return load(bearer)
    if ("user" in request && request.user !== "") return Effect.succeed({ id: request.user, claims: {} })
    return Effect.succeed("unauthorized: anonymous connection")
  }

  const rememberUser = (reply: Reply.AnyReply, user: CurrentUser): Reply.AnyReply => {
    if (!remember || reply._tag !== "ConnectResult") return reply
    if (reply.meta !== undefined && !isRecord(reply.meta)) return reply // a non-object meta is the handler's choice
    return Reply.connect({ ...reply, meta: { ...reply.meta, [metaKey]: { id: user.id, claims: user.claims } } })
  }

  // Made once: an `Effect.gen` inside the per-call function makes a generator function per call, and V8 gives each
  // its own prototype and map, in the old generation (measured: a GC cost several times the closure's size).
  const around = Effect.fnUntraced(function*(
    request: ProxyRequest,
    next: (request: ProxyRequest, user: CurrentUser) => Effect.Effect<Reply.AnyReply, unknown>
  ) {
    const storage = yield* TokenStorage
    const user = yield* resolve(storage, request)
    if (typeof user === "string") return unauthenticated(request, user)
    const reply = yield* next(request, user)
    return request._tag === "Connect" ? rememberUser(reply, user) : reply
  })
  return Interceptor.makeProviding(CurrentUser, around, {
    // Later events find the user in the connection meta: Centrifugo must send it (`include_connection_meta`).
    description: { usesConnectionMeta: true }
  })
}

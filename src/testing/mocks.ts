/**
 * Mock Layers for the library's own services, and the pattern for yours.
 *
 * For your own service, a mock is a Layer of the same key: `Layer.succeed(UserDirectory, { lookup: ... })`, or
 * `Layer.mock(UserDirectory, { lookup: ... })` when the test only needs some members (the others die as
 * "unimplemented" if called).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { CurrentUser as CurrentUserShape } from "../Auth.ts"
import { CurrentUser } from "../Auth.ts"
import * as TokenStorage from "../services/TokenStorage.ts"

/**
 * A TokenStorage that knows exactly these tokens: `tokens({ good: "alice" })` or with claims.
 *
 * @example
 * ```ts
 * import { expect, it } from "@effect/vitest"
 * import { Effect, Layer } from "effect"
 * import { Auth, HandlerSet, Reply } from "effect-centrifugo"
 * import { connectRequest, handle, Mocks } from "effect-centrifugo/testing"
 *
 * const Served = HandlerSet.layer({
 *   connect: () => Effect.map(Auth.CurrentUser, (user) => Reply.connect({ user: user.id }))
 * }).pipe(
 *   Auth.authenticate(),
 *   Layer.provide(Mocks.tokens({ good: "alice", admin: { user: "bob", claims: { admin: true } } }))
 * )
 *
 * it.effect("a known token names the user", () =>
 *   Effect.gen(function*() {
 *     const reply = yield* handle(connectRequest({ data: { authToken: "good" } }))
 *     expect(reply.result?.user).toBe("alice")
 *   }).pipe(Effect.provide(Served)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const tokens = (
  known: Readonly<Record<string, string | TokenStorage.TokenPayload>>
): Layer.Layer<TokenStorage.TokenStorage> =>
  TokenStorage.layerMemory(
    Object.fromEntries(
      Object.entries(known).map(([token, user]) => [token, typeof user === "string" ? { user, claims: {} } : user])
    )
  )

/**
 * CurrentUser fixed for a test of a handler that needs it, without running the auth interceptor.
 *
 * @example
 * ```ts
 * import { expect, it } from "@effect/vitest"
 * import { Effect, Layer } from "effect"
 * import { Auth, HandlerSet, Reply } from "effect-centrifugo"
 * import { handle, Mocks, rpcRequest } from "effect-centrifugo/testing"
 *
 * // The handler needs CurrentUser; the test provides it directly instead of wrapping with Auth.authenticate.
 * const MyHandlers = HandlerSet.layer({
 *   rpc: () => Effect.map(Auth.CurrentUser, (user) => Reply.rpc({ data: user.claims }))
 * })
 *
 * it.effect("answers the user's claims", () =>
 *   Effect.gen(function*() {
 *     const reply = yield* handle(rpcRequest())
 *     expect(reply.result?.data).toEqual({ role: "admin" })
 *   }).pipe(Effect.provide(MyHandlers.pipe(Layer.provide(Mocks.currentUser("alice", { role: "admin" }))))))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const currentUser = (id: string, claims: Readonly<Record<string, unknown>> = {}): Layer.Layer<CurrentUserShape> =>
  Layer.succeed(CurrentUser, { id, claims })

/**
 * Provides CurrentUser to one effect.
 *
 * @example
 * ```ts
 * import { expect, it } from "@effect/vitest"
 * import { Effect } from "effect"
 * import { Auth } from "effect-centrifugo"
 * import { Mocks } from "effect-centrifugo/testing"
 *
 * const greeting = Effect.map(Auth.CurrentUser, (user) => `hello ${user.id}`)
 *
 * it.effect("greets the current user", () =>
 *   Effect.gen(function*() {
 *     expect(yield* greeting.pipe(Mocks.asUser("alice"))).toBe("hello alice")
 *   }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const asUser = (id: string, claims: Readonly<Record<string, unknown>> = {}) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, CurrentUserShape>> =>
  Effect.provideService(effect, CurrentUser, { id, claims })

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
 * @since 0.1.0
 * @category layers
 */
export const currentUser = (id: string, claims: Readonly<Record<string, unknown>> = {}): Layer.Layer<CurrentUserShape> =>
  Layer.succeed(CurrentUser, { id, claims })

/**
 * Provides CurrentUser to one effect.
 *
 * @since 0.1.0
 * @category combinators
 */
export const asUser = (id: string, claims: Readonly<Record<string, unknown>> = {}) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, CurrentUserShape>> =>
  Effect.provideService(effect, CurrentUser, { id, claims })

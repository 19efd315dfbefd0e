/**
 * The readiness a server consults: the shared one in context, or a private one when the program provides none (so a
 * gRPC health service still turns NOT_SERVING on shutdown).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Readiness from "../ops/Readiness.ts"

/** The `Readiness` in context, or a private one when none was provided. */
export const currentOrPrivate: Effect.Effect<Readiness.Readiness> = Effect.map(
  Effect.serviceOption(Readiness.Readiness),
  (found) => found._tag === "Some" ? found.value : Readiness.make()
)

/**
 * The one failure of a CLI command: a message for the user. `Command.run` prints it (through `CliError.userMessage`)
 * and the process exits non-zero.
 */
import * as Effect from "effect/Effect"
import * as CliError from "effect/cli/CliError"

export interface CliFailure {
  readonly _tag: "CliFailure"
  readonly message: string
  readonly [CliError.userMessage]: string
}

export const fail = (message: string): Effect.Effect<never, CliFailure> =>
  Effect.fail({ _tag: "CliFailure", message, [CliError.userMessage]: message })

/** Runs a synchronous file-system step, turning a thrown error into a `CliFailure` that says what was being done. */
export const attempt = <A>(doing: string, run: () => A): Effect.Effect<A, CliFailure> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(run())
    } catch (error) {
      return fail(`${doing}: ${error instanceof Error ? error.message : String(error)}`)
    }
  })

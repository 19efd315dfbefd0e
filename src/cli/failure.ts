/**
 * The one failure of a CLI command: a message for the user. `Command.run` prints it (through `CliError.userMessage`)
 * and the process exits non-zero.
 */
import * as Effect from "effect/Effect"
import * as CliError from "effect/cli/CliError"
import { type TaggedError, taggedError } from "../internal/tagged.ts"

/** Its message is also its `CliError.userMessage` (an optional field every `Error` has once effect/cli is loaded). */
export interface CommandError extends TaggedError<"CommandError"> {}

export const CommandError = taggedError<CommandError>("CommandError")

export const fail = (message: string): Effect.Effect<never, CommandError> =>
  Effect.fail(Object.assign(CommandError({ message }), { [CliError.userMessage]: message }))

/** Runs a synchronous file-system step, turning a thrown error into a `CommandError` that says what was being done. */
export const attempt = <A>(doing: string, run: () => A): Effect.Effect<A, CommandError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(run())
    } catch (error) {
      return fail(`${doing}: ${error instanceof Error ? error.message : String(error)}`)
    }
  })

/**
 * The mismatch every Centrifugo newcomer hits, found at start instead of at the first call: given the path of the
 * Centrifugo config the server is meant for, warn about each proxy that reaches no handler (its calls would answer
 * UNIMPLEMENTED) and each handler no proxy reaches. Transport-neutral: a server calls it once it is listening.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { checkConfig, configTransport, formatMismatch, type Transport } from "./centrifugoConfig.ts"
import { eventNames, type HandlerSet } from "../HandlerSet.ts"

/**
 * Logs one warning per mismatch between the config at `path` and `handlers` (or one line saying they match), and
 * one when its proxies call another transport than `transport`, the one of the server checking.
 */
export const warnAboutMismatches = (path: string, handlers: HandlerSet, transport: Transport): Effect.Effect<void> =>
  Effect.suspend(() => {
    let config: unknown
    try {
      config = JSON.parse(readFileSync(path, "utf8"))
    } catch (error) {
      return Effect.logWarning(
        `cannot check the Centrifugo config ${path} against the handlers: ${error instanceof Error ? error.message : String(error)}`
      )
    }
    const mismatches = checkConfig(config, { events: eventNames(handlers) }).map(formatMismatch)
    const used = configTransport(config)
    if (used !== undefined && used !== transport) {
      mismatches.push(`its proxies call the backend over ${used}, and this server answers ${transport}`)
    }
    if (mismatches.length === 0) {
      return Effect.logInfo(`Centrifugo config ${path}: every proxy reaches a handler and every handler a proxy`)
    }
    return Effect.forEach(mismatches, (mismatch) => Effect.logWarning(`Centrifugo config ${path}: ${mismatch}`), {
      discard: true
    })
  })

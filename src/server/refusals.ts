/**
 * The warning a server logs when it refuses a call (wrong credentials, a bad body, no handler, ...): at most one
 * line per kind per 10 s, each saying how many were left out since the last, so a flood of refused calls (a
 * misconfigured Centrifugo, or a scan) cannot flood the log, and a flood of one kind does not hide another.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { throttle } from "../internal/logText.ts"

/**
 * The refusal warnings of one server: `refuse(kind, line, annotations)` is the warning to log now, or `undefined`
 * when this one is left out. `line` is already escaped; `noun` names what is refused ("calls", "requests").
 */
export const make = <Kind extends string>(noun: string) => {
  const throttles = new Map<Kind, ReturnType<typeof throttle>>()
  return (kind: Kind, line: string, annotations: Record<string, unknown>): Effect.Effect<void> | undefined => {
    let shouldLog = throttles.get(kind)
    if (shouldLog === undefined) throttles.set(kind, shouldLog = throttle(10_000))
    const suppressed = shouldLog()
    if (suppressed === undefined) return undefined
    const more = suppressed > 0 ? ` (and ${suppressed} more such ${noun} not logged)` : ""
    return Effect.logWarning(`${line}${more}`).pipe(Effect.annotateLogs(annotations))
  }
}

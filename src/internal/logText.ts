/**
 * Text that came from a client (channels, RPC methods, user IDs, messages) made safe for a log line: control
 * characters are escaped, so a method named `x\n[00:00:00.000] ERROR ...` cannot forge a line of its own in a
 * line-oriented log, and very long values are cut, so a 4 MiB channel name does not become a 4 MiB log line.
 *
 * @since 0.1.0
 */

/** Longest client-supplied value written to a log line, in UTF-16 units. */
export const MAX_LOGGED_LENGTH = 256

// C0 and C1 controls, DEL, and the two JavaScript line separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

const escapeOne = (char: string): string => {
  switch (char) {
    case "\n":
      return "\\n"
    case "\r":
      return "\\r"
    case "\t":
      return "\\t"
    default:
      return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`
  }
}

/** `value` with control characters escaped (`\n`, `\u001b`, ...), whole. */
export const escapeControls = (value: string): string => value.replace(CONTROL, escapeOne)

/** `value` with control characters escaped (`\n`, `\u001b`, ...) and cut to `MAX_LOGGED_LENGTH`. */
export const safe = (value: string): string => {
  const cut = value.length > MAX_LOGGED_LENGTH
    ? `${value.slice(0, MAX_LOGGED_LENGTH)}...(${value.length - MAX_LOGGED_LENGTH} more)`
    : value
  return cut.replace(CONTROL, escapeOne)
}

/**
 * A warning that may repeat once per call (a flood of calls without credentials) logged at most once per
 * `intervalMs`: the first occurrence is logged, later ones in the same interval are counted and the count is
 * reported with the next line logged.
 */
export const throttle = (intervalMs = 10_000) => {
  let last = -Infinity
  let suppressed = 0
  /** Undefined when this occurrence is not to be logged; otherwise how many were left out since the last line. */
  return (now: number = Date.now()): number | undefined => {
    if (now - last < intervalMs) {
      suppressed++
      return undefined
    }
    last = now
    const count = suppressed
    suppressed = 0
    return count
  }
}

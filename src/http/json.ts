/**
 * The few JSON tools the HTTP codec needs beyond `JSON.parse`: splitting a request body into its top-level fields
 * without parsing their values, so `data` and `meta` keep the exact bytes Centrifugo embedded (big integers, number
 * spellings and key order intact) and a payload nested too deeply is refused before anything walks it.
 *
 * @since 0.2.0
 */
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  CR,
  LF,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  SPACE,
  TAB
} from "../internal/jsonBytes.ts"

const BadBodyTypeId: unique symbol = Symbol.for("effect-centrifugo/http/BadBody")

/** The body is not a request of the event: not a JSON object, or a field of the wrong type. HTTP 400. */
export interface BadBody {
  readonly [BadBodyTypeId]: true
  readonly message: string
}

export const badBody = (message: string): BadBody => ({ [BadBodyTypeId]: true, message })

export const isBadBody = (value: unknown): value is BadBody =>
  typeof value === "object" && value !== null && BadBodyTypeId in value

const isSpace = (byte: number | undefined): boolean => byte === SPACE || byte === LF || byte === CR || byte === TAB

const skipSpace = (bytes: Uint8Array, i: number): number => {
  while (i < bytes.length && isSpace(bytes[i])) i++
  return i
}

const truncated = (): BadBody => badBody("the body is not a JSON object (truncated or malformed)")

/** The index just past the string that starts (with its quote) at `i`. */
const endOfString = (bytes: Uint8Array, i: number): number => {
  for (let j = i + 1; j < bytes.length; j++) {
    const byte = bytes[j]
    if (byte === BACKSLASH) j++
    else if (byte === QUOTE) return j + 1
  }
  throw truncated()
}

/**
 * The index just past the value that starts at `i`. Objects and arrays are skipped by counting brackets outside
 * strings (no recursion, so any depth is safe); the value's own validity is checked by whoever parses it.
 */
const endOfValue = (bytes: Uint8Array, i: number): number => {
  const first = bytes[i]
  if (first === QUOTE) return endOfString(bytes, i)
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0
    for (let j = i; j < bytes.length; j++) {
      const byte = bytes[j]
      if (byte === QUOTE) j = endOfString(bytes, j) - 1
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (--depth === 0) return j + 1
      }
    }
    throw truncated()
  }
  let j = i
  while (j < bytes.length) {
    const byte = bytes[j]
    if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isSpace(byte)) break
    j++
  }
  if (j === i) throw truncated()
  return j
}

/** The bytes as a Buffer without copying (views of a Buffer already are: `fields` hands out only such views). */
const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

const text = (bytes: Uint8Array): string => asBuffer(bytes).toString("utf8")

/** True when the JSON string at `start..end` (quotes included) needs `JSON.parse`: an escape or a control byte. */
const needsParsing = (bytes: Uint8Array, start: number, end: number): boolean => {
  for (let j = start + 1; j < end - 1; j++) {
    const byte = bytes[j]!
    if (byte === BACKSLASH || byte < SPACE) return true
  }
  return false
}

const keyOf = (bytes: Buffer, start: number, end: number): string =>
  // Centrifugo's keys are plain ASCII; escapes (legal JSON) take the slow path.
  needsParsing(bytes, start, end)
    ? JSON.parse(bytes.toString("utf8", start, end)) as string
    : bytes.toString("utf8", start + 1, end - 1)

/** The top-level fields of a request body, read lazily from the body's bytes. */
export interface Fields {
  /** The field's raw JSON bytes (a view into the body), or undefined when absent. */
  readonly get: (name: string) => Uint8Array | undefined
  /** The field's value parsed, or undefined when absent; `BadBody` naming the field when it is not JSON. */
  readonly parse: (name: string) => unknown
  /** Every field with its raw bytes, in body order (the last of a repeated key). */
  readonly entries: () => Array<readonly [string, Uint8Array]>
}

interface Span {
  readonly start: number
  readonly end: number
}

/**
 * The top-level fields of a JSON object body, each value kept as a span of its raw bytes. A repeated key keeps its
 * last value, as Go's `encoding/json` does. Throws `BadBody` when the body is not one JSON object.
 * (Spans, not views: a Buffer view per field costs more than the rest of the split.)
 */
export const fields = (bytes: Uint8Array): Fields => {
  const body = asBuffer(bytes)
  const spans = new Map<string, Span>()
  let i = skipSpace(body, 0)
  if (body[i] !== OPEN_BRACE) throw badBody("the body is not a JSON object")
  i = skipSpace(body, i + 1)
  if (body[i] === CLOSE_BRACE) {
    i++
  } else {
    for (;;) {
      if (body[i] !== QUOTE) throw truncated()
      const keyEnd = endOfString(body, i)
      const key = keyOf(body, i, keyEnd)
      i = skipSpace(body, keyEnd)
      if (body[i] !== COLON) throw truncated()
      i = skipSpace(body, i + 1)
      const valueEnd = endOfValue(body, i)
      // Deleted first, so a repeated key moves to its last position, as Go reads it.
      spans.delete(key)
      spans.set(key, { start: i, end: valueEnd })
      i = skipSpace(body, valueEnd)
      if (body[i] === COMMA) {
        i = skipSpace(body, i + 1)
        continue
      }
      if (body[i] === CLOSE_BRACE) {
        i++
        break
      }
      throw truncated()
    }
  }
  if (skipSpace(body, i) !== body.length) throw badBody("the body has data after its JSON object")
  const get = (name: string) => {
    const span = spans.get(name)
    return span === undefined ? undefined : body.subarray(span.start, span.end)
  }
  return {
    get,
    parse: (name) => {
      const span = spans.get(name)
      if (span === undefined) return undefined
      const { end, start } = span
      // Most fields are strings without escapes (client ids, names, channels): read them without the JSON parser.
      if (end - start >= 2 && body[start] === QUOTE && body[end - 1] === QUOTE && !needsParsing(body, start, end)) {
        return body.toString("utf8", start + 1, end - 1)
      }
      return parseField(name, body.subarray(start, end))
    },
    entries: () => [...spans.keys()].map((key) => [key, get(key)!] as const)
  }
}

/** A field's raw JSON parsed; `BadBody` naming the field when it is not JSON. */
export const parseField = (name: string, raw: Uint8Array): unknown => {
  try {
    return JSON.parse(text(raw))
  } catch (error) {
    throw badBody(`${name} is not valid JSON (${error instanceof Error ? error.message : String(error)})`)
  }
}

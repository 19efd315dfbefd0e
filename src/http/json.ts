/**
 * The few JSON tools the HTTP codec needs beyond `JSON.parse`: reading a request body's top-level fields while
 * keeping the exact bytes of its payloads (`rawData`: big integers, number spellings and key order intact), and
 * refusing a payload nested too deeply before anything walks it.
 *
 * Two ways, one answer: a body that parses as one JSON object and is not too deep (every real request) is parsed
 * once by `JSON.parse`, and a field's bytes are found by a scan that allocates nothing until it finds them; any
 * other body takes the splitter, which cuts the body into fields without parsing their values, so it can say which
 * field is wrong (400), which payload is not JSON or too deep (107), and accept fields the codec never reads.
 *
 * @since 0.1.0
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
import { fromJsonBytes, nestsDeeperThan } from "../internal/payloadWire.ts"
import { maxJsonDepth } from "../Payload.ts"
import { isPlainObject } from "../internal/plainObject.ts"

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

/** A key's text; `BadBody` when it is not a valid JSON string (a raw control byte, an unknown escape). */
const keyOf = (bytes: Buffer, start: number, end: number): string => {
  // Centrifugo's keys are plain ASCII; escapes (legal JSON) take the slow path.
  if (!needsParsing(bytes, start, end)) return bytes.toString("utf8", start + 1, end - 1)
  try {
    return JSON.parse(bytes.toString("utf8", start, end)) as string
  } catch {
    throw badBody("a key is not a valid JSON string (a raw control character, or an unknown escape)")
  }
}

/** The top-level fields of a request body. */
export interface Fields {
  /** The field's raw JSON bytes (a view into the body), or undefined when absent. */
  readonly get: (name: string) => Uint8Array | undefined
  /** The field's value, or undefined when absent; `BadBody` naming the field when it is not JSON. */
  readonly parse: (name: string) => unknown
  /** A payload field's value, or undefined when absent; `InvalidJson` (107) when not JSON or nested too deeply. */
  readonly payload: (name: string) => unknown
  /** Every field with its raw bytes, in body order (the last of a repeated key). */
  readonly entries: () => Array<readonly [string, Uint8Array]>
}

/** Reads the top-level fields of a request body; throws `BadBody` when it is not one JSON object. */
export const fields = (bytes: Uint8Array): Fields => {
  const body = asBuffer(bytes)
  const parsed = parseWhole(body)
  return parsed === undefined ? split(body) : parsedFields(body, parsed)
}

/** The body as one parsed object, or undefined when it is not that, or nests deeper than a payload may. */
const parseWhole = (body: Buffer): Record<string, unknown> | undefined => {
  // +1: the body's own object is a level above its payloads.
  if (nestsDeeperThan(body, maxJsonDepth + 1)) return undefined
  let value: unknown
  try {
    value = JSON.parse(body.toString("utf8"))
  } catch {
    return undefined
  }
  return isPlainObject(value) ? value : undefined
}

/**
 * The fields of a parsed body: one object per request whose methods are shared (they read it through `this`), not
 * four closures made per call.
 */
interface ParsedFields extends Fields {
  readonly body: Buffer
  readonly parsed: Record<string, unknown>
  /** The splitter's fields, made the first time they are needed. */
  spans: Fields | undefined
}

const splitOnce = (f: ParsedFields): Fields => (f.spans ??= split(f.body))

function parsedValue(this: ParsedFields, name: string): unknown {
  return Object.hasOwn(this.parsed, name) ? this.parsed[name] : undefined
}

// A body with a key written with escapes (legal, never sent by Centrifugo) goes to the splitter, which reads keys
// as JSON.parse does: an escaped repeat of the key must win for the bytes as it did for the value.
function parsedGet(this: ParsedFields, name: string): Uint8Array | undefined {
  if (!Object.hasOwn(this.parsed, name)) return undefined
  const found = locate(this.body, name)
  return found === ESCAPED_KEY ? splitOnce(this).get(name) : found
}

function parsedEntries(this: ParsedFields): Array<readonly [string, Uint8Array]> {
  return splitOnce(this).entries()
}

const parsedFields = (body: Buffer, parsed: Record<string, unknown>): Fields => {
  const f: ParsedFields = {
    body,
    parsed,
    spans: undefined,
    get: parsedGet,
    parse: parsedValue,
    payload: parsedValue,
    entries: parsedEntries
  }
  return f
}

/** `locate` met a key written with escapes: only a real key reader can say which key it is. */
const ESCAPED_KEY: unique symbol = Symbol("EscapedKey")

/**
 * The raw bytes of the top-level field `name` (its last occurrence, as Go reads a repeated key) in a body known to
 * be one valid JSON object; keys are compared as bytes, without making strings of them. `ESCAPED_KEY` when a key
 * has an escape (it might spell `name`).
 */
const locate = (body: Buffer, name: string): Uint8Array | undefined | typeof ESCAPED_KEY => {
  let found: Uint8Array | undefined
  let i = skipSpace(body, 0) + 1
  for (;;) {
    i = skipSpace(body, i)
    if (body[i] !== QUOTE) return found
    const keyEnd = endOfString(body, i)
    if (needsParsing(body, i, keyEnd)) return ESCAPED_KEY
    const matches = keyEnd - i - 2 === name.length && sameAscii(body, i + 1, name)
    i = skipSpace(body, skipSpace(body, keyEnd) + 1)
    const valueEnd = endOfValue(body, i)
    if (matches) found = body.subarray(i, valueEnd)
    i = skipSpace(body, valueEnd)
    if (body[i] !== COMMA) return found
    i++
  }
}

const sameAscii = (body: Buffer, start: number, name: string): boolean => {
  for (let j = 0; j < name.length; j++) {
    if (body[start + j] !== name.charCodeAt(j)) return false
  }
  return true
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
const split = (body: Buffer): Fields => {
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
    payload: (name) => fromJsonBytes(name, get(name)),
    entries: () => [...spans.keys()].map((key) => [key, get(key)!] as const)
  }
}

/** A field's raw JSON parsed; `BadBody` naming the field when it is not JSON. */
const parseField = (name: string, raw: Uint8Array): unknown => {
  try {
    return JSON.parse(text(raw))
  } catch (error) {
    throw badBody(`${name} is not valid JSON (${error instanceof Error ? error.message : String(error)})`)
  }
}

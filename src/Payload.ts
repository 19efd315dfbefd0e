/**
 * Payloads: the `data`, `info` and `meta` values that travel between a client, Centrifugo and the backend.
 *
 * On the wire a payload is bytes: JSON text for JSON clients (the default), or arbitrary bytes sent as base64 in
 * the `b64*` twin fields for binary clients. In replies a payload is written as one of:
 * - any JSON value (`{}`, `[]`, `""`, `0`, `null` are all real values, distinct from "not set" = `undefined`);
 * - `Payload.binary(bytes)`: raw bytes, sent through the `b64*` field;
 * - `Payload.rawJson(text)`: JSON text that is already serialized (e.g. read from a database), sent as is.
 *
 * @since 0.1.0
 */
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE } from "./internal/jsonBytes.ts"

const PayloadTypeId: unique symbol = Symbol.for("effect-centrifugo/Payload")

/**
 * Bytes to send as they are, through the `b64*` wire field.
 *
 * @since 0.1.0
 * @category models
 */
export interface Binary {
  readonly [PayloadTypeId]: "Binary"
  readonly bytes: Uint8Array
}

/**
 * JSON text that is already serialized; sent as is (it is not parsed or checked).
 *
 * @since 0.1.0
 * @category models
 */
export interface RawJson {
  readonly [PayloadTypeId]: "RawJson"
  readonly text: string
}

/**
 * What a reply field such as `data` accepts: a JSON value, or one of the two markers above.
 *
 * @since 0.1.0
 * @category models
 */
export type Payload = unknown

/**
 * Marks bytes to be sent as they are (the `b64*` wire field), for protobuf clients or binary proxies.
 *
 * @since 0.1.0
 * @category constructors
 */
export const binary = (bytes: Uint8Array): Binary => ({ [PayloadTypeId]: "Binary", bytes })

/**
 * Marks JSON text that is already serialized, to be sent as is without parsing or re-encoding.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rawJson = (text: string): RawJson => ({ [PayloadTypeId]: "RawJson", text })

/**
 * True for a value built by `Payload.binary`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isBinary = (value: unknown): value is Binary =>
  typeof value === "object" && value !== null && (value as Binary)[PayloadTypeId] === "Binary"

/**
 * True for a value built by `Payload.rawJson`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRawJson = (value: unknown): value is RawJson =>
  typeof value === "object" && value !== null && (value as RawJson)[PayloadTypeId] === "RawJson"

/**
 * A payload as the two wire fields it may fill: `bytes` (JSON text) or `b64` (base64 of binary).
 * Throws a TypeError for a value that has no JSON form (a function, a symbol, a BigInt, a cycle): that is a bug in
 * the handler, and the runtime turns it into an internal-error reply with a log line.
 *
 * @since 0.1.0
 * @category utils
 */
export const toWire = (
  field: string,
  value: unknown
): { readonly bytes?: Buffer; readonly b64?: string } | undefined => {
  if (value === undefined) return undefined
  if (isBinary(value)) return { b64: Buffer.from(value.bytes).toString("base64") }
  if (isRawJson(value)) return { bytes: Buffer.from(value.text, "utf8") }
  const text = JSON.stringify(value)
  if (text === undefined) {
    throw new TypeError(`${field}: ${typeof value} has no JSON form`)
  }
  return { bytes: Buffer.from(text, "utf8") }
}

const InvalidJsonTypeId: unique symbol = Symbol.for("effect-centrifugo/InvalidJson")

/**
 * Thrown by `fromJsonBytes` when a request's JSON payload does not parse.
 *
 * @since 0.1.0
 * @category errors
 */
export interface InvalidJson {
  readonly [InvalidJsonTypeId]: true
  readonly field: string
  readonly reason: string
}

/**
 * True for the `InvalidJson` error `fromJsonBytes` throws.
 *
 * @since 0.1.0
 * @category guards
 */
export const isInvalidJson = (value: unknown): value is InvalidJson =>
  typeof value === "object" && value !== null && InvalidJsonTypeId in value

/**
 * The deepest nesting of arrays and objects accepted in a request's JSON payload. Deeper input (`[[[...]]]` 10,000
 * levels down) can never be handled usefully: it overflows the stack of whatever walks it (a Schema decoder,
 * `JSON.stringify` of a reply), so it is refused up front as a bad request (error 107), never retried.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxJsonDepth = 512

/**
 * True when the JSON text nests arrays/objects deeper than `limit`; strings are skipped, so `"[[["` is depth 0.
 *
 * @since 0.1.0
 * @category utils
 */
export const nestsDeeperThan = (bytes: Uint8Array, limit: number): boolean => {
  // Every level costs at least one byte: shorter input cannot be too deep, and most payloads skip the scan.
  if (bytes.length <= limit) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (inString) {
      if (byte === BACKSLASH) i++
      else if (byte === QUOTE) inString = false
    } else if (byte === QUOTE) {
      inString = true
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > limit) return true
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--
    }
  }
  return false
}

const invalidJson = (field: string, reason: string): InvalidJson => ({ [InvalidJsonTypeId]: true, field, reason })

/**
 * Parses a JSON payload from the wire. Empty bytes mean "not sent" and give `undefined`.
 * Throws an `InvalidJson` (not an Error: it is expected input, not a bug) when the bytes are not JSON, or nest
 * deeper than `maxJsonDepth`.
 *
 * @since 0.1.0
 * @category utils
 */
export const fromJsonBytes = (field: string, bytes: Uint8Array | undefined): unknown => {
  if (bytes === undefined || bytes.length === 0) return undefined
  if (nestsDeeperThan(bytes, maxJsonDepth)) {
    throw invalidJson(field, `nested deeper than ${maxJsonDepth} levels`)
  }
  try {
    const text = Buffer.isBuffer(bytes)
      ? bytes.toString("utf8")
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")
    return JSON.parse(text)
  } catch (error) {
    throw invalidJson(field, error instanceof Error ? error.message : String(error))
  }
}

/**
 * Payloads on the wire, for both transports' codecs: a reply's payload as JSON bytes or base64, and a request's
 * JSON payload parsed (with its nesting bounded by `Payload.maxJsonDepth`).
 *
 * @since 0.1.0
 */
import { isBinary, isRawJson, maxJsonDepth } from "../Payload.ts"
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE } from "./jsonBytes.ts"

/**
 * A payload as the two wire fields it may fill: `bytes` (JSON text) or `b64` (base64 of binary).
 * Throws a TypeError for a value that has no JSON form (a function, a symbol, a BigInt, a cycle): that is a bug in
 * the handler, and the runtime turns it into an internal-error reply with a log line.
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
 */
export interface InvalidJson {
  readonly [InvalidJsonTypeId]: true
  readonly field: string
  readonly reason: string
}

/**
 * True for the `InvalidJson` error `fromJsonBytes` throws.
 */
export const isInvalidJson = (value: unknown): value is InvalidJson =>
  typeof value === "object" && value !== null && InvalidJsonTypeId in value

/**
 * True when the JSON text nests arrays/objects deeper than `limit`; strings are skipped, so `"[[["` is depth 0.
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

/** A request with `rawData` set only when a payload arrived (the key, not an `undefined` value). */
export const withRawData = <R extends { readonly rawData?: Uint8Array }>(request: R, raw: Uint8Array | undefined): R => {
  if (raw !== undefined) (request as { rawData?: Uint8Array }).rawData = raw
  return request
}

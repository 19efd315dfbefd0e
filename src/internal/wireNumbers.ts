/**
 * The ranges of the protobuf integer types Centrifugo's messages use (int64 times and scores, uint64 versions),
 * checked alike by both codecs: gRPC would otherwise fail late with the generated code's own error, and the HTTP
 * codec (JSON text) would write a number Centrifugo's Go decoder refuses (`1e+300`, or one past the type's range).
 *
 * @since 0.1.0
 */
import type { ExpireAt } from "./replyResults.ts"

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

const integer = (value: number | bigint): bigint | undefined =>
  typeof value === "bigint" ? value : Number.isSafeInteger(value) ? BigInt(value) : undefined

/** Seconds since the epoch, as Centrifugo expects, from either accepted form. */
const expireAtSeconds = (value: ExpireAt): number =>
  value instanceof Date ? Math.floor(value.getTime() / 1000) : value

/** Whole seconds of an expiry time, an int64 `>= 0`. */
export const int64Seconds = (field: string, value: ExpireAt | undefined): bigint | undefined => {
  if (value === undefined) return undefined
  const seconds = expireAtSeconds(value)
  // The bound is a number here: 2^63 is exact as a double, and anything not below it is out of range.
  if (!Number.isFinite(seconds) || seconds < 0 || seconds >= 2 ** 63) {
    throw new TypeError(`${field} must be a Unix time in seconds (0 .. 2^63-1), got ${String(value)}`)
  }
  return BigInt(Math.floor(seconds))
}

/** An int64: an integer (a safe-integer number or a bigint) in -2^63 .. 2^63-1. */
export const int64 = (field: string, value: number | bigint | undefined): bigint | undefined => {
  if (value === undefined) return undefined
  const big = integer(value)
  if (big === undefined || big < INT64_MIN || big > INT64_MAX) {
    throw new TypeError(`${field} must be a 64-bit integer, got ${String(value)}`)
  }
  return big
}

/** A uint64: an integer (a safe-integer number or a bigint) in 0 .. 2^64-1. */
export const uint64 = (field: string, value: number | bigint | undefined): bigint | undefined => {
  if (value === undefined) return undefined
  const big = integer(value)
  if (big === undefined || big < 0n || big > UINT64_MAX) {
    throw new TypeError(`${field} must be an integer in 0..2^64-1, got ${String(value)}`)
  }
  return big
}

/**
 * A uint64 read from JSON number text as Go's `encoding/json` reads it: digits only (no sign, fraction or
 * exponent), at most 2^64-1; undefined otherwise.
 */
export const uint64OfJson = (text: string): bigint | undefined => {
  if (!/^(?:0|[1-9][0-9]{0,19})$/.test(text)) return undefined
  const big = BigInt(text)
  return big > UINT64_MAX ? undefined : big
}

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
 * The deepest nesting of arrays and objects accepted in a request's JSON payload. Deeper input (`[[[...]]]` 10,000
 * levels down) can never be handled usefully: it overflows the stack of whatever walks it (a Schema decoder,
 * `JSON.stringify` of a reply), so it is refused up front as a bad request (error 107), never retried.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxJsonDepth = 512

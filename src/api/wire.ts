/**
 * The server API's wire form: Centrifugo's own JSON (snake_case keys, payloads as raw JSON values, 64-bit numbers as
 * JSON numbers) is the common currency of both transports. The HTTP transport sends it as is; the gRPC transport
 * converts it to and from protobuf with the rules below, which hold for every message of the API:
 * - payload fields (`data`, `info`, `params`, `stream_data`, `conn_info`, `chan_info`) are JSON values on the wire
 *   form and JSON bytes in protobuf;
 * - 64-bit integer fields are numbers on the wire form and bigints in the generated protobuf code.
 *
 * @since 0.1.0
 */
import { isPlainObject } from "../internal/plainObject.ts"

/** A JSON object in Centrifugo's API format. */
export type WireObject = { readonly [key: string]: unknown }

/** Fields whose value is a JSON payload (raw JSON over HTTP, JSON bytes over gRPC). */
const PAYLOAD_FIELDS: ReadonlySet<string> = new Set(["data", "info", "params", "stream_data", "conn_info", "chan_info"])

/** 64-bit integer fields of the OSS API messages (bigint in the generated protobuf code). */
const INT64_FIELDS: ReadonlySet<string> = new Set([
  "offset",
  "version",
  "expire_at",
  "rss",
  "score",
  "time",
  "since_offset",
  "revision_offset"
])

/** Fields that are maps with user-chosen keys: their keys are data, never field names. */
const MAP_FIELDS: ReadonlySet<string> = new Set(["tags", "presence", "channels", "items"])

/** An object to walk field by field (bytes are a value, not an object of fields). */
const isFields = (value: unknown): value is Record<string, unknown> =>
  isPlainObject(value) && !(value instanceof Uint8Array)

/** `value` with `convert` applied to each item of an array or field of an object (a map's entries as no field). */
const convertChildren = (value: unknown, field: string, convert: (item: unknown, field: string) => unknown): unknown => {
  if (Array.isArray(value)) return value.map((item) => convert(item, field))
  if (!isFields(value)) return value
  const out: Record<string, unknown> = {}
  const isMap = MAP_FIELDS.has(field)
  for (const [key, item] of Object.entries(value)) out[key] = convert(item, isMap ? "" : key)
  return out
}

/** Wire form -> the shape the generated protobuf encoder takes. */
export const toProto = (value: unknown, field = ""): unknown => {
  if (value === undefined || value === null) return undefined
  if (PAYLOAD_FIELDS.has(field)) return Buffer.from(JSON.stringify(value), "utf8")
  if (INT64_FIELDS.has(field) && typeof value === "number") return BigInt(value)
  return convertChildren(value, field, toProto)
}

/** Decoded protobuf -> wire form. A payload that is not JSON stays bytes. */
export const fromProto = (value: unknown, field = ""): unknown => {
  if (value instanceof Uint8Array) {
    if (!PAYLOAD_FIELDS.has(field)) return value
    if (value.length === 0) return undefined
    const text = Buffer.from(value).toString("utf8")
    try {
      return JSON.parse(text)
    } catch {
      return value
    }
  }
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value
  return convertChildren(value, field, fromProto)
}

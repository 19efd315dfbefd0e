/**
 * The HTTP codec's requests: Centrifugo's JSON proxy bodies -> domain requests. Throws `BadBody` (not a request of
 * the event: HTTP 400) or `InvalidJson` (a payload that is not JSON, or nested too deeply: error 107).
 *
 * @since 0.1.0
 */
import type * as ProxyRequest from "../../ProxyRequest.ts"
import * as Wire from "../../internal/wireNumbers.ts"
import { badBody, type Fields, fields } from "../json.ts"


const string = (f: Fields, name: string): string => {
  const value = f.parse(name)
  if (value === undefined) return ""
  // Go's decoder leaves a field untouched for null.
  if (value === null) return ""
  if (typeof value !== "string") throw badBody(`${name} must be a string`)
  return value
}

const strings = (f: Fields, name: string): ReadonlyArray<string> => {
  const value = f.parse(name)
  if (value === undefined) return []
  if (value === null) return []
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw badBody(`${name} must be an array of strings`)
  }
  return value
}

const stringMap = (f: Fields, name: string): Readonly<Record<string, string>> => {
  const value = f.parse(name)
  if (value === undefined) return {}
  if (value === null) return {}
  if (typeof value !== "object" || Array.isArray(value) || !Object.values(value).every((v) => typeof v === "string")) {
    throw badBody(`${name} must be an object of strings`)
  }
  return value as Record<string, string>
}

/** The request's payload: parsed JSON for `json` encoding; decoded base64 bytes (unparsed) for `binary`. */
const payload = (encoding: string, f: Fields): { readonly data: unknown; readonly rawData?: Uint8Array } => {
  if (encoding === "binary") {
    const b64 = string(f, "b64data")
    return b64 === "" ? { data: undefined } : { data: undefined, rawData: Buffer.from(b64, "base64") }
  }
  const data = f.payload("data")
  if (data === undefined) return { data: undefined }
  return { data, rawData: f.get("data")! }
}

const meta = (f: Fields): unknown => f.payload("meta")

const connection = (f: Fields, headers: ProxyRequest.Headers) => ({
  client: string(f, "client"),
  transport: string(f, "transport"),
  protocol: string(f, "protocol"),
  encoding: string(f, "encoding"),
  headers
})

export const decodeConnect = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.ConnectRequest => {
  const f = fields(body)
  const base = connection(f, headers)
  return {
    _tag: "Connect",
    ...base,
    ...payload(base.encoding, f),
    name: string(f, "name"),
    version: string(f, "version"),
    channels: strings(f, "channels")
  }
}

export const decodeRefresh = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.RefreshRequest => {
  const f = fields(body)
  return {
    _tag: "Refresh",
    ...connection(f, headers),
    user: string(f, "user"),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeSubscribe = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.SubscribeRequest => {
  const f = fields(body)
  const base = connection(f, headers)
  return {
    _tag: "Subscribe",
    ...base,
    user: string(f, "user"),
    channel: string(f, "channel"),
    token: string(f, "token"),
    ...payload(base.encoding, f),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodePublish = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.PublishRequest => {
  const f = fields(body)
  const base = connection(f, headers)
  return {
    _tag: "Publish",
    ...base,
    user: string(f, "user"),
    channel: string(f, "channel"),
    ...payload(base.encoding, f),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeRpc = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.RpcRequest => {
  const f = fields(body)
  const base = connection(f, headers)
  return {
    _tag: "RPC",
    ...base,
    user: string(f, "user"),
    method: string(f, "method"),
    ...payload(base.encoding, f),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeSubRefresh = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.SubRefreshRequest => {
  const f = fields(body)
  return {
    _tag: "SubRefresh",
    ...connection(f, headers),
    user: string(f, "user"),
    channel: string(f, "channel"),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeMapPublish = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.MapPublishRequest => {
  const f = fields(body)
  const base = connection(f, headers)
  return {
    _tag: "MapPublish",
    ...base,
    user: string(f, "user"),
    channel: string(f, "channel"),
    key: string(f, "key"),
    ...payload(base.encoding, f),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeMapRemove = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.MapRemoveRequest => {
  const f = fields(body)
  return {
    _tag: "MapRemove",
    ...connection(f, headers),
    user: string(f, "user"),
    channel: string(f, "channel"),
    key: string(f, "key"),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

/** A version that Go could not read into a uint64: kept apart, so the item can be refused with its index. */
const BAD_VERSION: unique symbol = Symbol("BadVersion")

/** JSON.parse's reviver gets the number's source text (Node >= 21): uint64 versions are read without rounding. */
type SourceReviver = (key: string, value: unknown, context?: { readonly source?: string }) => unknown
const exactVersions: SourceReviver = (key, value, context) =>
  key === "version" && typeof value === "number" && context?.source !== undefined
    ? Wire.uint64OfJson(context.source) ?? BAD_VERSION
    : value

export const decodeSharedPollRefresh = (
  body: Uint8Array,
  headers: ProxyRequest.Headers
): ProxyRequest.SharedPollRefreshRequest => {
  const f = fields(body)
  const raw = f.get("items")
  let items: ReadonlyArray<{ readonly key: string; readonly version: bigint }> = []
  if (raw !== undefined) {
    let value: unknown
    try {
      value = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8"), exactVersions)
    } catch (error) {
      throw badBody(`items is not valid JSON (${error instanceof Error ? error.message : String(error)})`)
    }
    if (value !== null) {
      if (!Array.isArray(value)) throw badBody("items must be an array")
      items = value.map((item, i) => {
        if (typeof item !== "object" || item === null) throw badBody(`items[${i}] must be an object`)
        const { key, version } = item as { key?: unknown; version?: unknown }
        if (key !== undefined && key !== null && typeof key !== "string") throw badBody(`items[${i}].key must be a string`)
        if (version !== undefined && version !== null && typeof version !== "bigint") {
          throw badBody(`items[${i}].version must be an integer in 0..2^64-1`)
        }
        return { key: (key as string | undefined | null) ?? "", version: (version as bigint | undefined | null) ?? 0n }
      })
    }
  }
  return { _tag: "SharedPollRefresh", channel: string(f, "channel"), items, headers }
}

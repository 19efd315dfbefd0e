/**
 * The HTTP codec's requests: Centrifugo's JSON proxy bodies -> domain requests. Throws `BadBody` (not a request of
 * the event: HTTP 400) or `InvalidJson` (a payload that is not JSON, or nested too deeply: error 107).
 *
 * @since 0.1.0
 */
import type * as ProxyRequest from "../../ProxyRequest.ts"
import { withRawData } from "../../internal/payloadWire.ts"
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

/** The request's payload: parsed JSON for `json` encoding; undefined for `binary` (its bytes are `rawPayload`'s). */
const payloadData = (encoding: string, f: Fields): unknown => encoding === "binary" ? undefined : f.payload("data")

/** The payload's bytes: the raw JSON of a payload that arrived, or the decoded base64 of a binary one. */
const rawPayload = (encoding: string, f: Fields, data: unknown): Uint8Array | undefined => {
  if (encoding === "binary") {
    const b64 = string(f, "b64data")
    return b64 === "" ? undefined : Buffer.from(b64, "base64")
  }
  return data === undefined ? undefined : f.get("data")!
}

const meta = (f: Fields): unknown => f.payload("meta")

/** The connection's fields of a client request, read in this order. */
interface Connection {
  client: string
  transport: string
  protocol: string
  encoding: string
}

// One scratch object, overwritten by each decode (decoding is synchronous): its fields are copied into the request.
const scratch: Connection = { client: "", transport: "", protocol: "", encoding: "" }
const connection = (f: Fields): Readonly<Connection> => {
  scratch.client = string(f, "client")
  scratch.transport = string(f, "transport")
  scratch.protocol = string(f, "protocol")
  scratch.encoding = string(f, "encoding")
  return scratch
}

// The decoders below build each request in one literal, reading the fields in the same order as ever (the first bad
// one names the error): spreading helper objects into it cost ~200 bytes a call.

export const decodeConnect = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.ConnectRequest => {
  const f = fields(body)
  const c = connection(f)
  const data = payloadData(c.encoding, f)
  const raw = rawPayload(c.encoding, f, data)
  return withRawData<ProxyRequest.ConnectRequest>({
    _tag: "Connect",
    client: c.client, transport: c.transport, protocol: c.protocol, encoding: c.encoding, headers,
    data,
    name: string(f, "name"),
    version: string(f, "version"),
    channels: strings(f, "channels")
  }, raw)
}

export const decodeRefresh = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.RefreshRequest => {
  const f = fields(body)
  return {
    _tag: "Refresh",
    client: string(f, "client"),
    transport: string(f, "transport"),
    protocol: string(f, "protocol"),
    encoding: string(f, "encoding"),
    headers,
    user: string(f, "user"),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeSubscribe = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.SubscribeRequest => {
  const f = fields(body)
  const c = connection(f)
  const user = string(f, "user")
  const channel = string(f, "channel")
  const token = string(f, "token")
  const data = payloadData(c.encoding, f)
  const raw = rawPayload(c.encoding, f, data)
  return withRawData<ProxyRequest.SubscribeRequest>({
    _tag: "Subscribe",
    client: c.client, transport: c.transport, protocol: c.protocol, encoding: c.encoding, headers,
    user,
    channel,
    token,
    data,
    meta: meta(f),
    labels: stringMap(f, "labels")
  }, raw)
}

export const decodePublish = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.PublishRequest => {
  const f = fields(body)
  const c = connection(f)
  const user = string(f, "user")
  const channel = string(f, "channel")
  const data = payloadData(c.encoding, f)
  const raw = rawPayload(c.encoding, f, data)
  return withRawData<ProxyRequest.PublishRequest>({
    _tag: "Publish",
    client: c.client, transport: c.transport, protocol: c.protocol, encoding: c.encoding, headers,
    user,
    channel,
    data,
    meta: meta(f),
    labels: stringMap(f, "labels")
  }, raw)
}

export const decodeRpc = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.RpcRequest => {
  const f = fields(body)
  const c = connection(f)
  const user = string(f, "user")
  const method = string(f, "method")
  const data = payloadData(c.encoding, f)
  const raw = rawPayload(c.encoding, f, data)
  return withRawData<ProxyRequest.RpcRequest>({
    _tag: "RPC",
    client: c.client, transport: c.transport, protocol: c.protocol, encoding: c.encoding, headers,
    user,
    method,
    data,
    meta: meta(f),
    labels: stringMap(f, "labels")
  }, raw)
}

export const decodeSubRefresh = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.SubRefreshRequest => {
  const f = fields(body)
  return {
    _tag: "SubRefresh",
    client: string(f, "client"),
    transport: string(f, "transport"),
    protocol: string(f, "protocol"),
    encoding: string(f, "encoding"),
    headers,
    user: string(f, "user"),
    channel: string(f, "channel"),
    meta: meta(f),
    labels: stringMap(f, "labels")
  }
}

export const decodeMapPublish = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.MapPublishRequest => {
  const f = fields(body)
  const c = connection(f)
  const user = string(f, "user")
  const channel = string(f, "channel")
  const key = string(f, "key")
  const data = payloadData(c.encoding, f)
  const raw = rawPayload(c.encoding, f, data)
  return withRawData<ProxyRequest.MapPublishRequest>({
    _tag: "MapPublish",
    client: c.client, transport: c.transport, protocol: c.protocol, encoding: c.encoding, headers,
    user,
    channel,
    key,
    data,
    meta: meta(f),
    labels: stringMap(f, "labels")
  }, raw)
}

export const decodeMapRemove = (body: Uint8Array, headers: ProxyRequest.Headers): ProxyRequest.MapRemoveRequest => {
  const f = fields(body)
  return {
    _tag: "MapRemove",
    client: string(f, "client"),
    transport: string(f, "transport"),
    protocol: string(f, "protocol"),
    encoding: string(f, "encoding"),
    headers,
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

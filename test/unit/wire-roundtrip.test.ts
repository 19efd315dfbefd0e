// Codec round trips for every message of proto/proxy.proto, checked against an independent implementation:
// our generated (ts-proto) encoder's bytes are decoded by protobufjs, and protobufjs's bytes by our decoder, with
// every field populated (maps, repeated, nested, 64-bit integers, bytes).
import { fileURLToPath } from "node:url"
import protobuf from "protobufjs"
import { describe, expect, it } from "vitest"
import * as pb from "../../src/proto/generated/proxy.ts"

const root = new protobuf.Root()
root.loadSync(fileURLToPath(new URL("../../proto/proxy.proto", import.meta.url)), { keepCase: true })
root.resolveAll()
const pkg = root.lookup("centrifugal.centrifugo.proxy") as protobuf.Namespace
const types = pkg.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type)

const LONG_TYPES = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"])

/** A value for every field, as ts-proto represents it (bigint for 64-bit, Buffer for bytes). */
const sample = (type: protobuf.Type, depth = 0): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const field of type.fieldsArray) {
    const one = (i: number): unknown => {
      if (field.resolvedType instanceof protobuf.Type) return depth < 2 ? sample(field.resolvedType, depth + 1) : {}
      if (field.type === "string") return `${field.name}-${i}`
      if (field.type === "bytes") return Buffer.from(`{"${field.name}":${i}}`)
      if (field.type === "bool") return true
      if (LONG_TYPES.has(field.type)) return BigInt(field.id) * 1_000_000_007n + BigInt(i)
      return field.id * 3 + i
    }
    if (field instanceof protobuf.MapField) out[field.name] = { a: one(1), b: one(2) }
    else if (field.repeated) out[field.name] = [one(1), one(2)]
    else out[field.name] = one(1)
  }
  return out
}

/** A comparable form: 64-bit integers as decimal strings, bytes as base64. */
const normalize = (value: unknown): unknown => {
  if (typeof value === "bigint") return value.toString()
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64")
  // protobufjs may hand back Long objects for 64-bit fields.
  if (typeof value === "object" && value !== null && "low" in value && "high" in value) return String(value)
  if (Array.isArray(value)) return value.map(normalize)
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]))
  }
  return value
}

const generated = pb as unknown as Record<string, { encode(m: unknown): { finish(): Uint8Array }; decode(b: Uint8Array): unknown }>

describe("generated codec agrees with protobufjs on every message", () => {
  it("covers all messages of the proto", () => {
    expect(types.length).toBeGreaterThanOrEqual(40)
    for (const type of types) expect(generated[type.name], type.name).toBeDefined()
  })

  for (const type of types) {
    it(type.name, () => {
      const value = sample(type)
      const expected = normalize(value)
      const ours = generated[type.name]!

      const decodedByProtobufjs = type.toObject(type.decode(ours.encode(value).finish()), {
        longs: String,
        bytes: String,
        defaults: false
      })
      expect(decodedByProtobufjs).toEqual(expected)

      const bytesFromProtobufjs = type.encode(type.fromObject(expected as Record<string, unknown>)).finish()
      expect(normalize(ours.decode(bytesFromProtobufjs))).toEqual(expected)
    })
  }
})

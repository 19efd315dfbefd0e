// Wire contract: our proto/api.proto against Centrifugo v6.9.1's own internal/apiproto/api.proto.
// Ours covers only the 21 methods open-source Centrifugo implements. Every method must equal upstream's, every
// message we declare must exist upstream with exactly the same fields (name, number, type, label) and reserved
// numbers. The batch Command/Reply are the one exception: they may leave out the PRO-only fields, and only those.
// The upstream file comes from the Go module cache (`go mod download` fetches it when the build was skipped).
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import protobuf from "protobufjs"
import { describe, expect, it } from "vitest"

const CENTRIFUGO_MODULE = "github.com/centrifugal/centrifugo/v6@v6.9.1"
const PKG = "centrifugal.centrifugo.api"
const SERVICE = `.${PKG}.CentrifugoApi`

const OSS_METHODS = [
  "Batch",
  "Publish",
  "Broadcast",
  "Subscribe",
  "Unsubscribe",
  "Disconnect",
  "Presence",
  "PresenceStats",
  "History",
  "HistoryRemove",
  "Info",
  "RPC",
  "Refresh",
  "Channels",
  "MapPublish",
  "MapRemove",
  "MapReadState",
  "MapReadStream",
  "MapStats",
  "MapClear",
  "SharedPollPublish"
]

/** Batch envelopes: ours may omit upstream fields, but only those whose types we do not declare (PRO-only). */
const PARTIAL = new Set([`.${PKG}.Command`, `.${PKG}.Reply`])

const upstreamProto = (relative: string): string => {
  const cache = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim()
  const inCache = `${cache}/${CENTRIFUGO_MODULE}/${relative}`
  if (existsSync(inCache)) return inCache
  const downloaded = JSON.parse(execFileSync("go", ["mod", "download", "-json", CENTRIFUGO_MODULE], { encoding: "utf8" }))
  return `${downloaded.Dir}/${relative}`
}

interface FieldShape {
  readonly id: number
  readonly type: string
  readonly rule: string
  readonly keyType?: string
}

interface MessageShape {
  readonly fields: Record<string, FieldShape>
  readonly reserved: unknown
}

/** Every message as { field name -> shape } with fully qualified type names, every enum, every service. */
const shape = (root: protobuf.Root, pkg: string) => {
  const messages: Record<string, MessageShape> = {}
  const enums: Record<string, Record<string, number>> = {}
  const services: Record<string, Record<string, unknown>> = {}
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) {
        const fields: Record<string, FieldShape> = {}
        for (const field of nested.fieldsArray) {
          field.resolve()
          const map = field instanceof protobuf.MapField ? { keyType: field.keyType } : {}
          fields[field.name] = {
            id: field.id,
            // Qualified, so a field pointing at a same-named message elsewhere would differ.
            type: field.resolvedType ? field.resolvedType.fullName : field.type,
            rule: field instanceof protobuf.MapField ? "map" : field.repeated ? "repeated" : "singular",
            ...map
          }
        }
        messages[nested.fullName] = { fields, reserved: nested.reserved ?? [] }
        visit(nested)
      } else if (nested instanceof protobuf.Enum) {
        enums[nested.fullName] = { ...nested.values }
      } else if (nested instanceof protobuf.Service) {
        const methods: Record<string, unknown> = {}
        for (const method of nested.methodsArray) {
          method.resolve()
          methods[method.name] = {
            request: method.resolvedRequestType!.fullName,
            response: method.resolvedResponseType!.fullName,
            requestStream: Boolean(method.requestStream),
            responseStream: Boolean(method.responseStream)
          }
        }
        services[nested.fullName] = methods
      } else if (nested instanceof protobuf.Namespace) {
        visit(nested)
      }
    }
  }
  visit(root.lookup(pkg) as protobuf.Namespace)
  return { messages, enums, services }
}

const load = (file: string) => {
  const root = new protobuf.Root()
  root.loadSync(file, { keepCase: true })
  root.resolveAll()
  return shape(root, PKG)
}

describe("proto/api.proto wire contract with Centrifugo v6.9.1 (OSS methods)", () => {
  const ours = load(fileURLToPath(new URL("../../proto/api.proto", import.meta.url)))
  const theirs = load(upstreamProto("internal/apiproto/api.proto"))
  const declared = (type: string) => type in ours.messages || type in ours.enums

  it("declares the CentrifugoApi service with exactly the 21 OSS methods, each equal to upstream's", () => {
    expect(Object.keys(ours.services)).toEqual([SERVICE])
    const methods = ours.services[SERVICE]!
    expect(Object.keys(methods).sort()).toEqual([...OSS_METHODS].sort())
    const upstream = theirs.services[SERVICE]!
    for (const name of OSS_METHODS) {
      expect({ name, ...(methods[name] as object) }).toEqual({ name, ...(upstream[name] as object) })
    }
  })

  it("declares only messages and enums that exist upstream under the same full name", () => {
    expect(Object.keys(ours.messages).filter((name) => !(name in theirs.messages))).toEqual([])
    expect(Object.keys(ours.enums).filter((name) => !(name in theirs.enums))).toEqual([])
  })

  it("gives every message upstream's fields: name, number, type, label (and reserved numbers)", () => {
    for (const [name, message] of Object.entries(ours.messages)) {
      if (PARTIAL.has(name)) continue
      expect({ name, ...message }).toEqual({ name, ...theirs.messages[name] })
    }
  })

  it("keeps in Command and Reply every upstream field except the PRO-only ones", () => {
    for (const name of PARTIAL) {
      const mine = ours.messages[name]!
      const upstream = theirs.messages[name]!
      expect({ name, reserved: mine.reserved }).toEqual({ name, reserved: upstream.reserved })
      for (const [field, fieldShape] of Object.entries(mine.fields)) {
        expect({ name, field, ...fieldShape }).toEqual({ name, field, ...upstream.fields[field] })
      }
      const omitted = Object.entries(upstream.fields).filter(([field]) => !(field in mine.fields))
      const omittedButDeclared = omitted.filter(([, f]) => declared(f.type)).map(([field]) => field)
      expect(
        omittedButDeclared,
        `${name} may omit only fields whose types we do not declare (PRO-only); omitted: ${
          omitted.map(([field, f]) => `${field} = ${f.id} (${f.type})`).join(", ")
        }`
      ).toEqual([])
    }
  })

  it("gives every enum upstream's values", () => {
    for (const [name, values] of Object.entries(ours.enums)) {
      expect({ name, values }).toEqual({ name, values: theirs.enums[name] })
    }
  })
})

// Wire contract: our proto/proxy.proto against Centrifugo v6.9.1's own internal/proxyproto/proxy.proto.
// Every message, field name, number, type and label must match, and every method must exist with the same
// request/response types and streaming kinds. The upstream file comes from the Go module cache (the Centrifugo
// build puts it there; `go mod download` fetches it when CENTRIFUGO_BIN skipped the build).
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import protobuf from "protobufjs"
import { describe, expect, it } from "vitest"

const CENTRIFUGO_MODULE = "github.com/centrifugal/centrifugo/v6@v6.9.1"

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

/** Every message as { field name -> shape }, with fully qualified names, plus reserved ranges. */
const shape = (root: protobuf.Root, pkg: string) => {
  const messages: Record<string, { fields: Record<string, FieldShape>; reserved: unknown }> = {}
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
  return { messages, services }
}

const load = (file: string) => {
  const root = new protobuf.Root()
  root.loadSync(file, { keepCase: true })
  root.resolveAll()
  return shape(root, "centrifugal.centrifugo.proxy")
}

describe("proto/proxy.proto wire contract with Centrifugo v6.9.1", () => {
  const ours = load(fileURLToPath(new URL("../../proto/proxy.proto", import.meta.url)))
  const theirs = load(upstreamProto("internal/proxyproto/proxy.proto"))

  it("declares the same service with the same 13 methods, types and streaming kinds", () => {
    expect(Object.keys(theirs.services)).toEqual([".centrifugal.centrifugo.proxy.CentrifugoProxy"])
    const methods = theirs.services[".centrifugal.centrifugo.proxy.CentrifugoProxy"]!
    expect(Object.keys(methods)).toHaveLength(13)
    expect(ours.services).toEqual(theirs.services)
  })

  it("declares exactly the same messages", () => {
    expect(Object.keys(ours.messages).sort()).toEqual(Object.keys(theirs.messages).sort())
  })

  it("gives every message the same fields: name, number, type, label (and reserved numbers)", () => {
    for (const [name, message] of Object.entries(theirs.messages)) {
      expect({ name, ...ours.messages[name] }).toEqual({ name, ...message })
    }
  })
})

// Shared by the wire-contract tests: load a proto with protobufjs and describe every message, enum and service
// by its wire facts, and find Centrifugo's own proto files in the Go module cache.
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import protobuf from "protobufjs"

const CENTRIFUGO_MODULE = "github.com/centrifugal/centrifugo/v6@v6.9.1"

/** A file of Centrifugo v6.9.1's source, from the Go module cache (`go mod download` when the build was skipped). */
export const upstreamProto = (relative: string): string => {
  const cache = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim()
  const inCache = `${cache}/${CENTRIFUGO_MODULE}/${relative}`
  if (existsSync(inCache)) return inCache
  const downloaded = JSON.parse(execFileSync("go", ["mod", "download", "-json", CENTRIFUGO_MODULE], { encoding: "utf8" }))
  return `${downloaded.Dir}/${relative}`
}

export interface FieldShape {
  readonly id: number
  readonly type: string
  readonly rule: string
  readonly keyType?: string
}

export interface MessageShape {
  readonly fields: Record<string, FieldShape>
  readonly reserved: unknown
}

/** Every message as { field name -> shape } with fully qualified type names, every enum, every service. */
export const shape = (root: protobuf.Root, pkg: string) => {
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

/** The wire facts of `pkg` in a proto file. */
export const load = (file: string, pkg: string) => {
  const root = new protobuf.Root()
  root.loadSync(file, { keepCase: true })
  root.resolveAll()
  return shape(root, pkg)
}

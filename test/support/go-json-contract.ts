// Reads the `json:"..."` tags of the Go structs in Centrifugo's internal/proxyproto/proxy.pb.go: the names and
// types of the JSON that Centrifugo's HTTP proxies send and read (it marshals these structs with encoding/json).
import { readFileSync } from "node:fs"

/** struct name -> json name -> Go type (e.g. `string`, `Raw`, `int64`, `*SubscribeOptionOverride`, `[]string`). */
export type GoStructs = Readonly<Record<string, Readonly<Record<string, string>>>>

export const parseGoStructs = (source: string): GoStructs => {
  const structs: Record<string, Record<string, string>> = {}
  for (const match of source.matchAll(/^type (\w+) struct \{\n([\s\S]*?)\n\}/gm)) {
    const fields: Record<string, string> = {}
    for (const line of match[2]!.split("\n")) {
      const field = /^\s*\w+\s+(\S+)\s+`[^`]*json:"([^",]+)[^`]*`/.exec(line)
      if (field) fields[field[2]!] = field[1]!
    }
    structs[match[1]!] = fields
  }
  return structs
}

export const loadGoStructs = (file: string): GoStructs => parseGoStructs(readFileSync(file, "utf8"))

/**
 * Checks a JSON value against a Go type as encoding/json would read it; returns the mismatches as paths.
 * `Raw` accepts any JSON value (it is embedded as is).
 */
export const mismatches = (structs: GoStructs, type: string, value: unknown, path = "$"): Array<string> => {
  if (type === "Raw") return []
  if (type === "string") return typeof value === "string" ? [] : [`${path}: expected string`]
  if (type === "bool") return typeof value === "boolean" ? [] : [`${path}: expected bool`]
  if (/^u?int(32|64)$/.test(type)) return Number.isInteger(value) ? [] : [`${path}: expected an integer`]
  if (type.startsWith("[]")) {
    if (!Array.isArray(value)) return [`${path}: expected an array`]
    return value.flatMap((item, i) => mismatches(structs, type.slice(2), item, `${path}[${i}]`))
  }
  if (type.startsWith("map[string]")) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: expected an object`]
    return Object.entries(value).flatMap(([k, v]) => mismatches(structs, type.slice("map[string]".length), v, `${path}.${k}`))
  }
  const struct = structs[type.replace(/^\*/, "")]
  if (struct === undefined) return [`${path}: unknown Go type ${type}`]
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: expected an object (${type})`]
  return Object.entries(value).flatMap(([k, v]) =>
    struct[k] === undefined
      ? [`${path}.${k}: no such field in ${type.replace(/^\*/, "")}`]
      : mismatches(structs, struct[k]!, v, `${path}.${k}`)
  )
}

// The public exports of the package and their JSDoc, read from the source text: every module the entry points
// (src/index.ts, src/testing/index.ts) re-export, followed through `export * from` and `export { ... } from`.
// A line scanner, not a compiler: the sources keep one top-level declaration per `export` line.
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import type { Block } from "./markdown.ts"

export interface Export {
  /** How a user reaches it, e.g. `Reply.error` or `handle`. */
  readonly name: string
  readonly file: string
  readonly line: number
  /** The JSDoc block right above the declaration (after any earlier overloads), without its delimiters. */
  readonly doc: string | undefined
}

export const ENTRY_POINTS = ["src/index.ts", "src/testing/index.ts"]

const DECLARATION =
  /^export (?:declare )?(?:async )?(?:const|let|function\*?|interface|type|class|enum|namespace|abstract class) +(\w+)/

/** The JSDoc ending on the line above `index` (blank lines not allowed in between), or undefined. */
const docAbove = (lines: ReadonlyArray<string>, index: number): string | undefined => {
  let end = index - 1
  if (end < 0 || !lines[end]!.trim().endsWith("*/")) return undefined
  let start = end
  while (start >= 0 && !lines[start]!.trim().startsWith("/**")) start--
  if (start < 0) return undefined
  return lines.slice(start, end + 1).join("\n").replace(/^\s*\/\*\*|\*\/\s*$/g, "").replace(/^\s*\* ?/gm, "").trim()
}

/** The exports of one module file, as `prefix` + name. */
const moduleExports = (root: string, file: string, prefix: string, seen: Set<string>): Array<Export> => {
  const key = `${prefix}|${file}`
  if (seen.has(key)) return []
  seen.add(key)
  const lines = readFileSync(join(root, file), "utf8").split("\n")
  const out: Array<Export> = []
  const named = new Set<string>()
  const resolve = (spec: string) => relative(root, join(dirname(join(root, file)), spec))
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const star = line.match(/^export \* from "(.+)"/)
    if (star !== null) {
      out.push(...moduleExports(root, resolve(star[1]!), prefix, seen))
      continue
    }
    const starAs = line.match(/^export \* as (\w+) from "(.+)"/)
    if (starAs !== null) {
      out.push(...moduleExports(root, resolve(starAs[2]!), `${prefix}${starAs[1]}.`, seen))
      continue
    }
    if (/^export (?:type )?\{/.test(line)) {
      // `export { a, type B } from "./x.ts"` over one or more lines: follow each name to its declaration.
      let text = line
      while (!text.includes("}") && i + 1 < lines.length) text += lines[++i]
      const from = lines[i]!.match(/from "(.+)"/)?.[1]
      const names = text.slice(text.indexOf("{") + 1, text.indexOf("}")).split(",")
        .map((n) => n.trim().replace(/^type /, "")).filter((n) => n.length > 0)
      if (from === undefined) continue
      const target = moduleExports(root, resolve(from), prefix, new Set())
      for (const n of names) {
        const [original, alias] = n.split(/\s+as\s+/) as [string, string | undefined]
        const found = target.find((e) => e.name === `${prefix}${original}`)
        if (found !== undefined) out.push({ ...found, name: `${prefix}${alias ?? original}` })
      }
      continue
    }
    const declaration = line.match(DECLARATION)
    if (declaration === null || named.has(declaration[1]!)) continue // later overloads and merged declarations
    named.add(declaration[1]!)
    out.push({ name: `${prefix}${declaration[1]}`, file, line: i + 1, doc: docAbove(lines, i) })
  }
  return out
}

export const publicExports = (root: string): Array<Export> => {
  const all = ENTRY_POINTS.flatMap((entry) => moduleExports(root, entry, "", new Set()))
  // A name declared as both a value and a type (`export const X` + `export interface X`) counts once, first doc wins.
  const byName = new Map<string, Export>()
  for (const e of all) {
    const known = byName.get(e.name)
    if (known === undefined || (known.doc === undefined && e.doc !== undefined)) byName.set(e.name, e)
  }
  return [...byName.values()]
}

export interface TagReport {
  readonly summary: boolean
  readonly since: boolean
  readonly category: boolean
}

export const tagsOf = (doc: string | undefined): TagReport => ({
  summary: doc !== undefined && doc.split(/^@/m)[0]!.trim().length > 0,
  since: doc !== undefined && /^@since \S+/m.test(doc),
  category: doc !== undefined && /^@category \S+/m.test(doc)
})

/** The ```ts examples inside the doc comments of src/ (generated code aside), as blocks at their source line. */
export const docExamples = (root: string): Array<Block> => {
  const files: Array<string> = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) {
        if (entry.name !== "generated") walk(path)
      } else if (entry.name.endsWith(".ts")) files.push(path)
    }
  }
  walk("src")
  return files.sort().flatMap((file) => {
    const lines = readFileSync(join(root, file), "utf8").split("\n")
    const found: Array<Block> = []
    for (let i = 0; i < lines.length; i++) {
      if (!/^\s*\* ```ts\s*$/.test(lines[i]!)) continue
      const end = lines.findIndex((l, j) => j > i && /^\s*\* ```\s*$/.test(l))
      if (end < 0) break
      const body = lines.slice(i + 1, end).map((l) => l.replace(/^\s*\*( |$)/, ""))
      const text = body.join("\n") + "\n"
      found.push({ file, line: i + 1, lang: "ts", flags: [], text, bodyLines: end - i - 1, splice: undefined })
      i = end
    }
    return found
  })
}

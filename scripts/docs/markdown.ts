// Reads the project's Markdown the way the doc checks need it: fenced code blocks (with their fence's info string
// and line), headings as GitHub anchors, and links. Plain line scanning: the docs use only ``` fences.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"

export interface Block {
  readonly file: string
  /** 1-based line of the opening fence. */
  readonly line: number
  /** The language, e.g. `ts`; the rest of the info string is in `flags`. */
  readonly lang: string
  readonly flags: ReadonlyArray<string>
  readonly text: string
  /** How many lines the block's body has (its text without the fences). */
  readonly bodyLines: number
  /** `<!-- splice: path -->` on the line before the fence: the block is a copy of that file. */
  readonly splice: string | undefined
}

export interface Link {
  readonly file: string
  readonly line: number
  readonly target: string
}

/** The Markdown files the checks cover, relative to `root`: README, CONTRIBUTING, bench/README and docs/. */
export const docFiles = (root: string): Array<string> => {
  const files = ["README.md", "CONTRIBUTING.md", "bench/README.md"].filter((f) => exists(join(root, f)))
  const walk = (dir: string): void => {
    if (!exists(dir)) return
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith(".md")) files.push(relative(root, path))
    }
  }
  walk(join(root, "docs"))
  return files
}

const exists = (path: string): boolean => {
  try {
    statSync(path)
    return true
  } catch {
    return false
  }
}

const SPLICE = /^<!--\s*splice:\s*(\S+)\s*-->$/

export const blocks = (file: string, markdown: string): Array<Block> => {
  const lines = markdown.split("\n")
  const found: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i]!.match(/^```(\S*)(.*)$/)
    if (open === null) continue
    const end = lines.findIndex((l, j) => j > i && l.startsWith("```"))
    if (end < 0) throw new Error(`${file}:${i + 1}: a code fence that is never closed`)
    const splice = i > 0 ? lines[i - 1]!.match(SPLICE)?.[1] : undefined
    found.push({
      file,
      line: i + 1,
      lang: open[1]!,
      flags: open[2]!.trim().split(/\s+/).filter((f) => f.length > 0),
      text: lines.slice(i + 1, end).join("\n") + "\n",
      bodyLines: end - i - 1,
      splice
    })
    i = end
  }
  return found
}

/** Lines outside code fences (links and headings inside code are not links and headings). */
const proseLines = (markdown: string): Array<[number, string]> => {
  const out: Array<[number, string]> = []
  let inFence = false
  markdown.split("\n").forEach((line, i) => {
    if (line.startsWith("```")) inFence = !inFence
    else if (!inFence) out.push([i + 1, line])
  })
  return out
}

/** GitHub's anchor for a heading: lower-cased, punctuation dropped, spaces to dashes; repeats get -1, -2, ... */
export const anchors = (markdown: string): Set<string> => {
  const seen = new Map<string, number>()
  const result = new Set<string>()
  for (const [, line] of proseLines(markdown)) {
    const heading = line.match(/^#{1,6}\s+(.*?)\s*#*\s*$/)
    if (heading === null) continue
    const base = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-")
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    result.add(n === 0 ? base : `${base}-${n}`)
  }
  return result
}

/** Inline links and images `[text](target)`, outside code spans and fences. */
export const links = (file: string, markdown: string): Array<Link> => {
  const out: Array<Link> = []
  for (const [line, text] of proseLines(markdown)) {
    const withoutCode = text.replace(/`[^`]*`/g, "")
    for (const m of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ file, line, target: m[1]! })
  }
  return out
}

export const read = (root: string, file: string): string => readFileSync(join(root, file), "utf8")

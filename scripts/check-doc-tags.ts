// Lists the public exports (everything reachable from src/index.ts, src/testing/index.ts and src/client/index.ts) that lack a JSDoc
// summary, `@since` or `@category`, with counts per tag (and of `@example`, which only the main entry points need).
// Uses the TypeScript 7 compiler API (`typescript/unstable/sync`), so re-exports, `export *` and namespaces resolve
// exactly as the compiler sees them. Exits 1 when any export lacks a required tag.
//   node scripts/check-doc-tags.ts [--list]     (--list also prints the documented ones with their category)
import { existsSync } from "node:fs"
import { relative, resolve } from "node:path"
import { API, type Checker, type Symbol as TsSymbol, SymbolFlags } from "typescript/unstable/sync"

export const ENTRY_POINTS = ["src/index.ts", "src/testing/index.ts", "src/client/index.ts"] as const

/** The import path of each entry point, as users write it. */
const IMPORT_PATHS: Record<(typeof ENTRY_POINTS)[number], string> = {
  "src/index.ts": "effect-centrifugo",
  "src/testing/index.ts": "effect-centrifugo/testing",
  "src/client/index.ts": "effect-centrifugo/client"
}

export interface ExportDoc {
  /** The entry point it is reachable from (the first one, in `ENTRY_POINTS` order). */
  readonly entry: (typeof ENTRY_POINTS)[number]
  /** The name a user writes: `Reply.error`, `handle`, `Mocks.tokens`. */
  readonly name: string
  readonly file: string
  readonly summary: boolean
  readonly since: boolean
  readonly category: string | undefined
  readonly example: boolean
}

export interface DocTagsReport {
  readonly exports: ReadonlyArray<ExportDoc>
  readonly counts: { readonly exports: number; readonly summary: number; readonly since: number; readonly category: number; readonly example: number }
  /** Exports missing a summary, `@since` or `@category`. */
  readonly missing: ReadonlyArray<ExportDoc & { readonly lacks: ReadonlyArray<string> }>
}

const isModule = (s: TsSymbol): boolean => (s.flags & (SymbolFlags.ValueModule | SymbolFlags.NamespaceModule)) !== 0

const resolveAlias = (checker: Checker, s: TsSymbol): TsSymbol =>
  (s.flags & SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(s) : s

export const checkDocTags = (root: string = process.cwd()): DocTagsReport => {
  const api = new API({ cwd: root })
  try {
    const snapshot = api.updateSnapshot({ openProject: resolve(root, "tsconfig.json") })
    const project = snapshot.getProjects()[0]
    if (project === undefined) throw new Error("no TypeScript project for tsconfig.json")
    const { checker, program } = project
    const found = new Map<string, ExportDoc>()
    const seenModules = new Set<string>()
    const visit = (entry: ExportDoc["entry"], prefix: string, module: TsSymbol): void => {
      if (seenModules.has(`${entry} ${module.id}`)) return
      seenModules.add(`${entry} ${module.id}`)
      for (const exported of checker.getExportsOfModule(module)) {
        const target = resolveAlias(checker, exported)
        const name = prefix === "" ? exported.name : `${prefix}.${exported.name}`
        if (isModule(target)) {
          visit(entry, name, target)
          continue
        }
        // Keyed by entry too: the client entry may offer a module the main entry also has (both are listed).
        if (found.has(`${entry} ${name}`)) continue
        const tags = checker.getJsDocTagsOfSymbol(target)
        const category = tags.find((t) => t.name === "category")?.text?.trim()
        found.set(`${entry} ${name}`, {
          entry,
          name,
          file: relative(root, target.declarations[0]?.path ?? ""),
          summary: checker.getDocumentationCommentOfSymbol(target).trim() !== "",
          since: tags.some((t) => t.name === "since" && (t.text ?? "").trim() !== ""),
          category: category === "" ? undefined : category,
          example: tags.some((t) => t.name === "example")
        })
      }
    }
    for (const entry of ENTRY_POINTS) {
      // A package without this entry point (a test fixture) has nothing to list for it.
      if (!existsSync(resolve(root, entry))) continue
      const file = program.getSourceFile(resolve(root, entry))
      if (file === undefined) throw new Error(`${entry} is not in the tsconfig.json program`)
      const module = checker.getSymbolAtLocation(file)
      if (module === undefined) throw new Error(`${entry} has no module symbol`)
      visit(entry, "", module)
    }
    const exports = [...found.values()].sort((a, b) => a.name.localeCompare(b.name))
    const count = (p: (e: ExportDoc) => boolean) => exports.filter(p).length
    const missing = exports.flatMap((e) => {
      const lacks = [
        ...(e.summary ? [] : ["summary"]),
        ...(e.since ? [] : ["@since"]),
        ...(e.category !== undefined ? [] : ["@category"])
      ]
      return lacks.length === 0 ? [] : [{ ...e, lacks }]
    })
    return {
      exports,
      counts: {
        exports: exports.length,
        summary: count((e) => e.summary),
        since: count((e) => e.since),
        category: count((e) => e.category !== undefined),
        example: count((e) => e.example)
      },
      missing
    }
  } finally {
    api.close()
  }
}

export const formatReport = (report: DocTagsReport, list = false): string => {
  const { counts } = report
  const lines = [
    `public exports: ${counts.exports}`,
    `  with summary:   ${counts.summary}`,
    `  with @since:    ${counts.since}`,
    `  with @category: ${counts.category}`,
    `  with @example:  ${counts.example}`
  ]
  if (list) {
    for (const e of report.exports) lines.push(`  ${e.category ?? "-"}\t${e.name}${e.example ? " (example)" : ""}`)
  }
  if (report.missing.length > 0) {
    lines.push(`${report.missing.length} exports lack a required tag:`)
    for (const e of report.missing) lines.push(`  ${e.name} (${e.file}): ${e.lacks.join(", ")}`)
  }
  return lines.join("\n")
}

/**
 * The public API as one line per export, `<import path> <name>` (e.g. `effect-centrifugo Reply.error`,
 * `effect-centrifugo/testing handle`): test/contract/public-api.txt holds the committed list.
 */
export const publicApiLines = (report: DocTagsReport): ReadonlyArray<string> =>
  report.exports
    .map((e) => `${IMPORT_PATHS[e.entry]} ${e.name}`)
    .sort()

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const report = checkDocTags()
  if (process.argv.includes("--api")) {
    // `npm run api:list`: rewrite the committed list after a deliberate change of the public API.
    console.log(publicApiLines(report).join("\n"))
  } else {
    console.log(formatReport(report, process.argv.includes("--list")))
    process.exitCode = report.missing.length === 0 ? 0 : 1
  }
}

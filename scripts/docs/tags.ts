// `npm run docs:tags`: counts the public exports missing a summary, `@since` or `@category` in their JSDoc, and
// compiles the ```ts examples in src/'s doc comments. Report only for now (exit 0); `--strict` exits 1 when a tag
// is missing or an example does not compile, for `npm test` once the sources have them. `--list` prints each.
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { compileBlocks } from "./checks.ts"
import { docExamples, publicExports, tagsOf } from "./exports.ts"
import type { Block } from "./markdown.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const exports = publicExports(root)
const missing = { summary: 0, since: 0, category: 0 }
const incomplete: Array<string> = []
for (const e of exports) {
  const tags = tagsOf(e.doc)
  const absent = (Object.keys(missing) as Array<keyof typeof missing>).filter((k) => !tags[k])
  for (const k of absent) missing[k]++
  if (absent.length > 0) incomplete.push(`  ${e.name} (${e.file}:${e.line}): no ${absent.join(", no ")}`)
}
console.log(
  `docs:tags: ${exports.length} public exports; missing a summary: ${missing.summary}, @since: ${missing.since}, ` +
    `@category: ${missing.category}`
)
// tsc reports no type errors while any file has a syntax error: a second pass without those finds the rest.
const allExamples = docExamples(root)
const outDir = join(root, ".cache/doc-examples")
const blockOf = (problem: string): Block | undefined => {
  const [file, line] = problem.split(":") as [string, string]
  return allExamples.find((b) => b.file === file && b.line < Number(line) && Number(line) <= b.line + b.bodyLines)
}
const first = compileBlocks(root, allExamples, outDir).problems
const syntax = new Set(first.filter((p) => / error TS1\d{3}:/.test(p)).map(blockOf))
const second = compileBlocks(root, allExamples.filter((b) => !syntax.has(b)), outDir).problems
const problems = [...first.filter((p) => syntax.has(blockOf(p))), ...second]
const failing = new Set(problems.map(blockOf))
console.log(`docs:tags: ${allExamples.length} code examples in doc comments; ${failing.size} do not compile`)
if (process.argv.includes("--list")) console.log([...incomplete, ...problems.map((p) => `  ${p}`)].join("\n"))
const strictFailure = incomplete.length > 0 || failing.size > 0
if (process.argv.includes("--strict") && strictFailure) process.exit(1)

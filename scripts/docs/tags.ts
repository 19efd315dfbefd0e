// `npm run docs:tags`: counts the public exports missing a summary, `@since` or `@category` in their JSDoc.
// Report only for now (exit 0); `--strict` exits 1 when any is missing, for `npm test` once the sources have them.
// `--list` prints every export that misses one.
import { fileURLToPath } from "node:url"
import { publicExports, tagsOf } from "./exports.ts"

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
if (process.argv.includes("--list")) console.log(incomplete.join("\n"))
if (process.argv.includes("--strict") && incomplete.length > 0) process.exit(1)

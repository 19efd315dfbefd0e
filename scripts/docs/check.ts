// `npm run docs:check` (part of `npm test`): compiles every TypeScript block of README, CONTRIBUTING, bench/README
// and docs/, checks spliced samples against their files, every relative link, and every `npm run` script named;
// exits 1 on any problem.
import { fileURLToPath } from "node:url"
import {
  allBlocks,
  checkJsonBlocks,
  checkLinks,
  checkScripts,
  checkSplices,
  compileBlocks,
  uncheckedBlocks
} from "./checks.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const all = allBlocks(root)
const compiled = compileBlocks(root, all)
const problems = [
  ...compiled.problems,
  ...checkJsonBlocks(all),
  ...checkSplices(root),
  ...checkLinks(root),
  ...checkScripts(root)
]
const spliced = all.filter((b) => b.splice !== undefined).length
const unchecked = uncheckedBlocks(all)

console.log(
  `docs: ${compiled.compiled} TypeScript blocks compiled, ${spliced} spliced from files, ` +
    `${unchecked.length} marked no-check`
)
for (const b of unchecked) console.log(`  no-check: ${b.file}:${b.line} (${b.lang})`)
if (problems.length > 0) {
  console.error(`docs: ${problems.length} problem(s):`)
  for (const p of problems) console.error(`  ${p}`)
  process.exit(1)
}

// `npm run docs:splice`: copies each spliced sample file into the code block under its `<!-- splice: path -->` marker.
import { fileURLToPath } from "node:url"
import { checkSplices } from "./checks.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const problems = checkSplices(root, { write: true })
for (const p of problems) console.error(p)
process.exit(problems.length > 0 ? 1 : 0)

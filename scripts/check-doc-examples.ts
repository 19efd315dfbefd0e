// Type-checks every ```ts block in the doc comments of src/ against the package: each block becomes a module under
// test-output/doc-examples/ (gitignored), compiled by tsc with "effect-centrifugo" mapped to src/index.ts and
// "effect-centrifugo/testing" to src/testing/index.ts. Errors are reported at the comment's line in src/.
// A block that is not meant to compile must use another fence language (```text). Exits 1 on any error, or when
// no block was found (so a broken extractor cannot pass).
//   node scripts/check-doc-examples.ts
import { spawnSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, relative, resolve } from "node:path"

export interface DocExample {
  /** The source file and the line (1-based) of the block's first code line. */
  readonly file: string
  readonly line: number
  readonly code: string
}

export interface DocExamplesReport {
  readonly examples: ReadonlyArray<DocExample>
  /** tsc's diagnostics, with example paths replaced by `src/<file>:<line>`. */
  readonly errors: ReadonlyArray<string>
}

const SKIP = ["proto/generated"]

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (SKIP.some((skip) => path.includes(skip))) return []
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith(".ts") ? [path] : []
  })

/** The ```ts blocks of the `/** ... *\/` comments of one file. */
export const extractExamples = (file: string, text: string): Array<DocExample> => {
  const lines = text.split("\n")
  const examples: Array<DocExample> = []
  let inComment = false
  let block: { start: number; code: Array<string> } | undefined
  lines.forEach((raw, index) => {
    const trimmed = raw.trim()
    if (!inComment && trimmed.startsWith("/**")) inComment = true
    if (inComment) {
      const content = raw.replace(/^\s*\/?\*\*?\/?\s?/, "")
      if (block === undefined && /^```(ts|typescript)\s*$/.test(content.trim())) {
        block = { start: index + 2, code: [] }
      } else if (block !== undefined && content.trim() === "```") {
        examples.push({ file, line: block.start, code: block.code.join("\n") + "\n" })
        block = undefined
      } else if (block !== undefined) {
        block.code.push(content)
      }
    }
    if (inComment && trimmed.endsWith("*/")) {
      if (block !== undefined) throw new Error(`${file}:${block.start}: a \`\`\`ts block is not closed in its comment`)
      inComment = false
    }
  })
  return examples
}

export const checkDocExamples = (root: string = process.cwd()): DocExamplesReport => {
  const outDir = resolve(root, "test-output/doc-examples")
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const examples = sourceFiles(resolve(root, "src")).flatMap((path) =>
    extractExamples(relative(root, path), readFileSync(path, "utf8"))
  )
  const names = new Map<string, DocExample>()
  for (const example of examples) {
    const name = `${example.file.replace(/[/.]/g, "_")}_${example.line}.ts`
    names.set(name, example)
    writeFileSync(join(outDir, name), example.code)
  }
  const base = JSON.parse(readFileSync(resolve(root, "tsconfig.json"), "utf8")) as { compilerOptions: object }
  writeFileSync(
    join(outDir, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          ...base.compilerOptions,
          noEmit: true,
          // Examples often show a value without using it.
          noUnusedLocals: false,
          paths: {
            "effect-centrifugo": [relative(outDir, resolve(root, "src/index.ts"))],
            "effect-centrifugo/testing": [relative(outDir, resolve(root, "src/testing/index.ts"))]
          }
        },
        include: [...names.keys()]
      },
      null,
      2
    )
  )
  if (examples.length === 0) return { examples, errors: ["no ```ts block found in the doc comments of src/"] }
  const tsc = spawnSync(process.execPath, [resolve(root, "node_modules/typescript/bin/tsc"), "-p", outDir, "--pretty", "false"], {
    cwd: root,
    encoding: "utf8"
  })
  const output = `${tsc.stdout}${tsc.stderr}`.trim()
  const errors = output === "" ? [] : output.split("\n").map((line) => {
    // "test-output/doc-examples/src_Reply_ts_160.ts(3,7): error TS2322: ..." -> "src/Reply.ts:162:7: error TS2322: ..."
    const match = /^(?:.*\/)?([^/(]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line)
    const example = match === null ? undefined : names.get(match[1]!)
    if (match === null || example === undefined) return line
    return `${example.file}:${example.line + Number(match[2]) - 1}:${match[3]}: ${match[4]}`
  })
  if (tsc.status !== 0 && errors.length === 0) return { examples, errors: [`tsc exited with ${tsc.status}`] }
  return { examples, errors }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const report = checkDocExamples()
  console.log(`${report.examples.length} examples in doc comments; ${report.errors.length} errors`)
  for (const error of report.errors) console.log(error)
  process.exitCode = report.errors.length === 0 ? 0 : 1
}

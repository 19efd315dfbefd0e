// The three doc checks: every TypeScript block compiles against the package, every spliced block equals its file,
// every relative link (and its #anchor) resolves. Each returns the problems it found, one line each, so the
// command line (check.ts) and the tests (test/docs) share them.
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, normalize } from "node:path"
import { packageJson } from "../../src/cli/templates/project.ts"
import { anchors, type Block, blocks, docFiles, links, read } from "./markdown.ts"

/** The fence flag of a block that is deliberately not compiled (a fragment); check.ts lists every one. */
export const NO_CHECK = "no-check"

const isTypeScript = (block: Block): boolean => block.lang === "ts" || block.lang === "typescript"

export const allBlocks = (root: string, files = docFiles(root)): Array<Block> =>
  files.flatMap((file) => blocks(file, read(root, file)))

/** Blocks marked `no-check`, to be printed: an unchecked block is always visible. */
export const uncheckedBlocks = (all: ReadonlyArray<Block>): Array<Block> =>
  all.filter((b) => b.flags.includes(NO_CHECK))

/** `<!-- splice: path -->` blocks whose text differs from the file; with `write`, brings them up to date instead. */
export const checkSplices = (
  root: string,
  options: { readonly write?: boolean; readonly files?: Array<string> } = {}
): Array<string> => {
  const problems: Array<string> = []
  for (const file of options.files ?? docFiles(root)) {
    const markdown = read(root, file)
    const lines = markdown.split("\n")
    let changed = false
    // Bottom-up, so replacing one block keeps the line numbers of the blocks above it.
    for (const block of blocks(file, markdown).filter((b) => b.splice !== undefined).reverse()) {
      const source = join(root, block.splice!)
      if (!existsSync(source)) {
        problems.push(`${file}:${block.line}: splice source ${block.splice} does not exist`)
        continue
      }
      const text = readFileSync(source, "utf8")
      if (text === block.text) continue
      if (options.write === true) {
        lines.splice(block.line, block.bodyLines, ...text.replace(/\n$/, "").split("\n"))
        changed = true
      } else {
        problems.push(`${file}:${block.line}: the block differs from ${block.splice} (run \`npm run docs:splice\`)`)
      }
    }
    if (changed) writeFileSync(join(root, file), lines.join("\n"))
  }
  return problems
}

/** Relative links whose file is missing, or whose #anchor is no heading of the target; external links are skipped. */
export const checkLinks = (root: string, files = docFiles(root)): Array<string> => {
  const problems: Array<string> = []
  const anchorCache = new Map<string, Set<string>>()
  const anchorsOf = (file: string) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchors(read(root, file)))
    return anchorCache.get(file)!
  }
  for (const file of files) {
    for (const link of links(file, read(root, file))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue // https:, mailto:, ...
      const [path, anchor] = link.target.split("#", 2) as [string, string | undefined]
      const target = path === "" ? file : normalize(join(dirname(file), decodeURIComponent(path)))
      if (target.startsWith("..") || !existsSync(join(root, target))) {
        problems.push(`${file}:${link.line}: ${link.target}: no such file`)
        continue
      }
      if (anchor !== undefined && target.endsWith(".md") && !anchorsOf(target).has(anchor)) {
        problems.push(`${file}:${link.line}: ${link.target}: no heading with anchor #${anchor} in ${target}`)
      }
    }
  }
  return problems
}

/** The npm scripts the docs may name: this repository's, and those of a project `effect-centrifugo init` writes. */
const knownScripts = (root: string): Set<string> => {
  const ours = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }
  const v = "0.0.0"
  const versions = {
    library: v, effect: v, platformNode: v, vitest: v, effectVitest: v, typescript: v, typesNode: v, node: v
  }
  const generated = JSON.parse(packageJson("app", versions, "both")) as { scripts: Record<string, string> }
  return new Set([...Object.keys(ours.scripts), ...Object.keys(generated.scripts)])
}

/** `npm run <name>` in the docs (prose or code) for a script that does not exist. */
export const checkScripts = (root: string, files = docFiles(root)): Array<string> => {
  const scripts = knownScripts(root)
  return files.flatMap((file) =>
    read(root, file).split("\n").flatMap((line, i) =>
      [...line.matchAll(/npm run ([A-Za-z0-9:_-]+)/g)]
        .filter((m) => !scripts.has(m[1]!))
        .map((m) => `${file}:${i + 1}: \`npm run ${m[1]}\`: no such script`)
    )
  )
}

/** JSON blocks that do not parse (a `no-check` flag exempts a fragment). */
export const checkJsonBlocks = (all: ReadonlyArray<Block>): Array<string> =>
  all.filter((b) => b.lang === "json" && !b.flags.includes(NO_CHECK)).flatMap((b) => {
    try {
      JSON.parse(b.text)
      return []
    } catch (error) {
      return [`${b.file}:${b.line}: JSON block does not parse: ${(error as Error).message}`]
    }
  })

/**
 * Compiles every TypeScript block (not spliced, not `no-check`) as its own module with the project's tsconfig, so
 * `effect-centrifugo` resolves to this package's source. Errors are reported at the Markdown line.
 */
export const compileBlocks = (root: string, all: ReadonlyArray<Block>, outDir = join(root, ".cache/doc-blocks")) => {
  const toCompile = all.filter((b) => isTypeScript(b) && b.splice === undefined && !b.flags.includes(NO_CHECK))
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const origin = new Map<string, Block>()
  for (const block of toCompile) {
    const name = `${block.file.replace(/[^A-Za-z0-9]+/g, "_")}_L${block.line}.ts`
    origin.set(name, block)
    writeFileSync(join(outDir, name), block.text)
  }
  writeFileSync(
    join(outDir, "tsconfig.json"),
    JSON.stringify({ extends: join(root, "tsconfig.json"), include: ["./*.ts"], compilerOptions: { noEmit: true } })
  )
  if (toCompile.length === 0) return { compiled: 0, problems: [] }
  try {
    execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(outDir, "tsconfig.json"), "--pretty", "false"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"]
    })
    return { compiled: toCompile.length, problems: [] }
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string }
    const output = String(stdout ?? "") + String(stderr ?? "")
    const problems = output.split("\n").filter((l) => l.trim().length > 0).map((line) => {
      const m = line.match(/([^/\\(]+\.ts)\((\d+),(\d+)\): (.*)$/)
      const block = m === null ? undefined : origin.get(m[1]!)
      return block === undefined ? line : `${block.file}:${block.line + Number(m![2])}:${m![3]}: ${m![4]}`
    })
    return { compiled: toCompile.length, problems }
  }
}

// The doc checks that `npm test` runs (scripts/docs): each must fail on the break it exists for.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import * as Checks from "../../scripts/docs/checks.ts"
import { anchors, blocks } from "../../scripts/docs/markdown.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))

const made: Array<string> = []
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** A throwaway project with these files (paths relative to it). */
const project = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), "doc-checks-"))
  made.push(dir)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

const fence = "```"

describe("links", () => {
  const dir = project({
    "README.md": "# Title\n\n[ok](docs/guides/a.md#second-part) [gone](docs/missing.md) [web](https://example.com)\n",
    "docs/guides/a.md":
      `# A\n\n## Second part\n\n[back](../../README.md#title) [bad anchor](#no-such)\n` +
      `${fence}md\n[in code](nowhere.md)\n${fence}\n`
  })

  it("reports a missing file and a missing anchor, nothing else", () => {
    expect(Checks.checkLinks(dir)).toEqual([
      "README.md:3: docs/missing.md: no such file",
      "docs/guides/a.md:5: #no-such: no heading with anchor #no-such in docs/guides/a.md"
    ])
  })

  it("computes GitHub's anchors (code, punctuation, repeats)", () => {
    const headings = "# HTTP: `HttpProxy`\n## Found in Centrifugo v6.9.1\n## Found in Centrifugo v6.9.1\n"
    expect([...anchors(headings)]).toEqual([
      "http-httpproxy",
      "found-in-centrifugo-v691",
      "found-in-centrifugo-v691-1"
    ])
  })
})

describe("npm scripts", () => {
  it("reports a script the docs name that neither this package nor a generated project has", () => {
    const dir = project({
      "package.json": JSON.stringify({ scripts: { test: "vitest", demo: "node demo.ts" } }),
      "README.md": "`npm run demo`, `npm run dev` (a generated project's), `npm run dmeo`\n"
    })
    expect(Checks.checkScripts(dir)).toEqual(["README.md:1: `npm run dmeo`: no such script"])
  })
})

describe("splices", () => {
  const markdown = `# Doc\n\n<!-- splice: examples/a.ts -->\n${fence}ts\nconst old = 1\n${fence}\n\ntext\n`

  it("reports a block that drifted from its file, then brings it up to date", () => {
    const dir = project({ "README.md": markdown, "examples/a.ts": "export const a = 2\nexport const b = 3\n" })
    expect(Checks.checkSplices(dir)).toEqual([
      "README.md:4: the block differs from examples/a.ts (run `npm run docs:splice`)"
    ])
    expect(Checks.checkSplices(dir, { write: true })).toEqual([])
    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe(
      `# Doc\n\n<!-- splice: examples/a.ts -->\n${fence}ts\nexport const a = 2\nexport const b = 3\n${fence}\n\ntext\n`
    )
    expect(Checks.checkSplices(dir)).toEqual([])
  })

  it("reports a splice whose file is gone", () => {
    const dir = project({ "README.md": markdown })
    expect(Checks.checkSplices(dir)).toEqual(["README.md:4: splice source examples/a.ts does not exist"])
  })
})

describe("code blocks", () => {
  const doc = [
    "# Doc",
    `${fence}ts`,
    'import { Reply } from "effect-centrifugo"',
    "export const ok = Reply.rpc({ data: 1 })",
    fence,
    `${fence}ts`,
    'import { Reply } from "effect-centrifugo"',
    'export const wrong: number = Reply.rpc({ data: "x" })',
    fence,
    `${fence}ts no-check`,
    "not TypeScript at all (",
    fence,
    `${fence}json`,
    '{ "a": 1, }',
    fence
  ].join("\n")
  const found = blocks("docs/x.md", doc)

  it("compiles each TypeScript block against the package and reports errors at the Markdown line", () => {
    const result = Checks.compileBlocks(root, found, join(root, ".cache/doc-blocks-test"))
    expect(result.compiled).toBe(2)
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0]).toMatch(/^docs\/x\.md:8:\d+: error TS2322: /)
  })

  it("lists no-check blocks and refuses JSON that does not parse", () => {
    expect(Checks.uncheckedBlocks(found).map((b) => `${b.file}:${b.line}`)).toEqual(["docs/x.md:10"])
    expect(Checks.checkJsonBlocks(found)).toEqual([expect.stringMatching(/^docs\/x\.md:13: JSON block does not parse/)])
  })
})

// Every ```ts block in the doc comments of src/ compiles against the package (scripts/check-doc-examples.ts), and
// the checker itself finds blocks at the right lines and reports a block that does not compile.
import { describe, expect, it } from "vitest"
import { checkDocExamples, extractExamples } from "../../scripts/check-doc-examples.ts"
import { fixturePackage, repo } from "./doc-fixture.ts"

const BROKEN = [
  "/**",
  " * The answer.",
  " *",
  " * @example",
  " * ```ts",
  " * import { answer } from \"effect-centrifugo\"",
  " * const text: string = answer",
  " * ```",
  " */",
  "export const answer = 42",
  ""
].join("\n")

describe("doc comment examples", () => {
  it("extracts the ```ts blocks of doc comments with the line of their first code line", () => {
    const examples = extractExamples("src/x.ts", `// \`\`\`ts in a line comment is not an example\n${BROKEN}`)
    expect(examples).toEqual([{
      file: "src/x.ts",
      line: 7,
      code: "import { answer } from \"effect-centrifugo\"\nconst text: string = answer\n"
    }])
  })

  it("reports a block that does not compile at its line in src/", () => {
    const root = fixturePackage("broken-example", { index: BROKEN })
    const report = checkDocExamples(root)
    expect(report.examples).toHaveLength(1)
    expect(report.errors.join("\n")).toMatch(/^src\/index\.ts:7:7: error TS2322: Type 'number' is not assignable to type 'string'/)
  }, 120_000)

  it("every ```ts block in the doc comments of src/ compiles against the package", () => {
    const report = checkDocExamples(repo)
    expect(report.examples.length).toBeGreaterThan(40)
    expect(report.errors).toEqual([])
  }, 120_000)
})

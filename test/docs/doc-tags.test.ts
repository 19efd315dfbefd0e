// Every public export (reachable from src/index.ts and src/testing/index.ts) has a JSDoc summary, @since and
// @category (scripts/check-doc-tags.ts); the checker itself sees through namespaces and re-exports.
import { describe, expect, it } from "vitest"
import { checkDocTags } from "../../scripts/check-doc-tags.ts"
import { fixturePackage, repo } from "./doc-fixture.ts"

describe("doc tags of public exports", () => {
  it("names each export lacking a tag, through `export * as` namespaces and `export *`", () => {
    const root = fixturePackage("missing-tags", {
      index: [
        "export * as Mod from \"./mod.ts\"",
        "/**",
        " * Documented.",
        " *",
        " * @since 0.1.0",
        " * @category constants",
        " */",
        "export const complete = 1",
        ""
      ].join("\n"),
      testing: "export * from \"../mod.ts\"\n",
      others: {
        "mod.ts": ["/** A summary only. */", "export const summaryOnly = 1", "export type Bare = string", ""].join("\n")
      }
    })
    const report = checkDocTags(root)
    expect(report.counts).toEqual({ exports: 5, summary: 3, since: 1, category: 1, example: 0 })
    expect(report.missing.map((e) => [e.name, e.lacks])).toEqual([
      ["Bare", ["summary", "@since", "@category"]],
      ["Mod.Bare", ["summary", "@since", "@category"]],
      ["Mod.summaryOnly", ["@since", "@category"]],
      ["summaryOnly", ["@since", "@category"]]
    ])
  }, 120_000)

  it("every public export of the package has a summary, @since and @category", () => {
    const report = checkDocTags(repo)
    expect(report.counts.exports).toBeGreaterThan(300)
    expect(report.missing.map((e) => `${e.name} (${e.file}): ${e.lacks.join(", ")}`)).toEqual([])
  }, 120_000)
})

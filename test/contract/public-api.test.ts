// The public API changes only on purpose: every export reachable from the package's three entry points is listed in
// test/contract/public-api.txt, and the exports map reaches nothing else (no `internal/` module, no file by path).
// After a deliberate change, `npm run api:list` rewrites the list; the diff of that file is the API change to review.
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"
import { checkDocTags, publicApiLines } from "../../scripts/check-doc-tags.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))

it("the public exports of the three entry points (main, testing, client) are the committed list (npm run api:list after a deliberate change)", () => {
  const committed = readFileSync(`${root}/test/contract/public-api.txt`, "utf8").trim().split("\n")
  const current = publicApiLines(checkDocTags(root))
  expect({ added: current.filter((l) => !committed.includes(l)), removed: committed.filter((l) => !current.includes(l)) })
    .toEqual({ added: [], removed: [] })
  expect(current.length).toBeGreaterThan(300)
  // Each entry point contributes: the client entry is listed and compared like the others.
  for (const entry of ["effect-centrifugo ", "effect-centrifugo/testing ", "effect-centrifugo/client "]) {
    expect(current.some((l) => l.startsWith(entry)), entry).toBe(true)
  }
}, 120_000)

it("the exports map offers the three entry points and nothing under src/ by path", () => {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, "utf8")) as { name: string; exports: Record<string, unknown> }
  expect(Object.keys(pkg.exports)).toEqual([".", "./testing", "./client"])
  // The package resolves itself by name (Node's self-reference), through the same exports map users get.
  const require = createRequire(`${root}/package.json`)
  for (const path of ["src/internal/pipeline.ts", "internal/pipeline", "dist/src/internal/pipeline.js", "src/index.ts", "package.json"]) {
    expect(() => require.resolve(`${pkg.name}/${path}`), path).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED|not defined by "exports"/)
  }
})

// The public API changes only on purpose: every export reachable from the package's three entry points is listed in
// test/contract/public-api.txt, and the exports map reaches nothing else (no `internal/` module, no file by path).
// After a deliberate change, `npm run api:list` rewrites the list; the diff of that file is the API change to review.
import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"
import { checkDocTags, ENTRY_POINTS, publicApiLines } from "../../scripts/check-doc-tags.ts"

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

it("through the exports map (ESM, as users import), the entry points resolve and no other file under src/ does", () => {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, "utf8")) as {
    name: string
    exports: Record<string, Record<string, string>>
  }
  // The entries the API list is made from are the files the exports map points at.
  expect(Object.values(pkg.exports).map((entry) => entry["effect-centrifugo-source"])).toEqual(ENTRY_POINTS.map((e) => `./${e}`))
  const files = readdirSync(`${root}/src`, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => file.split("\\").join("/"))
  expect(files.filter((file) => file.startsWith("internal/")).length).toBeGreaterThan(10)
  // Every file by its source path, its extensionless path and its built path (`dist/src/...js`).
  const byPath = files.flatMap((file) => {
    const bare = file.replace(/\.ts$/, "")
    return [`src/${file}`, bare, `src/${bare}`, `dist/src/${bare}.js`].map((path) => `${pkg.name}/${path}`)
  })
  // A Node process of its own resolves them, inside the package (self-reference), with the source condition.
  const script = "const out = {};" +
    "for (const s of JSON.parse(process.argv[1])) { try { out[s] = import.meta.resolve(s) } catch (e) { out[s] = e.code } }" +
    "console.log(JSON.stringify(out))"
  const resolved = JSON.parse(execFileSync(
    process.execPath,
    ["--conditions=effect-centrifugo-source", "--input-type=module", "-e", script, JSON.stringify([pkg.name, `${pkg.name}/testing`, ...byPath])],
    { cwd: root, encoding: "utf8" }
  )) as Record<string, string>
  expect(resolved[pkg.name]).toBe(new URL("src/index.ts", `file://${root}`).href)
  expect(resolved[`${pkg.name}/testing`]).toBe(new URL("src/testing/index.ts", `file://${root}`).href)
  const reachable = byPath.filter((specifier) => resolved[specifier] !== "ERR_PACKAGE_PATH_NOT_EXPORTED")
  expect(reachable).toEqual([])
  expect(byPath).toContain(`${pkg.name}/src/internal/pipeline.ts`)
}, 60_000)

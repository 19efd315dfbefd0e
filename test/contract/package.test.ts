// What `npm pack` ships: the license, the compiled output with its types and maps, the sources the maps point into,
// and the protos.
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))
const json = (path: string) => JSON.parse(readFileSync(`${root}/${path}`, "utf8"))

it("the package ships LICENSE (MIT, as package.json says), src (where the source maps point), dist and proto", () => {
  const pkg = json("package.json") as { license: string; files: ReadonlyArray<string> }
  expect(pkg.license).toBe("MIT")
  expect(readFileSync(`${root}/LICENSE`, "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} effect-centrifugo contributors/)

  const build = json("tsconfig.build.json") as { compilerOptions: { sourceMap?: boolean; declarationMap?: boolean; outDir: string } }
  // Maps point from dist/src/*.js(.map) back to ../../src/*.ts: without src in the package they point at nothing.
  if (build.compilerOptions.sourceMap === true || build.compilerOptions.declarationMap === true) {
    expect(pkg.files).toContain("src")
  }
  expect(pkg.files).toEqual(expect.arrayContaining(["dist/src", "proto"]))

  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: root, encoding: "utf8" })) as Array<{
    files: ReadonlyArray<{ path: string }>
  }>
  const paths = packed!.files.map((f) => f.path)
  expect(paths).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "proto/proxy.proto", "proto/api.proto", "src/index.ts", "src/testing/index.ts"]))
  // Nothing from the repository's own tooling or tests.
  expect(paths.filter((p) => /^(test|bench|examples|scripts|node_modules)\//.test(p))).toEqual([])
})

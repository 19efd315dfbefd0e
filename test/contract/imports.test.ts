// The library imports effect by module subpath, never through a barrel: `effect`'s index re-exports every module,
// so one `import { Effect } from "effect"` loads all of them (measured: +24 MiB RSS at idle). The CLI's templates
// are text for users' projects and may use the barrel, and so may the examples in doc comments (`/** ... */`: user
// code, compiled by test/docs, never loaded by the library).
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const src = fileURLToPath(new URL("../../src", import.meta.url))

const files = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === "generated" || name === "templates" ? [] : files(path)
    return path.endsWith(".ts") ? [path] : []
  })

it("src/ imports no effect barrel (effect, effect/http, effect/observability, effect/cli, @effect/platform-node)", () => {
  const barrel = /from "(effect|effect\/(http|http-api|observability|cli|rpc)|@effect\/platform-node)"/
  const withoutDocComments = (text: string) => text.replace(/\/\*\*[\s\S]*?\*\//g, "")
  // Only the doc comment is dropped: an import after it is still seen.
  expect(barrel.test(withoutDocComments(`/**\n * import { Effect } from "effect"\n */\nconst a = 1\n`))).toBe(false)
  expect(barrel.test(withoutDocComments(`/** Doc. */\nimport { Effect } from "effect"\n`))).toBe(true)
  const offenders = files(src).filter((file) => barrel.test(withoutDocComments(readFileSync(file, "utf8"))))
  expect(files(src).length).toBeGreaterThan(30)
  expect(offenders.map((file) => file.slice(src.length + 1))).toEqual([])
})

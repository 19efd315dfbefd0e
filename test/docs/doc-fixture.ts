// A throwaway package for the doc checkers' own tests: src/index.ts, src/testing/index.ts and other files as given, this
// repository's tsconfig.json, and its node_modules linked in; under test-output/ (gitignored).
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const repo = fileURLToPath(new URL("../..", import.meta.url))

export const fixturePackage = (
  name: string,
  files: { readonly index: string; readonly testing?: string; readonly others?: Readonly<Record<string, string>> }
): string => {
  const root = join(repo, "test-output", "doc-fixtures", name)
  rmSync(root, { recursive: true, force: true })
  mkdirSync(join(root, "src", "testing"), { recursive: true })
  cpSync(join(repo, "tsconfig.json"), join(root, "tsconfig.json"))
  symlinkSync(join(repo, "node_modules"), join(root, "node_modules"), "dir")
  writeFileSync(join(root, "src", "index.ts"), files.index)
  writeFileSync(join(root, "src", "testing", "index.ts"), files.testing ?? "export const testing = 1\n")
  for (const [path, text] of Object.entries(files.others ?? {})) writeFileSync(join(root, "src", path), text)
  return root
}

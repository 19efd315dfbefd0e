// The generated codec is produced by `npm run proto`, never edited by hand: regenerating must give the same file.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))

it("src/proto/generated matches a fresh `buf generate` of proto/", () => {
  const out = mkdtempSync(join(tmpdir(), "proto-gen-"))
  try {
    execFileSync(join(root, "node_modules/.bin/buf"), ["generate", "--output", out], { cwd: root })
    const fresh = readFileSync(join(out, "src/proto/generated/proxy.ts"), "utf8")
    const committed = readFileSync(join(root, "src/proto/generated/proxy.ts"), "utf8")
    expect(committed === fresh, "src/proto/generated is stale or hand-edited: run `npm run proto`").toBe(true)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})

// The generated codec is produced by `npm run proto`, never edited by hand: regenerating must give the same files.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"
import { annotate } from "../../scripts/annotate-generated.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const GENERATED = "src/proto/generated"

it("src/proto/generated matches a fresh `npm run proto` of proto/", () => {
  const out = mkdtempSync(join(tmpdir(), "proto-gen-"))
  const message = "src/proto/generated is stale or hand-edited: run `npm run proto`"
  try {
    execFileSync(join(root, "node_modules/.bin/buf"), ["generate", "--output", out], { cwd: root })
    annotate(join(out, GENERATED)) // the second step of `npm run proto`
    const fresh = readdirSync(join(out, GENERATED), { recursive: true, encoding: "utf8" }).sort()
    const committed = readdirSync(join(root, GENERATED), { recursive: true, encoding: "utf8" }).sort()
    expect(committed, message).toEqual(fresh)
    expect(fresh.length).toBeGreaterThan(0)
    for (const file of fresh) {
      const freshText = readFileSync(join(out, GENERATED, file), "utf8")
      const committedText = readFileSync(join(root, GENERATED, file), "utf8")
      expect(committedText === freshText, `${message} (${file})`).toBe(true)
    }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})

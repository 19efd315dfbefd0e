// Part of `npm run proto`: adds one comment line to each generated file saying why it contains `as any` casts
// (ts-proto's decode-recursion guard keeps a depth counter on the reader). Idempotent; the freshness test in
// test/contract runs it on its own fresh output too.
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const NOTE =
  "// effect-centrifugo: the `as any` casts below are ts-proto's decode-recursion guard (a depth counter stored on " +
  "the reader, which stops maliciously deep messages); generated code, not ours to retype."

export const annotate = (dir: string): void => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const path = join(dir, file)
    const text = readFileSync(path, "utf8")
    if (text.includes(NOTE)) continue
    const [first, ...rest] = text.split("\n")
    writeFileSync(path, [first, NOTE, ...rest].join("\n"))
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  annotate(process.argv[2] ?? "src/proto/generated")
}

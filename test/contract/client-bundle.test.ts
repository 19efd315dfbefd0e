// The browser entry, effect-centrifugo/client, bundled as a browser build by esbuild from the installed packages:
// it takes in no Node builtin, no grpc-js, no transport or server module, and README states its size as measured.
import { build } from "esbuild"
import { readFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { describe, expect, it } from "vitest"
import { bundleClient } from "../../examples/web/bundle.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))

/** The whole entry, every export kept (a library build): the most it can weigh and the most it can import. */
const bundleEntry = async () => {
  const result = await build({
    stdin: { contents: `export * from "effect-centrifugo/client"`, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    // Node builtins cannot be resolved in a browser build: importing one fails the build.
    platform: "browser",
    conditions: ["effect-centrifugo-source"],
    write: false,
    metafile: true,
    logLevel: "silent"
  })
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) }
}

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))

/** What must not be in a browser bundle: a builtin, grpc-js or protobuf, the servers, the CLI, the testing kit. */
const forbidden = (input: string): boolean =>
  builtins.has(input) || input.startsWith("node:") || /node_modules\/(@grpc|@bufbuild|ws)\//.test(input) ||
  /^src\/(grpc|http|api|cli|ops|proto|testing|services)\//.test(input)

/** `require("fs")`, `import "node:fs"`, `from "http2"`: a builtin left in the output for the runtime to load. */
const builtinReferences = (code: string): Array<string> =>
  [...code.matchAll(/(?:require\(|from\s*|import\s*\(?)\s*["']([^"']+)["']/g)]
    .map((m) => m[1]!)
    .filter((name) => builtins.has(name))

/** `Buffer.byteLength(...)` and the like: Node's global, which a browser lacks and a bundler does not flag. */
const bufferUses = (code: string): Array<string> => [...code.matchAll(/\bBuffer\b.{0,30}/g)].map((m) => m[0])

/** Our modules the bundle takes in whose source names the global (tree shaking may drop a use today, not tomorrow). */
const takesInBuffer = (inputs: ReadonlyArray<string>): Array<string> =>
  inputs.filter((input) => input.startsWith("src/") && bufferUses(readFileSync(`${root}/${input}`, "utf8")).length > 0)

const kb = (bytes: number) => Math.round(bytes / 1024)

describe("the client entry as a browser bundle (esbuild, platform browser)", () => {
  it("takes in no Node builtin, no grpc-js, no server module, and leaves no builtin import or Buffer in the output", async () => {
    const entry = await bundleEntry()
    expect(entry.inputs).toContain("src/client/index.ts")
    expect(entry.inputs.filter(forbidden)).toEqual([])
    expect(builtinReferences(entry.code)).toEqual([])
    expect(bufferUses(entry.code)).toEqual([])
    expect(takesInBuffer(entry.inputs)).toEqual([])
    // The check can fail: the main entry, with its servers, is refused by the same rules.
    const main = await build({
      stdin: { contents: `export * from "effect-centrifugo"`, resolveDir: root, loader: "ts" },
      bundle: true,
      platform: "browser",
      conditions: ["effect-centrifugo-source"],
      write: false,
      logLevel: "silent"
    }).then(() => "bundled", (error: Error) => error.message)
    expect(main).toMatch(/Could not resolve "node:/)
  }, 60_000)

  it("README states the minified+gzip size of the demo's client and of the whole entry, as measured", async () => {
    const demo = kb(gzipSync((await bundleClient()).code).length)
    const entry = kb(gzipSync((await bundleEntry()).code).length)
    console.log(`client bundle, minified+gzip: demo ${demo} KiB, whole entry ${entry} KiB`)
    const readme = readFileSync(`${root}/README.md`, "utf8")
    const stated = readme.match(/`effect-centrifugo\/client`[^\n]*?about (\d+) KiB[^\n]*?(\d+) KiB/)
    expect(stated, "README's line on effect-centrifugo/client with both sizes").not.toBeNull()
    // Within 10%: the figures move with effect's own size, and README must move with them.
    expect(Math.abs(Number(stated![1]) - demo)).toBeLessThanOrEqual(Math.ceil(demo * 0.1))
    expect(Math.abs(Number(stated![2]) - entry)).toBeLessThanOrEqual(Math.ceil(entry * 0.1))
  }, 60_000)
})

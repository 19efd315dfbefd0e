/**
 * `npm run bench:imports`: what loading code costs in resident memory, before any call is served. Each line imports
 * one module in a fresh Node process (the library as compiled JavaScript, as an installed package runs it), forces
 * a GC, and reports RSS and V8 heap in MiB; 3 runs each, median. Most of a server's idle memory is this, not data.
 */
import { execFileSync } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const compiled = (path: string) => join(root, ".cache/bench/js", path)

execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.bench.json")], { stdio: "inherit" })

const modules: ReadonlyArray<readonly [string, string | undefined]> = [
  ["node alone", undefined],
  ["@grpc/grpc-js", "@grpc/grpc-js"],
  ["effect/Effect", "effect/Effect"],
  ["effect/Schema", "effect/Schema"],
  ["effect/http/HttpRouter", "effect/http/HttpRouter"],
  ["effect (the barrel: `import { Effect } from \"effect\"`)", "effect"],
  ["effect-centrifugo ProxyServer (gRPC server only)", compiled("src/grpc/ProxyServer.js")],
  ["effect-centrifugo HttpProxy (HTTP transport only)", compiled("src/http/HttpProxy.js")],
  ["effect-centrifugo (the whole index)", compiled("src/index.js")]
]

const measure = (specifier: string | undefined): { rss: number; heap: number } => {
  const script = `${specifier === undefined ? "" : `await import(${JSON.stringify(specifier)});`}
globalThis.gc(); await new Promise((resolve) => setTimeout(resolve, 100)); globalThis.gc();
const { rss, heapUsed } = process.memoryUsage(); console.log(JSON.stringify({ rss, heap: heapUsed }))`
  const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
    cwd: root,
    encoding: "utf8"
  })
  return JSON.parse(out) as { rss: number; heap: number }
}

const median = (values: Array<number>) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1)

console.log(`Node ${process.version}; each module imported alone in a fresh process, 3 runs, median\n`)
console.log("| imported | RSS MiB | V8 heap MiB |")
console.log("|---|---|---|")
for (const [name, specifier] of modules) {
  const runs = [measure(specifier), measure(specifier), measure(specifier)]
  console.log(`| ${name} | ${mib(median(runs.map((r) => r.rss)))} | ${mib(median(runs.map((r) => r.heap)))} |`)
}

/**
 * Bundles the browser demo's typed client (examples/web/client.ts) with esbuild: `effect-centrifugo/client` and
 * `effect` come from the installed packages (node_modules, through their exports maps), nothing from the network.
 * The `effect-centrifugo-source` condition makes this repository's own package resolve to its sources; an
 * application omits it and gets the built files.
 */
import { build } from "esbuild"
import { fileURLToPath } from "node:url"

export interface Bundle {
  /** The minified script (an IIFE defining the global `DemoClient`). */
  readonly code: string
  /** Every file the bundle took in, relative to the repository (for the no-Node-builtin check). */
  readonly inputs: ReadonlyArray<string>
}

const entry = fileURLToPath(new URL("./client.ts", import.meta.url))

export const bundleClient = async (): Promise<Bundle> => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "iife",
    globalName: "DemoClient",
    // A browser build: a `node:` import (or any Node builtin) fails the bundle instead of being left in.
    platform: "browser",
    target: "es2022",
    conditions: ["effect-centrifugo-source"],
    write: false,
    metafile: true,
    logLevel: "silent"
  })
  const code = result.outputFiles[0]?.text ?? ""
  return { code, inputs: Object.keys(result.metafile.inputs) }
}

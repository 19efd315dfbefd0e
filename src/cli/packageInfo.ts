/**
 * This package's own package.json (found by walking up from this module: `src/cli/` when run from source,
 * `dist/src/cli/` when built), for the CLI's version and the versions a new project pins.
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export interface PackageInfo {
  readonly root: string
  readonly version: string
  readonly dependencies: Readonly<Record<string, string>>
}

let cached: PackageInfo | undefined

export const packageInfo = (): PackageInfo => {
  if (cached !== undefined) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 6; depth++) {
    const file = join(dir, "package.json")
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, "utf8")) as {
        name?: string
        version?: string
        dependencies?: Record<string, string>
        devDependencies?: Record<string, string>
      }
      if (json.name === "effect-centrifugo") {
        cached = {
          root: dir,
          version: json.version ?? "0.0.0",
          dependencies: { ...json.devDependencies, ...json.dependencies }
        }
        return cached
      }
    }
    dir = dirname(dir)
  }
  throw new Error("effect-centrifugo's package.json not found above the CLI module")
}

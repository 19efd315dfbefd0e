/**
 * `effect-centrifugo init [dir]`: a new project that installs and passes its tests on the first try. Refuses a
 * non-empty directory unless forced.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { basename, dirname, join, resolve } from "node:path"
import * as CentrifugoConfig from "../internal/centrifugoConfig.ts"
import * as Defaults from "../Defaults.ts"
import { attempt, type CommandError, fail } from "./failure.ts"
import { PLACEHOLDER_SECRET } from "./config.ts"
import { packageInfo } from "./packageInfo.ts"
import * as ChannelTemplates from "./templates/channel.ts"
import * as Project from "./templates/project.ts"

export interface InitOptions {
  readonly dir: string
  readonly force: boolean
  readonly transport: Project.ProjectTransport
  /** The effect-centrifugo dependency spec; default `^<this version>`. */
  readonly library: string | undefined
}

/** A package name from a directory name (npm: lower case, no spaces). */
const packageName = (dir: string): string =>
  basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+/, "") || "centrifugo-backend"

const DEV_LINE: Record<Project.ProjectTransport, string> = {
  grpc: `the gRPC server on :${Defaults.grpc.port}`,
  http: `the HTTP server on :${Defaults.http.port}`,
  both: `the gRPC server on :${Defaults.grpc.port} and the HTTP server on :${Defaults.http.port}`
}

export const init = (cwd: string, options: InitOptions): Effect.Effect<void, CommandError> =>
  Effect.gen(function*() {
    const root = resolve(cwd, options.dir)
    const entries = existsSync(root) ? yield* attempt(`reading ${root}`, () => readdirSync(root)) : []
    if (entries.length > 0 && !options.force) {
      return yield* fail(`${root} is not empty: choose another directory, or pass --force to write into it`)
    }
    const own = packageInfo()
    // Caret ranges, never exact versions: the effect packages are released in lock step and ask for each other's
    // newest (platform-node 4.1.5 peers effect ^4.1.5), so only ranges resolve without ERESOLVE on any later day.
    const pinned = (name: string, fallback: string) => {
      const spec = own.dependencies[name] ?? fallback
      return name !== "node" && /^\d/.test(spec) ? `^${spec}` : spec
    }
    const versions: Project.ProjectVersions = {
      library: options.library ?? `^${own.version}`,
      effect: pinned("effect", "^4.1.0"),
      platformNode: pinned("@effect/platform-node", "^4.1.0"),
      vitest: pinned("vitest", "^5.1.2"),
      effectVitest: pinned("@effect/vitest", "^4.0.5"),
      typescript: pinned("typescript", "^7.0.2"),
      typesNode: pinned("@types/node", "^22.19.0"),
      node: pinned("node", "^22.19.0")
    }
    const { config } = CentrifugoConfig.generate({ events: ["connect", "rpc"], rpcMethods: ["ping"] }, {
      transport: Project.configTransport(options.transport),
      credentials: { key: Defaults.credentialsKey, value: PLACEHOLDER_SECRET }
    })
    const files: ReadonlyArray<readonly [string, string]> = [
      ["package.json", Project.packageJson(packageName(root), versions, options.transport)],
      ["tsconfig.json", Project.tsconfig],
      [".gitignore", Project.gitignore],
      ["README.md", Project.readme(packageName(root), options.transport)],
      ["centrifugo.json", JSON.stringify(config, null, 2) + "\n"],
      ["src/contract.ts", Project.contract],
      ["src/handlers.ts", Project.handlers],
      ["src/main.ts", Project.main(options.transport)],
      ["test/handlers.test.ts", Project.handlersTest]
    ]
    yield* attempt(`writing the project in ${root}`, () => {
      for (const [file, text] of files) {
        mkdirSync(dirname(join(root, file)), { recursive: true })
        writeFileSync(join(root, file), text)
      }
    })
    const cd = resolve(cwd) === root ? "" : `cd ${options.dir} && `
    yield* Console.log([
      `Created ${root}`,
      "",
      "Next:",
      `  ${cd}npm install && npm test`,
      `  npm run dev                            # ${DEV_LINE[options.transport]}`,
      "  centrifugo --config centrifugo.json    # Centrifugo v6 with the matching proxies"
    ].join("\n"))
  })

/**
 * `effect-centrifugo config`: load a handler set from the application's module, write the Centrifugo v6 config
 * that matches it (and have `centrifugo checkconfig --strict` accept it when a binary is at hand), or check an
 * existing config against it (`--check`).
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import * as CentrifugoConfig from "../CentrifugoConfig.ts"
import { type Description, describe } from "../Handlers.ts"
import { attempt, type CliFailure, fail } from "./failure.ts"
import { packageInfo } from "./packageInfo.ts"

/** What `--handlers src/handlers.ts#AppHandlers` names, described (see `Handlers.describe`). */
export const loadDescription = (spec: string, cwd: string): Effect.Effect<Description, CliFailure> =>
  Effect.gen(function*() {
    const hash = spec.lastIndexOf("#")
    if (hash <= 0 || hash === spec.length - 1) {
      return yield* fail(`--handlers takes <module>#<export>, e.g. src/handlers.ts#AppHandlers (got "${spec}")`)
    }
    const file = resolve(cwd, spec.slice(0, hash))
    const name = spec.slice(hash + 1)
    if (!existsSync(file)) return yield* fail(`${file} does not exist`)
    const module = yield* Effect.tryPromise({
      try: () => import(pathToFileURL(file).href) as Promise<Record<string, unknown>>,
      catch: (error) => error
    }).pipe(Effect.catch((error) => {
      const message = error instanceof Error ? error.message : String(error)
      // Node loads .ts modules by type stripping from 22.18 on; an older `node` first on PATH cannot.
      const hint = /Unknown file extension "\.ts"/.test(message)
        ? ` (Node ${process.versions.node} cannot load .ts modules: use Node >= 22.19, e.g. ` +
          "`npx effect-centrifugo` inside the project, which runs its pinned node)"
        : ""
      return fail(`loading ${file}: ${message}${hint}`)
    }))
    if (!(name in module)) return yield* fail(`${file} has no export named ${name}`)
    const description = describe(module[name])
    if (description === undefined) {
      return yield* fail(
        `${name} in ${file} is not a handler set made with Handlers.layer (or a Layer that lost its description)`
      )
    }
    return description
  })

/** The Centrifugo binary: CENTRIFUGO_BIN, else the one `scripts/build-centrifugo.sh` builds, here or in this package. */
export const centrifugoBinary = (cwd: string): string | undefined => {
  const fromEnv = process.env.CENTRIFUGO_BIN
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv
  const local = join(".cache", "centrifugo", "v6.9.1", "centrifugo")
  for (const root of [cwd, packageInfo().root]) {
    if (existsSync(join(root, local))) return join(root, local)
  }
  return undefined
}

/** `centrifugo checkconfig --strict` on `config`: undefined when it passes, else its output. */
export const checkWithCentrifugo = (bin: string, config: unknown): Effect.Effect<string | undefined, CliFailure> =>
  Effect.gen(function*() {
    // A directory of its own: Centrifugo reads `.env` from its working directory.
    const dir = yield* attempt("creating a temporary directory", () => mkdtempSync(join(tmpdir(), "centrifugo-check-")))
    const file = join(dir, "config.json")
    yield* attempt("writing the config to check", () => writeFileSync(file, JSON.stringify(config, null, 2)))
    return yield* Effect.callback<string | undefined>((resume) => {
      execFile(bin, ["checkconfig", "--strict", "--config", file], { cwd: dir }, (error, stdout, stderr) =>
        resume(Effect.succeed(error === null ? undefined : `${stdout}${stderr}`.trim() || error.message)))
    }).pipe(Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true }))))
  })

export interface GenerateCommandOptions {
  readonly handlers: string
  readonly transport: CentrifugoConfig.Transport
  readonly endpoint: string | undefined
  readonly out: string | undefined
  readonly httpPort: number
  readonly httpAddress: string | undefined
  readonly credentials: boolean
  readonly credentialsKey: string
  readonly credentialsValue: string
}

export const DEFAULT_ENDPOINTS: Record<CentrifugoConfig.Transport, string> = {
  grpc: "127.0.0.1:10001",
  http: "http://127.0.0.1:3000"
}

export const generateConfig = (cwd: string, options: GenerateCommandOptions): Effect.Effect<void, CliFailure> =>
  Effect.gen(function*() {
    const description = yield* loadDescription(options.handlers, cwd)
    const { config, notes } = CentrifugoConfig.generate(description, {
      transport: options.transport,
      endpoint: options.endpoint ?? DEFAULT_ENDPOINTS[options.transport],
      httpPort: options.httpPort,
      ...(options.httpAddress === undefined ? {} : { httpAddress: options.httpAddress }),
      ...(options.credentials ? { credentials: { key: options.credentialsKey, value: options.credentialsValue } } : {})
    })
    for (const note of notes) yield* Console.error(`note: ${note}`)
    const bin = centrifugoBinary(cwd)
    if (bin !== undefined) {
      const problem = yield* checkWithCentrifugo(bin, config)
      if (problem !== undefined) return yield* fail(`centrifugo checkconfig --strict rejected the config:\n${problem}`)
      yield* Console.error(`centrifugo checkconfig --strict: ok (${bin})`)
    }
    const text = JSON.stringify(config, null, 2) + "\n"
    if (options.out === undefined) {
      yield* Console.log(text.trimEnd())
      return
    }
    const out = resolve(cwd, options.out)
    yield* attempt(`writing ${out}`, () => writeFileSync(out, text))
    yield* Console.error(`wrote ${out}: proxies for ${description.events.join(", ")}`)
    if (options.credentials && options.credentialsValue === PLACEHOLDER_SECRET) {
      yield* Console.error(
        `replace "${PLACEHOLDER_SECRET}" in ${options.out} with a secret, and set ` +
          `PROXY_CREDENTIALS_KEY=${options.credentialsKey} and PROXY_CREDENTIALS_VALUE=<the secret> on the backend`
      )
    }
  })

export const PLACEHOLDER_SECRET = "replace-with-a-shared-secret"

export const checkExisting = (cwd: string, file: string, handlers: string): Effect.Effect<void, CliFailure> =>
  Effect.gen(function*() {
    const description = yield* loadDescription(handlers, cwd)
    const path = resolve(cwd, file)
    const config = yield* attempt(`reading ${path}`, () => JSON.parse(readFileSync(path, "utf8")) as unknown)
    const mismatches = CentrifugoConfig.checkConfig(config, description)
    if (mismatches.length === 0) {
      yield* Console.log(`${file} matches the handlers (${description.events.join(", ")})`)
      return
    }
    return yield* fail(
      `${file} does not match the handlers (${description.events.join(", ")}):\n${
        mismatches.map((m) => `  - ${CentrifugoConfig.formatMismatch(m)}`).join("\n")
      }`
    )
  })

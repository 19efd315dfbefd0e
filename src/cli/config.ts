/**
 * `effect-centrifugo config`: load a handler set from the application's module, write the Centrifugo v6 config
 * that matches it (and have `centrifugo checkconfig --strict` accept it when a binary is at hand), or check an
 * existing config against it (`--check`).
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import * as CentrifugoConfig from "../internal/centrifugoConfig.ts"
import { checkconfig } from "../internal/checkconfig.ts"
import * as Layer from "effect/Layer"
import type { Description } from "../HandlerSet.ts"
import * as Defaults from "../Defaults.ts"
import { attempt, type CommandError, fail } from "./failure.ts"
import { configSecret, configTransport, merge } from "./merge.ts"
import { packageInfo } from "./packageInfo.ts"

/** The description of the handler set `--handlers src/handlers.ts#AppHandlers` names (a `HandlerSet.Described`). */
export const loadDescription = (spec: string, cwd: string): Effect.Effect<Description, CommandError> =>
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
    const description = descriptionOf(module[name])
    if (description === undefined) {
      return yield* fail(
        `${name} in ${file} is not a described handler set (HandlerSet.Described: made by HandlerSet.layer, kept by ` +
          "interceptors, HandlerSet.merge and HandlerSet.provide); a Layer combinator such as Layer.provide returns a " +
          "plain Layer: point --handlers at the set before it, or use HandlerSet.provide"
      )
    }
    return description
  })

// Read by shape, not by type: the module may have been built with another copy of this library.
const descriptionOf = (value: unknown): Description | undefined => {
  if (!Layer.isLayer(value)) return undefined
  const description = (value as { readonly description?: unknown }).description
  return typeof description === "object" && description !== null &&
      Array.isArray((description as { readonly events?: unknown }).events)
    ? description as Description
    : undefined
}

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
const checkWithCentrifugo = (bin: string, config: unknown): Effect.Effect<string | undefined, CommandError> =>
  Effect.tryPromise({ try: () => checkconfig(bin, config), catch: (error) => error }).pipe(
    Effect.catch((error) =>
      fail(`running ${bin} checkconfig: ${error instanceof Error ? error.message : String(error)}`)
    ),
    Effect.map((outcome) => (outcome.passed ? undefined : outcome.output))
  )

export interface GenerateCommandOptions {
  readonly handlers: string
  /** Default: the transport of the existing `out` file's proxies, else gRPC. */
  readonly transport: CentrifugoConfig.Transport | undefined
  readonly endpoint: string | undefined
  readonly out: string | undefined
  /** Centrifugo's HTTP port; default: the existing `out` file's, else `Defaults.centrifugo.httpPort`. */
  readonly httpPort: number | undefined
  readonly httpAddress: string | undefined
  readonly credentials: boolean
  readonly credentialsKey: string
  /** Default: the secret the existing `out` file's proxies carry, else a placeholder to replace. */
  readonly credentialsValue: string | undefined
}

const readJson = (path: string): Effect.Effect<Record<string, unknown>, CommandError> =>
  Effect.gen(function*() {
    const value = yield* attempt(`reading ${path}`, () => JSON.parse(readFileSync(path, "utf8")) as unknown)
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return yield* fail(`${path} is not a JSON object`)
    }
    return value as Record<string, unknown>
  })

const bullets = (lines: ReadonlyArray<string>) => lines.map((line) => `  ${line}`).join("\n")

export const generateConfig = (cwd: string, options: GenerateCommandOptions): Effect.Effect<void, CommandError> =>
  Effect.gen(function*() {
    const description = yield* loadDescription(options.handlers, cwd)
    const out = options.out === undefined ? undefined : resolve(cwd, options.out)
    const existing = out !== undefined && existsSync(out) ? yield* readJson(out) : undefined
    const transport = options.transport ?? (existing === undefined ? undefined : configTransport(existing)) ?? "grpc"
    const kept = existing === undefined ? undefined : configSecret(existing)
    const secret = options.credentialsValue ?? (kept?.key === options.credentialsKey ? kept.value : PLACEHOLDER_SECRET)
    const { config: generated, notes } = CentrifugoConfig.generate(description, {
      transport,
      endpoint: options.endpoint ?? Defaults.endpoint(transport),
      ...(options.httpPort === undefined ? {} : { httpPort: options.httpPort }),
      ...(options.httpAddress === undefined ? {} : { httpAddress: options.httpAddress }),
      ...(options.credentials ? { credentials: { key: options.credentialsKey, value: secret } } : {})
    })
    for (const note of notes) yield* Console.error(`note: ${note}`)
    let config = generated
    let changes: ReadonlyArray<string> | undefined
    if (existing !== undefined) {
      const merged = merge(existing, generated, description, {
        endpoint: options.endpoint !== undefined,
        secret: options.credentialsValue !== undefined,
        httpServer: options.httpPort !== undefined || options.httpAddress !== undefined
      })
      if (merged.conflicts.length > 0) {
        return yield* fail(
          `${options.out} was left unchanged: after regeneration it would still disagree with the handlers ` +
            `(settings of yours that the generator does not own):\n${
              bullets(merged.conflicts.map(CentrifugoConfig.formatMismatch))
            }\nfix these in ${options.out}, or move it away to write a fresh config`
        )
      }
      config = merged.config
      changes = merged.changes
    }
    const bin = centrifugoBinary(cwd)
    if (bin === undefined) {
      yield* Console.error(
        "note: centrifugo checkconfig skipped: no Centrifugo binary found (set CENTRIFUGO_BIN, or put it at " +
          ".cache/centrifugo/v6.9.1/centrifugo)"
      )
    } else {
      const problem = yield* checkWithCentrifugo(bin, config)
      if (problem !== undefined) return yield* fail(`centrifugo checkconfig --strict rejected the config:\n${problem}`)
      yield* Console.error(`centrifugo checkconfig --strict: ok (${bin})`)
    }
    const text = JSON.stringify(config, null, 2) + "\n"
    if (out === undefined) {
      yield* Console.log(text.trimEnd())
      return
    }
    if (changes !== undefined && changes.length === 0) {
      yield* Console.error(`${options.out} is up to date: proxies for ${description.events.join(", ")} (${transport})`)
    } else {
      yield* attempt(`writing ${out}`, () => writeFileSync(out, text))
      yield* Console.error(
        changes === undefined
          ? `wrote ${out}: proxies for ${description.events.join(", ")} (${transport})`
          : `updated ${out}: proxies for ${description.events.join(", ")} (${transport}); everything else kept. ` +
            `Changed:\n${bullets(changes)}`
      )
    }
    if (options.credentials && secret === PLACEHOLDER_SECRET) {
      const env = Defaults[transport].credentialsEnv
      yield* Console.error(
        `replace "${PLACEHOLDER_SECRET}" in ${options.out} with a secret, and set ` +
          `${env.key}=${options.credentialsKey} and ${env.value}=<the secret> on the backend`
      )
    }
  })

export const PLACEHOLDER_SECRET = "replace-with-a-shared-secret"

export const checkExisting = (
  cwd: string,
  file: string,
  handlers: string,
  transport: CentrifugoConfig.Transport | undefined
): Effect.Effect<void, CommandError> =>
  Effect.gen(function*() {
    const description = yield* loadDescription(handlers, cwd)
    const config = yield* readJson(resolve(cwd, file))
    const problems = CentrifugoConfig.checkConfig(config, description).map(CentrifugoConfig.formatMismatch)
    const used = configTransport(config)
    if (transport !== undefined && used !== undefined && used !== transport) {
      problems.push(`transport: the proxies call the backend over ${used}, and it serves ${transport}`)
    }
    if (problems.length === 0) {
      yield* Console.log(`${file} matches the handlers (${description.events.join(", ")})`)
      return
    }
    return yield* fail(
      `${file} does not match the handlers (${description.events.join(", ")}):\n${bullets(problems.map((p) => `- ${p}`))}`
    )
  })

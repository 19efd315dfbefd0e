/**
 * A real Centrifugo v6 process for end-to-end tests and demos: its config (the CLI's generator, with every proxy
 * pointed at a backend, or exactly those of a handler set and its typed channels), and a runner that starts the
 * server on free ports, waits for `/health` and stops it.
 *
 * The binary is not bundled: pass its path (the project's `scripts/build-centrifugo.sh` builds v6.9.1 once and
 * prints it; `CENTRIFUGO_BIN` overrides).
 *
 * Plain vitest: `await Centrifugo.start(...)` ... `await centrifugo.stop()`. Effect: `Centrifugo.layer(...)` (a Layer
 * of the `Centrifugo.Centrifugo` service, running for the Layer's lifetime) or `Centrifugo.make(...)` (scoped).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { checkconfig } from "../internal/checkconfig.ts"
import { type TaggedError, taggedError } from "../internal/tagged.ts"
import { config, type ConfigOptions, deepMerge } from "./centrifugoConfig.ts"
import { isPlainObject } from "../internal/plainObject.ts"

export { config, type ConfigOptions } from "./centrifugoConfig.ts"

/**
 * A free TCP port on 127.0.0.1 (bound and released: good enough for tests on one machine).
 *
 * @since 0.1.0
 * @category utils
 */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/**
 * A running Centrifugo: its ports and URLs, API key, output so far, and `stop`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningCentrifugo {
  readonly port: number
  /** `127.0.0.1:PORT` of the gRPC API, when `grpcApi` was given. */
  readonly grpcApiAddress?: string
  /** `ws://127.0.0.1:PORT/connection/websocket` */
  readonly websocketUrl: string
  /** `http://127.0.0.1:PORT` */
  readonly httpUrl: string
  readonly apiKey: string
  /** Everything Centrifugo printed so far (it logs JSON lines to stderr). */
  readonly logs: () => string
  readonly stop: () => Promise<void>
}

/**
 * Options of `start`: the `config` options plus the binary, the HTTP port and how long to wait for health.
 *
 * @since 0.1.0
 * @category models
 */
export interface StartOptions extends Omit<ConfigOptions, "port"> {
  /** Path to the centrifugo binary. */
  readonly bin: string
  /** HTTP port; default: a free one. */
  readonly port?: number
  /** How long to wait for `/health`. Default 20 s. */
  readonly startTimeoutMs?: number
}

/**
 * Runs the Centrifugo binary `bin` as `centrifugo checkconfig --strict` on a config (Centrifugo's own check; compare
 * `CentrifugoConfig.checkConfig`, which checks a config against a handler set); rejects with its output when it fails.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkWithBinary = async (bin: string, configValue: Record<string, unknown>): Promise<string> => {
  const outcome = await checkconfig(bin, configValue)
  if (!outcome.passed) throw new Error(`checkconfig failed: ${outcome.output}`)
  return outcome.output
}

/**
 * Starts Centrifugo with `config(options)` in a temporary directory and waits until `/health` answers.
 *
 * @example
 * ```ts
 * import { expect, it } from "@effect/vitest"
 * import { Effect } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 * import { Centrifugo, TestServer } from "effect-centrifugo/testing"
 *
 * it("a real Centrifugo reaches the backend", async () => {
 *   const handlers = HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "u" })) })
 *   const server = await TestServer.start(handlers)
 *   const centrifugo = await Centrifugo.start({ bin: ".cache/centrifugo/v6.9.1/centrifugo", proxy: server.address })
 *   // connect a centrifuge client to centrifugo.websocketUrl, publish with centrifugo.httpUrl + "/api" ...
 *   expect(centrifugo.websocketUrl).toMatch(/^ws:\/\//)
 *   await centrifugo.stop()
 *   await server.stop()
 * })
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const start = async (options: StartOptions): Promise<RunningCentrifugo> => {
  const port = options.port ?? (await freePort())
  const apiKey = options.apiKey ?? "test-api-key"
  return startWith(config({ ...options, port, apiKey }), {
    bin: options.bin,
    port,
    ...(options.grpcApi === undefined ? {} : { grpcApiPort: options.grpcApi.port }),
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs })
  })
}

/**
 * Options of `startWith`: the binary, the HTTP port, the gRPC API port and how long to wait for health.
 *
 * @since 0.1.0
 * @category models
 */
export interface StartWithOptions {
  readonly bin: string
  /** HTTP port; default: a free one. */
  readonly port?: number
  /** Reported as `grpcApiAddress` (the config itself must enable the gRPC API on it). */
  readonly grpcApiPort?: number
  /** How long to wait for `/health`. Default 20 s. */
  readonly startTimeoutMs?: number
}

/**
 * Starts Centrifugo with a config of your own (say, the one from your README). Merged over it, so the runner can
 * find the server: `http_server` on 127.0.0.1 and `port`, `health.enabled`, and `usage_stats.disabled`.
 *
 * @since 0.1.0
 * @category testing
 */
export const startWith = async (
  configValue: Record<string, unknown>,
  options: StartWithOptions
): Promise<RunningCentrifugo> => {
  const port = options.port ?? (await freePort())
  const effective = deepMerge(configValue, {
    http_server: { address: "127.0.0.1", port },
    health: { enabled: true },
    usage_stats: { disabled: true }
  })
  const httpApi = effective.http_api
  const apiKey = isPlainObject(httpApi) && typeof httpApi.key === "string" ? httpApi.key : ""
  // A directory of its own: Centrifugo reads `.env` from its working directory.
  const dir = await mkdtemp(join(tmpdir(), "centrifugo-"))
  const file = join(dir, "config.json")
  await writeFile(file, JSON.stringify(effective, null, 2))

  let output = ""
  const child: ChildProcess = spawn(options.bin, ["--config", file], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] })
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  // A binary that cannot be run (wrong path, not executable) emits `error` and never `exit`.
  let spawnError: Error | undefined
  child.once("error", (error) => (spawnError = error))

  const stop = async () => {
    if (spawnError === undefined && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM")
      const killed = setTimeout(() => child.kill("SIGKILL"), 5_000)
      await exited
      clearTimeout(killed)
    }
    await rm(dir, { recursive: true, force: true })
  }

  const httpUrl = `http://127.0.0.1:${port}`
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000)
  for (;;) {
    if (spawnError !== undefined) {
      await stop()
      throw new Error(`centrifugo could not be started (${options.bin}): ${spawnError.message}`)
    }
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`centrifugo exited with code ${child.exitCode} before it was healthy:\n${output}`)
    }
    const healthy = await fetch(`${httpUrl}/health`).then((r) => r.ok, () => false)
    if (healthy) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`centrifugo did not become healthy on ${httpUrl}:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }

  return {
    port,
    ...(options.grpcApiPort === undefined ? {} : { grpcApiAddress: `127.0.0.1:${options.grpcApiPort}` }),
    websocketUrl: `ws://127.0.0.1:${port}/connection/websocket`,
    httpUrl,
    apiKey,
    logs: () => output,
    stop
  }
}

// ---------------------------------------------------------------------------------------------------------------
// As Effects
// ---------------------------------------------------------------------------------------------------------------

/**
 * The running Centrifugo, as a service (what `layer` provides).
 *
 * @since 0.1.0
 * @category services
 */
export const Centrifugo: Context.Service<RunningCentrifugo, RunningCentrifugo> = Context.Service<RunningCentrifugo>(
  "effect-centrifugo/testing/Centrifugo"
)

/**
 * Centrifugo did not start (exited, or not healthy in time); `message` carries its output.
 *
 * @since 0.1.0
 * @category errors
 */
export interface CentrifugoStartError extends TaggedError<"CentrifugoStartError"> {}

/**
 * Builds a `CentrifugoStartError`; it prints as `CentrifugoStartError: <message>` with its cause.
 *
 * @since 0.1.0
 * @category errors
 */
export const CentrifugoStartError = taggedError<CentrifugoStartError>("CentrifugoStartError")

const fromStartFailure = (cause: unknown): CentrifugoStartError =>
  CentrifugoStartError({ message: cause instanceof Error ? cause.message : String(cause), cause })

/**
 * Where the options come from: given, or computed by an Effect (say, from the `TestServer` service's address).
 *
 * @since 0.1.0
 * @category models
 */
export type OptionsInput<A, E, R> = A | Effect.Effect<A, E, R>

const resolve = <A, E, R>(input: OptionsInput<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.isEffect(input) ? input : Effect.succeed(input)

/**
 * Starts Centrifugo (`start`) in the current scope; closing the scope stops it.
 *
 * @since 0.1.0
 * @category testing
 */
export const make = <E = never, R = never>(
  options: OptionsInput<StartOptions, E, R>
): Effect.Effect<RunningCentrifugo, E | CentrifugoStartError, R | Scope.Scope> =>
  Effect.flatMap(resolve(options), (resolved) =>
    Effect.acquireRelease(
      Effect.tryPromise({ try: () => start(resolved), catch: fromStartFailure }),
      (running) => Effect.promise(() => running.stop())
    ))

/**
 * Starts Centrifugo with a config of your own (`startWith`) in the current scope; closing the scope stops it.
 *
 * @since 0.1.0
 * @category testing
 */
export const makeWith = <E = never, R = never>(
  input: OptionsInput<{ readonly config: Record<string, unknown> } & StartWithOptions, E, R>
): Effect.Effect<RunningCentrifugo, E | CentrifugoStartError, R | Scope.Scope> =>
  Effect.flatMap(resolve(input), ({ config: configValue, ...options }) =>
    Effect.acquireRelease(
      Effect.tryPromise({ try: () => startWith(configValue, options), catch: fromStartFailure }),
      (running) => Effect.promise(() => running.stop())
    ))

/**
 * Centrifugo as a Layer, running while the Layer is in use. Options may come from an Effect, so the proxy address can
 * be read from a `TestServer` Layer:
 *
 * ```ts
 * import { Effect, Layer } from "effect"
 * import type { HandlerSet } from "effect-centrifugo"
 * import { Centrifugo, TestServer } from "effect-centrifugo/testing"
 *
 * declare const AppHandlers: Layer.Layer<HandlerSet.HandlerSet>
 * const bin = ".cache/centrifugo/v6.9.1/centrifugo"
 *
 * const Stack = Centrifugo.layer(
 *   Effect.map(Effect.service(TestServer.TestServer), (server) => ({ bin, proxy: server.address }))
 * ).pipe(Layer.provideMerge(TestServer.layer(AppHandlers)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <E = never, R = never>(
  options: OptionsInput<StartOptions, E, R>
): Layer.Layer<RunningCentrifugo, E | CentrifugoStartError, Exclude<R, Scope.Scope>> =>
  Layer.effect(Centrifugo, make(options))

/**
 * `makeWith` as a Layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = <E = never, R = never>(
  input: OptionsInput<{ readonly config: Record<string, unknown> } & StartWithOptions, E, R>
): Layer.Layer<RunningCentrifugo, E | CentrifugoStartError, Exclude<R, Scope.Scope>> =>
  Layer.effect(Centrifugo, makeWith(input))

/**
 * A real Centrifugo v6 process for end-to-end tests and demos: a config generator for v6's nested config with
 * every unary proxy pointed at a backend, and a runner that starts the server on free ports, waits for `/health`
 * and stops it.
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
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as CentrifugoConfig from "../CentrifugoConfig.ts"
import type * as Channel from "../contract/Channel.ts"
import type * as HandlerSet from "../HandlerSet.ts"

/**
 * Options of `config`: where Centrifugo reaches the backend, its ports and API key, and the proxies and namespaces
 * to enable.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions {
  /** Where Centrifugo reaches the proxy backend, `host:port` (the gRPC server, or the HTTP one with `transport`). */
  readonly proxy: string
  /** Centrifugo's HTTP port (WebSocket, HTTP API, health). */
  readonly port: number
  /** The HTTP API key. Default `test-api-key`. */
  readonly apiKey?: string
  /** Every proxy's timeout, a Go duration such as `"2s"`. Default `"3s"`. */
  readonly proxyTimeout?: string
  /** HTTP headers of the client's connection request forwarded to every proxy call (case-insensitive). */
  readonly httpHeaders?: ReadonlyArray<string>
  /** Emulated headers (the SDK's `headers` option) forwarded to every proxy call. */
  readonly emulatedHeaders?: ReadonlyArray<string>
  /** Centrifugo's log level. Default `info`. */
  readonly logLevel?: string
  /** Per-call credentials every proxy sends (`grpc.credentials_key` / `credentials_value`). */
  readonly proxyCredentials?: { readonly key: string; readonly value: string }
  /** Enables Centrifugo's gRPC server API on this port, with this key. */
  readonly grpcApi?: { readonly port: number; readonly key: string }
  /** Deep-merged over the generated config, for anything else. */
  readonly overrides?: Record<string, unknown>
  /**
   * The handler set Centrifugo serves (a `HandlerSet` Layer or its description): the proxies of exactly its events
   * and the namespaces of its routed channels. Default: every proxy, for a backend that answers everything.
   */
  // `any`: a handler set of any requirements, failures and build errors; only its description is read.
  readonly handlers?: HandlerSet.Description | HandlerSet.Described<any, any, any>
  /**
   * Contract channels served by handlers that are not `ChannelRouter` routes: their namespaces, with the channel
   * options and the subscribe, publish and sub_refresh proxies the handlers answer.
   */
  readonly channels?: ReadonlyArray<Channel.Any>
  /**
   * How Centrifugo reaches the backend: `grpc` (default; `proxy` is the gRPC server's `host:port`) or `http`
   * (`proxy` is the HTTP transport's `host:port`; each proxy posts to `http://proxy${httpPrefix}/<event>`). HTTP
   * has no stream subscriptions: the `stream` and `bidi` namespaces and the subscribe_stream proxy are left out.
   */
  readonly transport?: "grpc" | "http"
  /** The HTTP routes' prefix. Default `/centrifugo` (`HttpProxy`'s default). */
  readonly httpPrefix?: string
  /** `http.static_headers` of every HTTP proxy. */
  readonly staticHeaders?: Readonly<Record<string, string>>
  /**
   * A shared secret every HTTP proxy sends as a static header (what `HttpProxy`'s `requireHeader` checks). Refused
   * when its name is also in `httpHeaders`/`emulatedHeaders`: Centrifugo lets a client's header of that name replace
   * the static one.
   */
  readonly secretHeader?: { readonly name: string; readonly value: string }
  /** `http.status_to_code_transforms` of every HTTP proxy (what non-200 statuses mean to the client). */
  readonly statusToCodeTransforms?: ReadonlyArray<Record<string, unknown>>
}

/**
 * The HTTP verbs of the Http bridge's `verb:path` methods. Only needed as RPC namespaces in a config that keeps
 * Centrifugo's default `:` RPC namespace boundary; `config` moves the boundary to `::` instead.
 *
 * @since 0.1.0
 * @category constants
 */
export const httpVerbNamespaces = ["get", "head", "post", "put", "patch", "delete"] as const

/**
 * The RPC namespace boundary `config` uses: never part of a method name, so `news:list` stays one method.
 *
 * @since 0.1.0
 * @category constants
 */
export const rpcNamespaceBoundary = "::"

/**
 * Every event the kit's config proxies unless `handlers` says otherwise: the unary events Centrifugo OSS proxies
 * (shared polls aside) and both stream subscriptions (left out over HTTP).
 */
const EVERY_EVENT: HandlerSet.Description = {
  events: [
    "connect",
    "refresh",
    "subscribe",
    "publish",
    "subRefresh",
    "rpc",
    "subscribeUnidirectional",
    "subscribeBidirectional",
    "mapPublish",
    "mapRemove"
  ]
}

/**
 * A Centrifugo v6 config written by the same generator as the CLI's `config` (`CentrifugoConfig.generate`), with
 * test settings on top. By default every proxy is enabled (connect, refresh, subscribe, publish, sub_refresh and rpc
 * for channels without namespace and methods without namespace; namespaces `stream` and `bidi` for stream
 * subscriptions and `map` for map subscriptions; RPC namespace `bin`, methods `bin::name`, through a proxy with
 * `binary_encoding: true`); `handlers` narrows it to a handler set's events and routed channels. The namespaces of
 * typed channels come from the handler set's routes and from `channels`; none is written by hand.
 * Timers that tests wait on (presence update, expired subscription close delay) are shortened to 1 s.
 * `centrifugo checkconfig --strict` accepts it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const config = (options: ConfigOptions): Record<string, unknown> => {
  const transport = options.transport ?? "grpc"
  const forwarded = [...(options.httpHeaders ?? []), ...(options.emulatedHeaders ?? [])].map((h) => h.toLowerCase())
  if (
    transport === "http" && options.secretHeader !== undefined &&
    forwarded.includes(options.secretHeader.name.toLowerCase())
  ) {
    throw new Error(
      `secretHeader ${options.secretHeader.name} is also forwarded from clients (http_headers/emulated_headers): a ` +
        `client could send its own value and replace the secret. Use a header name clients never send.`
    )
  }
  const described = options.handlers === undefined
    ? EVERY_EVENT
    : "description" in options.handlers
    ? options.handlers.description
    : options.handlers
  const credentials = transport === "grpc"
    ? options.proxyCredentials
    : options.secretHeader === undefined
    ? undefined
    : { key: options.secretHeader.name, value: options.secretHeader.value }
  const { config: generated } = CentrifugoConfig.generate(described, {
    transport,
    endpoint: transport === "grpc" ? options.proxy : `http://${options.proxy}`,
    httpAddress: "127.0.0.1",
    httpPort: options.port,
    timeout: options.proxyTimeout ?? "3s",
    apiKey: options.apiKey ?? "test-api-key",
    ...(credentials === undefined ? {} : { credentials }),
    ...(options.httpPrefix === undefined ? {} : { httpPrefix: options.httpPrefix }),
    channels: (options.channels ?? []).map((channel) => ({ channel, events: ["subscribe", "publish", "subRefresh"] })),
    proxyExtras: {
      httpHeaders: options.httpHeaders ?? [],
      emulatedHeaders: options.emulatedHeaders ?? [],
      includeConnectionMeta: true,
      ...(transport === "http"
        ? { staticHeaders: options.staticHeaders ?? {}, statusToCodeTransforms: options.statusToCodeTransforms ?? [] }
        : {})
    },
    rpcNamespaces: [{ name: "bin", binaryEncoding: true }]
  })
  const channel = isPlainObject(generated.channel) ? generated.channel : undefined
  const testSettings = {
    log: { level: options.logLevel ?? "info" },
    usage_stats: { disabled: true },
    ...(options.grpcApi === undefined
      ? {}
      : { grpc_api: { enabled: true, address: "127.0.0.1", port: options.grpcApi.port, key: options.grpcApi.key } }),
    client: { allowed_origins: ["*"], presence_update_interval: "1s", expired_sub_close_delay: "1s" },
    // Subscribers of channels without namespace may read presence and history (server-API tests use them).
    ...(channel !== undefined && isPlainObject(channel.without_namespace)
      ? { channel: { without_namespace: { allow_presence_for_subscriber: true, allow_history_for_subscriber: true } } }
      : {})
  }
  return deepMerge(deepMerge(generated, testSettings), options.overrides ?? {})
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const deepMerge = (target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...target }
  for (const [key, value] of Object.entries(source)) {
    const current = out[key]
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value
  }
  return out
}

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
 * Runs `centrifugo checkconfig --strict` on a config; rejects with Centrifugo's output when it fails.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkConfig = async (bin: string, configValue: Record<string, unknown>): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "centrifugo-check-"))
  try {
    const file = join(dir, "config.json")
    await writeFile(file, JSON.stringify(configValue, null, 2))
    return await new Promise((resolve, reject) =>
      execFile(bin, ["checkconfig", "--strict", "--config", file], { cwd: dir }, (error, stdout, stderr) =>
        error ? reject(new Error(`checkconfig failed: ${stdout}${stderr}`)) : resolve(`${stdout}${stderr}`))
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
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
export interface CentrifugoStartError {
  readonly _tag: "CentrifugoStartError"
  readonly message: string
  readonly cause: unknown
}

const startError = (cause: unknown): CentrifugoStartError => ({
  _tag: "CentrifugoStartError",
  message: cause instanceof Error ? cause.message : String(cause),
  cause
})

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
      Effect.tryPromise({ try: () => start(resolved), catch: startError }),
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
      Effect.tryPromise({ try: () => startWith(configValue, options), catch: startError }),
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

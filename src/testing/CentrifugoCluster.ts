/**
 * Several real Centrifugo v6 nodes sharing a Redis engine, for end-to-end tests of a scaled-out setup: a
 * publication through one node's server API reaches subscribers on the others, history (and so recovery) is
 * shared, and a node can be restarted while the others keep serving.
 *
 * ```ts
 * import { CentrifugoCluster } from "effect-centrifugo/testing"
 *
 * const bin = ".cache/centrifugo/v6.9.1/centrifugo"
 * const redis = await CentrifugoCluster.startRedis({ bin: "/usr/bin/redis-server" })
 * const cluster = await CentrifugoCluster.start({ bin, nodes: 2, redisUrl: redis.url, proxy: "127.0.0.1:10001" })
 * const firstNodeUrl = cluster.nodes[0]?.websocketUrl
 * await cluster.restart(1)
 * await cluster.stop()
 * await redis.stop()
 * ```
 *
 * Each node is `Centrifugo.start` with the same options plus `engine: { type: "redis", redis: { address, prefix } }`
 * and its own `node.name`, passed through the `overrides` option (merged over yours).
 *
 * Redis itself is not bundled: `startRedis` runs a `redis-server` binary (the project's `scripts/install-redis.sh`
 * installs Debian's) on a free port without persistence; or point `redisUrl` at a Redis you run.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { connect } from "node:net"
import * as Centrifugo from "./Centrifugo.ts"

/**
 * Options of a Centrifugo cluster: the `start` options plus the node count, the shared Redis and per-node backends.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterOptions extends Omit<Centrifugo.StartOptions, "port"> {
  /** How many nodes. Default 2. */
  readonly nodes?: number
  /** The shared Redis, `redis://host:port`. */
  readonly redisUrl: string
  /** Key prefix in Redis, so clusters sharing one Redis do not see each other. Default: unique per cluster. */
  readonly redisPrefix?: string
  /**
   * The backend address of node `index` (0-based), when nodes should point at different backends; default
   * `proxy` for all.
   */
  readonly proxyFor?: (index: number) => string
}

/**
 * A running cluster of Centrifugo nodes: the nodes, and stopping, starting and restarting them one by one.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningCluster {
  /**
   * Every node, as last started (a restarted node's entry is replaced; a node's ports never change, so its URLs
   * hold while it is stopped).
   */
  readonly nodes: ReadonlyArray<Centrifugo.RunningCentrifugo>
  /** Whether node `index` runs (false between `stopNode` and `startNode`). */
  readonly isRunning: (index: number) => boolean
  /** Stops node `index` (SIGTERM: its clients are told to reconnect) and starts it again on the same ports. */
  readonly restart: (index: number, options?: { readonly downFor?: number }) => Promise<Centrifugo.RunningCentrifugo>
  /** Stops node `index` only. */
  readonly stopNode: (index: number) => Promise<void>
  /** Starts node `index` again after `stopNode`, on the same ports. */
  readonly startNode: (index: number) => Promise<Centrifugo.RunningCentrifugo>
  /** Stops every node. */
  readonly stop: () => Promise<void>
}

/**
 * The config overrides that make a node part of the cluster (merged over `overrides`).
 *
 * @since 0.1.0
 * @category utils
 */
export const clusterOverrides = (
  options: { readonly redisUrl: string; readonly redisPrefix: string; readonly name: string },
  overrides: Record<string, unknown> = {}
): Record<string, unknown> => {
  const engine = (overrides.engine ?? {}) as Record<string, unknown>
  const redis = (engine.redis ?? {}) as Record<string, unknown>
  const node = (overrides.node ?? {}) as Record<string, unknown>
  return {
    ...overrides,
    engine: { ...engine, type: "redis", redis: { ...redis, address: [options.redisUrl], prefix: options.redisPrefix } },
    node: { ...node, name: options.name }
  }
}

/**
 * Starts `nodes` Centrifugo nodes on free ports sharing `redisUrl`, and waits until each is healthy.
 *
 * @since 0.1.0
 * @category testing
 */
export const start = async (options: ClusterOptions): Promise<RunningCluster> => {
  const count = options.nodes ?? 2
  const redisPrefix = options.redisPrefix ?? `centrifugo-${randomUUID().slice(0, 8)}`
  const { nodes: _nodes, proxyFor, redisPrefix: _prefix, redisUrl, ...common } = options
  // Ports fixed per node, so a restarted node comes back where its clients and the test expect it.
  const ports = await Promise.all(Array.from({ length: count }, async () => ({
    http: await Centrifugo.freePort(),
    grpcApi: options.grpcApi === undefined ? undefined : await Centrifugo.freePort()
  })))
  const startOne = (index: number) =>
    Centrifugo.start({
      ...common,
      proxy: proxyFor?.(index) ?? options.proxy,
      port: ports[index]!.http,
      ...(options.grpcApi === undefined ? {} : { grpcApi: { ...options.grpcApi, port: ports[index]!.grpcApi! } }),
      overrides: clusterOverrides({ redisUrl, redisPrefix, name: `node-${index}` }, options.overrides)
    })

  const nodes: Array<Centrifugo.RunningCentrifugo | undefined> = []
  try {
    // One after another: on a loaded machine, parallel starts only compete for the same cores.
    for (let index = 0; index < count; index++) nodes.push(await startOne(index))
  } catch (error) {
    await Promise.all(nodes.map((node) => node?.stop()))
    throw error
  }

  // The latest start of each node: its URLs stay valid while it is stopped (the ports are kept).
  const latest = [...nodes] as Array<Centrifugo.RunningCentrifugo>
  const stopNode = async (index: number) => {
    const node = nodes[index]
    nodes[index] = undefined
    await node?.stop()
  }
  const startNode = async (index: number) => {
    if (nodes[index] !== undefined) throw new Error(`node ${index} is already running`)
    const node = await startOne(index)
    nodes[index] = node
    latest[index] = node
    return node
  }
  return {
    get nodes() {
      return [...latest]
    },
    isRunning: (index) => nodes[index] !== undefined,
    stopNode,
    startNode,
    restart: async (index, restartOptions) => {
      await stopNode(index)
      if (restartOptions?.downFor !== undefined) await new Promise((resolve) => setTimeout(resolve, restartOptions.downFor))
      return startNode(index)
    },
    stop: async () => {
      await Promise.all(nodes.map((_, index) => stopNode(index)))
    }
  }
}

/**
 * A running redis-server: its URL and port, its output so far, and `stop`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningRedis {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string
  readonly port: number
  /** Everything redis-server printed so far. */
  readonly logs: () => string
  readonly stop: () => Promise<void>
}

/** Sends PING, resolves whether PONG came back. */
const ping = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    let answer = ""
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.once("error", () => done(false))
    socket.once("connect", () => socket.write("PING\r\n"))
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString()
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"))
    })
  })

/**
 * Runs `redis-server` on a free port of 127.0.0.1, in memory only (no RDB or AOF files), and waits until it answers
 * PING.
 *
 * @since 0.1.0
 * @category testing
 */
export const startRedis = async (options: { readonly bin: string; readonly startTimeoutMs?: number }): Promise<
  RunningRedis
> => {
  const port = await Centrifugo.freePort()
  let output = ""
  const child: ChildProcess = spawn(
    options.bin,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  child.once("error", (error) => (output += String(error)))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM")
      const killed = setTimeout(() => child.kill("SIGKILL"), 5_000)
      await exited
      clearTimeout(killed)
    }
  }
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000)
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}:\n${output}`)
    if (await ping(port)) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`redis-server did not answer PING on port ${port}:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { url: `redis://127.0.0.1:${port}`, port, logs: () => output, stop }
}

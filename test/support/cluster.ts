// Plumbing for the scale-out e2e: Redis (installed by scripts/install-redis.sh, or REDIS_URL), the example backend
// as a real process (examples/main.ts, run by Workers), its log read back per worker, and a client-side "load
// balancer" that sends each WebSocket to a live Centrifugo node.
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import WebSocket from "ws"
import { CentrifugoCluster } from "../../src/testing/index.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))

export interface Redis {
  readonly url: string
  readonly stop: () => Promise<void>
}

/** REDIS_URL, else a redis-server of our own (installed when missing); or why there is none. */
export const findRedis = (): { readonly start: () => Promise<Redis> } | { readonly reason: string } => {
  const url = process.env.REDIS_URL
  if (url !== undefined && url !== "") return { start: async () => ({ url, stop: async () => {} }) }
  try {
    const bin = execFileSync("bash", [`${root}/scripts/install-redis.sh`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"]
    }).trim()
    return { start: () => CentrifugoCluster.startRedis({ bin }) }
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim()
    return { reason: stderr || (error as Error).message }
  }
}

/**
 * The backend's log entries. Workers log one JSON object per line (LOG_FORMAT=json: lines of two processes cannot
 * interleave within an entry, as the pretty format's multi-line annotations do); the primary's own pretty lines
 * are kept as text entries.
 */
interface LogEntry {
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
}
const entriesOf = (text: string): Array<LogEntry> =>
  text.split("\n").flatMap((line): Array<LogEntry> => {
    if (!line.startsWith("{")) return line === "" ? [] : [{ message: line, annotations: {} }]
    try {
      const entry = JSON.parse(line) as { message?: unknown; annotations?: Record<string, unknown> }
      return [{ message: String(entry.message), annotations: entry.annotations ?? {} }]
    } catch {
      return [{ message: line, annotations: {} }]
    }
  })

export interface Backend {
  readonly port: number
  readonly child: ChildProcess
  readonly exited: Promise<number | null>
  /** Everything the primary and its workers printed so far. */
  readonly output: () => string
  /** Log entries printed after `mark` (a length of `output()`). */
  readonly entriesSince: (mark: number) => Array<LogEntry>
  /** The pids of the workers currently listening (by slot), from their "listening" lines and replacements. */
  readonly workerPids: () => Map<number, number>
  /** Answered RPC calls per worker slot in the entries after `mark`, from Interceptor.logging's lines. */
  readonly rpcsPerWorker: (mark: number) => Map<number, number>
  readonly kill: () => void
}

/** Starts examples/main.ts with `env` and waits until `workers` workers are listening. */
export const startBackend = async (
  port: number,
  workers: number,
  env: Record<string, string>
): Promise<Backend> => {
  let output = ""
  const child = spawn(process.execPath, ["--conditions=effect-centrifugo-source", `${root}/examples/main.ts`], {
    env: {
      ...process.env,
      PROXY_HOST: "127.0.0.1",
      PROXY_PORT: String(port),
      PROXY_HTTP_HOST: "127.0.0.1",
      PROXY_HTTP_PORT: "0",
      PROXY_WORKERS: String(workers),
      LOG_FORMAT: "json",
      ...env
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const entriesSince = (mark: number) => entriesOf(output.slice(mark))
  const workerPids = () => {
    const pids = new Map<number, number>()
    for (const entry of entriesSince(0)) {
      if (entry.message.startsWith("Centrifugo proxy listening")) {
        pids.set(Number(entry.annotations.worker), Number(entry.annotations.pid))
      }
    }
    return pids
  }
  const deadline = Date.now() + 30_000
  while (workerPids().size < workers) {
    if (child.exitCode !== null) throw new Error(`the backend exited with ${child.exitCode}:\n${output}`)
    if (Date.now() > deadline) {
      child.kill("SIGKILL")
      throw new Error(`the backend's ${workers} workers did not all listen:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    port,
    child,
    exited,
    output: () => output,
    entriesSince,
    workerPids,
    rpcsPerWorker: (mark) => {
      const counts = new Map<number, number>()
      for (const entry of entriesSince(mark)) {
        if (!/^RPC \S+ -> ok/.test(entry.message)) continue
        const worker = Number(entry.annotations.worker)
        counts.set(worker, (counts.get(worker) ?? 0) + 1)
      }
      return counts
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    }
  }
}

/**
 * What a load balancer in front of the Centrifugo nodes does for a client: its WebSocket goes to its preferred node
 * while that node is up, else to a live one. `down` is the balancer's health view, set by the test.
 */
export const balancer = (urls: () => ReadonlyArray<string>) => {
  const down = new Set<number>()
  const connections: Array<number> = []
  const pick = (preferred: number): number => {
    const count = urls().length
    for (let step = 0; step < count; step++) {
      const index = (preferred + step) % count
      if (!down.has(index)) return index
    }
    return preferred
  }
  return {
    down,
    /** Connections opened per node so far. */
    connections,
    /** A WebSocket constructor for centrifuge-js that prefers node `preferred`. */
    websocket: (preferred: number) =>
      function BalancedWebSocket(_url: string, protocols?: string | Array<string>) {
        const index = pick(preferred)
        connections[index] = (connections[index] ?? 0) + 1
        return new WebSocket(urls()[index]!, protocols)
      }
  }
}

/**
 * The sustained-load line of `npm run bench -- --only-soak`: one gRPC connection with 500 realistic Connect calls in
 * flight for 60 s, on our server and on the hand-written grpc-js one in turn, RSS sampled every 5 s (every 10 s shown)
 * with the server's own `process.memoryUsage()` breakdown (it prints one line per interval when MEMORY_EVERY_MS is
 * set: see bench/servers/logic.ts). The target: RSS growth over the last quarter of the run <= 3% for both.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"

export interface MemoryLine {
  readonly rss: number
  readonly heapTotal: number
  readonly heapUsed: number
  readonly external: number
  readonly arrayBuffers: number
}

export interface SoakSample {
  /** Seconds since the measured load started. */
  readonly t: number
  /** VmRSS of the server process, MiB, and its parts: anonymous memory (heap, malloc) and file-backed (code). */
  readonly rss_mib: number
  readonly rss_anon_mib: number
  readonly rss_file_mib: number
  /** The server's last `process.memoryUsage()` line, MiB each. */
  readonly memory?: MemoryLine
}

export interface SoakRun {
  readonly server: string
  readonly flags: ReadonlyArray<string>
  readonly calls: number
  readonly rps: number
  readonly p99_us: number
  readonly samples: ReadonlyArray<SoakSample>
}

interface Running {
  readonly process: ChildProcess
  readonly port: number
  /** The server's last `process.memoryUsage()` line. */
  readonly memory: () => MemoryLine | undefined
}

export interface SoakDeps {
  readonly start: (env: Record<string, string>) => Promise<Running>
  readonly stop: (server: Running) => Promise<void>
  /** The load generator's command line for Connect at `concurrency` in flight for `seconds`. */
  readonly load: (port: number, concurrency: number, seconds: number) => [string, Array<string>]
}

const statusMiB = (pid: number, field: string): number => {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  return match ? Number(match[1]) / 1024 : Number.NaN
}

export const SOAK_CONCURRENCY = 500
const SAMPLE_EVERY_S = 5

/** One server under the sustained load: RSS (and the server's own breakdown) every 5 s until the load ends. */
export const soak = async (server: string, flags: ReadonlyArray<string>, seconds: number, deps: SoakDeps): Promise<SoakRun> => {
  const running = await deps.start({ MEMORY_EVERY_MS: String(SAMPLE_EVERY_S * 1000) })
  try {
    const pid = running.process.pid!
    const samples: Array<SoakSample> = []
    const [command, args] = deps.load(running.port, SOAK_CONCURRENCY, seconds)
    const loadgen = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] })
    let output = ""
    loadgen.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()))
    const started = Date.now()
    const take = () => {
      const memory = running.memory()
      samples.push({
        t: Math.round((Date.now() - started) / 1000),
        rss_mib: statusMiB(pid, "VmRSS"),
        rss_anon_mib: statusMiB(pid, "RssAnon"),
        rss_file_mib: statusMiB(pid, "RssFile"),
        ...(memory ? { memory } : {})
      })
    }
    take()
    const timer = setInterval(take, SAMPLE_EVERY_S * 1000)
    await new Promise((resolve) => loadgen.once("exit", resolve))
    clearInterval(timer)
    const result = JSON.parse(output) as { calls: number; rps: number; p99_us: number }
    return { server, flags, calls: result.calls, rps: result.rps, p99_us: result.p99_us, samples }
  } finally {
    await deps.stop(running)
  }
}

/** RSS growth over the last quarter of the run, in %: the sample nearest 3/4 of the way to the last one. */
export const lastQuarterGrowth = (run: SoakRun): number => {
  const last = run.samples.at(-1)
  if (last === undefined) return Number.NaN
  const quarter = run.samples.reduce((best, s) => Math.abs(s.t - 0.75 * last.t) < Math.abs(best.t - 0.75 * last.t) ? s : best)
  return (100 * (last.rss_mib - quarter.rss_mib)) / quarter.rss_mib
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

export const soakLines = (runs: ReadonlyArray<SoakRun>, seconds: number): Array<string> => {
  const lines = [
    `Sustained load: realistic Connect, ${SOAK_CONCURRENCY} calls in flight on one gRPC connection for ${seconds} s ` +
      `(RSS MiB every 10 s; growth = the last quarter of the run):`,
    ""
  ]
  const marks = runs[0]?.samples.filter((s) => s.t % 10 < SAMPLE_EVERY_S / 2).map((s) => s.t) ?? []
  lines.push(`| server | node flags | calls/s | p99 ms | ${marks.map((t) => `${Math.round(t / 10) * 10} s`).join(" | ")} | last-quarter growth |`)
  lines.push(`|---|---|---|---|${marks.map(() => "---|").join("")}---|`)
  for (const run of runs) {
    const at = (t: number) => run.samples.reduce((best, s) => Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best)
    lines.push(
      `| ${run.server} | ${run.flags.length === 0 ? "(defaults)" : `\`${run.flags.join(" ")}\``} | ${Math.round(run.rps).toLocaleString("en-US")} | ` +
        `${(run.p99_us / 1000).toFixed(1)} | ${marks.map((t) => at(t).rss_mib.toFixed(1)).join(" | ")} | ${lastQuarterGrowth(run).toFixed(1)}% |`
    )
  }
  lines.push("")
  lines.push(
    "Where the RSS is at the end (MiB): the process's anonymous and file-backed (code) resident memory, and the " +
      "server's own `process.memoryUsage()` (heapTotal: V8's heap, new space included; external: Buffers and other " +
      "memory V8 is told about; the rest of the anonymous memory is native: nghttp2, malloc, V8's code and metadata):"
  )
  lines.push("")
  lines.push("| server | node flags | RssAnon | RssFile | heapTotal | heapUsed | external | arrayBuffers | anon, not heap or external |")
  lines.push("|---|---|---|---|---|---|---|---|---|")
  for (const run of runs) {
    const last = [...run.samples].reverse().find((s) => s.memory !== undefined)
    const m = last?.memory
    if (last === undefined || m === undefined) continue
    const native = last.rss_anon_mib - (m.heapTotal + m.external) / 1024 / 1024
    lines.push(
      `| ${run.server} | ${run.flags.join(" ") || "(defaults)"} | ${last.rss_anon_mib.toFixed(1)} | ${last.rss_file_mib.toFixed(1)} | ` +
        `${mib(m.heapTotal)} | ${mib(m.heapUsed)} | ${mib(m.external)} | ${mib(m.arrayBuffers)} | ${native.toFixed(1)} |`
    )
  }
  return lines
}

/**
 * `npm run bench`: effect-centrifugo side by side with a hand-written @grpc/grpc-js server and a raw node:http2
 * responder, plus connect storms through a real Centrifugo with the connect proxy on and off.
 *
 * - Load: bench/loadgen (grpc-go, the client library Centrifugo itself uses), one HTTP/2 connection, N in flight.
 * - Also measured: bench/goserver, a grpc-go server answering precomputed bytes: the language ceiling.
 * - Pinning: the server under test on core 1, the load generator on core 0 (`taskset`), when the machine has 2+.
 * - Rounds are interleaved (A B C A B C ...); medians with min/max are reported, and ratios against grpc-js.
 * - Server CPU per call from /proc/<pid>/stat (utime+stime) over the measured run; peak RSS from VmHWM.
 * - One extra run of our server under --cpu-prof attributes its CPU to effect, grpc-js, protobuf, our code, node.
 * - Scaling out: our server under `Workers.run` with 1 and 2 workers and `maxConnectionAge`, loaded over several
 *   connections (as several Centrifugo nodes / proxy kinds would), calls/s and each process's CPU.
 *
 * Writes bench/results/latest.json, latest.md and latest.svg (a chart). Options: --rounds N (default 5), --seconds S (default 2),
 * --warmup S per method before measuring (default 1.5), --clients N in a storm (default 1000),
 * --quick (2 rounds, 1 s: a smoke run), --only-scale (only the workers scenario, printed, results files untouched),
 * --only-http (just the HTTP scenarios; prints, writes no results), --only-grpc (ours and grpc-js on the gRPC
 * scenarios, no-op and realistic; prints, writes no results), --only-flags (V8's memory flags: the realistic
 * servers at 1000 in flight under each setting; prints, writes no results), --report (rewrites latest.md and the chart
 * from latest.json with the current report code, measuring nothing), --only-storms (the connect storms; prints),
 * --only-soak (bench/soak.ts: 500 realistic calls in flight for --soak-seconds S (default 60) on ours and grpc-js,
 * RSS every 10 s; also under --soak-flags "<node flags>" when given; writes bench/results/soak.json and soak.md, whose
 * growth figures the full run's target table reads), --only-rpc (one RPC method, `item.get`, as an effect/rpc RpcGroup
 * through RpcProxy against the same method through RpcRouter, gRPC and HTTP: bench/servers/ours-rpc.ts; prints).
 *
 * HTTP transport: our HttpProxy against a hand-written node:http JSON handler answering the same, and against the
 * servers Node teams deploy, written as their users write them (bench/servers/fastify.ts, express.ts, hono.ts),
 * loaded the way Centrifugo's HTTP proxy calls (Go net/http, keep-alive pool). The summary gives our ratio against
 * each, the per-call overhead over the hand-written server of each transport, and the heap bytes per realistic call
 * (bench/pipeline.ts --alloc).
 */
import { Centrifuge } from "centrifuge"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import WebSocket from "ws"
import * as pb from "../src/proto/generated/proxy.ts"
import { Centrifugo } from "../src/testing/index.ts"
import { chart } from "./chart.ts"
import { type MemoryLine, soak, soakLines, type SoakRun } from "./soak.ts"
import { anchorLines, overheadLines, RPC_GROUP_GRPC, RPC_GROUP_HTTP, rpcGroupLines, targets as issueTargets } from "./targets.ts"

const root = fileURLToPath(new URL("..", import.meta.url))
const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(args[i + 1])
}
const quick = args.includes("--quick")
const ROUNDS = flag("rounds", quick ? 2 : 5)
const SECONDS = flag("seconds", quick ? 1 : 2)
const STORM_CLIENTS = flag("clients", quick ? 100 : 1000)
const WARMUP_SECONDS = flag("warmup", quick ? 0.5 : 1.5)
const ONLY_SCALE = args.includes("--only-scale")
const ONLY_HTTP = args.includes("--only-http")
/** Only ours and grpc-js on the gRPC scenarios (no-op and realistic): an A/B of one change; prints, writes nothing. */
const ONLY_GRPC = args.includes("--only-grpc")
/** A partial run of scenarios: printed, never written over the full results. */
const PARTIAL = ONLY_HTTP || ONLY_GRPC
const ONLY_FLAGS = args.includes("--only-flags")
/** Rewrites latest.md and the chart from latest.json with the current report code (new targets), measuring nothing. */
const REPORT_ONLY = args.includes("--report")
/** Only the sustained-load line (bench/soak.ts): writes bench/results/soak.json and soak.md, which the report reads. */
const ONLY_SOAK = args.includes("--only-soak")
const SOAK_SECONDS = flag("soak-seconds", 60)
/** Only the connect storms through Centrifugo (gRPC and HTTP proxy, and none): printed, results files untouched. */
const ONLY_STORMS = args.includes("--only-storms")
/** Only the RpcGroup-vs-RpcRouter row (bench/servers/ours-rpc.ts, both transports): printed, results untouched. */
const ONLY_RPC = args.includes("--only-rpc")
/** Extra node flags to soak both servers under too, e.g. `--soak-flags "--max-semi-space-size=1"`. */
const SOAK_FLAGS = args.includes("--soak-flags") ? args[args.indexOf("--soak-flags") + 1]!.split(" ").filter(Boolean) : []
const SOAK_JSON = join(root, "bench/results/soak.json")

const work = join(tmpdir(), `effect-centrifugo-bench-${process.pid}`)
mkdirSync(work, { recursive: true })
const pinned = cpus().length >= 2
const taskset = (core: number, command: string, commandArgs: ReadonlyArray<string>): [string, Array<string>] =>
  pinned ? ["taskset", ["-c", String(core), command, ...commandArgs]] : [command, [...commandArgs]]

const log = (line: string) => process.stderr.write(`${line}\n`)

// ---------------------------------------------------------------------------------------------------------------
// The load generator and its payloads
// ---------------------------------------------------------------------------------------------------------------

const loadgen = join(root, ".cache/bench/loadgen")
const goserver = join(root, ".cache/bench/goserver")
log("building bench/loadgen and bench/goserver (grpc-go) ...")
mkdirSync(join(root, ".cache/bench"), { recursive: true })
execFileSync("go", ["build", "-o", loadgen, "."], { cwd: join(root, "bench/loadgen"), stdio: "inherit" })
execFileSync("go", ["build", "-o", goserver, "."], { cwd: join(root, "bench/goserver"), stdio: "inherit" })

const ITEM = { id: 7 }
const connection = { client: "5f1c2b64-9a3e-4f7e-8d7c-0a1b2c3d4e5f", transport: "websocket", protocol: "json", encoding: "json" }
const payloads = {
  Connect: pb.ConnectRequest.encode({ ...connection, name: "js", data: Buffer.from(JSON.stringify({ token: "t1" })) }).finish(),
  Subscribe: pb.SubscribeRequest.encode({ ...connection, user: "alice", channel: "news", data: Buffer.from("{}") }).finish(),
  RPC: pb.RPCRequest.encode({ ...connection, user: "alice", method: "ping", data: Buffer.from("{}") }).finish(),
  // A typed method with a payload: bench/servers/ours-rpc.ts answers it as an RpcGroup and through RpcRouter.
  RPCItem: pb.RPCRequest.encode({ ...connection, user: "alice", method: "item.get", data: Buffer.from(JSON.stringify(ITEM)) }).finish()
}
/** The proxy method a payload is sent to (RPCItem is an RPC). */
const wireMethod = (method: keyof typeof payloads): "Connect" | "Subscribe" | "RPC" => method === "RPCItem" ? "RPC" : method
// The Go ceiling answers these bytes without decoding requests (like the node:http2 floor).
writeFileSync(join(work, "Connect.res"), pb.ConnectResponse.encode({ result: { user: "u" } }).finish())
writeFileSync(join(work, "Subscribe.res"), pb.SubscribeResponse.encode({ result: {} }).finish())
writeFileSync(join(work, "RPC.res"), pb.RPCResponse.encode({ result: {} }).finish())

const payloadFile = (method: keyof typeof payloads) => {
  const file = join(work, `${method}.bin`)
  if (!existsSync(file)) writeFileSync(file, payloads[method])
  return file
}
// The same requests as Centrifugo's HTTP proxy posts them (encoding/json of its Go struct: data embedded).
const httpPayloadFile = (method: keyof typeof payloads = "Connect") => {
  const file = join(work, `${method}.json`)
  const body = method === "RPCItem"
    ? { ...connection, user: "alice", method: "item.get", data: ITEM }
    : { ...connection, name: "js", data: { token: "t1" } }
  if (!existsSync(file)) writeFileSync(file, JSON.stringify(body))
  return file
}

type Transport = "grpc" | "http"

interface LoadResult {
  readonly calls: number
  readonly errors: number
  readonly first_error?: string
  readonly seconds: number
  readonly rps: number
  readonly p50_us: number
  readonly p90_us: number
  readonly p99_us: number
  readonly max_us: number
}

const loadCommand = (
  port: number,
  method: keyof typeof payloads,
  concurrency: number,
  seconds: number,
  warmup: number,
  transport: Transport = "grpc",
  connections = 1
): [string, Array<string>] => {
  const target = transport === "http"
    ? ["-url", `http://127.0.0.1:${port}/centrifugo/${wireMethod(method).toLowerCase()}`, "-payload", httpPayloadFile(method)]
    : ["-addr", `127.0.0.1:${port}`, "-method", `/centrifugal.centrifugo.proxy.CentrifugoProxy/${wireMethod(method)}`, "-payload", payloadFile(method)]
  const [command, commandArgs] = taskset(0, loadgen, [
    ...target,
    "-concurrency", String(concurrency),
    "-connections", String(connections),
    "-duration", `${seconds}s`,
    "-warmup", `${warmup}s`
  ])
  return [command, commandArgs]
}
const runLoad = (...args: Parameters<typeof loadCommand>) => {
  const [command, commandArgs] = loadCommand(...args)
  return JSON.parse(execFileSync(command, commandArgs, { encoding: "utf8" })) as LoadResult
}

// ---------------------------------------------------------------------------------------------------------------
// Servers under test
// ---------------------------------------------------------------------------------------------------------------

interface ServerSpec {
  readonly name: string
  /** A compiled Node server, or `go` for the grpc-go ceiling. */
  readonly file: string
  readonly mode: "noop" | "realistic" | "rpcgroup" | "rpcrouter"
  readonly transport?: Transport
}
/** The scenarios a server runs: the RPC servers share theirs. */
const scenarioGroup = (mode: ServerSpec["mode"]): Scenario["servers"] =>
  mode === "rpcgroup" || mode === "rpcrouter" ? "rpc" : mode

// Servers run as JavaScript compiled by tsc (tsconfig.bench.json): Node's own TypeScript stripping would load a
// WASM compiler into every server and add ~35 MB of RSS and start-up CPU that a deployed server does not have.
log("compiling the servers (tsconfig.bench.json) ...")
execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.bench.json")], { stdio: "inherit" })
const compiled = (name: string) => `.cache/bench/js/bench/servers/${name}.js`

/** The HTTP frameworks measured beside ours: [server name, bench/servers file]. */
const ANCHORS: ReadonlyArray<readonly [string, string]> = [["Fastify", "fastify"], ["Express 5", "express"], ["Hono", "hono"]]

const ALL_SERVERS: ReadonlyArray<ServerSpec> = [
  { name: "effect-centrifugo", file: compiled("ours"), mode: "noop" },
  { name: "grpc-js", file: compiled("grpcjs"), mode: "noop" },
  { name: "node:http2", file: compiled("raw-http2"), mode: "noop" },
  { name: "grpc-go (ceiling)", file: "go", mode: "noop" },
  { name: "effect-centrifugo realistic", file: compiled("ours"), mode: "realistic" },
  { name: "grpc-js realistic", file: compiled("grpcjs"), mode: "realistic" },
  { name: "effect-centrifugo HTTP", file: compiled("ours-http"), mode: "noop", transport: "http" },
  { name: "node:http", file: compiled("node-http"), mode: "noop", transport: "http" },
  // HttpProxy.routes mounted in an effect/http app: what the router costs over the standalone listener.
  { name: "effect-centrifugo HTTP mounted", file: compiled("ours-http-mounted"), mode: "noop", transport: "http" },
  { name: "effect-centrifugo HTTP realistic", file: compiled("ours-http"), mode: "realistic", transport: "http" },
  { name: "node:http realistic", file: compiled("node-http"), mode: "realistic", transport: "http" },
  // What Node teams deploy behind Centrifugo's HTTP proxy, written as their users write them (bench/servers/*.ts).
  ...ANCHORS.flatMap(([name, file]): Array<ServerSpec> => [
    { name, file: compiled(file), mode: "noop", transport: "http" },
    { name: `${name} realistic`, file: compiled(file), mode: "realistic", transport: "http" }
  ]),
  // One typed RPC method as an effect/rpc RpcGroup (RpcProxy) and through RpcRouter, on each transport.
  ...(["grpc", "http"] as const).flatMap((transport): Array<ServerSpec> => {
    const suffix = transport === "http" ? " HTTP" : ""
    return [
      { name: `RpcGroup${suffix}`, file: compiled("ours-rpc"), mode: "rpcgroup", transport },
      { name: `RpcRouter${suffix}`, file: compiled("ours-rpc"), mode: "rpcrouter", transport }
    ]
  })
]
const SERVERS = ONLY_RPC
  ? ALL_SERVERS.filter((s) => scenarioGroup(s.mode) === "rpc")
  : ONLY_HTTP
  ? ALL_SERVERS.filter((s) => s.transport === "http")
  : ONLY_GRPC
  ? ALL_SERVERS.filter((s) => /^(effect-centrifugo|grpc-js)( realistic)?$/.test(s.name))
  : ALL_SERVERS

interface Running {
  readonly process: ChildProcess
  readonly port: number
  /** The last `memory {...}` line the server printed (with MEMORY_EVERY_MS set). */
  readonly memory: () => MemoryLine | undefined
}

const startServer = (spec: ServerSpec, extraNodeArgs: ReadonlyArray<string> = [], env: Record<string, string> = {}): Promise<Running> =>
  new Promise((resolve, reject) => {
    const [command, commandArgs] = spec.file === "go"
      ? taskset(1, goserver, ["-responses", work])
      : taskset(1, process.execPath, [...extraNodeArgs, join(root, spec.file)])
    const child = spawn(command, commandArgs, {
      env: { ...process.env, PORT: "0", MODE: spec.mode, TRANSPORT: transportOf(spec), PROXY_PROTO: join(root, "proto/proxy.proto"), ...env },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let output = ""
    let seen = ""
    let memory: MemoryLine | undefined
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      if (seen.length < 4096) seen += chunk.toString()
      const lines = output.split("\n")
      output = lines.pop()!
      for (const line of lines) {
        const ready = /^ready (\d+)/.exec(line)
        if (ready) resolve({ process: child, port: Number(ready[1]), memory: () => memory })
        if (line.startsWith("memory ")) memory = JSON.parse(line.slice("memory ".length)) as MemoryLine
      }
    })
    child.once("exit", (code) => reject(new Error(`${spec.name} exited with ${code}: ${seen}`)))
  })

const stopServer = (server: Running): Promise<void> =>
  new Promise((resolve) => {
    if (server.process.exitCode !== null) return resolve()
    server.process.once("exit", () => resolve())
    server.process.kill("SIGINT")
    setTimeout(() => server.process.kill("SIGKILL"), 5_000).unref()
  })

const TICKS_PER_SECOND = 100 // USER_HZ on Linux
/** The process and all its threads, in CPU microseconds. */
const cpuMicros = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6
}
const statusMiB = (pid: number, field: "VmHWM" | "VmRSS"): number => {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  return match ? Number(match[1]) / 1024 : Number.NaN
}

interface Scenario {
  readonly name: string
  readonly method: keyof typeof payloads
  readonly concurrency: number
  readonly servers: "noop" | "realistic" | "rpc"
  readonly transport?: Transport
}

const SCENARIOS: ReadonlyArray<Scenario> = [
  { name: "Connect 1x100 (throughput)", method: "Connect", concurrency: 100, servers: "noop" },
  { name: "Connect 1x1 (latency)", method: "Connect", concurrency: 1, servers: "noop" },
  { name: "Connect 1x1000 (saturation)", method: "Connect", concurrency: 1000, servers: "noop" },
  { name: "Subscribe 1x100", method: "Subscribe", concurrency: 100, servers: "noop" },
  { name: "RPC 1x100", method: "RPC", concurrency: 100, servers: "noop" },
  { name: "realistic Connect 1x100", method: "Connect", concurrency: 100, servers: "realistic" },
  { name: "realistic Connect 1x1", method: "Connect", concurrency: 1, servers: "realistic" },
  { name: "realistic Connect 1x1000", method: "Connect", concurrency: 1000, servers: "realistic" },
  { name: "HTTP Connect 100 in flight", method: "Connect", concurrency: 100, servers: "noop", transport: "http" },
  { name: "HTTP Connect 1 in flight", method: "Connect", concurrency: 1, servers: "noop", transport: "http" },
  { name: "HTTP realistic Connect 100 in flight", method: "Connect", concurrency: 100, servers: "realistic", transport: "http" },
  { name: "HTTP realistic Connect 1 in flight", method: "Connect", concurrency: 1, servers: "realistic", transport: "http" },
  { name: RPC_GROUP_GRPC, method: "RPCItem", concurrency: 100, servers: "rpc" },
  { name: RPC_GROUP_HTTP, method: "RPCItem", concurrency: 100, servers: "rpc", transport: "http" }
]
const transportOf = (x: { readonly transport?: Transport }): Transport => x.transport ?? "grpc"

interface Sample extends LoadResult {
  readonly cpu_us_per_call: number
}

type Samples = Record<string, Record<string, Array<Sample>>> // scenario -> server -> rounds
const samples: Samples = {}
const rss: Record<string, Array<number>> = {}
const idleRss: Record<string, Array<number>> = {}

const measure = async (spec: ServerSpec) => {
  const server = await startServer(spec)
  try {
    await new Promise((resolve) => setTimeout(resolve, 300))
    ;(idleRss[spec.name] ??= []).push(statusMiB(server.process.pid!, "VmRSS"))
    // Steady state, not JIT warm-up: every method this server is measured on runs for a while first (the first
    // scenario would otherwise pay for V8 tiering up, and more so for servers with more code).
    const transport = transportOf(spec)
    const scenarios = SCENARIOS.filter((s) => s.servers === scenarioGroup(spec.mode) && transportOf(s) === transport)
    for (const method of new Set(scenarios.map((s) => s.method))) {
      runLoad(server.port, method, 100, WARMUP_SECONDS, 0, transport)
    }
    for (const scenario of scenarios) {
      runLoad(server.port, scenario.method, scenario.concurrency, 0.5, 0, transport) // settle, not recorded
      const before = cpuMicros(server.process.pid!)
      const result = runLoad(server.port, scenario.method, scenario.concurrency, SECONDS, 0, transport)
      const cpu = cpuMicros(server.process.pid!) - before
      if (result.errors > 0) log(`  ${spec.name} ${scenario.name}: ${result.errors} errors (${result.first_error})`)
      ;((samples[scenario.name] ??= {})[spec.name] ??= []).push({ ...result, cpu_us_per_call: cpu / Math.max(1, result.calls) })
    }
    ;(rss[spec.name] ??= []).push(statusMiB(server.process.pid!, "VmHWM"))
  } finally {
    await stopServer(server)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Connect storms through Centrifugo
// ---------------------------------------------------------------------------------------------------------------

interface StormResult {
  readonly connects_per_s: number
  readonly p50_ms: number
  readonly p99_ms: number
  readonly failed: number
  /** Why the failed clients failed (event and code), when any did. */
  readonly failures?: Readonly<Record<string, number>>
  /** CPU µs per connect of each party over the storm (Linux /proc; absent elsewhere). */
  readonly cpu_us_per_connect?: { readonly clients: number; readonly centrifugo: number; readonly backend: number }
}

/** The processes whose CPU a storm counts (undefined: not known here). */
interface StormPids {
  readonly centrifugo?: number | undefined
  readonly backend?: number | undefined
}

/** A process's user + system CPU so far in µs, from /proc (undefined where there is none). */
const processCpuUs = (pid: number | undefined): number | undefined => {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS
}
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
  } catch {
    return 100
  }
})()

const storm = async (
  websocketUrl: string,
  clients: number,
  pids: StormPids = {}
): Promise<StormResult> => {
  const latencies: Array<number> = []
  let failed = 0
  const failures: Record<string, number> = {}
  const cpu0 = { clients: process.cpuUsage(), centrifugo: processCpuUs(pids.centrifugo), backend: processCpuUs(pids.backend) }
  const started = performance.now()
  const all = Array.from({ length: clients }, () => {
    const c = new Centrifuge(websocketUrl, { websocket: WebSocket, data: { token: "t1" }, minReconnectDelay: 60_000 })
    const t0 = performance.now()
    return new Promise<Centrifuge>((resolve) => {
      let settled = false
      const settle = (ok: boolean, why?: string) => {
        if (settled) return
        settled = true
        if (ok) latencies.push(performance.now() - t0)
        else {
          failed++
          failures[why!] = (failures[why!] ?? 0) + 1
        }
        resolve(c)
      }
      c.once("connected", () => settle(true))
      c.once("disconnected", (context) => settle(false, `disconnected ${context.code} ${context.reason}`))
      c.once("error", (context) => settle(false, `error ${context.error.code} ${context.error.message}`))
      c.connect()
    })
  })
  const connected = await Promise.all(all)
  const seconds = (performance.now() - started) / 1000
  const clientsCpu = process.cpuUsage(cpu0.clients)
  const centrifugoCpu = processCpuUs(pids.centrifugo)
  const backendCpu = processCpuUs(pids.backend)
  for (const c of connected) c.disconnect()
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => latencies[Math.floor(p * (latencies.length - 1))] ?? Number.NaN
  const perConnect = (us: number) => us / Math.max(1, latencies.length)
  return {
    connects_per_s: latencies.length / seconds,
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
    failed,
    ...(failed > 0 ? { failures } : {}),
    ...(cpu0.centrifugo === undefined || centrifugoCpu === undefined ? {} : {
      cpu_us_per_connect: {
        clients: perConnect(clientsCpu.user + clientsCpu.system),
        centrifugo: perConnect(centrifugoCpu - cpu0.centrifugo),
        backend: cpu0.backend === undefined || backendCpu === undefined ? 0 : perConnect(backendCpu - cpu0.backend)
      }
    })
  }
}

const stormSamples: Record<string, Array<StormResult>> = {}

const stormLines = (rounds: number): Array<string> => {
  const lines = [`Connect storms through Centrifugo v6.9.1 (${STORM_CLIENTS} centrifuge-js clients at once, ${rounds} rounds):`, ""]
  lines.push("| connect proxy | connects/s | p50 ms | p99 ms | failed | CPU µs per connect: clients / Centrifugo / backend |")
  lines.push("|---|---|---|---|---|---|")
  // "on" alone is the gRPC proxy (older results name it so).
  for (const [mode, runs] of Object.entries(stormSamples)) {
    const cpu = runs.flatMap((r) => (r.cpu_us_per_connect === undefined ? [] : [r.cpu_us_per_connect]))
    const cpuCell = cpu.length === 0 ? "" : [
      median(cpu.map((c) => c.clients)),
      median(cpu.map((c) => c.centrifugo)),
      median(cpu.map((c) => c.backend))
    ].map((us) => fmt(us)).join(" / ")
    lines.push(
      `| ${mode.replace("connect proxy ", "").replace(/^on$/, "on (gRPC)")} | ${range(runs.map((r) => r.connects_per_s))} | ` +
        `${range(runs.map((r) => r.p50_ms), 1)} | ${range(runs.map((r) => r.p99_ms), 1)} | ${runs.reduce((a, r) => a + r.failed, 0)} | ${cpuCell} |`
    )
  }
  const failures = Object.entries(stormSamples).flatMap(([mode, runs]) =>
    runs.flatMap((r) => Object.entries(r.failures ?? {}).map(([why, n]) => `${mode}: ${n} x ${why}`))
  )
  if (failures.length > 0) lines.push("", `Failed connects: ${failures.join("; ")}.`)
  return lines
}

/**
 * The storm's three parties get fixed cores, as the request scenarios pin server and load generator: the
 * centrifuge-js clients (this process) on core 0, Centrifugo and the proxy backend on core 1. Unpinned, the clients,
 * Centrifugo and the backend all share both cores, so a proxy-on storm measured how much CPU the backend took from
 * the client simulation (a separate host in any deployment) rather than what the proxy costs Centrifugo's side.
 * With the proxy on, Centrifugo still shares its core with the backend: the ratio counts the backend's CPU.
 */
const pinSelf = (cores: string) => {
  if (pinned) execFileSync("taskset", ["-a", "-p", "-c", cores, String(process.pid)], { stdio: "ignore" })
}
const pinnedCentrifugo = (bin: string): string => {
  if (!pinned) return bin
  const wrapper = join(work, "centrifugo-core1.sh")
  writeFileSync(wrapper, `#!/bin/sh\necho $$ >> ${JSON.stringify(join(work, "centrifugo.pids"))}\nexec taskset -c 1 ${JSON.stringify(bin)} "$@"\n`, { mode: 0o755 })
  return wrapper
}

/**
 * The storm's modes: Centrifugo with the connect proxy on our gRPC and HTTP servers, on the hand-written grpc-js and
 * node:http servers (the same realistic Connect: what the proxy round trip costs without the library), and off.
 * Keys: "connect proxy on" is our gRPC proxy (the name older results use).
 */
const STORM_BACKENDS: ReadonlyArray<readonly [mode: string, spec: ServerSpec]> = [
  ["connect proxy on", { name: "effect-centrifugo realistic", file: compiled("ours"), mode: "realistic" }],
  ["connect proxy on (HTTP)", { name: "effect-centrifugo HTTP realistic", file: compiled("ours-http"), mode: "realistic", transport: "http" }],
  ["connect proxy on (grpc-js by hand)", { name: "grpc-js realistic", file: compiled("grpcjs"), mode: "realistic" }],
  ["connect proxy on (node:http by hand)", { name: "node:http realistic", file: compiled("node-http"), mode: "realistic", transport: "http" }]
]

const runStorms = async () => {
  const bin = pinnedCentrifugo(
    execFileSync("bash", [join(root, "scripts/build-centrifugo.sh")], { encoding: "utf8" }).trim()
  )
  const pidsFile = join(work, "centrifugo.pids")
  rmSync(pidsFile, { force: true })
  const backends: Array<Running> = []
  const centrifugos: Array<Awaited<ReturnType<typeof Centrifugo.start>>> = []
  try {
    type Mode = readonly [string, string, StormPids]
    const modes: Array<Mode> = []
    // The pinning wrapper appends each Centrifugo's pid as it starts (they start one at a time), for their CPU.
    const lastPid = () => existsSync(pidsFile) ? Number(readFileSync(pidsFile, "utf8").trim().split("\n").at(-1)) : undefined
    for (const [mode, spec] of STORM_BACKENDS) {
      const backend = await startServer(spec)
      backends.push(backend)
      const transport = transportOf(spec)
      const centrifugo = await Centrifugo.start({ bin, proxy: `127.0.0.1:${backend.port}`, transport, logLevel: "error" })
      centrifugos.push(centrifugo)
      modes.push([mode, centrifugo.websocketUrl, { centrifugo: lastPid(), backend: backend.process.pid }])
    }
    const withoutProxy = await Centrifugo.start({
      bin,
      proxy: `127.0.0.1:${backends[0]!.port}`,
      logLevel: "error",
      overrides: { client: { proxy: { connect: { enabled: false } }, allow_anonymous_connect_without_token: true } }
    })
    centrifugos.push(withoutProxy)
    modes.push(["connect proxy off", withoutProxy.websocketUrl, { centrifugo: lastPid() }])
    pinSelf("0")
    for (const [, url] of modes) await storm(url, 20) // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [mode, url, pids] of modes) {
        ;(stormSamples[mode] ??= []).push(await storm(url, STORM_CLIENTS, pids))
        await new Promise((resolve) => setTimeout(resolve, 300))
      }
    }
  } finally {
    pinSelf(`0-${cpus().length - 1}`)
    for (const centrifugo of centrifugos) await centrifugo.stop()
    for (const backend of backends) await stopServer(backend)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Scaling out: Workers.run with 1 and 2 workers, maxConnectionAge
// ---------------------------------------------------------------------------------------------------------------

// Centrifugo keeps one connection per proxy kind and node: 4 connections stand for e.g. 2 nodes x 2 kinds. With
// maxConnectionAge each is re-opened every ~second and lands on the next worker, so the load spreads.
// The HTTP transport's line (1 vs 2 workers behind Centrifugo's HTTP proxy) is to be added here once it exists.
const SCALE_WORKERS = [1, 2] as const
const SCALE_TRANSPORTS: ReadonlyArray<Transport> = ["grpc", "http"]
const SCALE_CONNECTIONS = 4
const SCALE_CONCURRENCY = 100
const SCALE_AGE_MS = 1_000

interface ScaleSample extends LoadResult {
  /** CPU used by each worker process over the measured run, in % of one core. */
  readonly worker_cpu_percent: ReadonlyArray<number>
  /** The cluster primary's CPU (0 with one worker: there is no primary). */
  readonly primary_cpu_percent: number
}
const scaleSamples: Record<string, Array<ScaleSample>> = {}

/** The server's cores: every core but the load generator's (core 0), when there are 2+. */
const serverCores = !pinned ? undefined : cpus().length === 2 ? "1" : `1-${cpus().length - 1}`

const startWorkers = (workers: number, transport: Transport): Promise<Running> =>
  new Promise((resolve, reject) => {
    const file = join(root, compiled("workers"))
    const [command, commandArgs] = serverCores === undefined
      ? [process.execPath, [file]]
      : ["taskset", ["-c", serverCores, process.execPath, file]]
    const child = spawn(command, commandArgs, {
      env: {
        ...process.env,
        PORT: "0",
        WORKERS: String(workers),
        TRANSPORT: transport,
        MAX_CONNECTION_AGE_MS: String(SCALE_AGE_MS)
      },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let output = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const ports = [...output.matchAll(/ready (\d+)/g)].map((m) => Number(m[1]))
      if (ports.length === workers) resolve({ process: child, port: ports[0]!, memory: () => undefined })
    })
    child.once("exit", (code) => reject(new Error(`workers (${workers}) exited with ${code}: ${output}`)))
  })

/** The worker processes: the cluster primary's children, or the process itself when it has none. */
const workerPids = (pid: number): Array<number> => {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim()
  return children === "" ? [pid] : children.split(/\s+/).map(Number)
}

const measureScale = async (workers: number, transport: Transport) => {
  const server = await startWorkers(workers, transport)
  try {
    runLoad(server.port, "RPC", SCALE_CONCURRENCY, WARMUP_SECONDS, 0, transport, SCALE_CONNECTIONS)
    const primary = server.process.pid!
    const pids = workerPids(primary)
    const hasPrimary = pids[0] !== primary
    const before = pids.map(cpuMicros)
    const primaryBefore = hasPrimary ? cpuMicros(primary) : 0
    const result = runLoad(server.port, "RPC", SCALE_CONCURRENCY, SECONDS, 0, transport, SCALE_CONNECTIONS)
    const percent = (micros: number) => (100 * micros) / (result.seconds * 1e6)
    const sample: ScaleSample = {
      ...result,
      worker_cpu_percent: pids.map((pid, i) => percent(cpuMicros(pid) - before[i]!)),
      primary_cpu_percent: hasPrimary ? percent(cpuMicros(primary) - primaryBefore) : 0
    }
    if (result.errors > 0) log(`  ${transport} ${workers} worker(s): ${result.errors} errors (${result.first_error})`)
    ;(scaleSamples[`${transport}:${workers}`] ??= []).push(sample)
  } finally {
    await stopServer(server)
  }
}

const runScale = async () => {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const transport of SCALE_TRANSPORTS) {
      for (const workers of round % 2 === 0 ? [...SCALE_WORKERS].reverse() : SCALE_WORKERS) {
        log(`scale round ${round}/${ROUNDS}: ${transport}, ${workers} worker(s)`)
        await measureScale(workers, transport)
      }
    }
  }
}

const scaleLines = (): Array<string> => {
  const lines: Array<string> = []
  lines.push(
    `Scaling out: effect-centrifugo (no-op RPC) under Workers.run; gRPC with maxConnectionAge ${SCALE_AGE_MS} ms over ` +
      `${SCALE_CONNECTIONS} client connections, HTTP over Go's keep-alive pool (as Centrifugo's HTTP proxy); ` +
      `${SCALE_CONCURRENCY} calls in flight; server on ` +
      `${serverCores === undefined ? "all cores" : `core(s) ${serverCores}`}, load generator on ${pinned ? "core 0" : "all cores"}:`
  )
  lines.push("")
  lines.push("| transport | workers | calls/s | ratio vs 1 worker | p99 µs | CPU per worker (% of a core) | primary CPU % | errors |")
  lines.push("|---|---|---|---|---|---|---|---|")
  // CPU per call (all workers' CPU over the calls answered). A worker alone on a core is what N workers on N cores
  // look like; with fewer server cores than workers, the 2-worker row measures the cost of sharing a core instead.
  const perCall = (runs: ReadonlyArray<ScaleSample>) =>
    median(runs.map((r) => (r.worker_cpu_percent.reduce((a, b) => a + b, 0) / 100) * 1e6 / Math.max(1, r.rps)))
  const notes: Array<string> = []
  for (const transport of SCALE_TRANSPORTS) {
    const one = median((scaleSamples[`${transport}:1`] ?? []).map((r) => r.rps))
    for (const workers of SCALE_WORKERS) {
      const runs = scaleSamples[`${transport}:${workers}`] ?? []
      if (runs.length === 0) continue
      const perWorker = runs[0]!.worker_cpu_percent.map((_, i) => median(runs.map((r) => r.worker_cpu_percent[i] ?? 0)))
      lines.push(
        `| ${transport === "grpc" ? "gRPC" : "HTTP"} | ${workers} | ${range(runs.map((r) => r.rps))} | ${
          fmt(median(runs.map((r) => r.rps)) / one, 2)
        }x | ${range(runs.map((r) => r.p99_us))} | ${perWorker.map((c) => fmt(c)).join(" / ")} | ${
          fmt(median(runs.map((r) => r.primary_cpu_percent)), 1)
        } | ${runs.reduce((a, r) => a + r.errors, 0)} |`
      )
    }
    const one_us = perCall(scaleSamples[`${transport}:1`] ?? [])
    const two_us = perCall(scaleSamples[`${transport}:2`] ?? [])
    if (Number.isFinite(one_us) && Number.isFinite(two_us)) {
      notes.push(
        `${transport === "grpc" ? "gRPC" : "HTTP"}: CPU per call ${fmt(one_us, 1)} µs with 1 worker, ${fmt(two_us, 1)} µs ` +
          `with 2; projection: N workers on N free cores answer about N x ${fmt(1e6 / one_us)} calls/s.`
      )
    }
  }
  const serverCoreCount = serverCores === undefined ? cpus().length : cpus().length - 1
  if (notes.length > 0) {
    lines.push("")
    lines.push(
      notes.join(" ") +
        (serverCoreCount < 2
          ? ` Both workers share ${serverCoreCount} server core here: the 2-worker rows are the cost of sharing a core, not scaling.`
          : "") +
        ` The projection holds as long as calls arrive over enough connections (gRPC: Centrifugo nodes x proxy kinds, ` +
        `re-opened by maxConnectionAge; HTTP: Centrifugo's pool) and Centrifugo and the network keep up.`
    )
  }
  return lines
}

// ---------------------------------------------------------------------------------------------------------------
// Where our server's CPU goes (one --cpu-prof run)
// ---------------------------------------------------------------------------------------------------------------

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly url: string; readonly functionName: string }
  readonly hitCount?: number
}

const profileShares = async (): Promise<Record<string, number>> => {
  const dir = join(work, "profile")
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  const server = await startServer(SERVERS[0]!, ["--cpu-prof", `--cpu-prof-dir=${dir}`])
  runLoad(server.port, "Connect", 100, SECONDS * 2, 0.5)
  await stopServer(server)
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))
  if (file === undefined) return {}
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as { nodes: Array<ProfileNode> }
  const buckets: Record<string, number> = {}
  let total = 0
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0
    const { functionName, url } = node.callFrame
    if (functionName === "(idle)" || functionName === "(program)" || functionName === "(root)") continue
    const bucket = url.includes("/node_modules/effect/")
      ? "effect"
      : url.includes("/node_modules/@grpc/")
      ? "@grpc/grpc-js"
      : url.includes("/node_modules/@bufbuild/") || url.includes("/src/proto/generated/")
      ? "protobuf (ts-proto + @bufbuild wire)"
      : url.includes("/src/")
      ? "effect-centrifugo (src/)"
      : url.startsWith("node:") || url === ""
      ? "node internals + GC"
      : "other"
    buckets[bucket] = (buckets[bucket] ?? 0) + hits
    total += hits
  }
  return Object.fromEntries(Object.entries(buckets).map(([k, v]) => [k, (100 * v) / Math.max(1, total)]))
}

// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const stats = (values: ReadonlyArray<number>) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) })
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
const range = (values: ReadonlyArray<number>, digits = 0) => {
  const s = stats(values)
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`
}

// ---------------------------------------------------------------------------------------------------------------
// V8's memory flags: what a lower ceiling costs in throughput (realistic Connect, 1000 in flight)
// ---------------------------------------------------------------------------------------------------------------

const FLAG_SETTINGS: ReadonlyArray<ReadonlyArray<string>> = [
  [],
  ["--max-semi-space-size=4"],
  ["--max-semi-space-size=1"],
  ["--max-semi-space-size=64"],
  ["--optimize-for-size"]
]

const runFlags = async (): Promise<Array<string>> => {
  const specs = ALL_SERVERS.filter((s) => s.mode === "realistic" && transportOf(s) === "grpc")
  const results: Record<string, Array<{ rps: number; p99: number; peak: number; cpu: number }>> = {}
  for (let round = 1; round <= ROUNDS; round++) {
    for (const flags of FLAG_SETTINGS) {
      for (const spec of specs) {
        const key = `${spec.name}\u0000${flags.join(" ")}`
        log(`round ${round}/${ROUNDS}: ${spec.name} ${flags.join(" ") || "(defaults)"}`)
        const server = await startServer(spec, flags)
        try {
          runLoad(server.port, "Connect", 100, WARMUP_SECONDS, 0)
          const before = cpuMicros(server.process.pid!)
          const result = runLoad(server.port, "Connect", 1000, SECONDS * 2, 0.5)
          const cpu = (cpuMicros(server.process.pid!) - before) / Math.max(1, result.calls)
          ;(results[key] ??= []).push({
            rps: result.rps,
            p99: result.p99_us / 1000,
            peak: statusMiB(server.process.pid!, "VmHWM"),
            cpu
          })
        } finally {
          await stopServer(server)
        }
      }
    }
  }
  const lines = [
    `V8 memory flags, realistic Connect 1x1000 (${ROUNDS} rounds; median (min–max)):`,
    "",
    "| server | node flags | calls/s | p99 ms | peak RSS MiB | CPU µs/call |",
    "|---|---|---|---|---|---|"
  ]
  for (const flags of FLAG_SETTINGS) {
    for (const spec of specs) {
      const rows = results[`${spec.name}\u0000${flags.join(" ")}`] ?? []
      lines.push(
        `| ${spec.name} | ${flags.length === 0 ? "(defaults)" : `\`${flags.join(" ")}\``} | ${range(rows.map((r) => r.rps))} | ` +
          `${range(rows.map((r) => r.p99), 1)} | ${range(rows.map((r) => r.peak), 1)} | ${range(rows.map((r) => r.cpu), 1)} |`
      )
    }
  }
  return lines
}

// ---------------------------------------------------------------------------------------------------------------
// Allocation per call (bench/pipeline.ts --alloc) and the sustained-load line (bench/soak.ts)
// ---------------------------------------------------------------------------------------------------------------

let alloc: Record<string, number> = {}
const measureAlloc = (): Record<string, number> => {
  const output = execFileSync(
    process.execPath,
    ["--conditions=effect-centrifugo-source", join(root, "bench/pipeline.ts"), "--alloc", "--rounds", "3", "--only", "realistic"],
    { encoding: "utf8" }
  )
  return Object.fromEntries([...output.matchAll(/^(.+?)\s+([\d,]+) B$/gm)].map((m) => [m[1]!.trim(), Number(m[2]!.replaceAll(",", ""))]))
}

const runSoak = async () => {
  const specs = ALL_SERVERS.filter((s) => s.mode === "realistic" && transportOf(s) === "grpc")
  const runs: Array<SoakRun> = []
  for (const flags of SOAK_FLAGS.length === 0 ? [[]] : [[], SOAK_FLAGS]) {
    for (const spec of specs) {
      log(`soak: ${spec.name} ${flags.join(" ") || "(defaults)"}, ${SOAK_SECONDS} s`)
      runs.push(await soak(spec.name, flags, SOAK_SECONDS, {
        start: (env) => startServer(spec, flags, env),
        stop: stopServer,
        load: (port, concurrency, seconds) => loadCommand(port, "Connect", concurrency, seconds, 0)
      }))
    }
  }
  const markdown = soakLines(runs, SOAK_SECONDS).join("\n")
  mkdirSync(join(root, "bench/results"), { recursive: true })
  writeFileSync(SOAK_JSON, JSON.stringify({ date: new Date().toISOString(), seconds: SOAK_SECONDS, runs }, null, 2))
  writeFileSync(join(root, "bench/results/soak.md"), `${markdown}\n`)
  console.log(markdown)
}

const main = async () => {
  const started = Date.now()
  if (ONLY_SOAK) {
    await runSoak()
    rmSync(work, { recursive: true, force: true })
    return
  }
  if (ONLY_STORMS) {
    await runStorms()
    console.log(stormLines(ROUNDS).join("\n"))
    rmSync(work, { recursive: true, force: true })
    return
  }
  if (ONLY_FLAGS) {
    log(`rounds: ${ROUNDS}, ${SECONDS * 2} s per run, cores pinned: ${pinned} (memory flags only)`)
    console.log((await runFlags()).join("\n"))
    rmSync(work, { recursive: true, force: true })
    return
  }
  if (ONLY_RPC) {
    log(`rounds: ${ROUNDS}, ${SECONDS} s per scenario, cores pinned: ${pinned} (RpcGroup vs RpcRouter only)`)
    for (let round = 1; round <= ROUNDS; round++) {
      for (const spec of SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length]!)) {
        log(`round ${round}/${ROUNDS}: ${spec.name}`)
        await measure(spec)
      }
    }
    console.log(rpcGroupLines(samples).join("\n"))
    rmSync(work, { recursive: true, force: true })
    return
  }
  if (ONLY_SCALE) {
    log(`rounds: ${ROUNDS}, ${SECONDS} s per run, cores pinned: ${pinned} (workers scenario only)`)
    await runScale()
    console.log(scaleLines().join("\n"))
    rmSync(work, { recursive: true, force: true })
    return
  }
  let shares: Record<string, number> = {}
  let machine = {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    node: process.version,
    go: execFileSync("go", ["version"], { encoding: "utf8" }).trim(),
    rounds: ROUNDS,
    seconds_per_scenario: SECONDS,
    pinned,
    total_seconds: Number.NaN
  }
  if (REPORT_ONLY) {
    const saved = JSON.parse(readFileSync(join(root, "bench/results/latest.json"), "utf8"))
    Object.assign(samples, saved.samples)
    Object.assign(rss, saved.rss)
    Object.assign(idleRss, saved.idle_rss)
    Object.assign(stormSamples, saved.storms)
    Object.assign(scaleSamples, saved.scale)
    shares = saved.cpu_profile_shares
    alloc = saved.alloc ?? {}
    machine = { ...machine, ...saved.machine }
  } else {
    log(`rounds: ${ROUNDS}, ${SECONDS} s per scenario, cores pinned: ${pinned}`)
    for (let round = 1; round <= ROUNDS; round++) {
      // Interleaved, and the order rotates so no server always runs first.
      const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length]!)
      for (const spec of order) {
        log(`round ${round}/${ROUNDS}: ${spec.name}`)
        await measure(spec)
      }
    }
    if (!PARTIAL) {
      log("connect storms through Centrifugo ...")
      await runStorms()
      log("workers: 1 vs 2 with maxConnectionAge ...")
      await runScale()
    }
    log(PARTIAL ? "" : "cpu profile of effect-centrifugo under Connect 1x100 ...")
    shares = PARTIAL ? {} : await profileShares()
    if (!PARTIAL) {
      log("heap bytes allocated per call (bench:pipeline --alloc) ...")
      alloc = measureAlloc()
    }
    machine.total_seconds = (Date.now() - started) / 1000
  }
  const { pinned: wasPinned, rounds, seconds_per_scenario } = machine

  const lines: Array<string> = []
  lines.push(`Measured ${machine.date.slice(0, 10)} on ${machine.cpu} (${machine.cores} cores, ${wasPinned ? "server and load generator pinned to separate cores" : "not pinned"}), Node ${machine.node}, ${rounds} interleaved rounds of ${seconds_per_scenario} s per scenario; median (min–max).`)
  lines.push("")
  lines.push("| scenario | server | calls/s | ratio vs hand-written | p50 µs | p99 µs | server CPU µs/call |")
  lines.push("|---|---|---|---|---|---|---|")
  const ratios: Record<string, Record<string, number>> = {}
  for (const scenario of SCENARIOS) {
    const byServer = samples[scenario.name] ?? {}
    // The hand-written baseline of the scenario's transport: grpc-js for gRPC, node:http for HTTP.
    const hand = transportOf(scenario) === "http" ? "node:http" : "grpc-js"
    const baselineName = scenario.servers === "realistic" ? `${hand} realistic` : hand
    const baseline = byServer[baselineName]
    for (const [server, runs] of Object.entries(byServer)) {
      const rps = runs.map((r) => r.rps)
      const ratio = baseline ? median(rps) / median(baseline.map((r) => r.rps)) : Number.NaN
      ;(ratios[scenario.name] ??= {})[server] = ratio
      lines.push(
        `| ${scenario.name} | ${server} | ${range(rps)} | ${fmt(ratio, 2)}x | ${range(runs.map((r) => r.p50_us))} | ${range(runs.map((r) => r.p99_us))} | ${range(runs.map((r) => r.cpu_us_per_call), 1)} |`
      )
    }
  }
  lines.push("")
  lines.push("| server | RSS MiB idle (after start) | peak RSS MiB (through the 1x1000 scenario) |")
  lines.push("|---|---|---|")
  for (const [server, values] of Object.entries(rss)) {
    lines.push(`| ${server} | ${range(idleRss[server] ?? [], 1)} | ${range(values, 1)} |`)
  }
  lines.push("")
  lines.push(...stormLines(rounds))
  lines.push("")
  lines.push(...scaleLines())
  lines.push("")
  lines.push("Where effect-centrifugo's server CPU goes (self time, one --cpu-prof run of Connect 1x100):")
  lines.push("")
  lines.push("| code | share of CPU |")
  lines.push("|---|---|")
  for (const [bucket, share] of Object.entries(shares).sort((a, b) => b[1] - a[1])) lines.push(`| ${bucket} | ${fmt(share, 1)}% |`)

  // The performance issue's targets (the earlier ones are retired: see bench/targets.ts).
  const stormMedians = Object.fromEntries(Object.entries(stormSamples).map(([mode, runs]) => [mode, median(runs.map((r) => r.connects_per_s))]))
  const soakRuns = existsSync(SOAK_JSON) ? (JSON.parse(readFileSync(SOAK_JSON, "utf8")) as { runs: Array<SoakRun> }).runs : []
  const targets = issueTargets({ samples, storms: stormMedians, alloc, soak: soakRuns })
  lines.push("")
  lines.push(...anchorLines(samples, ANCHORS.map(([name]) => name)))
  lines.push("")
  lines.push(...overheadLines(samples))
  lines.push("")
  lines.push(...rpcGroupLines(samples))
  lines.push("")
  lines.push(
    `Heap bytes allocated per realistic Connect in process (\`npm run bench:pipeline -- --alloc\`): ` +
      Object.entries(alloc).map(([variant, bytes]) => `${variant} ${fmt(bytes)}`).join(", ") + "."
  )
  lines.push("")
  lines.push("| target | measured | met |")
  lines.push("|---|---|---|")
  for (const t of targets.filter((t) => !PARTIAL || t.target.startsWith(ONLY_HTTP ? "HTTP" : "gRPC"))) lines.push(`| ${t.target} | ${fmt(t.value, 2)}${t.unit} | ${t.pass === undefined ? "(reported)" : t.pass(t.value) ? "yes" : "**no**"} |`)
  lines.push("")
  lines.push(`Total bench time: ${Number.isNaN(machine.total_seconds) ? "not recorded" : `${fmt(machine.total_seconds)} s`}.`)

  const markdown = lines.join("\n")
  if (PARTIAL) {
    // A partial run: shown, never written over the full results.
    console.log(markdown)
    rmSync(work, { recursive: true, force: true })
    return
  }
  mkdirSync(join(root, "bench/results"), { recursive: true })
  writeFileSync(
    join(root, "bench/results/latest.json"),
    JSON.stringify({ machine, samples, rss, idle_rss: idleRss, storms: stormSamples, scale: scaleSamples, cpu_profile_shares: shares, alloc, targets: targets.map((t) => ({ target: t.target, value: t.value, met: t.pass?.(t.value) ?? null })) }, null, 2)
  )
  writeFileSync(join(root, "bench/results/latest.md"), `${markdown}\n`)
  writeFileSync(join(root, "bench/results/latest.svg"), chart(JSON.parse(readFileSync(join(root, "bench/results/latest.json"), "utf8"))))
  console.log(markdown)
  rmSync(work, { recursive: true, force: true })
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})

/**
 * The bench's summary: our ratio against the HTTP frameworks Node teams deploy (Fastify, Express, Hono), the
 * per-call overhead over the hand-written server of each transport, and the targets of the performance issue
 * (medians of one run's interleaved rounds; ratios only).
 */
import { lastQuarterGrowth, type SoakRun } from "./soak.ts"

interface Sample {
  readonly rps: number
  readonly p99_us: number
  readonly cpu_us_per_call: number
}
type Samples = Record<string, Record<string, ReadonlyArray<Sample>>>

export interface Target {
  readonly target: string
  readonly value: number
  /** Absent: a figure reported, with no target. */
  readonly pass?: (v: number) => boolean
  readonly unit: string
}

const median = (values: ReadonlyArray<number>) => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const fmt = (n: number, digits = 2) => Number.isFinite(n) ? n.toFixed(digits) : "n/a"

const of = (samples: Samples, scenario: string, server: string, field: keyof Sample) =>
  median((samples[scenario]?.[server] ?? []).map((s) => s[field]))

export const HTTP_REALISTIC = "HTTP realistic Connect 100 in flight"
export const HTTP_NOOP = "HTTP Connect 100 in flight"
export const GRPC_REALISTIC = "realistic Connect 1x100"
export const GRPC_NOOP = "Connect 1x100 (throughput)"
export const RPC_GROUP_GRPC = "RPC item.get 1x100"
export const RPC_GROUP_HTTP = "HTTP RPC item.get 100 in flight"

/** The same typed method as an effect/rpc RpcGroup (RpcProxy) over RpcRouter, per transport. */
export const rpcGroupLines = (samples: Samples): Array<string> => {
  const lines = [
    "One typed RPC method (`item.get`, payload and success Schemas, 100 in flight) as an effect/rpc RpcGroup through",
    "RpcProxy and through RpcRouter (bench/servers/ours-rpc.ts); ratio = RpcGroup calls/s over RpcRouter's:",
    "",
    "| transport | RpcGroup calls/s | RpcRouter calls/s | ratio | RpcGroup CPU µs/call | RpcRouter CPU µs/call |",
    "|---|---|---|---|---|---|"
  ]
  for (const [transport, scenario, suffix] of [["gRPC", RPC_GROUP_GRPC, ""], ["HTTP", RPC_GROUP_HTTP, " HTTP"]] as const) {
    const group = (field: keyof Sample) => of(samples, scenario, `RpcGroup${suffix}`, field)
    const router = (field: keyof Sample) => of(samples, scenario, `RpcRouter${suffix}`, field)
    lines.push(
      `| ${transport} | ${fmt(group("rps"), 0)} | ${fmt(router("rps"), 0)} | ${fmt(group("rps") / router("rps"))}x | ` +
        `${fmt(group("cpu_us_per_call"), 1)} | ${fmt(router("cpu_us_per_call"), 1)} |`
    )
  }
  return lines
}

/** Our throughput and CPU per call against each HTTP server, on the no-op and the realistic Connect. */
export const anchorLines = (samples: Samples, anchors: ReadonlyArray<string>): Array<string> => {
  const lines = [
    "Against the HTTP servers Node teams deploy (Connect, 100 in flight; ratio = our calls/s over theirs, CPU = theirs):",
    "",
    "| server | no-op: our ratio | no-op: their CPU µs/call | realistic: our ratio | realistic: their CPU µs/call |",
    "|---|---|---|---|---|"
  ]
  const ours = (scenario: string, suffix: string) => of(samples, scenario, `effect-centrifugo HTTP${suffix}`, "rps")
  for (const anchor of ["node:http", ...anchors]) {
    const cell = (scenario: string, suffix: string) => {
      const theirs = `${anchor}${suffix}`
      return `${fmt(ours(scenario, suffix) / of(samples, scenario, theirs, "rps"))}x | ${fmt(of(samples, scenario, theirs, "cpu_us_per_call"), 1)}`
    }
    lines.push(`| ${anchor} | ${cell(HTTP_NOOP, "")} | ${cell(HTTP_REALISTIC, " realistic")} |`)
  }
  lines.push("")
  lines.push(
    `(ours: no-op ${fmt(of(samples, HTTP_NOOP, "effect-centrifugo HTTP", "cpu_us_per_call"), 1)}, realistic ` +
      `${fmt(of(samples, HTTP_REALISTIC, "effect-centrifugo HTTP realistic", "cpu_us_per_call"), 1)} µs/call)`
  )
  return lines
}

/** What the library costs per call over the hand-written server with the same logic, per transport. */
export const overheadLines = (samples: Samples): Array<string> => {
  const rows: ReadonlyArray<readonly [string, string, string, string]> = [
    ["gRPC", "no-op", GRPC_NOOP, ""],
    ["gRPC", "realistic", GRPC_REALISTIC, " realistic"],
    ["HTTP", "no-op", HTTP_NOOP, ""],
    ["HTTP", "realistic", HTTP_REALISTIC, " realistic"]
  ]
  const lines = [
    "Per-call overhead, 100 in flight: our server CPU per call over the hand-written server's (gRPC: grpc-js; HTTP: node:http):",
    "",
    "| transport | handlers | ours µs/call | hand-written µs/call | CPU ratio | throughput ratio |",
    "|---|---|---|---|---|---|"
  ]
  for (const [transport, handlers, scenario, suffix] of rows) {
    const oursName = transport === "gRPC" ? `effect-centrifugo${suffix}` : `effect-centrifugo HTTP${suffix}`
    const handName = `${transport === "gRPC" ? "grpc-js" : "node:http"}${suffix}`
    const cpu = of(samples, scenario, oursName, "cpu_us_per_call")
    const hand = of(samples, scenario, handName, "cpu_us_per_call")
    lines.push(
      `| ${transport} | ${handlers} | ${fmt(cpu, 1)} | ${fmt(hand, 1)} | ${fmt(cpu / hand)}x | ${
        fmt(of(samples, scenario, oursName, "rps") / of(samples, scenario, handName, "rps"))
      }x |`
    )
  }
  return lines
}

export interface TargetInputs {
  readonly samples: Samples
  /**
   * Median connects/s per storm mode ("connect proxy on", "connect proxy on (HTTP)", "connect proxy on (grpc-js by
   * hand)", "connect proxy on (node:http by hand)", "connect proxy off").
   */
  readonly storms: Record<string, number>
  /** Heap bytes per call from `bench:pipeline --alloc`, by variant. */
  readonly alloc: Record<string, number>
  readonly soak: ReadonlyArray<SoakRun>
}

export const targets = ({ alloc, samples, soak, storms }: TargetInputs): Array<Target> => {
  const rps = (scenario: string, a: string, b: string) => of(samples, scenario, a, "rps") / of(samples, scenario, b, "rps")
  const p99 = (scenario: string, a: string, b: string) => of(samples, scenario, a, "p99_us") / of(samples, scenario, b, "p99_us")
  const ours = "effect-centrifugo HTTP realistic"
  const soakOf = (server: string) => soak.find((r) => r.server === server && r.flags.length === 0)
  const atLeast = (n: number) => (v: number) => v >= n
  const atMost = (n: number) => (v: number) => v <= n
  return [
    { target: "HTTP realistic Connect 1x100 >= 1.1x Fastify", value: rps(HTTP_REALISTIC, ours, "Fastify realistic"), pass: atLeast(1.1), unit: "x" },
    { target: "HTTP realistic Connect 1x100 >= 1.0x Hono", value: rps(HTTP_REALISTIC, ours, "Hono realistic"), pass: atLeast(1), unit: "x" },
    { target: "HTTP realistic Connect 1x100 vs Express 5 (reported)", value: rps(HTTP_REALISTIC, ours, "Express 5 realistic"), unit: "x" },
    { target: "HTTP realistic Connect 1x100 >= 0.95x node:http", value: rps(HTTP_REALISTIC, ours, "node:http realistic"), pass: atLeast(0.95), unit: "x" },
    {
      target: "gRPC realistic Connect 1x100 >= 0.85x grpc-js",
      value: rps(GRPC_REALISTIC, "effect-centrifugo realistic", "grpc-js realistic"),
      pass: atLeast(0.85),
      unit: "x"
    },
    {
      target: "gRPC realistic Connect 1x100 p99 <= 1.5x grpc-js",
      value: p99(GRPC_REALISTIC, "effect-centrifugo realistic", "grpc-js realistic"),
      pass: atMost(1.5),
      unit: "x"
    },
    {
      target: "bytes allocated per realistic call <= 1.3x by hand (bench:pipeline --alloc)",
      value: (alloc["realistic (ours)"] ?? Number.NaN) / (alloc["realistic by hand"] ?? Number.NaN),
      pass: atMost(1.3),
      unit: "x"
    },
    ...(["effect-centrifugo realistic", "grpc-js realistic"] as const).map((server): Target => ({
      target: `sustained 1x500: RSS growth in the last quarter <= 3% (${server}; bench --only-soak)`,
      value: soakOf(server) ? lastQuarterGrowth(soakOf(server)!) : Number.NaN,
      pass: atMost(3),
      unit: "%"
    })),
    ...([["gRPC", RPC_GROUP_GRPC, ""], ["HTTP", RPC_GROUP_HTTP, " HTTP"]] as const).map(([transport, scenario, suffix]): Target => ({
      target: `${transport}: an RpcGroup method >= 0.9x the same method through RpcRouter`,
      value: rps(scenario, `RpcGroup${suffix}`, `RpcRouter${suffix}`),
      pass: atLeast(0.9),
      unit: "x"
    })),
    {
      target: "connect storm, proxy on / off >= 0.7x (gRPC)",
      value: (storms["connect proxy on"] ?? Number.NaN) / (storms["connect proxy off"] ?? Number.NaN),
      pass: atLeast(0.7),
      unit: "x"
    },
    {
      target: "connect storm, proxy on / off >= 0.7x (HTTP)",
      value: (storms["connect proxy on (HTTP)"] ?? Number.NaN) / (storms["connect proxy off"] ?? Number.NaN),
      pass: atLeast(0.7),
      unit: "x"
    },
    // The same storm with the hand-written servers behind the proxy: what the proxy round trip costs on this machine
    // without the library, and our share of it.
    ...([["gRPC", "connect proxy on", "grpc-js"], ["HTTP", "connect proxy on (HTTP)", "node:http"]] as const).flatMap(
      ([transport, mode, hand]): Array<Target> => [
        {
          target: `connect storm, proxy on / off with the ${hand} backend by hand (${transport}, reported)`,
          value: (storms[`connect proxy on (${hand} by hand)`] ?? Number.NaN) / (storms["connect proxy off"] ?? Number.NaN),
          unit: "x"
        },
        {
          target: `connect storm, proxy on: ours / the ${hand} backend by hand (${transport}, reported)`,
          value: (storms[mode] ?? Number.NaN) / (storms[`connect proxy on (${hand} by hand)`] ?? Number.NaN),
          unit: "x"
        }
      ]
    )
  ]
}

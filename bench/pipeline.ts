/**
 * `npm run bench:pipeline`: the per-call cost of the server's own work, in process, without the network: protobuf
 * bytes in, the gRPC handler's code path (metadata to headers, decode, pipeline on a fiber, encode), bytes out.
 * Compares the realistic Connect (typed payload, TokenStorage lookup, reply with channels and data) and the no-op
 * one against the same logic written by hand as a plain function. Each variant runs 100 calls in flight at a time,
 * as the network bench's Connect 1x100 does; rounds are interleaved and the median is reported.
 *
 * This is the tool for measuring one optimisation at a time (the network bench is too noisy for a few µs).
 *
 * `--alloc` reports the heap bytes each variant allocates per call instead (allocation drives GC, a large share of
 * the server's CPU): the script re-runs itself with a new space large enough that no GC happens while it counts.
 */
import * as grpc from "@grpc/grpc-js"
import { spawnSync } from "node:child_process"
import { PerformanceObserver } from "node:perf_hooks"
import * as v8 from "node:v8"
import { Context, Effect, Layer, References } from "effect"
import { HandlerSet } from "../src/index.ts"
import { unaryMethods } from "../src/grpc/methods.ts"
import * as Pipeline from "../src/internal/pipeline.ts"
import { forkIn } from "../src/internal/context.ts"
import { headersFromMetadata } from "../src/grpc/codec/index.ts"
import * as pb from "../src/proto/generated/proxy.ts"
import { realisticChannels, TOKENS } from "./servers/logic.ts"
import { noop, realistic, realisticGenPerCall } from "./servers/ours-handlers.ts"

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(args[i + 1])
}
const ALLOC = args.includes("--alloc")
const CALLS = flag("calls", ALLOC ? 20_000 : 200_000)
const ROUNDS = flag("rounds", 5)
const IN_FLIGHT = 100

// Counting allocations needs `gc()` and a new space that holds every call's garbage: re-run with those flags.
if (ALLOC && typeof globalThis.gc !== "function") {
  const flags = ["--expose-gc", "--min-semi-space-size=256", "--max-semi-space-size=256"]
  const child = spawnSync(process.execPath, [...process.execArgv, ...flags, ...process.argv.slice(1)], { stdio: "inherit" })
  process.exit(child.status ?? 1)
}

const method = unaryMethods.find((m) => m.spec.name === "connect")!
const request = Buffer.from(pb.ConnectRequest.encode({
  client: "0f5c1a0e-3c61-4b8e-9d0c-7f1f2a3b4c5d",
  transport: "websocket",
  protocol: "json",
  encoding: "json",
  name: "js",
  data: Buffer.from(JSON.stringify({ token: "t1" }))
}).finish())
const metadata = new grpc.Metadata()
metadata.set("user-agent", "grpc-go/1.82.0")

type Call = (done: (reply: Buffer) => void) => void

/** The server's unary path for one handler set (what `ProxyServer` does per call, minus grpc-js itself). */
const ours = async (handlers: Layer.Layer<HandlerSet.HandlerSet>): Promise<Call> => {
  const context = await Effect.runPromise(
    Layer.build(handlers.pipe(Layer.provideMerge(Layer.succeed(References.MinimumLogLevel, "Warn")))).pipe(Effect.scoped)
  )
  const handler = Context.get(context, HandlerSet.HandlerSet)
  const run = forkIn(context as never)
  const pipeline = Pipeline.make(method.spec, handler.connect as never, method.encode as (reply: unknown) => Buffer, {
    failureReply: Pipeline.DEFAULT_FAILURE_REPLY
  })
  const budget = Pipeline.DEFAULT_TIMEOUT
  return (done) => {
    const decoded = method.decode(request, headersFromMetadata(metadata))
    pipeline.start(decoded, budget, run, (outcome) => {
      if (outcome !== undefined && !Pipeline.isUnanswerable(outcome)) done(outcome)
    })
  }
}

/** The same realistic logic by hand, as bench/servers/grpcjs.ts does it, with our protobuf codec. */
const byHand: Call = (done) => {
  const message = pb.ConnectRequest.decode(request)
  const data = JSON.parse(Buffer.from(message.data!).toString("utf8")) as { token?: unknown }
  if (typeof data.token !== "string") throw new Error("bad")
  const user = TOKENS.get(data.token)!
  done(Buffer.from(pb.ConnectResponse.encode({
    result: { user, channels: realisticChannels(user), data: Buffer.from(JSON.stringify({ ok: true })) }
  }).finish()))
}

/** Wall-clock and CPU (user + system) µs per call: on a shared machine the CPU figure is the steadier one. */
const measure = (call: Call, CALLS: number): Promise<{ readonly wall: number; readonly cpu: number }> =>
  new Promise((resolve) => {
    let started = 0
    let finished = 0
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const onDone = (reply: Buffer) => {
      if (reply.length === 0) throw new Error("empty reply")
      finished++
      if (finished === CALLS) {
        const cpu = process.cpuUsage(cpu0)
        resolve({ wall: ((performance.now() - t0) * 1000) / CALLS, cpu: (cpu.user + cpu.system) / CALLS })
      }
      else if (started < CALLS) {
        started++
        // Not directly: a call that completes synchronously would recurse. Every variant pays the same microtask.
        queueMicrotask(() => call(onDone))
      }
    }
    for (; started < IN_FLIGHT; started++) call(onDone)
  })

const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined
const variants: Array<[string, Call]> = ([
  ["realistic (ours)", await ours(realistic)],
  ["realistic, Effect.gen per call (ours)", await ours(realisticGenPerCall)],
  ["no-op (ours)", await ours(noop)],
  ["realistic by hand", byHand]
] as Array<[string, Call]>).filter(([name]) => only === undefined || name.startsWith(only))
const results = new Map<string, Array<{ readonly wall: number; readonly cpu: number }>>()
for (const [, call] of variants) await measure(call, CALLS) // warm up: JIT tiers, caches
const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Heap bytes allocated per call: used heap before and after `CALLS` calls, with no GC in between (checked). */
const allocatedPerCall = async (call: Call): Promise<number> => {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20))
  ;(globalThis.gc as () => void)()
  await settle()
  let collections = 0
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length))
  observer.observe({ entryTypes: ["gc"] })
  const before = v8.getHeapStatistics().used_heap_size
  await measure(call, CALLS)
  const after = v8.getHeapStatistics().used_heap_size
  await settle()
  observer.disconnect()
  if (collections > 0) throw new Error(`a GC ran while counting; lower --calls (now ${CALLS})`)
  return (after - before) / CALLS
}

if (ALLOC) {
  console.log(`${CALLS} calls x ${ROUNDS} rounds, ${IN_FLIGHT} in flight, Node ${process.version}; median heap bytes allocated per call`)
  for (const [name, call] of variants) {
    const values: Array<number> = []
    for (let round = 0; round < ROUNDS; round++) values.push(await allocatedPerCall(call))
    console.log(`${name.padEnd(20)} ${Math.round(median(values)).toLocaleString("en").padStart(7)} B`)
  }
  process.exit(0)
}

for (let round = 0; round < ROUNDS; round++) {
  for (const [name, call] of variants) {
    const perCall = await measure(call, CALLS)
    results.set(name, [...(results.get(name) ?? []), perCall])
  }
}
console.log(`${CALLS} calls x ${ROUNDS} rounds, ${IN_FLIGHT} in flight, Node ${process.version}; median µs/call (min-max)`)
for (const [name, runs] of results) {
  const values = runs.map((run) => run.wall)
  console.log(
    `${name.padEnd(20)} ${median(values).toFixed(2).padStart(7)} µs  (${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)})  ` +
      `${Math.round(1e6 / median(values)).toLocaleString("en")} calls/s  cpu ${median(runs.map((run) => run.cpu)).toFixed(2)} µs`
  )
}

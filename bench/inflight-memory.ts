/**
 * `npm run bench:inflight`: server memory per in-flight call. Holds N Connect calls in flight (each handler waits
 * until released) on effect-centrifugo's ProxyServer and on a hand-written grpc-js server doing the same, over
 * real loopback gRPC from a grpc-js client in this process, and reports the server process's heapUsed and RSS
 * growth per in-flight call after a forced GC.
 *
 * Each (server, N) runs in a fresh child process (`--expose-gc`): warm-up calls first (JIT, HTTP/2 session,
 * buffers), then a baseline after GC, then N calls held until the server has entered N handlers, then GC and the
 * figures, then release. Calls carry a deadline, as Centrifugo's do (so our server arms its deadline timer).
 *
 * `--calls 1000,5000` (default) picks the Ns; `--only ours|grpcjs` one server; `--snapshot` writes a heap
 * snapshot of the server at the baseline and with N in flight (to diff by constructor).
 */
import * as grpc from "@grpc/grpc-js"
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as v8 from "node:v8"

const args = process.argv.slice(2)
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? undefined : args[i + 1]
}

const HOLD_TIMEOUT_MS = 120_000
const WARMUP_CALLS = 500

type Command = "status" | "measure" | "release" | "snapshot"
interface Status {
  readonly entered: number
  readonly heapUsed: number
  readonly rss: number
  readonly external: number
  readonly file?: string
}

// ---------------------------------------------------------------------------------------------------------------
// Server side (child process)
// ---------------------------------------------------------------------------------------------------------------

/** The handlers entered so far, and how to answer every call held now. */
interface Held {
  entered: number
  readonly waiting: Array<() => void>
}

const startOurs = async (held: Held): Promise<number> => {
  const { Effect, Layer, References } = await import("effect")
  const { HandlerSet, ProxyServer, Reply } = await import("../src/index.ts")
  // What a user writes for a handler that waits on something outside (here: the release signal).
  const handlers = HandlerSet.layer({
    connect: () =>
      Effect.callback<void>((resume) => {
        held.entered++
        held.waiting.push(() => resume(Effect.void))
      }).pipe(Effect.as(Reply.connect({ user: "u" })))
  })
  return new Promise((resolve) => {
    const main = Layer.effectDiscard(
      Effect.map(Effect.service(ProxyServer.ProxyServer), (server) => resolve(server.port))
    ).pipe(
      Layer.provideMerge(ProxyServer.layer({ host: "127.0.0.1", port: 0 })),
      Layer.provide(handlers),
      Layer.provide(Layer.succeed(References.MinimumLogLevel, "Warn"))
    )
    Effect.runFork(Layer.launch(main))
  })
}

const startGrpcJs = async (held: Held): Promise<number> => {
  const protoLoader = await import("@grpc/proto-loader")
  const definition = protoLoader.loadSync(fileURLToPath(new URL("../proto/proxy.proto", import.meta.url)), {
    keepCase: true,
    longs: String,
    defaults: false
  })
  // proto-loader's package object is untyped by design (it is built at run time from the .proto file).
  const proxy = (grpc.loadPackageDefinition(definition) as unknown as {
    centrifugal: { centrifugo: { proxy: { CentrifugoProxy: { service: grpc.ServiceDefinition } } } }
  }).centrifugal.centrifugo.proxy.CentrifugoProxy
  const server = new grpc.Server()
  server.addService(proxy.service, {
    Connect: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      held.entered++
      held.waiting.push(() => callback(null, { result: { user: "u" } }))
    }
  })
  return new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port))
  )
}

const serve = async (kind: string): Promise<void> => {
  const held: Held = { entered: 0, waiting: [] }
  const port = await (kind === "ours" ? startOurs(held) : startGrpcJs(held))
  const gc = globalThis.gc as () => void
  const status = (file?: string): Status => {
    const memory = process.memoryUsage()
    return {
      entered: held.entered,
      heapUsed: memory.heapUsed,
      rss: memory.rss,
      external: memory.external,
      ...(file === undefined ? {} : { file })
    }
  }
  let snapshots = 0
  process.on("message", (command: Command) => {
    if (command === "release") {
      const waiting = held.waiting.splice(0)
      for (const answer of waiting) answer()
      return process.send!(status())
    }
    if (command === "measure" || command === "snapshot") {
      // Twice: what the first collection frees may hold more garbage (weak references, finalizers).
      gc()
      gc()
      const file = command === "snapshot" ? v8.writeHeapSnapshot(`inflight-${kind}-${++snapshots}.heapsnapshot`) : undefined
      return process.send!(status(file))
    }
    process.send!(status())
  })
  process.send!({ port })
}

// ---------------------------------------------------------------------------------------------------------------
// Client side (this process)
// ---------------------------------------------------------------------------------------------------------------

const ask = (child: ChildProcess, command: Command): Promise<Status> =>
  new Promise((resolve) => {
    child.once("message", (status) => resolve(status as Status))
    child.send(command)
  })

const waitEntered = async (child: ChildProcess, target: number): Promise<void> => {
  for (let i = 0; i < 6_000; i++) {
    if ((await ask(child, "status")).entered >= target) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`the server did not enter ${target} handlers within a minute`)
}

interface Result {
  readonly heapPerCall: number
  readonly rssPerCall: number
  readonly baselineHeap: number
  readonly baselineRss: number
  readonly files: ReadonlyArray<string>
}

const measureServer = async (kind: string, calls: number, snapshot: boolean): Promise<Result> => {
  const child = fork(fileURLToPath(import.meta.url), ["--serve", kind], {
    execArgv: [...process.execArgv, "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve((m as { port: number }).port)))
  const { ProxyClient } = await import("../src/testing/index.ts")
  const client = ProxyClient.make(`127.0.0.1:${port}`)
  const request = { client: "0f5c1a0e-3c61-4b8e-9d0c-7f1f2a3b4c5d", transport: "websocket", protocol: "json", encoding: "json" }
  const hold = (n: number) =>
    Array.from({ length: n }, () => client.connect(request, { timeoutMs: HOLD_TIMEOUT_MS }))
  try {
    let entered = 0
    for (let round = 0; round < 2; round++) {
      const warm = hold(WARMUP_CALLS)
      entered += WARMUP_CALLS
      await waitEntered(child, entered)
      await ask(child, "release")
      await Promise.all(warm)
    }
    const files: Array<string> = []
    const before = await ask(child, snapshot ? "snapshot" : "measure")
    if (before.file !== undefined) files.push(before.file)
    const inflight = hold(calls)
    await waitEntered(child, entered + calls)
    const during = await ask(child, snapshot ? "snapshot" : "measure")
    if (during.file !== undefined) files.push(during.file)
    await ask(child, "release")
    const replies = await Promise.all(inflight)
    if (replies.some((reply) => reply.result?.user !== "u")) throw new Error("a held call was not answered")
    return {
      heapPerCall: (during.heapUsed - before.heapUsed) / calls,
      rssPerCall: (during.rss - before.rss) / calls,
      baselineHeap: before.heapUsed,
      baselineRss: before.rss,
      files
    }
  } finally {
    client.close()
    child.kill()
  }
}

const main = async () => {
  const Ns = (option("calls") ?? "1000,5000").split(",").map(Number)
  const only = option("only")
  const kinds = ["ours", "grpcjs"].filter((kind) => only === undefined || kind === only)
  const MiB = 1024 * 1024
  console.log(`server memory per in-flight Connect call, after a forced GC (Node ${process.version})`)
  for (const calls of Ns) {
    for (const kind of kinds) {
      const r = await measureServer(kind, calls, args.includes("--snapshot"))
      console.log(
        `${kind.padEnd(7)} ${String(calls).padStart(5)} in flight: heapUsed ${Math.round(r.heapPerCall).toLocaleString("en").padStart(6)} B/call, ` +
          `RSS ${Math.round(r.rssPerCall).toLocaleString("en").padStart(6)} B/call  ` +
          `(baseline heapUsed ${(r.baselineHeap / MiB).toFixed(1)} MiB, RSS ${(r.baselineRss / MiB).toFixed(1)} MiB, run from source)` +
          (r.files.length > 0 ? `  snapshots: ${r.files.join(" ")}` : "")
      )
    }
  }
}

if (option("serve") !== undefined) await serve(option("serve")!)
else await main()

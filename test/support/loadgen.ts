// bench/loadgen as a test tool: grpc-go, the client library (and version) Centrifugo's gRPC proxy uses, calling a
// CentrifugoProxy method with N calls in flight and reporting calls and errors. Built once per run (Go's build
// cache makes later builds quick), to the path `npm run bench` uses.
import { execFile, execFileSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import * as pb from "../../src/proto/generated/proxy.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))

let bin: string | undefined
const loadgen = (): string => {
  if (bin !== undefined) return bin
  const out = join(root, ".cache/bench/loadgen")
  mkdirSync(join(root, ".cache/bench"), { recursive: true })
  execFileSync("go", ["build", "-o", out, "."], { cwd: join(root, "bench/loadgen"), stdio: "ignore" })
  return (bin = out)
}

export interface LoadResult {
  readonly calls: number
  readonly errors: number
  readonly first_error?: string
}

/** RPC calls (method `ping`) to `address` for `seconds`, `concurrency` in flight over one connection. */
export const rpcLoad = async (address: string, options: { readonly concurrency: number; readonly seconds: number }) => {
  const payload = join(tmpdir(), `effect-centrifugo-rpc-${process.pid}.bin`)
  writeFileSync(
    payload,
    pb.RPCRequest.encode({
      client: "c1",
      transport: "websocket",
      protocol: "json",
      encoding: "json",
      user: "u1",
      method: "ping",
      data: Buffer.from("{}")
    }).finish()
  )
  // Asynchronous: the server under test may run in this process.
  const { stdout } = await promisify(execFile)(loadgen(), [
    "-addr", address,
    "-method", "/centrifugal.centrifugo.proxy.CentrifugoProxy/RPC",
    "-payload", payload,
    "-concurrency", String(options.concurrency),
    "-duration", `${options.seconds}s`,
    "-warmup", "0s"
  ])
  return JSON.parse(stdout) as LoadResult
}

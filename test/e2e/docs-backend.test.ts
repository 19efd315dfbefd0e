// The front page's backend (examples/docs/backend.ts) behind a real Centrifugo started with the front page's configs
// (examples/docs/centrifugo-grpc.json and centrifugo-http.json), as written: README shows these files through
// `npm run docs:splice`, and `npm run docs:check` fails when README drifts from them. Only the ports are substituted.
// Then the `centrifuge` SDK connects and calls, over each transport, the RPC names the docs show.
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Centrifugo } from "effect-centrifugo/testing"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { docFiles } from "../../scripts/docs/markdown.ts"
import { centrifugoBin, client, clientPool, next } from "../support/e2e.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const sample = (path: string) => readFileSync(`${root}/examples/docs/${path}`, "utf8")

/** RPC method names README, CONTRIBUTING and docs/ show: `rpc("...")` calls and `"...": RpcRouter.method(...)` entries with a `:`. */
const docsText = docFiles(root).map((file) => readFileSync(`${root}/${file}`, "utf8")).join("\n") + sample("handlers.test.ts")
const docsRpcNames = [
  ...docsText.matchAll(/rpc\("([^"]+:[^"]+)"/g),
  ...docsText.matchAll(/"([^"\s]+:[^"\s]+)": RpcRouter\.method/g)
].map((m) => m[1]!)

let backend: ChildProcess
let backendOutput = ""
const ports = { grpc: 0, http: 0 }

beforeAll(async () => {
  ports.grpc = await Centrifugo.freePort()
  ports.http = await Centrifugo.freePort()
  backend = spawn(process.execPath, ["--conditions=effect-centrifugo-source", `${root}/examples/docs/backend.ts`], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      PROXY_HOST: "127.0.0.1",
      PROXY_PORT: String(ports.grpc),
      PROXY_HTTP_HOST: "127.0.0.1",
      PROXY_HTTP_PORT: String(ports.http)
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  backend.stdout?.on("data", (chunk: Buffer) => (backendOutput += chunk.toString()))
  backend.stderr?.on("data", (chunk: Buffer) => (backendOutput += chunk.toString()))
  const listening = () => (backendOutput.match(/listening/g) ?? []).length >= 2
  for (let i = 0; i < 300 && !listening(); i++) {
    if (backend.exitCode !== null) throw new Error(`the docs' backend exited:\n${backendOutput}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (!listening()) throw new Error(`the docs' backend did not listen on both transports:\n${backendOutput}`)
})
afterAll(() => {
  backend?.kill("SIGKILL")
})

describe.each([
  { transport: "gRPC", file: "centrifugo-grpc.json", written: "127.0.0.1:10001", port: () => ports.grpc },
  { transport: "HTTP", file: "centrifugo-http.json", written: "127.0.0.1:10002", port: () => ports.http }
])("the docs' backend behind the docs' $transport config", ({ file, written, port }) => {
  const configText = sample(file)
  let centrifugo: Centrifugo.RunningCentrifugo
  const { connect, disconnectAll } = clientPool(() => centrifugo.websocketUrl)

  beforeAll(async () => {
    expect(configText).toContain(written)
    const config = JSON.parse(configText.replaceAll(written, `127.0.0.1:${port()}`)) as Record<string, unknown>
    centrifugo = await Centrifugo.startWith(config, { bin: centrifugoBin() })
  })
  afterEach(disconnectAll)
  afterAll(async () => {
    await centrifugo?.stop()
  })

  it("the config passes `centrifugo checkconfig --strict` as written", async () => {
    const output = await Centrifugo.checkWithBinary(centrifugoBin(), JSON.parse(configText) as Record<string, unknown>)
    expect(output).not.toContain("unknown")
  })

  it("connect reaches the backend: accepted with a name, refused with 1401 without one", async () => {
    const c = connect({ name: "alice" })
    const connected = next<{ data: unknown }>(c, "connected")
    c.connect()
    expect((await connected).data).toEqual({ welcome: "hello alice" })
    const anonymous = connect({})
    const disconnected = next<{ code: number }>(anonymous, "disconnected")
    anonymous.connect()
    expect((await disconnected).code).toBe(1401)
  })

  it("a token in the SDK's `token` option (the guide: put it in the connect data) is refused by Centrifugo with 3500", async () => {
    expect(docsText).toContain("not in the SDK's `token` option")
    const before = backendOutput
    const c = client(centrifugo.websocketUrl, { token: "alice-token", data: { name: "alice" } })
    const disconnected = next<{ code: number }>(c, "disconnected")
    c.connect()
    try {
      expect((await disconnected).code).toBe(3500)
      expect(backendOutput).toBe(before)
    } finally {
      c.disconnect()
    }
  })

  it("ping is answered pong", async () => {
    const c = connect({ name: "alice" })
    c.connect()
    expect((await c.rpc("ping", {})).data).toBe("pong")
  })

  it("RPC names with a `:` (news:list, post:news/store, ...) reach the backend, which answers them itself", async () => {
    expect(docsRpcNames).toEqual(expect.arrayContaining(["news:list", "post:news/store", "orders:count"]))
    const c = connect({ name: "alice" })
    c.connect()
    for (const method of new Set(docsRpcNames)) {
      // The backend knows only `ping`: its own 104 (with its message) proves the call got there; Centrifugo's
      // 104 for an unknown namespace would read "method not found" and never reach the backend.
      await expect(c.rpc(method, {}), method).rejects.toMatchObject({ code: 104, message: `unknown method ${method}` })
    }
  })
})

it("every `examples/...` file the docs name exists", () => {
  const named = [...docsText.matchAll(/`(examples\/[\w./-]+\.\w+)`/g)].map((m) => m[1]!)
  expect(named.length).toBeGreaterThan(3)
  expect(named.filter((path) => !existsSync(`${root}/${path}`))).toEqual([])
})

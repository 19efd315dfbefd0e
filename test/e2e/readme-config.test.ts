// README's "Pointing Centrifugo at it" config, as written in README.md, in front of README's "A backend in 20 lines",
// as written in README.md: both are read from the markdown when the test runs, so a README edit that breaks either
// breaks this test. Only the ports are substituted. Then the `centrifuge` SDK connects and calls the RPC names the
// README shows.
import type { Centrifuge } from "centrifuge"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Centrifugo } from "effect-centrifugo/testing"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { centrifugoBin, client, next } from "../support/e2e.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const readme = readFileSync(`${root}/README.md`, "utf8")

/** The first fenced code block in `language` after the heading `heading` (and before the next heading of its level). */
const codeBlock = (heading: string, language: string): string => {
  const level = heading.match(/^#+/)![0]
  const start = readme.indexOf(`\n${heading}\n`)
  if (start < 0) throw new Error(`README has no heading "${heading}"`)
  const rest = readme.slice(start + heading.length + 2)
  const nextHeading = rest.search(new RegExp(`^${level} `, "m"))
  const section = nextHeading < 0 ? rest : rest.slice(0, nextHeading)
  const block = section.match(new RegExp("^```" + language + "\\n([\\s\\S]*?)^```", "m"))
  if (block === null) throw new Error(`no \`\`\`${language} block under "${heading}" in README`)
  return block[1]!
}

const configText = codeBlock("## Pointing Centrifugo at it", "json")
const backendSource = codeBlock("## A backend in 20 lines", "ts")
const README_ENDPOINT = "127.0.0.1:10001"

/** RPC method names README shows: `rpc("...")` calls and `"...": Rpc.method(...)` entries with a `:`. */
const readmeRpcNames = [
  ...readme.matchAll(/rpc\("([^"]+:[^"]+)"/g),
  ...readme.matchAll(/"([^"\s]+:[^"\s]+)": Rpc\.method/g)
].map((m) => m[1]!)

describe("README's Centrifugo config with README's 20-line backend", () => {
  let backend: ChildProcess
  let backendOutput = ""
  let centrifugo: Centrifugo.RunningCentrifugo
  const clients: Array<Centrifuge> = []
  const connect = (data: unknown) => {
    const c = client(centrifugo.websocketUrl, { data })
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    expect(configText).toContain(README_ENDPOINT)
    const proxyPort = await Centrifugo.freePort()
    // The backend runs from source text, in the package's directory so `effect-centrifugo` resolves to this package.
    backend = spawn(
      process.execPath,
      ["--conditions=effect-centrifugo-source", "--input-type=module-typescript", "-e", backendSource],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", PROXY_HOST: "127.0.0.1", PROXY_PORT: String(proxyPort) },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    backend.stdout?.on("data", (chunk: Buffer) => (backendOutput += chunk.toString()))
    backend.stderr?.on("data", (chunk: Buffer) => (backendOutput += chunk.toString()))
    for (let i = 0; i < 300 && !backendOutput.includes("listening"); i++) {
      if (backend.exitCode !== null) throw new Error(`README's backend exited:\n${backendOutput}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    if (!backendOutput.includes("listening")) throw new Error(`README's backend did not listen:\n${backendOutput}`)
    const config = JSON.parse(configText.replaceAll(README_ENDPOINT, `127.0.0.1:${proxyPort}`)) as Record<string, unknown>
    centrifugo = await Centrifugo.startWith(config, { bin: centrifugoBin() })
  })
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect()
  })
  afterAll(async () => {
    await centrifugo?.stop()
    backend?.kill("SIGKILL")
  })

  it("the config passes `centrifugo checkconfig --strict` as written", async () => {
    const output = await Centrifugo.checkConfig(centrifugoBin(), JSON.parse(configText) as Record<string, unknown>)
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

  it("a token in the SDK's `token` option (README: put it in the connect data) is refused by Centrifugo with 3500", async () => {
    const before = backendOutput
    const c = client(centrifugo.websocketUrl, { token: "alice-token", data: { name: "alice" } })
    clients.push(c)
    const disconnected = next<{ code: number }>(c, "disconnected")
    c.connect()
    expect((await disconnected).code).toBe(3500)
    expect(readme).toContain("not in the SDK's `token` option")
    expect(backendOutput).toBe(before)
  })

  it("the files README says examples/ holds exist", () => {
    const named = /`examples\/` holds a complete backend \(`([^`]+)`[^`]*`([^`]+)`/.exec(readme)
    expect(named).not.toBeNull()
    for (const file of [named![1]!, named![2]!, ...[...readme.matchAll(/`examples\/([\w./-]+\.\w+)`/g)].map((m) => m[1]!)]) {
      expect(existsSync(`${root}/examples/${file}`), `examples/${file}`).toBe(true)
    }
  })

  it("ping is answered pong", async () => {
    const c = connect({ name: "alice" })
    c.connect()
    expect((await c.rpc("ping", {})).data).toBe("pong")
  })

  it("RPC names with a `:` (news:list, post:news/store, ...) reach the backend, which answers them itself", async () => {
    expect(readmeRpcNames).toEqual(expect.arrayContaining(["news:list", "post:news/store", "orders:count"]))
    const c = connect({ name: "alice" })
    c.connect()
    for (const method of new Set(readmeRpcNames)) {
      // The 20-line backend knows only `ping`: its own 104 (with its message) proves the call got there; Centrifugo's
      // 104 for an unknown namespace would read "method not found" and never reach the backend.
      await expect(c.rpc(method, {}), method).rejects.toMatchObject({ code: 104, message: `unknown method ${method}` })
    }
  })
})

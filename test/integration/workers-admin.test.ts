// Workers.run with the admin server (PROXY_ADMIN_PORT): the primary serves it for the group. One /metrics scrape has every
// worker's series (labelled worker="<slot>") and the same totals scrape after scrape; /readyz answers for the group;
// with LOG_FORMAT=json every line, the primary's too, is JSON; SIGTERM still exits 0.
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterEach, expect, it } from "vitest"
import { Centrifugo, ProxyClient } from "../../src/testing/index.ts"

const fixture = fileURLToPath(new URL("../fixtures/workers-admin-main.ts", import.meta.url))

const running: Array<ChildProcess> = []
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
})

/** The sum of a counter's samples (every worker's) in a Prometheus text, for the label set given. */
const total = (text: string, name: string, labels: string) =>
  text.split("\n").filter((line) => line.startsWith(`${name}{`) && line.includes(labels)).reduce(
    (sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)),
    0
  )

it("one /metrics scrape and one /readyz answer describe both workers; the primary logs JSON; SIGTERM exits 0", async () => {
  const port = await Centrifugo.freePort()
  const admin = await Centrifugo.freePort()
  let output = ""
  const child = spawn(process.execPath, ["--conditions=effect-centrifugo-source", fixture], {
    env: {
      ...process.env,
      PROXY_HOST: "127.0.0.1",
      PROXY_PORT: String(port),
      PROXY_WORKERS: "2",
      PROXY_ADMIN_PORT: String(admin),
      LOG_FORMAT: "json",
      PROXY_MAX_CONNECTION_AGE: "200 millis"
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  running.push(child)
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  await expect.poll(() => output.match(/listening on/g)?.length ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(2)
  const url = `http://127.0.0.1:${admin}`
  await expect.poll(() => fetch(`${url}/readyz`).then((r) => r.status, () => 0), { timeout: 10_000 }).toBe(200)

  // Connections re-opened (PROXY_MAX_CONNECTION_AGE) land on both workers; every call is counted once, somewhere.
  const pids = new Set<string>()
  const calls = 40
  for (let i = 0; i < calls; i++) {
    const client = ProxyClient.make(`127.0.0.1:${port}`)
    try {
      pids.add(String((await client.connect({ client: `c${i}` }, { timeoutMs: 5_000 })).result?.user))
    } finally {
      client.close()
    }
  }
  expect(pids.size).toBe(2)
  for (let scrape = 0; scrape < 4; scrape++) {
    const response = await fetch(`${url}/metrics`)
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(total(text, "centrifugo_proxy_calls_total", `event="connect",outcome="ok"`)).toBe(calls)
    expect(text).toContain(`nodejs_heap_used_bytes{worker="1"}`)
    expect(text).toContain(`nodejs_heap_used_bytes{worker="2"}`)
    expect(text.match(/^# TYPE centrifugo_proxy_calls_total counter$/gm)).toHaveLength(1)
  }
  expect(await (await fetch(`${url}/readyz`)).text()).toBe("ready")
  expect((await fetch(`${url}/healthz`)).status).toBe(200)

  child.kill("SIGTERM")
  expect(await exited, output).toBe(0)
  const lines = output.split("\n").filter((line) => line.trim() !== "")
  expect(lines.some((line) => line.includes("starting 2 workers"))).toBe(true)
  expect(lines.some((line) => line.includes("Admin server for 2 workers listening"))).toBe(true)
  for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow()
}, 60_000)

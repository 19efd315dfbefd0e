// Workers.run in real processes: N workers on one port, a crashed worker replaced, SIGTERM draining all of them.
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterEach, expect, it } from "vitest"
import { Centrifugo, ProxyClient } from "../../src/testing/index.ts"

const fixture = fileURLToPath(new URL("../fixtures/workers-main.ts", import.meta.url))

const running: Array<{ child: ChildProcess; client?: ProxyClient.ProxyClient }> = []
afterEach(() => {
  for (const { child, client } of running.splice(0)) {
    client?.close()
    // The primary's process group: workers too, should a test have failed midway.
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  }
})

const start = async (env: Record<string, string>) => {
  const port = await Centrifugo.freePort()
  let output = ""
  const child = spawn(process.execPath, ["--conditions=effect-centrifugo-source", fixture], {
    env: { ...process.env, PROXY_HOST: "127.0.0.1", PROXY_PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const client = ProxyClient.make(`127.0.0.1:${port}`)
  running.push({ child, client })
  return { child, exited, output: () => output, client }
}

const listening = (output: string) => output.match(/listening on/g)?.length ?? 0

/** The "listening" log entries in order: which slot, which pid (an entry's annotations may span lines). */
const listeners = (output: string) =>
  output.split(/^(?=\[\d\d:\d\d:\d\d\.\d+\] )/m).flatMap((entry) => {
    const match = /listening on[\s\S]*worker: (\d+),\s*pid: (\d+)/.exec(entry)
    return match === null ? [] : [{ slot: Number(match[1]), pid: Number(match[2]) }]
  })

/**
 * A call retried when the server refused it while closing an aged connection (REFUSED_STREAM: it reached no
 * handler). grpc-go, Centrifugo's client, retries those itself; grpc-js (this client) only once.
 */
const retryRefused = async <A>(call: () => Promise<A>): Promise<A> => {
  for (let attempt = 1;; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (attempt >= 5 || (error as { details?: string }).details !== "Stream refused by server") throw error
    }
  }
}

/** The pid of the worker that served the call. */
const pidOf = async (client: ProxyClient.ProxyClient) =>
  ProxyClient.parseJson(
    (await retryRefused(() => client.rpc({ method: "pid" }, { timeoutMs: 5_000 }))).result?.data
  ) as number

/** Calls `pid` until `wanted` distinct pids answered (bounded); every call must be answered. */
const pidsUntil = async (client: ProxyClient.ProxyClient, wanted: number, exclude: ReadonlySet<number> = new Set()) => {
  const pids = new Set<number>()
  for (let i = 0; i < 300 && pids.size < wanted; i++) {
    const pid = await pidOf(client)
    if (!exclude.has(pid)) pids.add(pid)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return pids
}

it("two workers share the port; with maxConnectionAge calls reach both", async () => {
  const main = await start({ PROXY_WORKERS: "2", PROXY_MAX_CONNECTION_AGE: "100 millis" })
  await expect.poll(() => listening(main.output()), { timeout: 20_000 }).toBe(2)
  expect(main.output()).toContain("starting 2 workers")

  const pids = await pidsUntil(main.client, 2)

  expect(pids.size).toBe(2)
  expect(pids.has(main.child.pid!)).toBe(false)
  // Each worker's lines say which worker it is.
  expect(main.output()).toMatch(/worker: 1/)
  expect(main.output()).toMatch(/worker: 2/)
})

it("a worker killed with SIGKILL is replaced (logged, with back-off) and calls keep being answered", async () => {
  const main = await start({ PROXY_WORKERS: "2", PROXY_MAX_CONNECTION_AGE: "100 millis" })
  await expect.poll(() => listening(main.output()), { timeout: 20_000 }).toBe(2)
  const before = await pidsUntil(main.client, 2)
  const [victim] = [...before]

  process.kill(victim!, "SIGKILL")
  await expect.poll(() => main.output(), { timeout: 20_000 }).toMatch(
    new RegExp(`worker \\d \\(pid ${victim}\\) exited with signal SIGKILL; starting a new one in 100ms`)
  )
  await expect.poll(() => listening(main.output()), { timeout: 20_000 }).toBe(3)

  // The replacement serves calls: a pid neither of the first two had.
  const fresh = await pidsUntil(main.client, 1, before)
  expect(fresh.size).toBe(1)

  // The same slot failing again soon: the back-off doubles.
  const slot = Number(new RegExp(`worker (\\d) \\(pid ${victim}\\)`).exec(main.output())![1])
  const replacement = listeners(main.output()).filter((l) => l.slot === slot).at(-1)!.pid
  expect(replacement).not.toBe(victim)
  process.kill(replacement, "SIGKILL")
  await expect.poll(() => main.output(), { timeout: 20_000 }).toMatch(
    new RegExp(`worker ${slot} \\(pid ${replacement}\\) exited with signal SIGKILL; starting a new one in 200ms`)
  )
})

it("SIGTERM to the primary drains every worker: in-flight calls on both finish, then exit 0", async () => {
  const main = await start({ PROXY_WORKERS: "2", PROXY_MAX_CONNECTION_AGE: "100 millis" })
  await expect.poll(() => listening(main.output()), { timeout: 20_000 }).toBe(2)
  // Separate clients whose connections age out: slow calls started in a loop land on both workers.
  const calls: Array<Promise<unknown>> = []
  for (let i = 0; i < 20; i++) {
    calls.push(retryRefused(() => main.client.rpc({ method: "slow", data: ProxyClient.json(1_500) }, { timeoutMs: 10_000 })))
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  main.child.kill("SIGTERM")

  const answers = await Promise.all(calls.map((call) =>
    call.then((r) => ProxyClient.parseJson((r as { result?: { data?: Uint8Array } }).result?.data), String)
  ))
  expect(answers).toEqual(Array.from({ length: 20 }, () => "finished"))
  expect(await main.exited).toBe(0)
  expect(main.output().match(/CentrifugoProxy\) stopped/g)?.length).toBe(2)
  expect(main.output()).toContain("all 2 workers stopped")
  expect(main.output()).not.toContain("starting a new one")
})

it("the count defaults to 1: no cluster, the process serves the calls itself", async () => {
  const main = await start({})
  await expect.poll(() => listening(main.output()), { timeout: 20_000 }).toBe(1)
  expect(await pidOf(main.client)).toBe(main.child.pid)
  expect(main.output()).not.toContain("starting")
  main.child.kill("SIGTERM")
  expect(await main.exited).toBe(0)
})

it("an invalid PROXY_WORKERS fails the start with a clear message", async () => {
  const main = await start({ PROXY_WORKERS: "two" })
  expect(await main.exited).toBe(1)
  expect(main.output()).toContain(`PROXY_WORKERS / count must be a whole number >= 1 or "auto", got "two"`)
})

it("workers that cannot start (a configuration error) make the primary exit 1 instead of retrying forever", async () => {
  const main = await start({ PROXY_WORKERS: "2", PROXY_CREDENTIALS_KEY: "x-proxy-token" })
  expect(await main.exited).toBe(1)
  expect(main.output()).toContain("PROXY_CREDENTIALS_VALUE")
  expect(main.output()).toMatch(/worker \d \(pid \d+\) exited with code 1 before it listened/)
  expect(main.output()).not.toContain("starting a new one")
})

// A real process: `Layer.launch(...)` under `NodeRuntime.runMain`, stopped by a signal while a call is in flight.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"
import { Centrifugo, ProxyClient } from "../../src/testing/index.ts"

const fixture = fileURLToPath(new URL("../fixtures/slow-main.ts", import.meta.url))

const startMain = async (env: Record<string, string>) => {
  const port = await Centrifugo.freePort()
  let output = ""
  const child = spawn(process.execPath, ["--conditions=effect-centrifugo-source", fixture], {
    env: { ...process.env, PROXY_HOST: "127.0.0.1", PROXY_PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  await expect.poll(() => output, { timeout: 10_000 }).toContain("listening")
  return { child, exited, output: () => output, client: ProxyClient.make(`127.0.0.1:${port}`) }
}

it.each(["SIGTERM", "SIGINT"] as const)("on %s an in-flight call finishes, then the process exits 0", async (signal) => {
  const main = await startMain({})
  try {
    const call = main.client.rpc({ method: "slow", data: ProxyClient.json(400) })
    await new Promise((resolve) => setTimeout(resolve, 100))
    main.child.kill(signal)
    const response = await call
    expect(ProxyClient.parseJson(response.result?.data)).toBe("finished")
    // A drained shutdown is a clean exit (Effect's default teardown would exit 130 for any signal).
    expect(await main.exited).toBe(0)
    expect(main.output()).toContain("stopped")
  } finally {
    main.client.close()
    main.child.kill("SIGKILL")
  }
})

it("a call that outlives PROXY_SHUTDOWN_TIMEOUT is answered UNAVAILABLE and the process still exits", async () => {
  const main = await startMain({ PROXY_SHUTDOWN_TIMEOUT: "200 millis" })
  try {
    const call = main.client.rpc({ method: "slow", data: ProxyClient.json(10_000) }).then(
      () => undefined,
      (error: { code: number; details: string }) => error
    )
    await new Promise((resolve) => setTimeout(resolve, 100))
    const started = Date.now()
    main.child.kill("SIGTERM")
    expect(await call).toMatchObject({ code: 14, details: "server shutting down" })
    await main.exited
    expect(Date.now() - started).toBeLessThan(3_000)
  } finally {
    main.client.close()
    main.child.kill("SIGKILL")
  }
})

const runToExit = async (env: Record<string, string>) => {
  let output = ""
  const child = spawn(process.execPath, ["--conditions=effect-centrifugo-source", fixture], {
    env: { ...process.env, PROXY_HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000)
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)))
  clearTimeout(timer)
  return { code, output }
}

it.each([
  [{ PROXY_CREDENTIALS_KEY: "x-proxy-token" }, "PROXY_CREDENTIALS_VALUE"],
  [{ PROXY_CREDENTIALS_VALUE: "s3cret" }, "PROXY_CREDENTIALS_KEY"],
  [{ PROXY_CREDENTIALS_KEY: "x-proxy-token", PROXY_CREDENTIALS_VALUE: "" }, "PROXY_CREDENTIALS_VALUE"],
  [{ PROXY_CREDENTIALS_KEY: "", PROXY_CREDENTIALS_VALUE: "s3cret" }, "PROXY_CREDENTIALS_KEY"]
])("half-set credentials %j fail the start, naming %s (never run open)", async (env, missing) => {
  const { code, output } = await runToExit({ PROXY_PORT: "0", ...env })
  expect(code).toBe(1)
  expect(output).toContain(missing)
  expect(output).not.toContain("listening")
})

it("a port already in use fails the start with one clear error and no grpc-js noise on stderr", async () => {
  const blocker = await Centrifugo.freePort()
  const { createServer } = await import("node:net")
  const server = createServer().listen(blocker, "127.0.0.1")
  await new Promise((resolve) => server.once("listening", resolve))
  try {
    const { code, output } = await runToExit({ PROXY_PORT: String(blocker) })
    expect(code).toBe(1)
    expect(output).toContain(`ProxyServerError: cannot bind 127.0.0.1:${blocker}: listen EADDRINUSE`)
    // grpc-js's own stderr line ("E No address added out of total 1 resolved") goes through the Effect logger.
    expect(output).not.toMatch(/^E No address added/m)
  } finally {
    server.close()
  }
})

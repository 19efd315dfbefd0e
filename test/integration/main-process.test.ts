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

it.each(["SIGTERM", "SIGINT"] as const)("on %s an in-flight call finishes, then the process exits", async (signal) => {
  const main = await startMain({})
  try {
    const call = main.client.rpc({ method: "slow", data: ProxyClient.json(400) })
    await new Promise((resolve) => setTimeout(resolve, 100))
    main.child.kill(signal)
    const response = await call
    expect(ProxyClient.parseJson(response.result?.data)).toBe("finished")
    await main.exited
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

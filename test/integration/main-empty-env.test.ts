// `npm start` with nothing set: examples/main.ts must come up without Centrifugo's server API configured, say so once,
// and answer a Connect exactly as Centrifugo would send it.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"
import { Centrifugo, ProxyClient } from "../../src/testing/index.ts"

const main = fileURLToPath(new URL("../../examples/main.ts", import.meta.url))

it("starts with an empty environment, warns once that the server API is disabled, and answers a Connect", async () => {
  const port = await Centrifugo.freePort()
  // Only PATH and the port (PROXY_HOST keeps the test on loopback; it is not what is under test).
  const child = spawn(process.execPath, ["--conditions=effect-centrifugo-source", main], {
    // Only where it listens (loopback, free ports), so parallel test files cannot collide; nothing else is set.
    env: {
      PATH: process.env.PATH ?? "",
      PROXY_HOST: "127.0.0.1",
      PROXY_PORT: String(port),
      PROXY_HTTP_HOST: "127.0.0.1",
      PROXY_HTTP_PORT: "0"
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const client = ProxyClient.make(`127.0.0.1:${port}`)
  try {
    // Stops polling as soon as the process has exited, so a crash shows its output instead of a timeout.
    await expect.poll(() => (child.exitCode === null ? output.includes("listening") : output), { timeout: 15_000 })
      .toBe(true)
    const response = await client.connect({
      client: "c1",
      transport: "websocket",
      protocol: "json",
      encoding: "json",
      data: ProxyClient.json({ authToken: "alice-token" })
    })
    expect(response.result?.user).toBe("alice")
    expect(child.exitCode).toBeNull()
    expect(output.match(/CentrifugoApi disabled/g)).toHaveLength(1)
    expect(output).toContain("PROXY_CENTRIFUGO_API_KEY is not set")
  } finally {
    client.close()
    child.kill("SIGKILL")
  }
})

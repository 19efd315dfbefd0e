// Issue 13 with the HTTP transport: the example backend under Workers (2 processes) serves its HTTP proxy routes on
// one port, and calls posted the way Centrifugo's HTTP proxy posts them (a keep-alive pool of connections) are
// served by both workers; SIGTERM drains both and the primary exits 0.
import { expect, it } from "vitest"
import { Centrifugo, HttpProxyClient } from "../../src/testing/index.ts"
import { startBackend } from "../support/cluster.ts"

it("HTTP proxy calls spread over 2 workers sharing the port; every call answered; SIGTERM exits 0", async () => {
  const grpcPort = await Centrifugo.freePort()
  const httpPort = await Centrifugo.freePort()
  const backend = await startBackend(grpcPort, 2, { PROXY_HTTP_PORT: String(httpPort) })
  try {
    const mark = backend.output().length
    const client = HttpProxyClient.make(`http://127.0.0.1:${httpPort}`)
    const answers: Array<unknown> = []
    // 20 callers at a time, 300 calls: the client's pool opens several connections, as Centrifugo's does.
    await Promise.all(Array.from({ length: 20 }, async (_, caller) => {
      for (let i = caller; i < 300; i += 20) {
        const reply = await client.rpc({ client: `c-${i}`, user: "alice", method: "ping" })
        answers.push(reply.json?.result?.data)
      }
    }))
    expect(answers).toHaveLength(300)
    expect(new Set(answers)).toEqual(new Set(["pong"]))
    await expect.poll(() => [...backend.rpcsPerWorker(mark).values()].reduce((a, b) => a + b, 0), { timeout: 10_000 })
      .toBe(300)
    const perWorker = backend.rpcsPerWorker(mark)
    console.info(`HTTP calls per worker: ${JSON.stringify(Object.fromEntries(perWorker))}`)
    expect(perWorker.size).toBe(2)
    for (const count of perWorker.values()) expect(count).toBeGreaterThan(0)
    backend.child.kill("SIGTERM")
    expect(await backend.exited).toBe(0)
  } finally {
    backend.kill()
  }
}, 60_000)

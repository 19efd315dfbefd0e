// The client calls of the PHP seed (../shared/reference/spiral-centrifugo-services.txt), with their literal method names
// and arguments, against the example backend as `npm start` runs it (examples/main.ts in its own process) behind a
// real Centrifugo v6.9.1. Only the URL differs: the seed's `http://127.0.0.18000/...` is a typo for a local server.
//
// The seed's RPC snippet builds its client without connect data; its own ConnectService (like examples/connect.ts)
// refuses connections without a token, so the RPC calls are made on the seed's authenticated client.
import type { Centrifuge } from "centrifuge"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Centrifugo } from "effect-centrifugo/testing"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { centrifugoBin, client, next } from "../support/e2e.ts"

const main = fileURLToPath(new URL("../../examples/main.ts", import.meta.url))

describe("the seed's client calls, verbatim, against examples/", () => {
  let backend: ChildProcess
  let backendOutput = ""
  let centrifugo: Centrifugo.RunningCentrifugo
  const clients: Array<Centrifuge> = []

  /** The seed's client: `new Centrifuge(url, { data: { authToken: 'my-app-auth-token' } })`. */
  const seedClient = () => {
    const c = client(centrifugo.websocketUrl, {
      data: {
        authToken: "my-app-auth-token"
      }
    })
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    const [proxyPort, port] = [await Centrifugo.freePort(), await Centrifugo.freePort()]
    backend = spawn(process.execPath, ["--conditions=effect-centrifugo-source", main], {
      env: {
        PATH: process.env.PATH ?? "",
        PROXY_HOST: "127.0.0.1",
        PROXY_PORT: String(proxyPort),
        PROXY_HTTP_HOST: "127.0.0.1",
        PROXY_HTTP_PORT: "0",
        PROXY_CENTRIFUGO_API_URL: `http://127.0.0.1:${port}`,
        PROXY_CENTRIFUGO_API_KEY: "seed-api-key"
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    backend.stdout?.on("data", (chunk: Buffer) => (backendOutput += chunk.toString()))
    backend.stderr?.on("data", (chunk: Buffer) => (backendOutput += chunk.toString()))
    for (let i = 0; i < 300 && !backendOutput.includes("listening"); i++) {
      if (backend.exitCode !== null) throw new Error(`examples/main.ts exited:\n${backendOutput}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    if (!backendOutput.includes("listening")) throw new Error(`examples/main.ts did not listen:\n${backendOutput}`)
    centrifugo = await Centrifugo.start({ bin: centrifugoBin(), port, proxy: `127.0.0.1:${proxyPort}`, apiKey: "seed-api-key" })
  })
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect()
  })
  afterAll(async () => {
    await centrifugo?.stop()
    backend?.kill("SIGKILL")
  })

  it("new Centrifuge(url, { data: { authToken: 'my-app-auth-token' } }) connects", async () => {
    const c = seedClient()
    const connected = next<{ data: unknown }>(c, "connected")
    c.connect()
    expect((await connected).data).toEqual({ user: "my-app-user" })
  })

  it("centrifuge.rpc(\"post:news/store\", {\"title\": \"News title\"}) stores the news", async () => {
    const c = seedClient()
    c.connect()
    const res = await c.rpc("post:news/store", {"title": "News title"})
    expect(res.data).toMatchObject({ status: 201, body: { title: "News title", body: "", author: "my-app-user" } })
  })

  it("centrifuge.rpc(\"get:news/123\", {\"lang\": \"en\"}) is answered by the news app (news 123 does not exist yet)", async () => {
    const c = seedClient()
    c.connect()
    const res = await c.rpc("get:news/123", {"lang": "en"})
    expect(res.data).toEqual({ status: 404, body: { message: "news 123 not found" } })
  })
})

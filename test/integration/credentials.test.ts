// Proxy credentials: the metadata pair Centrifugo sends with `grpc.credentials_key` / `credentials_value`.
import * as grpc from "@grpc/grpc-js"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HandlerSet, Reply } from "../../src/index.ts"
import { ProxyClient, TestServer } from "../../src/testing/index.ts"

describe("requireCredentials", () => {
  let server: TestServer.RunningServer
  let client: ProxyClient.ProxyClient
  let seenHeaders: Record<string, string> = {}

  beforeAll(async () => {
    server = await TestServer.start(
      HandlerSet.layer({
        rpc: (request) => Effect.sync(() => (seenHeaders = { ...request.headers }, Reply.rpc({ data: "ok" })))
      }),
      { requireCredentials: { key: "X-Proxy-Token", value: "s3cret" } }
    )
    client = ProxyClient.make(server.address)
  })
  afterAll(async () => {
    client.close()
    await server.stop()
  })

  it("answers UNAUTHENTICATED without the pair or with another value, and logs one warning per 10 s", async () => {
    for (const metadata of [{}, { "x-proxy-token": "guess" }, { "x-proxy-token": "s3cret-and-more" }]) {
      const error = await client.rpc({ method: "m" }, { metadata }).then(() => undefined, (e: grpc.ServiceError) => e)
      expect(error?.code).toBe(grpc.status.UNAUTHENTICATED)
    }
    // A flood of refused calls must not flood the log: the first is logged, the rest counted for the next line.
    expect(server.logs.filter((l) => l.message.includes("missing or wrong proxy credentials"))).toHaveLength(1)
  })

  it("serves calls with the pair, and hides it from handlers", async () => {
    const response = await client.rpc({ method: "m" }, { metadata: { "x-proxy-token": "s3cret", "x-other": "v" } })
    expect(ProxyClient.parseJson(response.result?.data)).toBe("ok")
    expect(seenHeaders["x-other"]).toBe("v")
    expect("x-proxy-token" in seenHeaders).toBe(false)
  })

  it("also guards stream subscriptions", async () => {
    const call = client.subscribeUnidirectional({ channel: "stream:x" })
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      call.on("error", () => {})
      call.on("status", resolve)
    })
    expect(status.code).toBe(grpc.status.UNAUTHENTICATED)
  })
})

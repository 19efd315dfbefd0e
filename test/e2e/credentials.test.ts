// Proxy credentials end to end: Centrifugo's `grpc.credentials_key/value` on every proxy, checked by the server.
import { Effect } from "effect"
import { afterEach, expect, it } from "vitest"
import { HandlerSet, Reply } from "../../src/index.ts"
import { Centrifugo, TestServer } from "../../src/testing/index.ts"
import { centrifugoBin, client, next } from "../support/e2e.ts"

const handlers = HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "ann", data: "welcome" })) })
const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

const stack = async (sent: string) => {
  const server = await TestServer.start(handlers, { requireCredentials: { key: "x-centrifugo-proxy", value: "right" } })
  stops.push(server.stop)
  const centrifugo = await Centrifugo.start({
    bin: centrifugoBin(),
    proxy: server.address,
    credentials: { key: "x-centrifugo-proxy", value: sent }
  })
  stops.push(centrifugo.stop)
  const c = client(centrifugo.websocketUrl)
  stops.push(async () => c.disconnect())
  return { server, c }
}

it("Centrifugo with the right credentials is served", async () => {
  const { c } = await stack("right")
  const connected = next<{ data: unknown }>(c, "connected")
  c.connect()
  expect((await connected).data).toBe("welcome")
})

it("Centrifugo with the wrong credentials is refused: the client sees a temporary 100, the server logs why", async () => {
  const { c, server } = await stack("wrong")
  const failed = next<{ error: { code: number; temporary?: boolean } }>(c, "error")
  c.connect()
  expect((await failed).error).toMatchObject({ code: 100, temporary: true })
  expect(server.logs.some((l) => l.message.includes("missing or wrong proxy credentials"))).toBe(true)
})

// grpc.health.v1.Health on the proxy's own port, seen by a real health client: SERVING once listening,
// NOT_SERVING as soon as shutdown starts (while calls are still served during the drain delay), then closed.
import * as grpc from "@grpc/grpc-js"
import { Effect, Layer } from "effect"
import { afterEach, expect, it } from "vitest"
import { HandlerSet, Readiness, Reply } from "../../src/index.ts"
import { ProxyClient, TestServer } from "../../src/testing/index.ts"
import * as HealthClient from "../support/health-client.ts"

const PROXY = "centrifugal.centrifugo.proxy.CentrifugoProxy"
const handlers = HandlerSet.layer({ rpc: () => Effect.succeed(Reply.rpc({ data: "pong" })) })

const cleanup: Array<() => void> = []
afterEach(() => {
  for (const close of cleanup.splice(0)) close()
})

const until = async (condition: () => boolean) => {
  await expect.poll(condition, { timeout: 10_000, interval: 5 }).toBe(true)
}

it("SERVING while listening, NOT_SERVING from the start of shutdown (calls still answered), then closed", async () => {
  const server = await TestServer.start(handlers, { drainDelay: "2 seconds" })
  const health = HealthClient.make(server.address)
  const proxy = ProxyClient.make(server.address)
  cleanup.push(() => health.close(), () => proxy.close())

  expect(await health.check("")).toBe("SERVING")
  expect(await health.check(PROXY)).toBe("SERVING")
  expect(await health.check("liveness")).toBe("SERVING")
  expect(await health.check("no.such.Service")).toMatchObject({ code: 5 }) // NOT_FOUND
  const watch = health.watch(PROXY)
  await until(() => watch.statuses.length === 1)
  expect(watch.statuses).toEqual(["SERVING"])

  const stopped = server.stop()
  // The watch hears of the drain at once; the listener is still open (drain delay), so probes see NOT_SERVING.
  await until(() => watch.statuses.length === 2)
  expect(watch.statuses).toEqual(["SERVING", "NOT_SERVING"])
  expect(await health.check("")).toBe("NOT_SERVING")
  expect(await health.check(PROXY)).toBe("NOT_SERVING")
  expect(await health.check("liveness")).toBe("SERVING")
  const reply = await proxy.rpc({ client: "c1", method: "ping" })
  expect(ProxyClient.parseJson(reply.result?.data)).toBe("pong")

  expect(await watch.ended).toMatchObject({ code: 14, details: "server shutting down" })
  await stopped
  expect(await health.check("")).toMatchObject({ code: 14 }) // UNAVAILABLE: nothing listens any more
})

it("a Watch of an unknown service gets SERVICE_UNKNOWN and stays open until cancelled", async () => {
  const server = await TestServer.start(handlers)
  const health = HealthClient.make(server.address)
  cleanup.push(() => health.close())
  try {
    const watch = health.watch("no.such.Service")
    await until(() => watch.statuses.length === 1)
    expect(watch.statuses).toEqual(["SERVICE_UNKNOWN"])
    watch.cancel()
    expect(await watch.ended).toMatchObject({ code: 1 }) // CANCELLED
  } finally {
    await server.stop()
  }
})

it("a user readiness check that fails makes the server NOT_SERVING, liveness stays SERVING", async () => {
  let databaseUp = true
  const ready = Readiness.layer({
    check: Effect.suspend(() => databaseUp ? Effect.void : Effect.fail({ message: "database does not answer" }))
  })
  const server = await TestServer.start(handlers.pipe(Layer.provideMerge(ready)))
  const health = HealthClient.make(server.address)
  cleanup.push(() => health.close())
  try {
    expect(await health.check("")).toBe("SERVING")
    databaseUp = false
    expect(await health.check("")).toBe("NOT_SERVING")
    expect(await health.check(PROXY)).toBe("NOT_SERVING")
    expect(await health.check("liveness")).toBe("SERVING")
    databaseUp = true
    expect(await health.check("")).toBe("SERVING")
  } finally {
    await server.stop()
  }
})

it("a request that is not a HealthCheckRequest is answered INVALID_ARGUMENT and logged", async () => {
  const server = await TestServer.start(handlers)
  const raw = new grpc.Client(server.address, grpc.credentials.createInsecure())
  try {
    const identity = (value: Buffer) => value
    // Field 1, length-delimited, claiming 127 bytes that are not there.
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      raw.makeUnaryRequest("/grpc.health.v1.Health/Check", identity, identity, Buffer.from([0x0a, 0x7f, 0x01]), (e) =>
        resolve(e))
    )
    expect(error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT })
    expect(server.logs.some((line) => line.level === "Warn" && line.message.includes("invalid HealthCheckRequest"))).toBe(true)
  } finally {
    raw.close()
    await server.stop()
  }
})

it("health answers without the proxy credentials (a Kubernetes grpc probe sends none); proxy calls still need them", async () => {
  const server = await TestServer.start(handlers, { requireCredentials: { key: "x-proxy-key", value: "secret" } })
  const health = HealthClient.make(server.address)
  const proxy = ProxyClient.make(server.address)
  cleanup.push(() => health.close(), () => proxy.close())
  try {
    expect(await health.check("")).toBe("SERVING")
    const watch = health.watch(PROXY)
    await until(() => watch.statuses.length === 1)
    expect(watch.statuses).toEqual(["SERVING"])
    watch.cancel()
    const refused = await proxy.rpc({ client: "c1", method: "ping" }).then(() => 0, (e: { code: number }) => e.code)
    expect(refused).toBe(grpc.status.UNAUTHENTICATED)
  } finally {
    await server.stop()
  }
})

it("maxHealthWatches caps the open Watch streams: one more is refused RESOURCE_EXHAUSTED and logged", async () => {
  const server = await TestServer.start(handlers, { maxHealthWatches: 2 })
  const health = HealthClient.make(server.address)
  cleanup.push(() => health.close())
  try {
    const open = [health.watch(""), health.watch(PROXY)]
    await until(() => open.every((watch) => watch.statuses.length === 1))
    expect(await health.watch("").ended).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED })
    expect(server.logs.some((line) => line.level === "Warn" && line.message.includes("maxWatches"))).toBe(true)
    for (const watch of open) watch.cancel()
  } finally {
    await server.stop()
  }
})

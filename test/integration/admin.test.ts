// The admin server: /metrics after a scripted set of calls, parsed as Prometheus text; /healthz and /readyz, the
// latter 503 from the moment the proxy server starts draining.
import { ConfigProvider, Context, Effect, Exit, Layer, Scope, Stream } from "effect"
import { networkInterfaces } from "node:os"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Admin, CentrifugoApi, HandlerSet, Interceptor, ProxyServer, Readiness, Reply, RpcRouter } from "../../src/index.ts"
import { Centrifugo, ProxyClient } from "../../src/testing/index.ts"
import * as Prometheus from "../support/prometheus.ts"

const methods = {
  ping: () => Effect.succeed("pong"),
  boom: () => Effect.die(new Error("boom")),
  announce: () =>
    Effect.flatMap(Effect.service(CentrifugoApi.CentrifugoApi), (api) => api.publish({ channel: "news", data: 1 }))
}
const FakeApi = Layer.succeed(
  CentrifugoApi.CentrifugoApi,
  CentrifugoApi.make((method) => Effect.succeed(method === "publish" ? { offset: 1, epoch: "e" } : {}))
)
const handlers = HandlerSet.layer({
  rpc: RpcRouter.make(methods),
  subscribe: () => Effect.succeed(Reply.subscribe()),
  subscribeUnidirectional: () => Effect.succeed(Reply.stream(Stream.never))
}).pipe(Interceptor.metrics({ rpcMethods: Object.keys(methods) }), Layer.provide(FakeApi))

let readiness: Readiness.Readiness
let adminUrl: string
let proxyAddress: string
const outer = Scope.makeUnsafe()
const inner = Scope.makeUnsafe()

beforeAll(async () => {
  // Two scopes, so the proxy server can be stopped while the admin server keeps answering.
  const shared = await Effect.runPromise(Layer.buildWithScope(Readiness.layer(), outer))
  readiness = Context.get(shared, Readiness.Readiness)
  const admin = await Effect.runPromise(
    Layer.buildWithScope(Admin.layer({ host: "127.0.0.1", port: 0 }).pipe(Layer.provide(Layer.succeedContext(shared))), outer)
  )
  adminUrl = Context.get(admin, Admin.AdminServer).url
  const proxy = await Effect.runPromise(Layer.buildWithScope(
    ProxyServer.layer({ host: "127.0.0.1", port: 0, drainDelay: "3 seconds" }).pipe(
      Layer.provide(handlers),
      Layer.provide(Layer.succeedContext(shared))
    ),
    inner
  ))
  proxyAddress = Context.get(proxy, ProxyServer.ProxyServer).address
})
afterAll(async () => {
  await Effect.runPromise(Scope.close(inner, Exit.void))
  await Effect.runPromise(Scope.close(outer, Exit.void))
})

const scrape = async () => {
  const response = await fetch(`${adminUrl}/metrics`)
  expect(response.status).toBe(200)
  expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4")
  return Prometheus.parse(await response.text())
}

describe("admin server", () => {
  it("/metrics: calls by event, outcome and registered RPC method; durations in seconds; gauges; API calls", async () => {
    const client = ProxyClient.make(proxyAddress)
    try {
      const rpc = (method: string) => client.rpc({ client: "c1", user: "user-123", method })
      for (let i = 0; i < 3; i++) await rpc("ping")
      await rpc("boom")
      await rpc("user-123-private-method")
      await rpc("user-123-private-method")
      await rpc("announce")
      await client.subscribe({ client: "c1", user: "user-123", channel: "chat:user-123" })
      await client.subscribe({ client: "c1", user: "user-123", channel: "chat:user-456" })
      const stream = client.subscribeUnidirectional({ client: "c2", user: "u", channel: "stream:1" })
      stream.on("error", () => {})
      await new Promise((resolve) => stream.once("data", resolve))

      const metrics = await scrape()
      const calls = "centrifugo_proxy_calls_total"
      expect(metrics.get(calls)?.type).toBe("counter")
      expect(Prometheus.value(metrics, calls, { event: "rpc", method: "ping", outcome: "ok" })).toBe(3)
      expect(Prometheus.value(metrics, calls, { event: "rpc", method: "boom", outcome: "failed" })).toBe(1)
      expect(Prometheus.value(metrics, calls, { event: "rpc", method: "announce", outcome: "ok" })).toBe(1)
      // Unknown methods share one label value, whatever the client sent (error 104 from the router).
      expect(Prometheus.value(metrics, calls, { event: "rpc", method: "other", outcome: "error" })).toBe(2)
      // Two subscribe calls; the stream subscription's first reply is counted under its own event's name.
      expect(Prometheus.value(metrics, calls, { event: "subscribe", outcome: "ok" })).toBe(2)
      expect(Prometheus.value(metrics, calls, { event: "subscribeUnidirectional", outcome: "ok" })).toBe(1)

      const duration = "centrifugo_proxy_call_duration_seconds"
      expect(metrics.get(duration)?.type).toBe("histogram")
      const buckets = Prometheus.samples(metrics, `${duration}_bucket`, { event: "rpc" })
      expect(buckets.map((b) => b.labels.le)).toEqual([
        "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "10", "+Inf"
      ])
      const counts = buckets.map((b) => b.value)
      expect(counts).toEqual([...counts].sort((a, b) => a - b)) // cumulative
      expect(counts.at(-1)).toBe(7)
      expect(Prometheus.value(metrics, `${duration}_count`, { event: "rpc" })).toBe(7)
      expect(Prometheus.value(metrics, `${duration}_sum`, { event: "rpc" })).toBeLessThan(7 * 10)

      expect(Prometheus.value(metrics, "centrifugo_proxy_calls_in_flight", { event: "rpc" })).toBe(0)
      expect(Prometheus.value(metrics, "centrifugo_proxy_stream_subscriptions_open", { event: "subscribeUnidirectional" }))
        .toBe(1)
      expect(Prometheus.value(metrics, "centrifugo_api_calls_total", { method: "publish", outcome: "ok" })).toBe(1)

      expect(Prometheus.value(metrics, "process_resident_memory_bytes")).toBeGreaterThan(0)
      expect(Prometheus.value(metrics, "nodejs_heap_used_bytes")).toBeGreaterThan(0)
      expect(Prometheus.value(metrics, "nodejs_eventloop_delay_p99_seconds")).toBeGreaterThanOrEqual(0)

      // Bounded labels: no user, channel or client-chosen method name anywhere.
      const values = [...metrics.values()].flatMap((f) => f.samples).flatMap((s) => Object.values(s.labels))
      expect(values.filter((v) => v.includes("user-") || v.includes("chat:") || v === "c1")).toEqual([])

      stream.cancel()
      await expect.poll(async () =>
        Prometheus.value(await scrape(), "centrifugo_proxy_stream_subscriptions_open", { event: "subscribeUnidirectional" })
      ).toBe(0)
    } finally {
      client.close()
    }
  })

  it("/healthz stays 200; /readyz turns 503 as soon as the proxy server starts draining", async () => {
    expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200)
    const ready = await fetch(`${adminUrl}/readyz`)
    expect([ready.status, await ready.text()]).toEqual([200, "ready"])

    const drained = new Promise<void>((resolve) => readiness.onChange(resolve))
    const stopping = Effect.runPromise(Scope.close(inner, Exit.void))
    await drained
    const notReady = await fetch(`${adminUrl}/readyz`)
    expect([notReady.status, await notReady.text()]).toEqual([503, "not ready: draining"])
    // Still serving during the drain delay.
    const client = ProxyClient.make(proxyAddress)
    try {
      const reply = await client.rpc({ client: "c1", method: "ping" })
      expect(ProxyClient.parseJson(reply.result?.data)).toBe("pong")
    } finally {
      client.close()
    }
    await stopping
    expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200)
    expect((await fetch(`${adminUrl}/readyz`)).status).toBe(503)
  })
})

describe("the admin server's interface", () => {
  // It has no authentication: reachable from this machine only unless PROXY_ADMIN_HOST says otherwise.
  const external = Object.values(networkInterfaces()).flat().find((i) => i !== undefined && !i.internal && i.family === "IPv4")

  it("PROXY_ADMIN_PORT alone binds loopback: answered on 127.0.0.1, refused on the machine's other address", async () => {
    expect(external, "this test needs a non-loopback IPv4 address").toBeDefined()
    const port = await Centrifugo.freePort()
    const scope = Scope.makeUnsafe()
    try {
      await Effect.runPromise(
        Layer.buildWithScope(
          Admin.layerConfig().pipe(Layer.provide(Readiness.layer())),
          scope
        ).pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: { PROXY_ADMIN_PORT: String(port) } }))))
      )
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
      await expect(fetch(`http://${external!.address}:${port}/healthz`)).rejects.toThrow()
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  })

  it("PROXY_ADMIN_HOST=0.0.0.0 (as in a pod, for Prometheus) answers on the machine's other address too", async () => {
    const port = await Centrifugo.freePort()
    const scope = Scope.makeUnsafe()
    try {
      await Effect.runPromise(
        Layer.buildWithScope(Admin.layerConfig().pipe(Layer.provide(Readiness.layer())), scope).pipe(
          Effect.provide(
            ConfigProvider.layer(ConfigProvider.fromEnv({ env: { PROXY_ADMIN_PORT: String(port), PROXY_ADMIN_HOST: "0.0.0.0" } }))
          )
        )
      )
      expect((await fetch(`http://${external!.address}:${port}/healthz`)).status).toBe(200)
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  })
})

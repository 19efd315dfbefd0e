// Operations through a real Centrifugo v6.9.1: the example backend with the admin server, OTLP trace export and
// JSON logs. After a walkthrough (good and bad calls) `/metrics` shows the calls of each event; a `traceparent` the
// client sent as an emulated header continues into the handler spans; and none of the secrets used (proxy
// credentials, tokens, API keys) appears anywhere in the log output.
import type { Centrifuge } from "centrifuge"
import { ConfigProvider, Context, Effect, Exit, Layer, Scope } from "effect"
import {
  Admin,
  CentrifugoApi,
  HandlerSet,
  Interceptor,
  Logging,
  ProxyServer,
  Readiness,
  RpcRouter,
  TokenStorage,
  Tracing
} from "effect-centrifugo"
import { Centrifugo, ProxyClient } from "effect-centrifugo/testing"
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, expect, it } from "vitest"
import { AppHandlers } from "../../examples/app.ts"
import { NewsHttp, NewsStoreMemory } from "../../examples/news.ts"
import { Topics } from "../../examples/subscribe.ts"
import { centrifugoBin, client, next } from "../support/e2e.ts"
import { startCollector } from "../support/otlp.ts"
import * as Prometheus from "../support/prometheus.ts"
import { Chat } from "../support/contract.ts"

const secrets = {
  credentialsValue: `proxy-secret-${randomUUID()}`,
  wrongCredentialsValue: `wrong-proxy-secret-${randomUUID()}`,
  apiKey: `api-key-${randomUUID()}`,
  wrongApiKey: `wrong-api-key-${randomUUID()}`,
  aliceToken: `alice-token-${randomUUID()}`,
  forgedToken: `forged-token-${randomUUID()}`
}
const CREDENTIALS_KEY = "x-proxy-auth"
const TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
const CLIENT_SPAN = "b7ad6b7169203331"

/** The other backends' addresses, under keys of their own. */
const BadKey = Context.Service<{ readonly address: string }>("test/BadKey")
const Unreachable = Context.Service<{ readonly address: string }>("test/Unreachable")
const addressAs = <I, E, R>(
  key: Context.Key<I, { readonly address: string }>,
  server: Layer.Layer<ProxyServer.ProxyServer, E, R>
) => Layer.effect(key, Effect.map(Effect.service(ProxyServer.ProxyServer), (s) => ({ address: s.address }))).pipe(Layer.provide(server))

const lines: Array<string> = []
const host = "127.0.0.1"
let collector: Awaited<ReturnType<typeof startCollector>>
let centrifugo: Centrifugo.RunningCentrifugo
let adminUrl: string
let backendAddress: string
let badKeyAddress: string
let unreachableAddress: string
const scope = Scope.makeUnsafe()
const clients: Array<Centrifuge> = []

beforeAll(async () => {
  collector = await startCollector()
  const port = await Centrifugo.freePort()
  const centrifugoUrl = `http://${host}:${port}`
  const requireCredentials = { key: CREDENTIALS_KEY, value: secrets.credentialsValue }

  const services = Layer.mergeAll(
    TokenStorage.layerMemory({ [secrets.aliceToken]: { user: "alice", claims: { name: "Alice" } } }),
    Topics,
    NewsHttp
  ).pipe(Layer.provideMerge(NewsStoreMemory))
  const app = AppHandlers.pipe(
    Interceptor.tracing(),
    Layer.provide(services),
    Layer.provide(CentrifugoApi.layerHttpFetch({ url: centrifugoUrl, key: secrets.apiKey }))
  )
  // A second backend whose API key Centrifugo refuses, and one whose Centrifugo is unreachable: their failures
  // are logged with their causes, which must not carry the key either.
  const failing = (url: string, key: string) =>
    HandlerSet.layer({
      rpc: RpcRouter.make({
        publish: () =>
          Effect.flatMap(Effect.service(CentrifugoApi.CentrifugoApi), (api) => api.publish({ channel: "news", data: 1 }))
      })
    }).pipe(Interceptor.logging(), Layer.provide(CentrifugoApi.layerHttpFetch({ url, key })))
  const tracing = Tracing.layerConfig().pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_SERVICE_NAME: "e2e" }
  }))))
  const unreachable = `http://${host}:${await Centrifugo.freePort()}`
  const layer = Layer.mergeAll(
    ProxyServer.layer({ host, port: 0, requireCredentials }).pipe(Layer.provide(app)),
    addressAs(BadKey, ProxyServer.layer({ host, port: 0, requireCredentials }).pipe(
      Layer.provide(failing(centrifugoUrl, secrets.wrongApiKey))
    )),
    addressAs(Unreachable, ProxyServer.layer({ host, port: 0, requireCredentials }).pipe(
      Layer.provide(failing(unreachable, secrets.apiKey))
    )),
    Admin.layer({ host, port: 0 })
  ).pipe(
    Layer.provide(Readiness.layer()),
    Layer.provide(tracing),
    Layer.provide(Logging.layer({ format: "json", level: "Debug", write: (line) => lines.push(line) }))
  )
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  backendAddress = Context.get(context, ProxyServer.ProxyServer).address
  adminUrl = Context.get(context, Admin.AdminServer).url
  badKeyAddress = Context.get(context, BadKey).address
  unreachableAddress = Context.get(context, Unreachable).address

  centrifugo = await Centrifugo.start({
    bin: centrifugoBin(),
    port,
    proxy: backendAddress,
    apiKey: secrets.apiKey,
    credentials: { key: CREDENTIALS_KEY, value: secrets.credentialsValue },
    emulatedHeaders: ["traceparent"],
    channels: [Chat]
  })
}, 60_000)

afterAll(async () => {
  for (const c of clients.splice(0)) c.disconnect()
  await centrifugo?.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await collector?.close()
})

it("a walkthrough shows in /metrics, continues the client's trace, and logs no secret", async () => {
  // Alice, with a trace of her own sent as an emulated header.
  const alice = client(centrifugo.websocketUrl, {
    data: { authToken: secrets.aliceToken },
    headers: { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01` }
  })
  clients.push(alice)
  const connected = next<{ data: unknown }>(alice, "connected")
  alice.connect()
  expect((await connected).data).toEqual({ user: "alice" })

  const forged = client(centrifugo.websocketUrl, { data: { authToken: secrets.forgedToken } })
  clients.push(forged)
  const refused = next<{ code: number }>(forged, "disconnected")
  forged.connect()
  expect((await refused).code).toBe(4501)

  const news = alice.newSubscription("news")
  const own = alice.newSubscription("user.alice")
  const subscribed = Promise.all([next(news, "subscribed"), next(own, "subscribed")])
  news.subscribe()
  own.subscribe()
  await subscribed
  expect((await alice.rpc("ping", {})).data).toBe("pong")
  // news.create is a method of the contract's RpcGroup: its reply data is the Exit envelope.
  expect((await alice.rpc("news.create", { title: "Operations", body: "!" })).data)
    .toMatchObject({ _tag: "Success", value: { deliveredTo: ["news", "user.alice"] } })
  const chat = alice.newSubscription("chat:lobby")
  const chatSubscribed = next(chat, "subscribed")
  chat.subscribe()
  await chatSubscribed
  await chat.publish({ text: "hello" })
  await expect(chat.publish({ text: "" })).rejects.toMatchObject({ code: 107 })

  // Bad calls straight to the backends: wrong proxy credentials, a refused API key, an unreachable API.
  const direct = ProxyClient.make(backendAddress)
  const badKey = ProxyClient.make(badKeyAddress)
  const noApi = ProxyClient.make(unreachableAddress)
  try {
    await expect(direct.rpc({ client: "x", method: "ping" }, {
      metadata: { [CREDENTIALS_KEY]: secrets.wrongCredentialsValue }
    })).rejects.toMatchObject({ code: 16 })
    const metadata = { [CREDENTIALS_KEY]: secrets.credentialsValue }
    expect((await badKey.rpc({ client: "x", method: "publish" }, { metadata })).error?.code).toBe(100)
    expect((await noApi.rpc({ client: "x", method: "publish" }, { metadata })).error?.code).toBe(100)
  } finally {
    direct.close()
    badKey.close()
    noApi.close()
  }

  // /metrics: the calls of each event of the walkthrough.
  const metrics = Prometheus.parse(await (await fetch(`${adminUrl}/metrics`)).text())
  const calls = (labels: Record<string, string>) =>
    Prometheus.samples(metrics, "centrifugo_proxy_calls_total", labels).reduce((sum, s) => sum + s.value, 0)
  expect(calls({ event: "connect", outcome: "ok" })).toBe(1)
  expect(calls({ event: "connect", outcome: "disconnect" })).toBe(1)
  expect(calls({ event: "subscribe", outcome: "ok" })).toBe(3)
  expect(calls({ event: "rpc", outcome: "ok" })).toBe(2)
  expect(calls({ event: "publish", outcome: "ok" })).toBe(1)
  expect(calls({ event: "publish", outcome: "error" })).toBe(1)
  expect(Prometheus.value(metrics, "centrifugo_proxy_call_duration_seconds_count", { event: "connect" })).toBe(2)
  expect(Prometheus.value(metrics, "centrifugo_api_calls_total", { method: "broadcast", outcome: "ok" })).toBe(1)
  expect(Prometheus.value(metrics, "centrifugo_api_calls_total", { method: "publish", outcome: "unauthorized" })).toBe(1)
  expect(Prometheus.value(metrics, "centrifugo_api_calls_total", { method: "publish", outcome: "transport_error" }))
    .toBe(1)
  expect((await fetch(`${adminUrl}/readyz`)).status).toBe(200)

  // Stop the backends: the exporter flushes, the drain flips readiness.
  for (const c of clients.splice(0)) c.disconnect()
  await centrifugo.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))

  // The client's trace continues into the handler spans (connect and RPC), and into the API call under the RPC.
  const connect = collector.spans.find((s) => s.name === "centrifugo.connect" && s.traceId === TRACE_ID)
  expect(connect).toMatchObject({ parentSpanId: CLIENT_SPAN, kind: 2 })
  const create = collector.spans.filter((s) => s.name === "centrifugo.rpc" && s.traceId === TRACE_ID)
  expect(create.length).toBe(2) // ping and news.create
  expect(create.every((s) => s.parentSpanId === CLIENT_SPAN)).toBe(true)
  const broadcast = collector.spans.find((s) => s.name === "CentrifugoApi.broadcast")
  expect(broadcast?.traceId).toBe(TRACE_ID)
  expect(create.map((s) => s.spanId)).toContain(broadcast?.parentSpanId)

  // Logs: JSON, one object per line, annotated; the bad calls were logged; no secret anywhere.
  const parsed = lines.map((line) => JSON.parse(line) as { message: unknown; level: string; annotations: Record<string, unknown> })
  const text = lines.join("\n")
  expect(parsed.find((l) => String(l.message).startsWith("Connect -> disconnect 4501"))?.annotations)
    .toMatchObject({ event: "connect" })
  expect(parsed.find((l) => String(l.message).startsWith("RPC ping -> ok"))?.annotations)
    .toMatchObject({ event: "rpc", user: "alice", traceId: TRACE_ID })
  expect(text).toContain("missing or wrong proxy credentials")
  expect(parsed.filter((l) => l.level === "ERROR").length).toBeGreaterThanOrEqual(2)
  for (const [name, secret] of Object.entries(secrets)) {
    expect(text.includes(secret), `${name} appears in the log`).toBe(false)
  }
}, 60_000)

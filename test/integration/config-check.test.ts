// PROXY_CENTRIFUGO_CONFIG: both servers check Centrifugo's config against their handlers at start and log each
// disagreement (proxies without handlers, handlers without proxies, proxies of the other transport).
import { ConfigProvider, Effect, Exit, Layer, Logger, Scope } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, expect, it } from "vitest"
import { CentrifugoConfig, HandlerSet, HttpProxy, ProxyServer, Reply, RpcRouter } from "../../src/index.ts"
import { startMounted } from "../support/http-servers.ts"

const dir = mkdtempSync(join(tmpdir(), "config-check-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const handlers = HandlerSet.layer({
  connect: () => Effect.succeed(Reply.connect({ user: "u" })),
  rpc: RpcRouter.make({ ping: () => Effect.succeed("pong") })
})

/** A config for connect and publish (no rpc) over `transport`, written to a file. */
const configFile = (transport: "grpc" | "http") => {
  const path = join(dir, `${transport}.json`)
  const { config } = CentrifugoConfig.generate({ events: ["connect", "publish"] }, { transport })
  writeFileSync(path, JSON.stringify(config))
  return path
}

/** The warnings a server Layer logs while it starts with PROXY_CENTRIFUGO_CONFIG=`path`. */
const startWarnings = async (server: Layer.Layer<never, unknown, HandlerSet.HandlerSet>, path: string) => {
  const lines: Array<string> = []
  const capture = Logger.make<unknown, void>(({ logLevel, message }) => {
    if (logLevel === "Warn") lines.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
  })
  const env = { PROXY_CENTRIFUGO_CONFIG: path, PROXY_HOST: "127.0.0.1", PROXY_PORT: "0", PROXY_HTTP_HOST: "127.0.0.1", PROXY_HTTP_PORT: "0" }
  const scope = Scope.makeUnsafe()
  try {
    await Effect.runPromise(
      Layer.buildWithScope(
        server.pipe(Layer.provide(handlers), Layer.provide(Logger.layer([capture]))),
        scope
      ).pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))))
    )
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
  return lines
}

it.each([
  ["HTTP", (): Layer.Layer<never, unknown, HandlerSet.HandlerSet> => Layer.effectDiscard(Layer.build(HttpProxy.layerConfig())), "http", "grpc"],
  ["gRPC", (): Layer.Layer<never, unknown, HandlerSet.HandlerSet> => Layer.effectDiscard(Layer.build(ProxyServer.layerConfig())), "grpc", "http"]
] as const)("the %s server logs the config's mismatches at start", async (_, server, own, other) => {
  const matching = await startWarnings(server(), configFile(own))
  expect(matching).toEqual([
    expect.stringContaining("proxy without handler: channel.without_namespace.publish_proxy_enabled sends `publish` calls"),
    expect.stringContaining("handler without proxy: `rpc`")
  ])
  const otherTransport = await startWarnings(server(), configFile(other))
  expect(otherTransport).toContainEqual(
    expect.stringContaining(`its proxies call the backend over ${other}, and this server answers ${own}`)
  )
})

it("HttpProxy.routes mounted in an effect/http app logs the config's mismatches at start too", async () => {
  const server = await startMounted(handlers, { centrifugoConfig: configFile("http") })
  try {
    expect(server.logs.filter((l) => l.level === "Warn").map((l) => l.message)).toEqual([
      expect.stringContaining("proxy without handler: channel.without_namespace.publish_proxy_enabled sends `publish` calls"),
      expect.stringContaining("handler without proxy: `rpc`")
    ])
  } finally {
    await server.stop()
  }
})

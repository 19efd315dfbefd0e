// Regenerating an existing centrifugo.json (src/cli/merge.ts, under `config --out`): the user's additions stay, the
// proxies follow the handlers, a transport switch replaces the endpoints, and settings of the user's own that still
// disagree with the handlers are reported as conflicts (the CLI then refuses to write).
import { describe, expect, it } from "vitest"
import * as CentrifugoConfig from "../../src/internal/centrifugoConfig.ts"
import { Defaults } from "effect-centrifugo"
import { configSecret, configTransport, merge } from "../../src/cli/merge.ts"

const secret = { key: Defaults.credentialsKey, value: "replace-with-a-shared-secret" }
const generate = (events: ReadonlyArray<"connect" | "rpc" | "subscribe" | "sharedPollRefresh">, transport: "grpc" | "http") =>
  CentrifugoConfig.generate({ events: [...events] }, { transport, credentials: secret }).config

/** What a user does to the generated file: a namespace, the API key, a real secret, a proxy endpoint host. */
const edited = () => {
  const config = structuredClone(generate(["connect", "rpc"], "grpc")) as any // a JSON document edited by hand
  config.http_api.key = "my-api-key"
  config.channel = { namespaces: [{ name: "chat", presence: true }] }
  config.client.proxy.connect.grpc.credentials_value = "s3cret"
  config.client.proxy.connect.endpoint = "grpc://backend:10001"
  config.client.proxy.connect.timeout = "5s"
  return config as Record<string, unknown>
}

describe("config regeneration (merge)", () => {
  it("keeps every addition and the proxy's own values, adds the new handler's proxy, lists the changes", () => {
    const before = edited()
    const merged = merge(before, generate(["connect", "rpc", "subscribe"], "grpc"), { events: ["connect", "rpc", "subscribe"] })
    expect(merged.conflicts).toEqual([])
    expect(merged.config).toMatchObject({
      http_api: { key: "my-api-key" },
      client: { proxy: { connect: { endpoint: "grpc://backend:10001", timeout: "5s", grpc: { credentials_value: "s3cret" } } } },
      channel: {
        namespaces: [{ name: "chat", presence: true }],
        without_namespace: { subscribe_proxy_enabled: true },
        proxy: { subscribe: { endpoint: `grpc://127.0.0.1:${Defaults.grpc.port}` } }
      }
    })
    expect(merged.changes).toEqual(["+ channel.proxy", "+ channel.without_namespace"])
    expect(CentrifugoConfig.checkConfig(merged.config, { events: ["connect", "rpc", "subscribe"] })).toEqual([])
  })

  it("nothing changes when the handlers did not", () => {
    const before = edited()
    expect(merge(before, generate(["connect", "rpc"], "grpc"), { events: ["connect", "rpc"] }).changes).toEqual([])
  })

  it("removes the proxy, flag and namespace of a handler that is gone", () => {
    const before = generate(["connect", "rpc", "sharedPollRefresh"], "grpc")
    const merged = merge(before, generate(["connect"], "grpc"), { events: ["connect"] })
    expect(merged.conflicts).toEqual([])
    expect([...CentrifugoConfig.proxiedEvents(merged.config).keys()]).toEqual(["connect"])
    expect(merged.changes).toEqual(expect.arrayContaining(["- channel", "- rpc"]))
  })

  it("a transport switch replaces the endpoints and drops the other transport's settings", () => {
    const merged = merge(edited(), generate(["connect", "rpc"], "http"), { events: ["connect", "rpc"] })
    const connect = (merged.config as any).client.proxy.connect // a JSON document
    expect(connect.endpoint).toBe(`http://127.0.0.1:${Defaults.http.port}${Defaults.http.prefix}/connect`)
    expect(connect.grpc).toBeUndefined()
    expect(connect.http.static_headers).toEqual({ [secret.key]: secret.value })
    expect(configTransport(merged.config)).toBe("http")
    expect((merged.config as any).http_api.key).toBe("my-api-key") // a JSON document
  })

  it("an explicit endpoint, secret or Centrifugo port on the command line wins over the file's", () => {
    const generated = CentrifugoConfig.generate({ events: ["connect", "rpc"] }, {
      transport: "grpc",
      endpoint: "10.0.0.5:9000",
      httpPort: 9100,
      credentials: { key: secret.key, value: "new" }
    }).config
    const explicit = { endpoint: true, secret: true, httpServer: true }
    const merged = merge(edited(), generated, { events: ["connect", "rpc"] }, explicit)
    expect(merged.config).toMatchObject({
      http_server: { port: 9100 },
      client: { proxy: { connect: { endpoint: "grpc://10.0.0.5:9000", timeout: "5s", grpc: { credentials_value: "new" } } } }
    })
    const implicit = merge(edited(), generated, { events: ["connect", "rpc"] })
    expect(implicit.config).toMatchObject({
      http_server: { port: Defaults.centrifugo.httpPort },
      client: { proxy: { connect: { endpoint: "grpc://backend:10001", grpc: { credentials_value: "s3cret" } } } }
    })
  })

  it("reports the user's own proxy that no handler answers as a conflict", () => {
    const before = edited() as any // a JSON document edited by hand
    before.channel.namespaces[0].publish_proxy_enabled = true
    const merged = merge(before, generate(["connect", "rpc"], "grpc"), { events: ["connect", "rpc"] })
    expect(merged.conflicts).toEqual([{ _tag: "ProxyWithoutHandler", event: "publish", at: "channel.namespaces[chat].publish_proxy_enabled" }])
  })

  it("reads the transport and the secret of an existing config", () => {
    expect(configTransport(generate(["connect"], "http"))).toBe("http")
    expect(configTransport(generate(["connect"], "grpc"))).toBe("grpc")
    expect(configTransport({ http_api: {} })).toBeUndefined()
    expect(configSecret(edited())).toEqual({ key: secret.key, value: "s3cret" })
    expect(configSecret(generate(["rpc"], "http"))).toEqual(secret)
  })
})

describe("Defaults", () => {
  it("the generated HTTP endpoint is where HttpProxy.layerConfig() listens by default", () => {
    const config = CentrifugoConfig.generate({ events: ["connect"] }, { transport: "http" }).config as any // JSON
    expect(config.client.proxy.connect.endpoint).toBe("http://127.0.0.1:10002/centrifugo/connect")
    const grpc = CentrifugoConfig.generate({ events: ["connect"] }, { transport: "grpc" }).config as any // JSON
    expect(grpc.client.proxy.connect.endpoint).toBe("grpc://127.0.0.1:10001")
  })
})

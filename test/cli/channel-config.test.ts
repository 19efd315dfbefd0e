// The Centrifugo config from the contract: channel.namespaces with exactly the proxies and options the routed
// channels need, `config --check`'s namespace findings, regeneration that keeps the user's additions, and
// `centrifugo checkconfig --strict` on what is generated (the real binary).
import { execFileSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { CentrifugoConfig, ChannelRouter, HandlerSet } from "effect-centrifugo"
import { Centrifugo } from "effect-centrifugo/testing"
import { merge } from "../../src/cli/merge.ts"
import { Personal, routes } from "../support/contract.ts"

const bin = execFileSync("bash", ["scripts/build-centrifugo.sh"], { encoding: "utf8" }).trim()
const handlers = HandlerSet.layer({ ...ChannelRouter.handlers(routes), connect: () => { throw new Error("unused") } })
const description = handlers.description
const generate = (transport: "grpc" | "http") =>
  CentrifugoConfig.generate(description, { transport, credentials: { key: "k", value: "v" } }).config
const namespaces = (config: any) => config.channel.namespaces // a generated JSON document

describe("config from the contract", () => {
  it("writes each channel's namespace with its options and exactly the proxies its route needs", () => {
    const config = generate("grpc") as any // the generated JSON document
    expect(namespaces(config)).toEqual([
      {
        name: "tickets",
        presence: true,
        allow_presence_for_subscriber: true,
        join_leave: true,
        force_push_join_leave: true,
        history_size: 50,
        history_ttl: "300s",
        allow_history_for_subscriber: true,
        force_recovery: true,
        subscribe_proxy_enabled: true,
        publish_proxy_enabled: true
      },
      { name: "personal", allow_user_limited_channels: true, subscribe_proxy_enabled: true }
    ])
    // Routed events are not proxied for channels without namespace (no route would answer them).
    expect(config.channel.without_namespace).toBeUndefined()
    expect(Object.keys(config.channel.proxy)).toEqual(["subscribe", "publish"])
    expect(CentrifugoConfig.checkConfig(config, description)).toEqual([])
  })

  it("contract channels no route serves get their namespace too (options, and the proxies asked for)", () => {
    const config = CentrifugoConfig.generate({ events: ["connect", "subscribe"] }, {
      transport: "grpc",
      channels: [{ channel: Personal, events: ["subscribe", "publish"] }]
    }).config as any // the generated JSON document
    expect(namespaces(config)).toEqual([
      { name: "personal", allow_user_limited_channels: true, subscribe_proxy_enabled: true }
    ])
    expect(config.channel.without_namespace).toEqual({ subscribe_proxy_enabled: true })
  })

  it("config --check reports a missing namespace, a proxy off that a route needs, one on with no route", () => {
    const config = structuredClone(generate("grpc")) as any // edited by hand below
    config.channel.namespaces = [
      { ...namespaces(config)[0], publish_proxy_enabled: false, history_size: 10 },
      { name: "other", subscribe_proxy_enabled: true }
    ]
    config.channel.without_namespace = { publish_proxy_enabled: true }
    const found = CentrifugoConfig.checkConfig(config, description).map(CentrifugoConfig.formatMismatch)
    expect(found).toEqual([
      expect.stringMatching(/^option differs: namespace tickets has history_size = 10, the channel needs 50/),
      expect.stringMatching(/^proxy off: namespace tickets has no publish_proxy_enabled/),
      expect.stringMatching(/^namespace missing: channels of `personal`/),
      expect.stringMatching(/^proxy without handler: channel.without_namespace enables publish_proxy_enabled/),
      expect.stringMatching(/^proxy without handler: namespace other enables subscribe_proxy_enabled/)
    ])
  })

  it("regenerating keeps what the user added to a channel namespace and takes the contract's options", () => {
    const existing = structuredClone(generate("grpc")) as any // edited by hand below
    namespaces(existing)[0].history_size = 10
    namespaces(existing)[0].allow_positioning = true
    namespaces(existing).push({ name: "mine", presence: true })
    const merged = merge(existing, generate("grpc"), description)
    expect(merged.conflicts).toEqual([])
    expect(namespaces(merged.config)[0]).toMatchObject({ history_size: 50, allow_positioning: true })
    expect(namespaces(merged.config).map((ns: { name: string }) => ns.name)).toEqual(["tickets", "personal", "mine"])
    expect(merged.changes).toEqual(["~ channel.namespaces[tickets].history_size"])
    // A namespace of the user's own that enables a routed proxy: refused, with the reason.
    namespaces(existing).push({ name: "legacy", publish_proxy_enabled: true })
    const refused = merge(existing, generate("grpc"), description)
    expect(refused.conflicts.map(CentrifugoConfig.formatMismatch)).toEqual([
      expect.stringMatching(/^proxy without handler: namespace legacy enables publish_proxy_enabled/)
    ])
  })

  it("centrifugo checkconfig --strict accepts the generated configs (both transports)", async () => {
    for (const transport of ["grpc", "http"] as const) {
      await expect(Centrifugo.checkWithBinary(bin, generate(transport))).resolves.toBeTypeOf("string")
    }
  })
})

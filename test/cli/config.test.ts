// The handler-set description (HandlerSet.Described) through interceptors and merges, and the Centrifugo config
// generated from it and checked against it (src/CentrifugoConfig.ts): the pure parts under the CLI's `config`.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Auth, HandlerSet, Interceptor, Reply, RpcRouter, TokenStorage } from "effect-centrifugo"
import { handle, rpcRequest } from "effect-centrifugo/testing"
import * as CentrifugoConfig from "../../src/internal/centrifugoConfig.ts"
import { loadDescription } from "../../src/cli/config.ts"

const connect = () => Effect.succeed(Reply.connect({ user: "u" }))
const rpc = RpcRouter.make({ ping: () => Effect.succeed("pong"), "post:news/store": () => Effect.succeed(1) })
const Base = HandlerSet.layer({ connect, rpc })

describe("HandlerSet.Described: the description", () => {
  it("names the events and the router's rpc methods of HandlerSet.layer", () => {
    expect(Base.description).toEqual({ events: ["connect", "rpc"], rpcMethods: ["ping", "post:news/store"] })
    expect(rpc.description).toEqual({ rpcMethods: ["ping", "post:news/store"] })
  })

  it("is carried over by interceptors, and Auth.authenticate marks the connection meta as used", () => {
    const wrapped = Base.pipe(Interceptor.timeout("1 second", { events: ["rpc"] }), Interceptor.logging())
    expect(wrapped.description).toEqual(Base.description)
    const authenticated = Base.pipe(Auth.authenticate(), Interceptor.metrics())
    expect(authenticated.description).toEqual({ ...Base.description, usesConnectionMeta: true })
    const own = Base.pipe(Interceptor.make((request, next) => next(request), { description: { usesConnectionMeta: true } }))
    expect(own.description.usesConnectionMeta).toBe(true)
  })

  it("merges: the union of the events, the rpc methods of the side whose rpc wins", () => {
    const second = HandlerSet.layer({ refresh: () => Effect.succeed(Reply.refresh()) }).pipe(Auth.authenticate())
    expect(HandlerSet.merge(Base, second).description).toEqual({
      events: ["connect", "rpc", "refresh"],
      rpcMethods: ["ping", "post:news/store"],
      usesConnectionMeta: true
    })
    const otherRpc = HandlerSet.layer({ rpc: RpcRouter.make({ other: () => Effect.succeed(1) }) })
    expect(HandlerSet.merge(Base, otherRpc).description.rpcMethods).toEqual(["other"])
  })

  it("HandlerSet.provide keeps it; Layer.provide returns a plain Layer, which no interceptor takes", () => {
    const needsTokens = Base.pipe(Auth.authenticate())
    const provided = needsTokens.pipe(HandlerSet.provide(TokenStorage.layerMemory({})), Interceptor.logging())
    expect(provided.description).toEqual(needsTokens.description)
    const plain = needsTokens.pipe(Layer.provide(TokenStorage.layerMemory({})))
    // Type-level only (tsc checks the directives; never called, since a plain Layer has nothing to read).
    const misuses = () => [
      // @ts-expect-error a plain Layer has lost the description: interceptors do not take it
      Interceptor.logging()(plain),
      // @ts-expect-error ... nor does HandlerSet.merge
      HandlerSet.merge(Base, plain)
    ]
    void misuses
    expect("description" in plain).toBe(false)
  })

  it.effect("the CLI reads it from a module's export, and refuses a plain Layer with the reason", () =>
    Effect.gen(function*() {
      const spec = (name: string) => `test/fixtures/handler-sets.ts#${name}`
      const expected = { events: ["connect", "rpc"], rpcMethods: ["ping"], usesConnectionMeta: true }
      expect(yield* loadDescription(spec("Described"), process.cwd())).toEqual(expected)
      expect(yield* loadDescription(spec("ProvidedKeepingIt"), process.cwd())).toEqual(expected)
      for (const name of ["ProvidedPlain", "NotALayer"]) {
        const refused = yield* Effect.flip(loadDescription(spec(name), process.cwd()))
        expect(refused.message).toContain(`${name} in`)
        expect(refused.message).toContain("use HandlerSet.provide")
      }
    }))

  it.effect("a described, wrapped Layer still serves as before", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({ method: "ping" }))
      expect(reply.result?.data).toBe("pong")
    }).pipe(
      Effect.provide(Base.pipe(Auth.authenticate(), Interceptor.logging())),
      Effect.provide(TokenStorage.layerMemory({}))
    ))
})

describe("CentrifugoConfig.generate", () => {
  const options = { transport: "grpc", endpoint: "127.0.0.1:10001" } as const

  it("enables the proxies of exactly the events handled", () => {
    const { config } = CentrifugoConfig.generate({ events: ["connect", "rpc"] }, options)
    expect(CentrifugoConfig.proxiedEvents(config)).toEqual(
      new Map([["connect", ["client.proxy.connect"]], ["rpc", ["rpc.without_namespace.proxy_enabled"]]])
    )
    expect(config).not.toHaveProperty("channel")
    expect(config).toMatchObject({ rpc: { namespace_boundary: "::", proxy: { endpoint: "grpc://127.0.0.1:10001" } } })
  })

  it("sends the connection meta only when the handlers use it", () => {
    const plain = CentrifugoConfig.generate({ events: ["connect", "publish"] }, options).config
    expect(JSON.stringify(plain)).not.toContain("include_connection_meta")
    const meta = CentrifugoConfig.generate({ events: ["connect", "publish"], usesConnectionMeta: true }, options).config
    expect(meta).toMatchObject({ channel: { proxy: { publish: { include_connection_meta: true } } } })
    expect(meta).not.toHaveProperty("client.proxy.connect.include_connection_meta")
  })

  it("over HTTP: one endpoint per event, the secret as a header, stream events noted and left out", () => {
    const { config, notes } = CentrifugoConfig.generate(
      { events: ["subRefresh", "mapRemove", "subscribeUnidirectional", "notifyCacheEmpty"] },
      { transport: "http", endpoint: "http://127.0.0.1:3000/", credentials: { key: "X-Secret", value: "s" } }
    )
    expect(config).toMatchObject({
      channel: {
        proxy: {
          sub_refresh: { endpoint: "http://127.0.0.1:3000/centrifugo/sub_refresh", http: { static_headers: { "X-Secret": "s" } } },
          map_remove: { endpoint: "http://127.0.0.1:3000/centrifugo/map_remove" }
        }
      }
    })
    expect(notes).toHaveLength(2)
    expect([...CentrifugoConfig.proxiedEvents(config).keys()].sort()).toEqual(["mapRemove", "subRefresh"])
  })
})

describe("CentrifugoConfig.checkConfig", () => {
  const description: HandlerSet.Description = { events: ["connect", "rpc"], rpcMethods: ["ping", "post:news/store"] }
  const generated = CentrifugoConfig.generate(description, { transport: "grpc", endpoint: "127.0.0.1:10001" }).config

  it("finds nothing wrong in the config generated for the same handlers", () => {
    expect(CentrifugoConfig.checkConfig(generated, description)).toEqual([])
  })

  it("reports proxies without handlers and handlers without proxies", () => {
    const config = {
      client: { proxy: { refresh: { enabled: true } } },
      channel: { namespaces: [{ name: "chat", publish_proxy_enabled: true }] },
      rpc: { namespace_boundary: "::", without_namespace: { proxy_enabled: true } }
    }
    expect(CentrifugoConfig.checkConfig(config, description)).toEqual([
      { _tag: "ProxyWithoutHandler", event: "refresh", at: "client.proxy.refresh" },
      { _tag: "ProxyWithoutHandler", event: "publish", at: "channel.namespaces[chat].publish_proxy_enabled" },
      { _tag: "HandlerWithoutProxy", event: "connect" }
    ])
  })

  it("reports `verb:path` methods the default `:` boundary sends to an unknown namespace", () => {
    const config = { client: { proxy: { connect: { enabled: true } } }, rpc: { without_namespace: { proxy_enabled: true } } }
    const mismatches = CentrifugoConfig.checkConfig(config, description)
    expect(mismatches).toEqual([{ _tag: "RpcMethodUnreachable", method: "post:news/store" }])
    expect(CentrifugoConfig.formatMismatch(mismatches[0]!)).toContain("namespace_boundary")
  })
})

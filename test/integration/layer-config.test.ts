// Both servers' layerConfig: options as Config.Wrap over environment defaults, and one ConfigError naming every bad
// variable (not only the first).
import { Config, ConfigProvider, Context, Effect, Exit, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { HandlerSet, HttpProxy, ProxyServer, Reply } from "../../src/index.ts"
import { HttpProxyClient } from "../../src/testing/index.ts"

const handlers = HandlerSet.layer({ rpc: () => Effect.succeed(Reply.rpc({ data: "ok" })) })

/** Builds `layer` with these environment variables and runs `use` with its context. */
const withEnv = <A, E>(
  layer: Layer.Layer<A, E, HandlerSet.HandlerSet>,
  env: Record<string, string>,
  use: (context: Context.Context<A>) => Promise<void> = async () => {}
) =>
  Effect.runPromiseExit(
    Layer.build(layer.pipe(Layer.provide(handlers))).pipe(
      Effect.flatMap((context) => Effect.promise(() => use(context))),
      Effect.scoped,
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(env)))
    )
  )

const failure = (exit: Exit.Exit<unknown, unknown>): string => {
  expect(exit._tag).toBe("Failure")
  return String(exit._tag === "Failure" ? exit.cause : "")
}

const cases = [
  {
    name: "ProxyServer",
    layerConfig: ProxyServer.layerConfig,
    bad: { PROXY_PORT: "eighty", PROXY_SHUTDOWN_TIMEOUT: "soon", PROXY_CREDENTIALS_KEY: "x-proxy" },
    named: ["PROXY_PORT", "PROXY_SHUTDOWN_TIMEOUT", "PROXY_CREDENTIALS_VALUE"]
  },
  {
    name: "HttpProxy",
    layerConfig: HttpProxy.layerConfig,
    bad: { PROXY_HTTP_PORT: "eighty", PROXY_HTTP_BODY_TIMEOUT: "soon", PROXY_HTTP_CREDENTIALS_VALUE: "s3cret" },
    named: ["PROXY_HTTP_PORT", "PROXY_HTTP_BODY_TIMEOUT", "PROXY_HTTP_CREDENTIALS_KEY"]
  }
] as const

describe.each(cases)("$name.layerConfig", ({ bad, layerConfig, named }) => {
  it("names every bad variable in one ConfigError", async () => {
    const message = failure(await withEnv(layerConfig() as Layer.Layer<unknown, unknown, HandlerSet.HandlerSet>, bad))
    expect(message).toContain("ConfigError")
    for (const variable of named) expect(message).toContain(variable)
  })

  it("an option given as a Config replaces its variable; the others are still read", async () => {
    const given = layerConfig({ host: Config.succeed("127.0.0.1"), port: Config.succeed(0) }) as Layer.Layer<
      unknown,
      unknown,
      HandlerSet.HandlerSet
    >
    // The port variable is not read: only the other two bad ones are named.
    const message = failure(await withEnv(given, bad))
    expect(message).not.toContain(named[0])
    expect(message).toContain(named[1])
    expect(message).toContain(named[2])
  })

  it("options given as one Config replace the environment altogether", async () => {
    const whole = layerConfig(Config.succeed({ host: "127.0.0.1", port: 0 })) as Layer.Layer<
      unknown,
      unknown,
      HandlerSet.HandlerSet
    >
    expect((await withEnv(whole, bad))._tag).toBe("Success")
  })
})

it("HttpProxy.layerConfig requires the header named by PROXY_HTTP_CREDENTIALS_KEY", async () => {
  const exit = await withEnv(
    HttpProxy.layerConfig({ host: Config.succeed("127.0.0.1"), port: Config.succeed(0) }),
    { PROXY_HTTP_CREDENTIALS_KEY: "X-Proxy-Secret", PROXY_HTTP_CREDENTIALS_VALUE: "s3cret" },
    async (context) => {
      const client = HttpProxyClient.make(Context.get(context, HttpProxy.HttpProxy).url)
      expect((await client.rpc({ method: "m" })).status).toBe(401)
      const right = await client.rpc({ method: "m" }, { headers: { "X-Proxy-Secret": "s3cret" } })
      expect(right.json).toEqual({ result: { data: "ok" } })
    }
  )
  expect(exit._tag).toBe("Success")
})

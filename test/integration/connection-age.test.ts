// maxConnectionAge: the server closes each connection after its age (GOAWAY), the client reconnects, and no call
// fails across the rotation. A TCP forwarder between client and server counts the connections actually opened.
import { ConfigProvider, Context, Effect, Exit, Layer, Scope } from "effect"
import { createConnection, createServer, type Server, type Socket } from "node:net"
import { afterEach, expect, it } from "vitest"
import { Handlers, ProxyServer, Reply } from "../../src/index.ts"
import { ProxyClient, TestServer } from "../../src/testing/index.ts"

/** Forwards 127.0.0.1:<its port> to `target`, counting the connections it accepted. */
const forwarder = async (target: number) => {
  let accepted = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer((inbound) => {
    accepted++
    const outbound = createConnection(target, "127.0.0.1")
    sockets.add(inbound).add(outbound)
    inbound.pipe(outbound).pipe(inbound)
    const close = () => {
      inbound.destroy()
      outbound.destroy()
      sockets.delete(inbound)
      sockets.delete(outbound)
    }
    inbound.on("error", close).on("close", close)
    outbound.on("error", close).on("close", close)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    port,
    accepted: () => accepted,
    close: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

// Calls take 0-40 ms so that some are always in flight when a connection's age comes.
const handlers = Handlers.layer({
  rpc: (request) =>
    Effect.sleep(`${Number(request.method.slice(5))} millis`).pipe(Effect.as(Reply.rpc({ data: request.method })))
})

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** 16 concurrent callers, 40 calls each, every answer checked; returns the failures. */
const load = async (client: ProxyClient.ProxyClient) => {
  const failures: Array<string> = []
  let answered = 0
  await Promise.all(Array.from({ length: 16 }, async (_, caller) => {
    for (let i = 0; i < 40; i++) {
      const method = `slow.${(caller * 7 + i * 13) % 41}`
      try {
        const response = await client.rpc({ method, client: `c${caller}` }, { timeoutMs: 5_000 })
        if (ProxyClient.parseJson(response.result?.data) === method) answered++
        else failures.push(`${method}: ${JSON.stringify(response)}`)
      } catch (error) {
        failures.push(`${method}: ${String(error)}`)
      }
    }
  }))
  return { answered, failures }
}

it("no call fails while connections are rotated by maxConnectionAge under load", async () => {
  const server = await TestServer.start(handlers, { maxConnectionAge: "150 millis", maxConnectionAgeGrace: "5 seconds" })
  cleanup.push(server.stop)
  const proxy = await forwarder(server.port)
  cleanup.push(proxy.close)
  const client = ProxyClient.make(`127.0.0.1:${proxy.port}`)
  cleanup.push(() => client.close())

  const { answered, failures } = await load(client)

  expect(failures).toEqual([])
  expect(answered).toBe(16 * 40)
  // 640 calls of ~20 ms each over 16 callers last ~800 ms: several connection ages. Without maxConnectionAge the
  // client keeps its first connection for the whole run.
  expect(proxy.accepted()).toBeGreaterThan(2)
})

it("without maxConnectionAge the client keeps one connection (what the option changes)", async () => {
  const server = await TestServer.start(handlers)
  cleanup.push(server.stop)
  const proxy = await forwarder(server.port)
  cleanup.push(proxy.close)
  const client = ProxyClient.make(`127.0.0.1:${proxy.port}`)
  cleanup.push(() => client.close())

  const { answered, failures } = await load(client)

  expect(failures).toEqual([])
  expect(answered).toBe(16 * 40)
  expect(proxy.accepted()).toBe(1)
})

/** layerConfig with these environment variables (an explicit provider: the default one reads process.env once). */
const fromEnv = (env: Record<string, string>) =>
  ProxyServer.layerConfig({ host: "127.0.0.1", port: 0 }).pipe(
    Layer.provide(handlers),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown(env)))
  )

it("layerConfig reads the connection age and keepalive from the environment", async () => {
  // The options reach grpc-js: a 150 ms age read from PROXY_MAX_CONNECTION_AGE rotates connections under load.
  const layer = fromEnv({
    PROXY_MAX_CONNECTION_AGE: "150 millis",
    PROXY_MAX_CONNECTION_AGE_GRACE: "5 seconds",
    PROXY_KEEPALIVE_TIME: "10 seconds",
    PROXY_KEEPALIVE_TIMEOUT: "5 seconds"
  })
  const scope = Scope.makeUnsafe()
  cleanup.push(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  const port = Context.get(context, ProxyServer.ProxyServer).port
  const proxy = await forwarder(port)
  cleanup.push(proxy.close)
  const client = ProxyClient.make(`127.0.0.1:${proxy.port}`)
  cleanup.push(() => client.close())

  const { answered, failures } = await load(client)

  expect(failures).toEqual([])
  expect(answered).toBe(16 * 40)
  expect(proxy.accepted()).toBeGreaterThan(2)
})

it("an invalid PROXY_MAX_CONNECTION_AGE fails the start naming the variable", async () => {
  const exit = await Effect.runPromiseExit(Layer.build(fromEnv({ PROXY_MAX_CONNECTION_AGE: "soon" })).pipe(Effect.scoped))
  expect(Exit.isFailure(exit)).toBe(true)
  expect(String(exit)).toContain("PROXY_MAX_CONNECTION_AGE")
})

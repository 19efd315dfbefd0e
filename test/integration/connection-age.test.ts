// maxConnectionAge: the server closes each connection after its age (GOAWAY), the client reconnects, and no call
// fails across the rotation. The client is grpc-go (bench/loadgen), the library Centrifugo's proxy calls with: it
// retries a call the server refused while closing the connection (REFUSED_STREAM) on the new connection. A TCP
// forwarder between client and server counts the connections actually opened.
import { Config, ConfigProvider, Context, Effect, Exit, Layer, Scope } from "effect"
import { createConnection, createServer, type Server, type Socket } from "node:net"
import { afterEach, expect, it } from "vitest"
import { HandlerSet, ProxyServer, Reply } from "../../src/index.ts"
import { TestServer } from "../../src/testing/index.ts"
import { rpcLoad } from "../support/loadgen.ts"

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

// Calls take 0-20 ms, so that some are always in flight when a connection's age comes.
const handlers = HandlerSet.layer({
  rpc: (request) =>
    Effect.sleep(`${Math.floor(Math.random() * 20)} millis`).pipe(Effect.as(Reply.rpc({ data: request.method })))
})

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** 2 s of RPC calls, 64 in flight over one connection (re-opened by the server as it ages), through a forwarder. */
const load = async (port: number) => {
  const proxy = await forwarder(port)
  cleanup.push(proxy.close)
  const result = await rpcLoad(`127.0.0.1:${proxy.port}`, { concurrency: 64, seconds: 2 })
  return { ...result, connections: proxy.accepted() }
}

it("no call fails while connections are rotated by maxConnectionAge under load", async () => {
  const server = await TestServer.start(handlers, { maxConnectionAge: "150 millis", maxConnectionAgeGrace: "5 seconds" })
  cleanup.push(server.stop)

  const { calls, connections, errors, first_error } = await load(server.port)

  expect({ errors, first_error }).toEqual({ errors: 0, first_error: undefined })
  expect(calls).toBeGreaterThan(0)
  // 2 s with a ~150 ms age: many connections. Without maxConnectionAge the client keeps its first one (below).
  expect(connections).toBeGreaterThan(2)
})

it("without maxConnectionAge the client keeps one connection (what the option changes)", async () => {
  const server = await TestServer.start(handlers)
  cleanup.push(server.stop)

  const { calls, connections, errors } = await load(server.port)

  expect(errors).toBe(0)
  expect(calls).toBeGreaterThan(0)
  expect(connections).toBe(1)
})

/** layerConfig with these environment variables (an explicit provider: the default one reads process.env once). */
const fromEnv = (env: Record<string, string>) =>
  ProxyServer.layerConfig({ host: Config.succeed("127.0.0.1"), port: Config.succeed(0) }).pipe(
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

  const { calls, connections, errors } = await load(port)

  expect(errors).toBe(0)
  expect(calls).toBeGreaterThan(0)
  expect(connections).toBeGreaterThan(2)
})

it("an invalid PROXY_MAX_CONNECTION_AGE fails the start naming the variable", async () => {
  const exit = await Effect.runPromiseExit(Layer.build(fromEnv({ PROXY_MAX_CONNECTION_AGE: "soon" })).pipe(Effect.scoped))
  expect(Exit.isFailure(exit)).toBe(true)
  expect(String(exit)).toContain("PROXY_MAX_CONNECTION_AGE")
})

// The testing kit's Centrifugo as Effects: Centrifugo.layer in front of TestServer.layer, one `it.layer` block, driven
// by the centrifuge SDK; and Centrifugo.make's failure when the binary cannot start.
import { describe, expect, layer, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { HandlerSet, Reply } from "../../src/index.ts"
import { Centrifugo, TestServer } from "../../src/testing/index.ts"
import { centrifugoBin, client, next } from "../support/e2e.ts"

const handlers = HandlerSet.layer({
  connect: (request) => Effect.succeed(Reply.connect({ user: "ann", data: { hello: request.data } })),
  rpc: (request) => Effect.succeed(Reply.rpc({ data: { method: request.method } }))
})

// Centrifugo's options come from the server's address, read from the TestServer Layer below it.
const Stack = Centrifugo.layer(
  Effect.map(Effect.service(TestServer.TestServer), (server) => ({ bin: centrifugoBin(), proxy: server.address }))
).pipe(Layer.provideMerge(TestServer.layer(handlers)))

layer(Stack, { excludeTestServices: true })("Centrifugo.layer + TestServer.layer", (it) => {
  it.effect("a client connects through Centrifugo and calls news:list; the server logged nothing bad", () =>
    Effect.gen(function*() {
      const centrifugo = yield* Effect.service(Centrifugo.Centrifugo)
      const server = yield* Effect.service(TestServer.TestServer)
      const c = yield* Effect.acquireRelease(
        Effect.sync(() => client(centrifugo.websocketUrl, { data: { n: 1 } })),
        (c) => Effect.sync(() => c.disconnect())
      )
      const connected = yield* Effect.promise(() => {
        const event = next<{ data: unknown }>(c, "connected")
        c.connect()
        return event
      })
      expect(connected.data).toEqual({ hello: { n: 1 } })
      const result = yield* Effect.promise(() => c.rpc("news:list", {}))
      expect(result.data).toEqual({ method: "news:list" })
      expect(server.logs.filter((line) => line.level === "Error")).toEqual([])
    }))
})

describe("Centrifugo.make", () => {
  it.live("fails with CentrifugoStartError when Centrifugo exits (its output in the message) or cannot be run", () =>
    Effect.gen(function*() {
      const failureOf = (options: Centrifugo.StartOptions) =>
        Effect.flip(Effect.scoped(Centrifugo.make(options)))
      // Its HTTP port taken (by a server that is never healthy): Centrifugo exits at once.
      const taken = yield* Effect.acquireRelease(
        Effect.promise(() =>
          new Promise<Server>((resolve) => {
            const server = createServer((_request, response) => response.writeHead(503).end())
            server.listen(0, "127.0.0.1", () => resolve(server))
          })
        ),
        (server) =>
          Effect.promise(() =>
            new Promise<void>((resolve) => {
              server.closeAllConnections()
              server.close(() => resolve())
            })
          )
      )
      const port = (taken.address() as AddressInfo).port
      const invalid = yield* failureOf({ bin: centrifugoBin(), proxy: "127.0.0.1:1", port })
      expect(invalid).toMatchObject({ _tag: "CentrifugoStartError" })
      expect(invalid.message).toContain("centrifugo exited with code")
      expect(invalid.message).toContain("address already in use")
      const missing = yield* failureOf({ bin: "/nonexistent/centrifugo", proxy: "127.0.0.1:1" })
      expect(missing).toMatchObject({ _tag: "CentrifugoStartError" })
      expect(missing.message).toContain("could not be started (/nonexistent/centrifugo): spawn /nonexistent/centrifugo ENOENT")
    }))

  it.live("Centrifugo.makeWith runs a config of your own for its scope", () =>
    Effect.gen(function*() {
      const url = yield* Effect.scoped(Effect.gen(function*() {
        const running = yield* Centrifugo.makeWith({ bin: centrifugoBin(), config: { http_api: { key: "k" } } })
        const info = yield* Effect.promise(() =>
          fetch(`${running.httpUrl}/api/info`, { method: "POST", headers: { "X-API-Key": running.apiKey }, body: "{}" })
            .then((r) => r.json() as Promise<{ result?: { nodes?: ReadonlyArray<unknown> } }>)
        )
        expect(running.apiKey).toBe("k")
        expect(info.result?.nodes).toHaveLength(1)
        return running.httpUrl
      }))
      const after = yield* Effect.promise(() => fetch(`${url}/health`).then(() => "up", () => "down"))
      expect(after).toBe("down")
    }))
})

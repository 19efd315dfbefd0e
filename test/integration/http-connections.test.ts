// Connection bounds of the HTTP transport, on loopback with small limits: a stranger cannot hold connections open
// for free (refused requests and probes close theirs, a body must arrive within `bodyTimeout`), the number of
// connections is capped with a log line, and Centrifugo's keep-alive connections stay open and answered meanwhile.
import { Effect, Redacted } from "effect"
import { Agent, request as httpRequest } from "node:http"
import { connect, type Socket } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HandlerSet, Reply } from "../../src/index.ts"
import { TestServer } from "../../src/testing/index.ts"
import { httpServers } from "../support/http-servers.ts"

const handlers = HandlerSet.layer({ rpc: () => Effect.succeed(Reply.rpc({ data: "ok" })) })
const SECRET = { "x-proxy-secret": "s3cret" }
const RPC = JSON.stringify({ client: "c", user: "u", method: "m" })

/** One POST through `agent`: its status, whether it reused a socket, and whether the server asked to close. */
const post = (port: number, agent: Agent | undefined, headers: Record<string, string>, path = "/centrifugo/rpc") =>
  new Promise<{ status: number; reused: boolean; close: boolean }>((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", agent, headers }, (res) => {
      res.resume()
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, close: res.headers.connection === "close" }))
    })
    req.on("error", reject)
    req.end(RPC)
  })

/** A raw TCP connection to the server, with what it received and whether the server closed it. */
const rawConnection = (port: number) =>
  new Promise<{ socket: Socket; received: () => string; closed: () => boolean }>((resolve, reject) => {
    let received = ""
    let closed = false
    const socket = connect({ host: "127.0.0.1", port }, () => resolve({ socket, received: () => received, closed: () => closed }))
    socket.on("data", (chunk) => (received += chunk.toString("latin1")))
    socket.on("close", () => (closed = true))
    socket.on("error", (error) => (closed ? undefined : reject(error)))
  })

const until = async (condition: () => boolean, ms = 5_000) => {
  for (const start = Date.now(); !condition() && Date.now() - start < ms;) await new Promise((r) => setTimeout(r, 25))
  return condition()
}

describe.each(httpServers)("connection bounds: $server", ({ start }) => {
  let server: TestServer.RunningServer
  beforeAll(async () => {
    server = await start(handlers, {
      requireCredentials: { key: "X-Proxy-Secret", value: Redacted.make("s3cret") },
      bodyTimeout: "1 second"
    })
  })
  afterAll(() => server?.stop())

  it("a request that failed the secret gets its 401 on a connection then closed", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      expect(await post(server.port, agent, {})).toEqual({ status: 401, reused: false, close: true })
      // The next call needs a new connection; Centrifugo's (with the secret) stay open for reuse.
      expect(await post(server.port, agent, SECRET)).toEqual({ status: 200, reused: false, close: false })
      expect(await post(server.port, agent, SECRET)).toEqual({ status: 200, reused: true, close: false })
    } finally {
      agent.destroy()
    }
  })

  it("a body that does not arrive within bodyTimeout is answered 408 and its connection closed", async () => {
    const connection = await rawConnection(server.port)
    connection.socket.write(
      "POST /centrifugo/rpc HTTP/1.1\r\nhost: x\r\nx-proxy-secret: s3cret\r\ncontent-type: application/json\r\n" +
        "content-length: 1000\r\n\r\n{\"client\":"
    )
    // 1 s of bodyTimeout, checked about every second: well within 5 s.
    expect(await until(connection.closed)).toBe(true)
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /)
  })
})

describe("connection cap (standalone)", () => {
  it("refuses connections over maxConnections with a log line, while Centrifugo's open connections are answered", async () => {
    const server = await TestServer.startHttp(handlers, { maxConnections: 8 })
    const centrifugo = new Agent({ keepAlive: true, maxSockets: 2 })
    const strangers: Array<Socket> = []
    try {
      // Centrifugo's pool: two connections, opened first and kept.
      const first = await Promise.all([post(server.port, centrifugo, {}), post(server.port, centrifugo, {})])
      expect(first.map((r) => r.status)).toEqual([200, 200])
      // A stranger takes every other slot, and tries for more.
      for (let i = 0; i < 10; i++) strangers.push((await rawConnection(server.port)).socket)
      expect(await until(() => server.logs.some((l) => l.message.includes("connection limit")))).toBe(true)
      const line = server.logs.find((l) => l.message.includes("connection limit"))!
      expect(line.level).toBe("Warn")
      expect(line.message).toContain("maxConnections 8")
      // Centrifugo's calls go on over its kept connections.
      for (let i = 0; i < 6; i++) expect(await post(server.port, centrifugo, {})).toMatchObject({ status: 200, reused: true })
    } finally {
      for (const socket of strangers) socket.destroy()
      centrifugo.destroy()
      await server.stop()
    }
  })

  it("a connection that sends nothing, or only part of its headers, is closed after bodyTimeout", async () => {
    const server = await TestServer.startHttp(handlers, { bodyTimeout: "500 millis" })
    try {
      const silent = await rawConnection(server.port)
      const partial = await rawConnection(server.port)
      partial.socket.write("POST /centrifugo/rpc HTTP/1.1\r\nhost: x\r\n")
      expect(await until(() => silent.closed() && partial.closed())).toBe(true)
      expect(partial.received()).toMatch(/^HTTP\/1\.1 408 /)
    } finally {
      await server.stop()
    }
  })

  it("bodyTimeout (and the headers' bound) never closes an idle keep-alive connection", async () => {
    const server = await TestServer.startHttp(handlers, { bodyTimeout: "500 millis" })
    const centrifugo = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      expect(await post(server.port, centrifugo, {})).toMatchObject({ status: 200, reused: false })
      await new Promise((resolve) => setTimeout(resolve, 2_500))
      expect(await post(server.port, centrifugo, {})).toMatchObject({ status: 200, reused: true })
    } finally {
      centrifugo.destroy()
      await server.stop()
    }
  })

  it("probes and refused requests close their connection: a stranger cannot park idle connections with them", async () => {
    const server = await TestServer.startHttp(handlers)
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const probe = await new Promise<string | undefined>((resolve, reject) => {
        httpRequest({ host: "127.0.0.1", port: server.port, path: "/healthz", agent }, (res) => {
          res.resume()
          resolve(res.headers.connection)
        }).on("error", reject).end()
      })
      expect(probe).toBe("close")
      expect((await post(server.port, agent, {}, "/nope")).close).toBe(true)
      expect((await post(server.port, agent, {}, "/centrifugo/nope")).close).toBe(true)
      expect(await post(server.port, agent, {})).toMatchObject({ status: 200, close: false })
    } finally {
      agent.destroy()
      await server.stop()
    }
  })
})

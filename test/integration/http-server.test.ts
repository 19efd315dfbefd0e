// The HTTP transport over a real socket, driven by a client that posts exactly as Centrifugo does: every rule of
// HttpProxy's header comment, one test each.
import { Effect, Layer, Redacted } from "effect"
import { Config, ConfigProvider } from "effect"
import { request as httpRequest } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HandlerSet, HttpProxy, Payload, Reply } from "../../src/index.ts"
import { HttpProxyClient, type TestServer } from "../../src/testing/index.ts"
import { httpServers } from "../support/http-servers.ts"

const seen = {
  headers: [] as Array<Record<string, string>>,
  interrupted: [] as Array<string>,
  rawData: [] as Array<string>,
  called: 0
}

const handlers = HandlerSet.layer({
  connect: (request) =>
    Effect.gen(function*() {
      seen.called++
      seen.headers.push({ ...request.headers })
      if (request.rawData !== undefined) seen.rawData.push(Buffer.from(request.rawData).toString("utf8"))
      const data = request.data as { mode?: string } | undefined
      if (data?.mode === "fail") return yield* Effect.fail("boom")
      if (data?.mode === "reject") return yield* Reply.error(1403, "nope")
      if (data?.mode === "disconnect") return Reply.disconnect(4503, "banned")
      if (data?.mode === "slow") {
        return yield* Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => seen.interrupted.push(request.client))))
      }
      if (request.encoding === "binary") {
        return Reply.connect({ user: "bin", data: Payload.binary(new Uint8Array([1, 2, 255])) })
      }
      return Reply.connect({
        user: "42",
        expireAt: 1_900_000_000,
        info: { name: "alice" },
        data: Payload.rawJson(`{"big":12345678901234567890}`),
        channels: ["news"],
        subs: { "user#42": { override: { presence: true, joinLeave: false } } },
        meta: { plan: "gold" }
      })
    }),
  refresh: (request) =>
    (request.user === "fail" ? Effect.fail("refresh broke") : Effect.succeed(Reply.refresh({ expireAt: 1_900_000_000 }))),
  publish: (request) =>
    Effect.succeed(Reply.publish({ data: { echo: request.data }, version: 2n ** 63n, skipHistory: true })),
  rpc: (request) =>
    request.method === "slow"
      ? Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => seen.interrupted.push(`rpc:${request.client}`))))
      : Effect.succeed(Reply.rpc({ data: { method: request.method, labels: request.labels } })),
  sharedPollRefresh: (request) =>
    Effect.succeed(Reply.sharedPollRefresh({
      items: request.items.map((item) => ({ key: item.key, version: item.version + 1n, data: { v: String(item.version) } }))
    }))
})

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25))
  return condition()
}

describe.each(httpServers)("HttpProxy over a socket: $server", ({ start }) => {
  let server: TestServer.RunningServer
  let client: HttpProxyClient.HttpProxyClient

  beforeAll(async () => {
    server = await start(handlers, { timeout: "2 seconds", maxBodySize: 128 * 1024 })
    client = HttpProxyClient.make(server.url)
  })
  afterAll(() => server?.stop())

  it("answers a connect in Centrifugo's JSON form: snake_case, raw JSON payloads, int64 numbers, omitempty", async () => {
    const reply = await client.connect({ client: "c1", transport: "websocket", protocol: "json", encoding: "json" })
    expect(reply.status).toBe(200)
    expect(reply.headers["content-type"]).toContain("application/json")
    expect(reply.text).toBe(
      `{"result":{"user":"42","expire_at":1900000000,"info":{"name":"alice"},"data":{"big":12345678901234567890},` +
        `"channels":["news"],"subs":{"user#42":{"override":{"presence":{"value":true},"join_leave":{}}}},` +
        `"meta":{"plan":"gold"}}}`
    )
  })

  it("keeps the client's payload bytes as sent (rawData), big integers included", async () => {
    await client.raw("/centrifugo/connect", `{"client":"c2","data":{"n":12345678901234567890,  "s":"\\u00e9"}}`)
    expect(seen.rawData.at(-1)).toBe(`{"n":12345678901234567890,  "s":"\\u00e9"}`)
  })

  it("binary encoding: b64data in as bytes, Payload.binary out as b64data", async () => {
    const reply = await client.connect({ client: "c3", encoding: "binary", b64data: Buffer.from("hi").toString("base64") })
    expect(reply.json?.result).toEqual({ user: "bin", b64data: Buffer.from([1, 2, 255]).toString("base64") })
    expect(seen.rawData.at(-1)).toBe("hi")
  })

  it("rejections and disconnects are replies; a failure is error 100 (temporary) with HTTP 200 and one log line", async () => {
    expect((await client.connect({ client: "c", data: { mode: "reject" } })).text).toBe(
      `{"error":{"code":1403,"message":"nope"}}`
    )
    expect((await client.connect({ client: "c", data: { mode: "disconnect" } })).text).toBe(
      `{"disconnect":{"code":4503,"reason":"banned"}}`
    )
    const before = server.logs.filter((l) => l.level === "Error").length
    const failed = await client.connect({ client: "c", data: { mode: "fail" } })
    expect(failed.status).toBe(200)
    expect(failed.json).toEqual({ error: { code: 100, message: "internal server error", temporary: true } })
    const errors = server.logs.filter((l) => l.level === "Error")
    expect(errors.length).toBe(before + 1)
    expect(errors.at(-1)?.cause).toContain("boom")
  })

  it("a refresh failure answers HTTP 500 (Centrifugo extends the session and retries), not an ignored error", async () => {
    const reply = await client.refresh({ client: "c", user: "fail" })
    expect(reply.status).toBe(500)
    expect((await client.refresh({ client: "c", user: "u" })).text).toBe(`{"result":{"expire_at":1900000000}}`)
  })

  it("uint64 versions round-trip without rounding", async () => {
    const publish = await client.raw("/centrifugo/publish", `{"client":"c","user":"u","channel":"x","data":{"a":1}}`)
    expect(publish.text).toBe(`{"result":{"data":{"echo":{"a":1}},"skip_history":true,"version":9223372036854775808}}`)
    const poll = await client.raw(
      "/centrifugo/shared_poll_refresh",
      `{"channel":"p","items":[{"key":"k","version":18446744073709551614}]}`
    )
    expect(poll.text).toBe(`{"result":{"items":[{"key":"k","data":{"v":"18446744073709551614"},"version":18446744073709551615}]}}`)
  })

  it("payload that is not JSON, or nested 10,000 deep: error 107, handler not called", async () => {
    const calls = seen.called
    const bad = await client.raw("/centrifugo/connect", `{"client":"c","data":{"a":}}`)
    expect(bad.json).toEqual({ error: { code: 107, message: expect.stringContaining("data is not valid JSON") } })
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`
    const nested = await client.raw("/centrifugo/connect", `{"client":"c","data":${deep}}`)
    expect(nested.status).toBe(200)
    expect(nested.json?.error?.code).toBe(107)
    const meta = await client.raw("/centrifugo/refresh", `{"client":"c","user":"u","meta":${deep}}`)
    expect(meta.status).toBe(400)
    expect(meta.text).toContain("meta is not valid JSON")
    expect(seen.called).toBe(calls)
  })

  it("a body that is not a request of the event: HTTP 400 with the reason", async () => {
    for (
      const [body, reason] of [
        ["[]", "not a JSON object"],
        ["{", "truncated"],
        [`{"client":42}`, "client must be a string"],
        [`{"client":"c","channels":"news"}`, "channels must be an array of strings"],
        [`{"client":"c"} trailing`, "after its JSON object"],
        [`{"client":"c","labels":${"[".repeat(50_000)}${"]".repeat(50_000)}}`, "labels must be"]
      ] as const
    ) {
      const reply = await client.raw(body.includes("labels") ? "/centrifugo/rpc" : "/centrifugo/connect", body)
      expect({ body: body.slice(0, 30), status: reply.status }).toEqual({ body: body.slice(0, 30), status: 400 })
      expect(reply.text).toContain(reason)
    }
  })

  it("malformed keys and numbers: 400 with a one-line reason, no Error line, warnings throttled", async () => {
    const warned = () => server.logs.filter((l) => l.level === "Warn" && l.message.includes("Connect: bad request")).length
    const errors = () => server.logs.filter((l) => l.level === "Error").length
    const [warnedBefore, errorsBefore] = [warned(), errors()]
    const bodies = [`{"a\u0001":1}`, `{"cl\\qient":"c"}`, `{"\\ud800\\u":1}`, `{"client":"c","x\\y":1}`, `{"a\nb`]
    for (const body of bodies) {
      const reply = await client.raw("/centrifugo/connect", body)
      expect({ body, status: reply.status, lines: reply.text.split("\n").length }).toEqual({ body, status: 400, lines: 1 })
    }
    expect(errors()).toBe(errorsBefore)
    // One line per 10 s for this kind of refusal (the previous test may have used this window already).
    expect(warned() - warnedBefore).toBeLessThanOrEqual(1)
  })

  it("wrong method: 405 with Allow: POST; unknown event path: 404 naming the events", async () => {
    const get = await client.raw("/centrifugo/connect", "", { method: "GET" })
    expect(get.status).toBe(405)
    expect(get.headers.allow).toBe("POST")
    const unknown = await client.raw("/centrifugo/conect", "{}")
    expect(unknown.status).toBe(404)
    expect(unknown.text).toContain("connect, refresh, subscribe")
  })

  it("an event without a handler: 501 naming the missing handler", async () => {
    const reply = await client.mapRemove({ client: "c", channel: "m", key: "k" })
    expect(reply.status).toBe(501)
    expect(reply.text).toContain("no `mapRemove` handler")
  })

  /** The status of a POST whose body is never finished: only an answer before the end of the body can give one. */
  const statusOfUnfinishedPost = (headers: Record<string, string>, chunks: ReadonlyArray<string>) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.url}/centrifugo/connect`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers }
      }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
        req.destroy()
      })
      req.on("error", reject)
      for (const chunk of chunks) req.write(chunk)
    })

  it("a body over the limit: 413 as soon as the headers say so, without waiting for the body", async () => {
    // Only the first bytes: a server that read the whole body first would never answer.
    const status = await statusOfUnfinishedPost({ "content-length": String(64 * 1024 * 1024) }, [`{"client":"c","data":"`])
    expect(status).toBe(413)
  })

  it("a body over the limit without a Content-Length (chunked): 413 once the limit is passed", async () => {
    // 160 KiB in chunks, over the 128 KiB limit of this server.
    const chunks = [`{"client":"c","data":"`, ...Array.from({ length: 160 }, () => "x".repeat(1024))]
    expect(await statusOfUnfinishedPost({ "transfer-encoding": "chunked" }, chunks)).toBe(413)
  })

  it("matches paths exactly: another case, doubled or trailing slashes are 404 and reach no handler", async () => {
    const calls = seen.called
    const body = JSON.stringify({ client: "c", user: "u", method: "q" })
    // The path as written (a URL object would resolve `//centrifugo/rpc` as another host).
    const statusOf = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port: server.port, path, method: "POST" }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on("error", reject)
        req.end(path.endsWith("connect") ? `{"client":"c"}` : body)
      })
    for (const path of ["/centrifugo/RPC", "//centrifugo/rpc", "/centrifugo//rpc", "/centrifugo/rpc/", "/Centrifugo/connect"]) {
      expect({ path, status: await statusOf(path) }).toEqual({ path, status: 404 })
    }
    expect(seen.called).toBe(calls)
  })

  it("routes by path alone: a query string does not change the event", async () => {
    const reply = await client.raw("/centrifugo/rpc?from=test", JSON.stringify({ client: "c", user: "u", method: "q" }))
    expect(reply.json).toMatchObject({ result: { data: { method: "q" } } })
  })

  it("forwarded headers reach request.headers lower-cased, without the HTTP message's own headers", async () => {
    await client.connect({ client: "h" }, { headers: { "X-Forwarded-Thing": "yes", Authorization: "Bearer t" } })
    const headers = seen.headers.at(-1)!
    expect(headers["x-forwarded-thing"]).toBe("yes")
    expect(headers.authorization).toBe("Bearer t")
    for (const name of ["host", "content-length", "content-type", "accept-encoding", "connection"]) {
      expect(headers[name]).toBeUndefined()
    }
  })

  it("Centrifugo giving up (the request closed) interrupts the handler's fiber and runs its finalizers", async () => {
    const error = await client.connect({ client: "gone", data: { mode: "slow" } }, { timeoutMs: 200 }).then(
      () => undefined,
      (e: Error) => e
    )
    expect(error?.message).toContain("timed out")
    expect(await until(() => seen.interrupted.includes("gone"))).toBe(true)
  })

  it("a call that outlives `timeout` is interrupted and answered the failure reply", async () => {
    const reply = await client.rpc({ client: "late", user: "u", method: "slow" })
    expect(reply.json?.error).toEqual({ code: 100, message: "internal server error", temporary: true })
    expect(seen.interrupted).toContain("rpc:late")
  })
})

describe.each(httpServers)("HttpProxy requireCredentials: $server", ({ start }) => {
  let server: TestServer.RunningServer
  let client: HttpProxyClient.HttpProxyClient
  let headers: Record<string, string> = {}

  beforeAll(async () => {
    server = await start(
      HandlerSet.layer({
        rpc: (request) => Effect.sync(() => (headers = { ...request.headers }, Reply.rpc({ data: "ok" })))
      }),
      { requireCredentials: { key: "X-Proxy-Secret", value: Redacted.make("s3cret") } }
    )
    client = HttpProxyClient.make(server.url)
  })
  afterAll(() => server?.stop())

  it("answers 401 without the header or with another value, logging one warning per 10 s", async () => {
    for (const sent of [{}, { "X-Proxy-Secret": "guess" }, { "X-Proxy-Secret": "s3cret-and-more" }]) {
      const reply = await client.rpc({ client: "c", user: "u", method: "m" }, { headers: sent })
      expect(reply.status).toBe(401)
    }
    expect(server.logs.filter((l) => l.message.includes("credentials header")).length).toBe(1)
  })

  it("lets the right value through and hides the header from handlers", async () => {
    const reply = await client.rpc({ client: "c", user: "u", method: "m" }, {
      headers: { "X-Proxy-Secret": "s3cret", "X-Other": "o" }
    })
    expect(reply.json).toEqual({ result: { data: "ok" } })
    expect(headers["x-other"]).toBe("o")
    expect(headers["x-proxy-secret"]).toBeUndefined()
  })

  it("fails closed at start: an empty value, or only one of the two variables", async () => {
    const empty = await start(handlers, { requireCredentials: { key: "X-S", value: "" } }).then(
      () => "started",
      (e: { message: string }) => e.message
    )
    expect(empty).toContain("PROXY_HTTP_CREDENTIALS_VALUE")
    for (const env of [{ PROXY_HTTP_CREDENTIALS_VALUE: "x" }, { PROXY_HTTP_CREDENTIALS_KEY: "X-S" }]) {
      const exit = await Effect.runPromiseExit(
        Layer.build(HttpProxy.layerConfig({ port: Config.succeed(0), host: Config.succeed("127.0.0.1") }).pipe(Layer.provide(handlers))).pipe(
          Effect.scoped,
          Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
        )
      )
      expect(exit._tag).toBe("Failure")
      expect(String(exit._tag === "Failure" ? exit.cause : "")).toContain("set both, or neither")
    }
  })
})

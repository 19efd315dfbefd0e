// The Http bridge: how an RPC call becomes an in-process HTTP request, and how the response comes back.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { HandlerSet, HttpBridge } from "../../src/index.ts"
import { handle, rpcRequest } from "../../src/testing/index.ts"

const echo = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : yield* request.text
  return HttpServerResponse.jsonUnsafe({
    method: request.method,
    url: request.url,
    authorization: request.headers.authorization ?? null,
    user: request.headers["x-centrifugo-user"],
    client: request.headers["x-centrifugo-client"],
    contentType: request.headers["content-type"] ?? null,
    body: body ?? null
  })
})

const headersEcho = Effect.map(HttpServerRequest.HttpServerRequest, (request) => HttpServerResponse.jsonUnsafe(request.headers))

const Routes = Layer.mergeAll(
  HttpRouter.add("*", "/echo/*", echo),
  HttpRouter.add("*", "/headers", headersEcho),
  HttpRouter.add("GET", "/boom", Effect.die(new Error("route exploded"))),
  HttpRouter.add("GET", "/text", HttpServerResponse.text("plain", { status: 202 }))
)
const served = HandlerSet.layer({ rpc: HttpBridge.rpc }).pipe(Layer.provide(HttpBridge.layer(Routes)))

describe("HttpBridge.rpc", () => {
  it.effect("GET: data as query parameters (arrays repeated, objects as JSON); forwarded headers and the user", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({
        method: "get:/echo/x",
        user: "ann",
        client: "c9",
        headers: { authorization: "Bearer t", "grpc-accept-encoding": "gzip" },
        data: { q: "a b", tag: ["x", "y"], filter: { n: 1 } }
      }))
      expect(reply.result).toEqual({
        data: {
          status: 200,
          body: {
            method: "GET",
            url: "/echo/x?q=a+b&tag=x&tag=y&filter=%7B%22n%22%3A1%7D",
            authorization: "Bearer t",
            user: "ann",
            client: "c9",
            contentType: null,
            body: null
          }
        }
      })
    }).pipe(Effect.provide(served)))

  it.effect("POST, PUT, PATCH, DELETE: data as a JSON body; the verb is case-insensitive", () =>
    Effect.gen(function*() {
      for (const verb of ["post", "PUT", "Patch", "delete"]) {
        const reply = yield* handle(rpcRequest({ method: `${verb}:echo/y`, data: { title: "t" } }))
        expect(reply.result?.data).toMatchObject({
          status: 200,
          body: { method: verb.toUpperCase(), url: "/echo/y", contentType: "application/json", body: "{\"title\":\"t\"}" }
        })
      }
    }).pipe(Effect.provide(served)))

  it.effect("text bodies come back as text; a defect in the app is a 500 result", () =>
    Effect.gen(function*() {
      expect((yield* handle(rpcRequest({ method: "get:text" }))).result).toEqual({ data: { status: 202, body: "plain" } })
      expect((yield* handle(rpcRequest({ method: "get:boom" }))).result).toEqual({ data: { status: 500, body: "" } })
    }).pipe(Effect.provide(served)))
})

/** `depth` objects nested in one another (built iteratively: the test itself must not overflow the stack). */
const nested = (depth: number): unknown => {
  let value: unknown = "bottom"
  for (let i = 0; i < depth; i++) value = { inner: value }
  return value
}

describe("HttpBridge.rpc: hostile or unusual input", () => {
  it.effect("a user ID outside Latin-1 is percent-encoded in x-centrifugo-user (ASCII IDs read the same)", () =>
    Effect.gen(function*() {
      const user = (id: string) =>
        Effect.map(handle(rpcRequest({ method: "get:echo/u", user: id })), (reply) => {
          const data = reply.result?.data as { status: number; body: { user: string } } | undefined
          expect(reply.error).toBeUndefined()
          return data?.body.user
        })
      expect(yield* user("用户")).toBe("%E7%94%A8%E6%88%B7")
      expect(decodeURIComponent((yield* user("用户"))!)).toBe("用户")
      expect(yield* user("Zoë 🎉")).toBe("Zo%C3%AB%20%F0%9F%8E%89")
      expect(yield* user("ann-42_x.y")).toBe("ann-42_x.y")
      // `%` itself is encoded, so decoding is never ambiguous.
      expect(yield* user("100%")).toBe("100%25")
      expect(yield* user("")).toBe("")
    }).pipe(Effect.provide(served)))

  it.effect("data too deeply nested to encode is answered 107 bad request, not a defect", () =>
    Effect.gen(function*() {
      for (const method of ["get:echo/deep", "post:echo/deep"]) {
        // Such data does reach handlers: V8's JSON.parse is iterative, JSON.stringify recursive. (`rawData` given so
        // the test kit does not stringify it itself.)
        const reply = yield* handle(rpcRequest({ method, data: { filter: nested(100_000) }, rawData: Buffer.from("{}") }))
        expect(reply.error).toMatchObject({ code: 107, temporary: false })
      }
      // Moderately nested data still works.
      expect((yield* handle(rpcRequest({ method: "get:echo/ok", data: { filter: nested(3) } }))).result?.data)
        .toMatchObject({ status: 200 })
    }).pipe(Effect.provide(served)))

  it.effect("a query in the method is merged with the data's parameters", () =>
    Effect.gen(function*() {
      const url = (method: string, data?: unknown) =>
        Effect.map(handle(rpcRequest({ method, ...(data === undefined ? {} : { data }) })), (reply) =>
          (reply.result?.data as { body: { url: string } } | undefined)?.body.url)
      expect(yield* url("get:echo/whoami?admin=true", { lang: "en" })).toBe("/echo/whoami?admin=true&lang=en")
      expect(yield* url("get:echo/whoami?admin=true")).toBe("/echo/whoami?admin=true")
      expect(yield* url("get:echo/whoami?", { lang: "en" })).toBe("/echo/whoami?lang=en")
      expect(yield* url("get:echo/whoami?tag=a", { tag: ["b", "c"] })).toBe("/echo/whoami?tag=a&tag=b&tag=c")
      // A body method keeps its query and gets the data as the body.
      expect(yield* url("post:echo/store?draft=1", { title: "t" })).toBe("/echo/store?draft=1")
    }).pipe(Effect.provide(served)))

  it.effect("a # in the method is refused with 107 (it would move the data's query into a fragment), and logged", () => {
    const lines: Array<string> = []
    const capture = Logger.make<unknown, void>(({ message }) => {
      lines.push((Array.isArray(message) ? message : [message]).join(" "))
    })
    return Effect.gen(function*() {
      for (const method of ["get:echo/whoami#frag", "get:echo/whoami?x=1#frag", "post:echo/#"]) {
        const reply = yield* handle(rpcRequest({ method, data: { lang: "en" } }))
        expect(reply.error, method).toMatchObject({ code: 107, temporary: false })
      }
      yield* handle(rpcRequest({ method: "get:a#\n[00:00:00.000] ERROR forged" }))
      expect(lines).toHaveLength(4)
      expect(lines[0]).toBe("HttpBridge: rpc \"get:echo/whoami#frag\" not forwarded: the method path must not contain `#`")
      // The client's text is quoted as JSON: no line break reaches the log.
      expect(lines[3]).not.toContain("\n")
    }).pipe(Effect.provide(served), Effect.provide(Logger.layer([capture])))
  })

  it.effect("host and hop-by-hop headers are not forwarded; invalid header values are dropped, not fatal", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({
        method: "get:headers",
        user: "ann",
        headers: {
          host: "evil.example",
          connection: "keep-alive, x-hop",
          "x-hop": "named by connection",
          "keep-alive": "timeout=5",
          "proxy-connection": "keep-alive",
          "transfer-encoding": "chunked",
          upgrade: "websocket",
          te: "trailers",
          trailer: "x-after",
          "content-length": "12",
          "proxy-authorization": "Basic eA==",
          "x-centrifugo-user": "forged",
          "x-not-latin1": "用户",
          "x-kept": "yes"
        }
      }))
      const headers = (reply.result?.data as { body: Record<string, string> } | undefined)?.body
      expect(headers).toEqual({ "x-kept": "yes", "x-centrifugo-user": "ann", "x-centrifugo-client": "00000000-0000-4000-8000-000000000001" })
    }).pipe(Effect.provide(served)))
})

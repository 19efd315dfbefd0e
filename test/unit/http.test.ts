// The Http bridge: how an RPC call becomes an in-process HTTP request, and how the response comes back.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { Handlers, Http } from "../../src/index.ts"
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

const Routes = Layer.mergeAll(
  HttpRouter.add("*", "/echo/*", echo),
  HttpRouter.add("GET", "/boom", Effect.die(new Error("route exploded"))),
  HttpRouter.add("GET", "/text", HttpServerResponse.text("plain", { status: 202 }))
)
const served = Handlers.layer({ rpc: Http.rpc }).pipe(Layer.provide(Http.layer(Routes)))

describe("Http.rpc", () => {
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

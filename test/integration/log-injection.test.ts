// Log injection: client text with line breaks, terminal escapes and C1 controls, sent through every unary event of
// both transports (accepted, refused, failed, logged by the handler itself, forwarded by HttpBridge.rpc), must not put one
// raw control character in any line of any format: no forged line, no escape sequence reaching a terminal.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { TestConsole } from "effect/testing"
import { HandlerSet, HttpBridge, HttpProxy, Logging, ProxyServer, Reply } from "../../src/index.ts"
import { ProxyClient } from "../../src/testing/index.ts"
import type { ProxyRequest } from "../../src/ProxyRequest.ts"

const FORGED = "x\nFORGED admin logged in\r\t\u001b[2J\u0085\u009b\u2028\u2029\u0000\u007fy"

// A handler that logs the client's text itself (message and annotation), as application code does.
const noted = (request: ProxyRequest) =>
  Effect.logInfo("handler saw", "channel" in request ? request.channel : request.headers["x-note"]).pipe(
    Effect.annotateLogs({ raw: "client" in request ? request.client : FORGED })
  )

const handlers = HandlerSet.layer({
  connect: (request) => Effect.as(noted(request), Reply.connect({ user: FORGED })),
  refresh: (request) => Effect.andThen(noted(request), Effect.fail(new Error(FORGED))),
  subscribe: (request) => Effect.andThen(noted(request), Effect.die(new Error(request.channel))),
  publish: (request) => Effect.andThen(noted(request), Effect.fail(request.channel)),
  rpc: HttpBridge.rpc,
  subRefresh: (request) => Effect.as(noted(request), Reply.subRefresh({})),
  mapPublish: (request) => Effect.andThen(noted(request), Effect.die(request.key)),
  mapRemove: (request) => Effect.as(noted(request), Reply.mapRemove({})),
  sharedPollRefresh: (request) => Effect.andThen(noted(request), Effect.fail(new Error(request.channel)))
}).pipe(Layer.provide(HttpBridge.layer(HttpRouter.add("GET", "/ok", HttpServerResponse.text("ok")))))

const forged = JSON.stringify(FORGED)
const client = `"client":${forged},"user":${forged}`
const bodies: ReadonlyArray<readonly [string, string]> = [
  ["connect", `{${client},"data":{"x":${forged}}}`],
  ["refresh", `{${client}}`],
  ["subscribe", `{${client},"channel":${forged}}`],
  ["publish", `{${client},"channel":${forged},"data":1}`],
  ["rpc", `{${client},"method":${forged}}`],
  ["rpc", `{${client},"method":${JSON.stringify(`get:${FORGED}`)}}`],
  ["rpc", `{${client},"method":${JSON.stringify(`${FORGED}:/x`)}}`],
  ["sub_refresh", `{${client},"channel":${forged}}`],
  ["map_publish", `{${client},"channel":${forged},"key":${forged}}`],
  ["map_remove", `{${client},"channel":${forged},"key":${forged}}`],
  ["shared_poll_refresh", `{"channel":${forged},"items":[{"key":${forged},"version":1}]}`],
  // Refused bodies, whose reasons may quote them.
  ["connect", `{"client":${forged},"data":{"a":"\u0001${FORGED}"}}`],
  ["rpc", `{"client":"c","labels":{"a":${forged},"b":1}}`],
  ["refresh", `{"client":"c","meta":{"a":"${FORGED}"}}`],
  ["connect", `{"a${FORGED}":1}`],
  ["shared_poll_refresh", `{"items":[{"key":"k","version":"${FORGED}"}]}`]
]

// Control characters (C0, DEL, C1, U+2028/9); a line's own colour codes (SGR) are Effect's, and are removed first.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g

/** Every line the console got while `send` ran against a server built by `server`, in `format`. */
const captured = <S, E>(
  format: Logging.Format,
  server: Layer.Layer<S, E>,
  send: Effect.Effect<void, never, S>
) =>
  Effect.gen(function*() {
    yield* send
    // Log lines are written by forked fibers: let them run.
    yield* Effect.sleep("100 millis")
    const calls = [...yield* TestConsole.logLines, ...yield* TestConsole.errorLines]
    return calls.flatMap((call) =>
      (Array.isArray(call) ? call : [call]).map(String).join(" ").replace(SGR, "").split("\n")
    )
  }).pipe(
    Effect.provide(server),
    Effect.provide(Logging.layer({ format, level: "Debug" })),
    Effect.provide(TestConsole.layer)
  )

const postAll = Effect.gen(function*() {
  const proxy = yield* HttpProxy.HttpProxy
  for (const [path, body] of bodies) {
    const headers = { "content-type": "application/json", "x-note": "h\u0085\u009b[2J" }
    yield* Effect.promise(() => fetch(`${proxy.url}/centrifugo/${path}`, { method: "POST", body, headers }).then((r) => r.text()))
  }
})

// The same through the gRPC transport: every unary event, the forged text in fields and in a payload.
const grpcCalls = (client: ProxyClient.ProxyClient): ReadonlyArray<() => Promise<unknown>> => {
  const base = { client: FORGED, user: FORGED, transport: "websocket", protocol: "json", encoding: "json" }
  const data = ProxyClient.json({ x: FORGED })
  return [
    () => client.connect({ ...base, data }),
    () => client.refresh({ ...base }),
    () => client.subscribe({ ...base, channel: FORGED }),
    () => client.publish({ ...base, channel: FORGED, data }),
    () => client.rpc({ ...base, method: FORGED }),
    () => client.rpc({ ...base, method: `get:${FORGED}` }),
    () => client.rpc({ ...base, method: FORGED, data: Buffer.from(`{"a":"${FORGED}`) }),
    () => client.subRefresh({ ...base, channel: FORGED }),
    () => client.mapPublish({ ...base, channel: FORGED, key: FORGED }),
    () => client.mapRemove({ ...base, channel: FORGED, key: FORGED }),
    () => client.sharedPollRefresh({ channel: FORGED, items: [{ key: FORGED, version: 1n }] })
  ]
}

const callAll = Effect.gen(function*() {
  const proxy = yield* ProxyServer.ProxyServer
  const client = ProxyClient.make(`127.0.0.1:${proxy.port}`)
  for (const call of grpcCalls(client)) yield* Effect.promise(() => call().then(() => "answered", () => "failed"))
  client.close()
})

const linesOf = (format: Logging.Format) =>
  captured(format, HttpProxy.layer({ host: "127.0.0.1", port: 0 }).pipe(Layer.provide(handlers)), postAll)

const linesOfGrpc = (format: Logging.Format) =>
  captured(format, ProxyServer.layer({ host: "127.0.0.1", port: 0 }).pipe(Layer.provide(handlers)), callAll)

describe("no client text forges a log line or reaches a terminal raw", () => {
  for (const format of ["pretty", "logfmt", "json"] as const) {
    it.live(`LOG_FORMAT=${format}, gRPC: every line of every event free of raw control characters`, () =>
      Effect.gen(function*() {
        const lines = yield* linesOfGrpc(format)
        expect(lines.filter((line) => line.includes("FORGED admin")).length).toBeGreaterThanOrEqual(10)
        expect(lines.filter((line) => CONTROL.test(line))).toEqual([])
        expect(lines.filter((line) => line.trimStart().startsWith("FORGED"))).toEqual([])
        if (format === "json") for (const line of lines) expect(() => JSON.parse(line)).not.toThrow()
      }))

    it.live(`LOG_FORMAT=${format}, HTTP: every line of every event free of raw control characters`, () =>
      Effect.gen(function*() {
        const lines = yield* linesOf(format)
        // The forged text did reach the log (escaped), through the handlers, the refusals and HttpBridge.rpc.
        expect(lines.filter((line) => line.includes("FORGED admin")).length).toBeGreaterThanOrEqual(10)
        expect(lines.some((line) => line.includes("not forwarded"))).toBe(true)
        expect(lines.filter((line) => CONTROL.test(line))).toEqual([])
        expect(lines.filter((line) => line.trimStart().startsWith("FORGED"))).toEqual([])
        if (format === "json") for (const line of lines) expect(() => JSON.parse(line)).not.toThrow()
      }))
  }
})

it("Logging.escaping: a logger of one's own gets escaped messages and annotations", async () => {
  const lines: Array<string> = []
  const mine = Logging.escaping(Logger.map(Logger.formatSimple, (line) => void lines.push(line)))
  await Effect.runPromise(
    Effect.logWarning(`saw ${FORGED}`).pipe(Effect.annotateLogs({ channel: FORGED }), Effect.provide(Logger.layer([mine])))
  )
  expect(lines).toHaveLength(1)
  expect(lines[0]).toContain("FORGED admin")
  expect(CONTROL.test(lines[0]!)).toBe(false)
})

// The HTTP transport's decoding under hostile bodies: a seeded fuzz of every event's body (bytes inserted, removed
// and replaced: escapes, control bytes, quotes, brackets, huge and fractional numbers) must only ever give a request,
// a 400 with a one-line reason, or error 107: never the 500 of an unexpected decode error.
import { Duration, Effect } from "effect"
import { isDeepStrictEqual } from "node:util"
import { describe, expect, it } from "vitest"
import { httpEvents } from "../../src/http/events.ts"
import * as Exchange from "../../src/http/exchange.ts"

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const valid: Record<string, string> = {
  connect:
    `{"client":"c","transport":"websocket","protocol":"json","encoding":"json","name":"js","version":"1",` +
    `"channels":["a","b"],"data":{"x":1}}`,
  refresh: `{"client":"c","user":"u","meta":{"m":[1,2]},"labels":{"k":"v"}}`,
  subscribe: `{"client":"c","user":"u","channel":"ch","token":"t","data":{"x":"y"},"meta":null,"labels":{"a":"b"}}`,
  publish: `{"client":"c","user":"u","channel":"ch","data":[1,"2",{"3":4}],"labels":{}}`,
  rpc: `{"client":"c","user":"u","method":"m","data":{"q":"a\\"b"},"meta":{}}`,
  sub_refresh: `{"client":"c","user":"u","channel":"ch","meta":{"a":1}}`,
  map_publish: `{"client":"c","user":"u","channel":"ch","key":"k","data":{"v":1}}`,
  map_remove: `{"client":"c","user":"u","channel":"ch","key":"k"}`,
  shared_poll_refresh: `{"channel":"p","items":[{"key":"k","version":5},{"key":"j","version":18446744073709551615}]}`
}

const TOKENS = [
  "\\", "\\u", "\\u00", "\\q", "\\ud800", "\\x", "\u0001", "\u001b", "\n", "\"", "{", "}", "[", "]", ":", ",", " ",
  "1e400", "-1e400", "18446744073709551616", "-1", "1.5", "1e3", "0x10", "NaN", "null", "true", "é", "\u2028", "\uffff",
  "a", "0",
  // An escaped spelling of a payload key, which repeats it when it lands between two fields.
  `"d\\u0061ta":[7],`, `"\\u0064ata":{"z":1},`, `,"d\\u0061ta":"w"`
]

const mutate = (body: Buffer, next: () => number): Buffer => {
  let out = body
  const times = 1 + Math.floor(next() * 3)
  for (let n = 0; n < times; n++) {
    const at = Math.floor(next() * (out.length + 1))
    const pick = next()
    if (pick < 0.5) {
      const token = TOKENS[Math.floor(next() * TOKENS.length)]!
      out = Buffer.concat([out.subarray(0, at), Buffer.from(token), out.subarray(at)])
    } else if (pick < 0.7) {
      out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)])
    } else {
      // Any byte, invalid UTF-8 included.
      out = Buffer.concat([out.subarray(0, at), Buffer.from([Math.floor(next() * 256)]), out.subarray(at + 1)])
    }
  }
  return out
}

const routeOf = (event: (typeof httpEvents)[number]): Exchange.EventRoute => ({
  event,
  pipeline: undefined,
  timeout: Duration.seconds(1),
  maxBodySize: 1 << 20,
  bodyTimeout: Duration.seconds(1),
  credentials: undefined,
  tooLarge: "too large",
  refuse: () => Effect.void
})

describe("decoding hostile bodies", () => {
  it.each(httpEvents.map((event) => [event.path, event] as const))(
    "%s: 10,000 fuzzed bodies give a request (data and rawData agreeing), a one-line 400 or error 107, never a 500",
    (path, event) => {
      const next = random(path.length * 7919)
      const route = routeOf(event)
      const base = Buffer.from(valid[path]!)
      const outcomes = { Request: 0, Answer: 0, InvalidJson: 0 }
      const unexpected: Array<string> = []
      const disagree: Array<string> = []
      for (let i = 0; i < 10_000; i++) {
        const body = mutate(base, next)
        const decoded = Exchange.decode(route, body, {})
        outcomes[decoded._tag]++
        if (decoded._tag === "Request" && "rawData" in decoded.request && decoded.request.rawData !== undefined) {
          const raw = Buffer.from(decoded.request.rawData).toString("utf8")
          if (!isDeepStrictEqual(JSON.parse(raw), decoded.request.data)) disagree.push(body.toString("latin1"))
        }
        if (decoded._tag === "Answer" && (decoded.answer.status !== 400 || decoded.answer.body.includes("\n"))) {
          unexpected.push(`${decoded.answer.status} ${JSON.stringify(body.toString("latin1"))}`)
        }
      }
      expect(unexpected.slice(0, 5)).toEqual([])
      // data and rawData always describe the same value.
      expect(disagree.slice(0, 5)).toEqual([])
      // The fuzz reached every kind of outcome (it is not all accepted, nor all refused at the first byte).
      expect(outcomes.Answer).toBeGreaterThan(1000)
      expect(outcomes.Request).toBeGreaterThan(1000)
    }
  )

  it("keys that are not valid JSON strings are a 400 naming the problem", () => {
    const connect = routeOf(httpEvents.find((event) => event.path === "connect")!)
    for (const body of [`{"a\u0001":1}`, `{"cl\\qient":"c"}`, `{"\\ud800\\u":1}`, `{"a\\x41":1,"client":"c"}`]) {
      const decoded = Exchange.decode(connect, Buffer.from(body), {})
      expect({ body, decoded: decoded._tag === "Answer" ? decoded.answer.status : decoded._tag }).toEqual({
        body,
        decoded: 400
      })
    }
  })
})

// The event table (src/internal/events.ts): one row per event, and what each transport derives from it.
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { GRPC_ONLY_EVENTS, PRO_EVENTS } from "../../src/internal/centrifugoConfig.ts"
import { streamEvents, unaryMethods } from "../../src/grpc/methods.ts"
import { httpEvents } from "../../src/http/events.ts"
import { eventNamed, eventOfTag, events } from "../../src/internal/events.ts"
import type { HandlerSet } from "../../src/index.ts"

// A Record over the type: adding a handler key without listing it here is a compile error.
const every: Record<HandlerSet.EventName, true> = {
  connect: true,
  refresh: true,
  subscribe: true,
  publish: true,
  rpc: true,
  subRefresh: true,
  subscribeUnidirectional: true,
  subscribeBidirectional: true,
  mapPublish: true,
  mapRemove: true,
  sharedPollRefresh: true,
  notifyCacheEmpty: true,
  notifyChannelState: true
}

describe("the event table", () => {
  it("has one row per handler key, each found by its name", () => {
    expect(events.map((event) => event.name).sort()).toEqual(Object.keys(every).sort())
    for (const event of events) expect(eventNamed(event.name)).toBe(event)
  })

  it("names the gRPC methods of our proto's CentrifugoProxy service, in its order", () => {
    const proto = readFileSync(new URL("../../proto/proxy.proto", import.meta.url), "utf8")
    const methods = [...proto.matchAll(/^\s*rpc (\w+)\(/gm)].map((m) => m[1])
    expect(events.map((event) => event.method).sort()).toEqual([...methods].sort())
    const streaming = [...proto.matchAll(/^\s*rpc (\w+)\((stream )?\w+\) returns \(stream /gm)]
    expect(streaming.map((m) => [m[1], m[2] === undefined ? "serverStream" : "bidiStream"])).toEqual(
      streamEvents.map((event) => [event.method, event.kind])
    )
  })

  it("gives the gRPC server a codec per unary event and the HTTP server the nine events Centrifugo proxies over HTTP", () => {
    expect(unaryMethods.map((method) => method.spec.name)).toEqual(
      events.filter((event) => event.kind === "unary").map((event) => event.name)
    )
    expect(unaryMethods[0]!.path).toBe("/centrifugal.centrifugo.proxy.CentrifugoProxy/Connect")
    expect(httpEvents.map((event) => event.path)).toEqual([
      "connect",
      "refresh",
      "subscribe",
      "publish",
      "rpc",
      "sub_refresh",
      "map_publish",
      "map_remove",
      "shared_poll_refresh"
    ])
  })

  it("gives the config generator the PRO and the gRPC-only events", () => {
    expect([...PRO_EVENTS]).toEqual(["notifyCacheEmpty", "notifyChannelState"])
    expect([...GRPC_ONLY_EVENTS]).toEqual(["subscribeUnidirectional", "subscribeBidirectional"])
  })

  it("answers failures as error replies except where Centrifugo ignores or lacks the error field", () => {
    expect(events.filter((event) => !event.answersErrors).map((event) => event.name)).toEqual([
      "refresh",
      "subRefresh",
      "notifyCacheEmpty"
    ])
    expect(events.filter((event) => event.answersErrors && !event.disconnects).map((event) => event.name)).toEqual([
      "sharedPollRefresh",
      "notifyChannelState"
    ])
  })

  it("finds a unary request's event by its tag (a subscribe request's is subscribe, not a stream)", () => {
    expect(eventOfTag("Subscribe").name).toBe("subscribe")
    expect(eventOfTag("SubRefresh").name).toBe("subRefresh")
  })
})

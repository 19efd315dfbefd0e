// Interceptor.metrics and Interceptor.tracing: Effect metrics and a server span per call.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Metric, Tracer } from "effect"
import { HandlerSet, Interceptor, Metrics, Reply } from "../../src/index.ts"
import { handle, rpcRequest, subscribeRequest } from "../../src/testing/index.ts"

const handlers = HandlerSet.layer({
  rpc: (request) =>
    request.method === "refuse"
      ? Effect.fail(Reply.error(1403, "no"))
      : request.method === "boom"
      ? Effect.die(new Error("boom"))
      : Effect.succeed(Reply.rpc({ data: 1 })).pipe(Effect.withSpan("inner work")),
  subscribe: () => Effect.succeed(Reply.subscribe())
})

describe("Interceptor.metrics", () => {
  it.effect("counts calls by event and outcome, and times them", () =>
    Effect.gen(function*() {
      yield* handle(rpcRequest({ method: "ok" }))
      yield* handle(rpcRequest({ method: "ok" }))
      yield* handle(rpcRequest({ method: "refuse" }))
      yield* handle(rpcRequest({ method: "boom" }))
      yield* handle(subscribeRequest())
      const count = (event: string, outcome: string) =>
        Metric.value(Metric.withAttributes(Metrics.callsTotal, { event, outcome })).pipe(Effect.map((s) => s.count))
      expect(yield* count("rpc", "ok")).toBe(2)
      expect(yield* count("rpc", "error")).toBe(1)
      expect(yield* count("rpc", "failed")).toBe(1)
      expect(yield* count("subscribe", "ok")).toBe(1)
      const rpcTimes = yield* Metric.value(Metric.withAttributes(Metrics.callDuration, { event: "rpc" }))
      expect(rpcTimes.count).toBe(4)
    }).pipe(Effect.provide(handlers.pipe(Interceptor.metrics()))))
})

describe("Interceptor.tracing", () => {
  it.effect("opens a server span per call with request attributes and the outcome; handler spans nest under it", () => {
    const spans: Array<{ name: string; kind: string; parent: string | undefined; attributes: ReadonlyMap<string, unknown> }> =
      []
    const recording = Tracer.make({
      span(options) {
        const span = Tracer.nativeTracer.span(options)
        spans.push({
          name: options.name,
          kind: options.kind,
          parent: options.parent._tag === "Some" && options.parent.value._tag === "Span"
            ? options.parent.value.name
            : undefined,
          attributes: span.attributes
        })
        return span
      }
    })
    return Effect.gen(function*() {
      yield* handle(rpcRequest({ method: "ok", client: "c-9", user: "ann" }))
      yield* handle(rpcRequest({ method: "refuse" }))
      const outer = spans.filter((s) => s.name === "centrifugo.rpc")
      expect(outer).toHaveLength(2)
      expect(outer[0]!.kind).toBe("server")
      expect(Object.fromEntries(outer[0]!.attributes)).toMatchObject({
        "centrifugo.event": "rpc",
        "centrifugo.client": "c-9",
        "centrifugo.user": "ann",
        "centrifugo.rpc_method": "ok",
        "centrifugo.outcome": "ok"
      })
      expect(outer[1]!.attributes.get("centrifugo.outcome")).toBe("error")
      expect(spans.find((s) => s.name === "inner work")?.parent).toBe("centrifugo.rpc")
    }).pipe(Effect.provide(handlers.pipe(Interceptor.tracing(), Layer.provide(Layer.succeed(Tracer.Tracer, recording)))))
  })
})

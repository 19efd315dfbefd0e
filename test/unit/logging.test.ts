// LOG_FORMAT / LOG_LEVEL, trace ids on log lines, and the OTEL_* configuration of the trace exporter.
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { TestConsole } from "effect/testing"
import { Logging, Tracing } from "../../src/index.ts"

const capture = (env: Record<string, string>, program: Effect.Effect<void>) =>
  Effect.gen(function*() {
    yield* program.pipe(
      Effect.provide(Logging.layerConfig().pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))))
    )
    // Logging writes through Effect's Console: the test console keeps the lines.
    return (yield* TestConsole.logLines).map(String)
  }).pipe(Effect.provide(TestConsole.layer))

const program = Effect.gen(function*() {
  yield* Effect.logDebug("debug line")
  yield* Effect.logInfo("outside a span")
  yield* Effect.logWarning("inside a span").pipe(Effect.withSpan("work"), Effect.annotateLogs({ event: "rpc" }))
})

describe("Logging", () => {
  it.effect("LOG_FORMAT=json: one JSON object per line, trace ids inside a span, LOG_LEVEL filters", () =>
    Effect.gen(function*() {
      const lines = yield* capture({ LOG_FORMAT: "json", LOG_LEVEL: "Info" }, program)
      const parsed = lines.map((line) => JSON.parse(line) as { message: string; level: string; annotations: Record<string, string> })
      expect(parsed.map((l) => [l.level, l.message])).toEqual([["INFO", "outside a span"], ["WARN", "inside a span"]])
      expect(parsed[0]!.annotations.traceId).toBeUndefined()
      expect(parsed[1]!.annotations).toMatchObject({ event: "rpc", traceId: expect.stringMatching(/^[0-9a-f]{32}$/) })
      expect(parsed[1]!.annotations.spanId).toMatch(/^[0-9a-f]{16}$/)
    }))

  it.effect("LOG_FORMAT=logfmt with LOG_LEVEL=debug (any case)", () =>
    Effect.gen(function*() {
      const lines = yield* capture({ LOG_FORMAT: "logfmt", LOG_LEVEL: "debug" }, program)
      expect(lines).toHaveLength(3)
      expect(lines[0]).toContain("level=DEBUG")
      expect(lines[0]).toContain("message=\"debug line\"")
      expect(lines[2]).toMatch(/event=rpc .*traceId=[0-9a-f]{32} spanId=[0-9a-f]{16}$/)
    }))

  it.effect("an unknown LOG_FORMAT or LOG_LEVEL fails at start, naming the variable", () =>
    Effect.gen(function*() {
      expect(String(yield* Effect.flip(capture({ LOG_FORMAT: "xml" }, program)))).toContain("LOG_FORMAT")
      expect(String(yield* Effect.flip(capture({ LOG_LEVEL: "loud" }, program)))).toContain("LOG_LEVEL")
    }))
})

describe("Tracing", () => {
  it("parentOf takes a valid W3C traceparent only", () => {
    expect(Tracing.parentOf({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" })).toMatchObject({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      sampled: true
    })
    expect(Tracing.parentOf({ traceparent: "00-zz-00f067aa0ba902b7-01" })).toBeUndefined()
    expect(Tracing.parentOf({ traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" })).toBeUndefined()
    expect(Tracing.parentOf({})).toBeUndefined()
  })

  it.effect("without OTEL_EXPORTER_OTLP_ENDPOINT the exporter Layer adds nothing (spans stay in-process)", () =>
    Effect.gen(function*() {
      const name = yield* Effect.map(Effect.currentSpan, (span) => span.name).pipe(Effect.withSpan("local"))
      expect(name).toBe("local")
    }).pipe(Effect.provide(Tracing.layerConfig().pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} })))))))
})

// The test suite's Prometheus text parser (test/support/prometheus.ts) is strict: checked here so that the metrics
// tests built on it can be trusted.
import { describe, expect, it } from "vitest"
import * as Prometheus from "../support/prometheus.ts"

describe("Prometheus text parser", () => {
  it("reads families, types, escaped label values, special values and histogram samples", () => {
    const families = Prometheus.parse([
      "# HELP calls_total Calls, by \"event\"",
      "# TYPE calls_total counter",
      "calls_total{event=\"RPC\",note=\"a \\\"quoted\\\" \\\\ back\\nslash, {x}\"} 3",
      "calls_total 1e3 1700000000000",
      "# a plain comment",
      "# TYPE d_seconds histogram",
      "d_seconds_bucket{le=\"0.5\"} 1",
      "d_seconds_bucket{le=\"+Inf\"} 2",
      "d_seconds_sum 0.75",
      "d_seconds_count 2",
      "g NaN",
      "h -Inf",
      ""
    ].join("\n"))
    expect(families.get("calls_total")?.type).toBe("counter")
    expect(Prometheus.value(families, "calls_total", { event: "RPC", note: "a \"quoted\" \\ back\nslash, {x}" })).toBe(3)
    expect(Prometheus.value(families, "calls_total")).toBe(1000)
    expect(families.get("d_seconds")?.samples.map((s) => s.name)).toEqual([
      "d_seconds_bucket",
      "d_seconds_bucket",
      "d_seconds_sum",
      "d_seconds_count"
    ])
    expect(Prometheus.samples(families, "d_seconds_bucket", { le: "+Inf" })[0]?.value).toBe(2)
    expect(Prometheus.value(families, "g")).toBeNaN()
    expect(Prometheus.value(families, "h")).toBe(Number.NEGATIVE_INFINITY)
  })

  it.each([
    ["no value", "x{a=\"1\"}"],
    ["unterminated label value", "x{a=\"1} 2"],
    ["bad escape", "x{a=\"\\t\"} 2"],
    ["bad value", "x 12abc"],
    ["duplicate label", "x{a=\"1\",a=\"2\"} 1"],
    ["unknown type", "# TYPE x speedometer"]
  ])("throws on %s", (_, line) => {
    expect(() => Prometheus.parse(line)).toThrow()
  })
})

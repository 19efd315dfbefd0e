// Trace export against a collector that accepts connections and never answers: exports time out, at most
// `maxExportsInFlight` are pending at once, and the spans that find the queue full are dropped and counted, so memory
// does not grow with traffic.
import { Effect, Layer, Metric } from "effect"
import { createServer } from "node:http"
import { expect, it } from "vitest"
import { Tracing } from "../../src/index.ts"

const startHungCollector = async () => {
  let open = 0
  let most = 0
  let received = 0
  const gaveUpAfter: Array<number> = []
  const server = createServer((request) => {
    received++
    open++
    most = Math.max(most, open)
    const start = Date.now()
    request.resume()
    // Never answered: the client gives up and closes the connection.
    request.socket.once("close", () => {
      open--
      gaveUpAfter.push(Date.now() - start)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    most: () => most,
    received: () => received,
    gaveUpAfter: () => [...gaveUpAfter],
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

it("a hung collector: exports time out, at most maxExportsInFlight pending, spans over the bound dropped and counted", async () => {
  const collector = await startHungCollector()
  try {
    const tracing = Tracing.layer({
      url: collector.url,
      serviceName: "bounds-test",
      protocol: "http/json",
      exportInterval: "20 millis",
      maxBatchSize: 10,
      maxExportsInFlight: 2,
      exportTimeout: "2 seconds"
    })
    const seen = await Effect.runPromise(
      Effect.gen(function*() {
        // 300 batches' worth of spans, in well under the export timeout.
        for (let i = 0; i < 3_000; i++) {
          yield* Effect.withSpan(Effect.void, `call ${i}`)
          if (i % 100 === 0) yield* Effect.sleep("2 millis")
        }
        const mostWhileLoaded = collector.most()
        const dropped = yield* Metric.value(Tracing.spansDropped)
        // Past the export timeout, with the exporter still running: the pending exports were given up.
        yield* Effect.sleep("2600 millis")
        return { mostWhileLoaded, dropped: dropped.count, gaveUpAfter: collector.gaveUpAfter() }
      }).pipe(Effect.provide(Layer.fresh(tracing)), Effect.scoped)
    )
    expect(collector.received()).toBeGreaterThan(0)
    // Never more exports pending than the bound (unbounded, the 300 batches of this run were all pending at once).
    expect(seen.mostWhileLoaded).toBeLessThanOrEqual(2)
    expect(seen.dropped).toBeGreaterThan(2_000)
    expect(seen.gaveUpAfter.length).toBeGreaterThan(0)
    // Given up by the timeout, not at once (the collector's clock starts after the client's: a loose lower bound).
    for (const ms of seen.gaveUpAfter) expect(ms).toBeGreaterThanOrEqual(1_000)
  } finally {
    await collector.close()
  }
})

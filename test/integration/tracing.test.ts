// Trace export end to end in one process: a `traceparent` forwarded by Centrifugo becomes the parent of the server
// span; the CentrifugoApi call made by the handler is its child and carries the trace on to Centrifugo (HTTP and
// gRPC transports); an OTLP/HTTP receiver (a tiny HTTP endpoint decoding the OTLP JSON payload) gets the spans; JSON
// log lines written inside the span carry its trace id.
import * as grpc from "@grpc/grpc-js"
import { ConfigProvider, Context, Effect, Exit, Layer, Scope } from "effect"
import { afterEach, expect, it } from "vitest"
import { CentrifugoApi, HandlerSet, Interceptor, Logging, ProxyServer, Reply, Tracing } from "../../src/index.ts"
import { ProxyClient } from "../../src/testing/index.ts"
import { startCollector } from "../support/otlp.ts"

/** Centrifugo's gRPC API, as far as Publish goes: records each call's metadata. */
const startGrpcApi = async () => {
  const metadata: Array<grpc.Metadata> = []
  const server = new grpc.Server()
  const identity = <A>(value: A): A => value
  server.addService({
    Publish: {
      path: "/centrifugal.centrifugo.api.CentrifugoApi/Publish",
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity
    }
  }, {
    Publish: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      metadata.push(call.metadata)
      callback(null, Buffer.alloc(0)) // an empty PublishResponse
    }
  })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => error ? reject(error) : resolve(port))
  )
  return { address: `127.0.0.1:${port}`, metadata, close: () => server.forceShutdown() }
}

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close()
})

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
const PARENT_ID = "00f067aa0ba902b7"

it.each(["http", "grpc"] as const)(
  "the forwarded traceparent parents the server span; the %s API call is its child and carries the trace on",
  async (transport) => {
    const collector = await startCollector()
    cleanup.push(collector.close)
    const grpcApi = await startGrpcApi()
    cleanup.push(grpcApi.close)
    const lines: Array<string> = []

    const api = transport === "http"
      ? CentrifugoApi.layerHttpFetch({ url: collector.url, key: "api-key" })
      : CentrifugoApi.layerGrpc({ address: grpcApi.address, key: "api-key" })
    const handlers = HandlerSet.layer({
      rpc: () =>
        Effect.gen(function*() {
          const centrifugo = yield* CentrifugoApi.CentrifugoApi
          yield* centrifugo.publish({ channel: "news", data: { hello: 1 } })
          yield* Effect.logInfo("published")
          return Reply.rpc({ data: "done" })
        })
    }).pipe(Interceptor.logging(), Interceptor.tracing(), Layer.provide(api))
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "ops-test"
    }
    const layer = ProxyServer.layer({ host: "127.0.0.1", port: 0 }).pipe(
      Layer.provide(handlers),
      Layer.provide(Tracing.layerConfig()),
      Layer.provide(Logging.layer({ format: "json", write: (line) => lines.push(line) })),
      Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
    )
    const scope = Scope.makeUnsafe()
    const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
    const client = ProxyClient.make(Context.get(context, ProxyServer.ProxyServer).address)
    try {
      const reply = await client.rpc({ client: "c1", user: "ann", method: "announce" }, {
        metadata: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` }
      })
      expect(ProxyClient.parseJson(reply.result?.data)).toBe("done")
    } finally {
      client.close()
    }
    // Closing the scope flushes the exporter.
    await Effect.runPromise(Scope.close(scope, Exit.void))

    const server = collector.spans.find((s) => s.name === "centrifugo.rpc")
    expect(server).toMatchObject({ traceId: TRACE_ID, parentSpanId: PARENT_ID, kind: 2 }) // SERVER
    const apiSpan = collector.spans.find((s) => s.name === "CentrifugoApi.publish")
    expect(apiSpan).toMatchObject({ traceId: TRACE_ID, parentSpanId: server!.spanId, kind: 3 }) // CLIENT

    // Centrifugo receives the trace: a traceparent in the same trace, parented inside the API call's span.
    const sent = transport === "http"
      ? collector.apiHeaders[0]?.traceparent
      : grpcApi.metadata[0]?.get("traceparent")[0]
    expect(String(sent)).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`))
    const sentSpanId = String(sent).split("-")[2]
    const sentSpan = collector.spans.find((s) => s.spanId === sentSpanId)
    expect(sentSpan?.spanId === apiSpan!.spanId || sentSpan?.parentSpanId === apiSpan!.spanId).toBe(true)

    // JSON log lines: one object per line; those inside the span carry its ids and the call's annotations.
    const parsed = lines.map((line) => JSON.parse(line) as { message: unknown; annotations: Record<string, unknown> })
    const published = parsed.find((line) => line.message === "published")
    expect(published?.annotations).toMatchObject({ traceId: TRACE_ID })
    const answered = parsed.find((line) => String(line.message).startsWith("RPC announce -> ok"))
    expect(answered?.annotations).toMatchObject({ event: "rpc", client: "c1", user: "ann", traceId: TRACE_ID })
  }
)

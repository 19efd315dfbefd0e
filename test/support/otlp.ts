// An OTLP/HTTP traces receiver for tests: a tiny HTTP endpoint that decodes the OTLP JSON payload
// (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`). It also plays Centrifugo's HTTP API for `publish`, recording headers.
import { createServer, type Server } from "node:http"

export interface OtlpSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly kind: number
}

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resolve(`http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`)
    })
  )

/** An OTLP/HTTP traces receiver that is also Centrifugo's HTTP API (it records the headers of API calls). */
export const startCollector = async () => {
  const spans: Array<OtlpSpan> = []
  let protobufExports = 0
  const apiHeaders: Array<Record<string, string | Array<string> | undefined>> = []
  const server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      if (request.url === "/v1/traces" && request.headers["content-type"] === "application/x-protobuf") {
        // The default protocol (http/protobuf): counted, not decoded.
        protobufExports++
        response.writeHead(200, { "content-type": "application/x-protobuf" }).end()
      } else if (request.url === "/v1/traces") {
        const payload = JSON.parse(body) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<OtlpSpan> }> }>
        }
        for (const resource of payload.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans)
        response.writeHead(200, { "content-type": "application/json" }).end("{}")
      } else if (request.url === "/api/publish") {
        apiHeaders.push(request.headers)
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ result: {} }))
      } else response.writeHead(404).end()
    })
  })
  const url = await listen(server)
  return { url, spans, apiHeaders, protobufExports: () => protobufExports, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}


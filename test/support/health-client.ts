// A grpc_health_probe-style client: the standard grpc.health.v1 service through grpc-js and proto-loader, sharing
// nothing with the server's hand-written codec.
import * as grpc from "@grpc/grpc-js"
import * as protoLoader from "@grpc/proto-loader"
import { fileURLToPath } from "node:url"

const definition = protoLoader.loadSync(fileURLToPath(new URL("../fixtures/health.proto", import.meta.url)), {
  enums: String,
  defaults: true
})
const Health = (grpc.loadPackageDefinition(definition) as unknown as {
  grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } }
}).grpc.health.v1.Health

export type Status = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN"

export interface HealthClient {
  /** The status, or the gRPC error (code and details) the call ended with. */
  readonly check: (service: string) => Promise<Status | { readonly code: number; readonly details: string }>
  /** Opens a Watch; `statuses` fills as messages arrive, `ended` resolves with the final status code. */
  readonly watch: (service: string) => {
    readonly statuses: Array<Status>
    readonly ended: Promise<{ readonly code: number; readonly details: string }>
    readonly cancel: () => void
  }
  readonly close: () => void
}

export const make = (address: string): HealthClient => {
  const client = new Health(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Check: (
      request: { service: string },
      options: grpc.CallOptions,
      callback: (error: grpc.ServiceError | null, response: { status: Status }) => void
    ) => void
    Watch: (request: { service: string }) => grpc.ClientReadableStream<{ status: Status }>
  }
  return {
    check: (service) =>
      new Promise((resolve) => {
        client.Check({ service }, { deadline: Date.now() + 5_000 }, (error, response) =>
          resolve(error ? { code: error.code, details: error.details } : response.status))
      }),
    watch: (service) => {
      const statuses: Array<Status> = []
      const call = client.Watch({ service })
      call.on("data", (message) => statuses.push(message.status))
      const ended = new Promise<{ code: number; details: string }>((resolve) => {
        call.on("status", (status: grpc.StatusObject) => resolve({ code: status.code, details: status.details }))
      })
      call.on("error", () => {}) // the status event carries the outcome
      return { statuses, ended, cancel: () => call.cancel() }
    },
    close: () => client.close()
  }
}

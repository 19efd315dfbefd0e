// What a Node team writes by hand: @grpc/grpc-js with @grpc/proto-loader, callbacks, JSON by hand.
import * as grpc from "@grpc/grpc-js"
import * as protoLoader from "@grpc/proto-loader"
import { fileURLToPath } from "node:url"
import { port, ready, realisticChannels, TOKENS } from "./logic.ts"

// PROXY_PROTO: set by bench/run.ts, which runs a compiled copy of this file from another directory.
const protoPath = process.env.PROXY_PROTO ?? fileURLToPath(new URL("../../proto/proxy.proto", import.meta.url))
const definition = protoLoader.loadSync(protoPath, {
  keepCase: true,
  longs: String,
  defaults: false
})
// proto-loader's package object is untyped by design (it is built at run time from the .proto file).
const proxy = (grpc.loadPackageDefinition(definition) as unknown as {
  centrifugal: { centrifugo: { proxy: { CentrifugoProxy: { service: grpc.ServiceDefinition } } } }
}).centrifugal.centrifugo.proxy.CentrifugoProxy

type Call = grpc.ServerUnaryCall<{ data?: Buffer }, unknown>

/**
 * "Exactly as our server does": effect-centrifugo parses every request's JSON `data` and answers 107 when it does
 * not parse, before any handler runs, so the hand-written baseline does the same.
 */
const validJson = (call: Call, callback: grpc.sendUnaryData<unknown>): boolean => {
  const data = call.request.data
  if (data === undefined || data.length === 0) return true
  try {
    JSON.parse(data.toString("utf8"))
    return true
  } catch {
    callback(null, { error: { code: 107, message: "bad request: data is not valid JSON" } })
    return false
  }
}

const noop: grpc.UntypedServiceImplementation = {
  Connect: (call: Call, callback: grpc.sendUnaryData<unknown>) => {
    if (validJson(call, callback)) callback(null, { result: { user: "u" } })
  },
  Subscribe: (call: Call, callback: grpc.sendUnaryData<unknown>) => {
    if (validJson(call, callback)) callback(null, { result: {} })
  },
  RPC: (call: Call, callback: grpc.sendUnaryData<unknown>) => {
    if (validJson(call, callback)) callback(null, { result: {} })
  }
}

const realistic: grpc.UntypedServiceImplementation = {
  Connect: (call: Call, callback: grpc.sendUnaryData<unknown>) => {
    try {
      const data = JSON.parse(call.request.data?.toString("utf8") ?? "null") as { token?: unknown } | null
      if (typeof data?.token !== "string") {
        return callback(null, { error: { code: 107, message: "bad request: token: Expected string" } })
      }
      const user = TOKENS.get(data.token)
      if (user === undefined) return callback(null, { error: { code: 101, message: "unauthorized" } })
      callback(null, {
        result: { user, channels: realisticChannels(user), data: Buffer.from(JSON.stringify({ ok: true })) }
      })
    } catch {
      callback(null, { error: { code: 107, message: "bad request" } })
    }
  }
}

const server = new grpc.Server()
server.addService(proxy.service, process.env.MODE === "realistic" ? realistic : noop)
server.bindAsync(`127.0.0.1:${port()}`, grpc.ServerCredentials.createInsecure(), (error, bound) => {
  if (error) throw error
  ready(bound)
})

// Exit normally on SIGINT, so --cpu-prof can write its profile.
process.once("SIGINT", () => process.exit(0))

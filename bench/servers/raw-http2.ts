// The Node floor: node:http2 with gRPC framing and trailers by hand, answering precomputed responses without
// decoding the request (a 5-byte prefix: compressed flag + big-endian length, then the message).
import { createServer } from "node:http2"
import * as pb from "../../src/proto/generated/proxy.ts"
import { port, ready } from "./logic.ts"

const frame = (message: Uint8Array): Buffer => {
  const out = Buffer.allocUnsafe(5 + message.length)
  out.writeUInt8(0, 0)
  out.writeUInt32BE(message.length, 1)
  out.set(message, 5)
  return out
}

const PREFIX = "/centrifugal.centrifugo.proxy.CentrifugoProxy/"
const responses = new Map<string, Buffer>([
  [`${PREFIX}Connect`, frame(pb.ConnectResponse.encode({ result: { user: "u" } }).finish())],
  [`${PREFIX}Subscribe`, frame(pb.SubscribeResponse.encode({ result: {} }).finish())],
  [`${PREFIX}RPC`, frame(pb.RPCResponse.encode({ result: {} }).finish())]
])

const server = createServer()
server.on("stream", (stream, headers) => {
  const response = responses.get(String(headers[":path"]))
  stream.on("data", () => {}) // drain the request body
  stream.on("end", () => {
    if (response === undefined) {
      stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12" }, { endStream: true })
      return
    }
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true })
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }))
    stream.end(response)
  })
  stream.on("error", () => {})
})
server.listen(port(), "127.0.0.1", () => {
  const address = server.address()
  ready(typeof address === "object" && address !== null ? address.port : 0)
})

// Exit normally on SIGINT, so --cpu-prof can write its profile.
process.once("SIGINT", () => process.exit(0))

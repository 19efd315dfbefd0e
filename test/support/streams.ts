// Reading a stream subscription as Centrifugo does, for the stream tests.
import type * as grpc from "@grpc/grpc-js"
import type * as pb from "../../src/proto/generated/proxy.ts"

/** Every message of a finished stream call and its final status. */
export const collect = (call: grpc.ClientReadableStream<pb.StreamSubscribeResponse>) =>
  new Promise<{ messages: Array<pb.StreamSubscribeResponse>; status: grpc.StatusObject }>((resolve) => {
    const messages: Array<pb.StreamSubscribeResponse> = []
    call.on("data", (message: pb.StreamSubscribeResponse) => messages.push(message))
    call.on("error", () => {}) // the status event carries it
    call.on("status", (status: grpc.StatusObject) => setImmediate(() => resolve({ messages, status })))
  })

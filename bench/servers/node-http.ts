// What an Express/Fastify-minded Node team writes by hand for Centrifugo's HTTP proxy: node:http, the body read and
// JSON-parsed, the answer JSON-stringified. Same answers as our server (bench/servers/logic.ts).
import { createServer } from "node:http"
import { httpConnectAnswer as answer, port, ready } from "./logic.ts"

const server = createServer((request, response) => {
  if (request.method !== "POST" || request.url !== "/centrifugo/connect") {
    response.writeHead(404).end()
    return
  }
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    let reply: unknown
    try {
      reply = answer(JSON.parse(Buffer.concat(chunks).toString("utf8")))
    } catch {
      reply = { error: { code: 107, message: "bad request" } }
    }
    const text = JSON.stringify(reply)
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text)
  })
})
server.listen(port(), "127.0.0.1", () => {
  const address = server.address()
  ready(typeof address === "object" && address !== null ? address.port : 0)
})

// Exit normally on SIGINT, so --cpu-prof can write its profile.
process.once("SIGINT", () => process.exit(0))

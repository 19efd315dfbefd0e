// Fastify as its users write a Centrifugo HTTP proxy: a route per event, Fastify's own JSON body parsing and reply
// serialization, logger off (as our servers log at Warn). Same answers as bench/servers/logic.ts.
import Fastify from "fastify"
import { emptyAnswer, HTTP_EMPTY_EVENTS, httpConnectAnswer, port, ready } from "./logic.ts"

type Body = Parameters<typeof httpConnectAnswer>[0]

const app = Fastify({ logger: false })
app.post<{ Body: Body }>("/centrifugo/connect", async (request) => httpConnectAnswer(request.body))
for (const event of HTTP_EMPTY_EVENTS) app.post(`/centrifugo/${event}`, async () => emptyAnswer)

app.listen({ host: "127.0.0.1", port: port() }).then(() => {
  const address = app.server.address()
  ready(typeof address === "object" && address !== null ? address.port : 0)
})

// Exit normally on SIGINT, so --cpu-prof can write its profile.
process.once("SIGINT", () => process.exit(0))

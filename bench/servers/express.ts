// Express 5 as its users write a Centrifugo HTTP proxy: express.json() body parsing, a route per event, res.json.
// Same answers as bench/servers/logic.ts.
import express from "express"
import { emptyAnswer, HTTP_EMPTY_EVENTS, httpConnectAnswer, port, ready } from "./logic.ts"

const app = express()
app.use(express.json())
app.post("/centrifugo/connect", (request, response) => {
  response.json(httpConnectAnswer(request.body))
})
for (const event of HTTP_EMPTY_EVENTS) app.post(`/centrifugo/${event}`, (_request, response) => response.json(emptyAnswer))

const server = app.listen(port(), "127.0.0.1", () => {
  const address = server.address()
  ready(typeof address === "object" && address !== null ? address.port : 0)
})

// Exit normally on SIGINT, so --cpu-prof can write its profile.
process.once("SIGINT", () => process.exit(0))

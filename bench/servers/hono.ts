// Hono on @hono/node-server as its users write a Centrifugo HTTP proxy: a route per event, c.req.json(), c.json().
// Same answers as bench/servers/logic.ts.
import { serve } from "@hono/node-server"
import { Hono } from "hono"
import { emptyAnswer, HTTP_EMPTY_EVENTS, httpConnectAnswer, port, ready } from "./logic.ts"

type Body = Parameters<typeof httpConnectAnswer>[0]

const app = new Hono()
app.post("/centrifugo/connect", async (c) => c.json(httpConnectAnswer(await c.req.json<Body>())))
for (const event of HTTP_EMPTY_EVENTS) app.post(`/centrifugo/${event}`, (c) => c.json(emptyAnswer))

serve({ fetch: app.fetch, hostname: "127.0.0.1", port: port() }, (info) => ready(info.port))

// Exit normally on SIGINT, so --cpu-prof can write its profile.
process.once("SIGINT", () => process.exit(0))

/**
 * `npm run demo`: the example backend (examples/main.ts) behind a real Centrifugo v6.9.1, walked through by a
 * scripted centrifuge-js client that prints each step. Exits 0 when every step saw what it expected.
 * `npm run demo -- --serve` keeps both running afterwards so you can connect your own client, and serves the browser
 * demo (examples/web/) on 127.0.0.1 (WEB_PORT, default a free port); Ctrl-C stops everything.
 * `npm run demo -- --transport http` points Centrifugo's proxies at the backend's HTTP routes instead of gRPC (the
 * backend serves both; the walkthrough is the same).
 */
import { Centrifuge } from "centrifuge"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { connect as tcpConnect } from "node:net"
import { fileURLToPath } from "node:url"
import WebSocket from "ws"
import { CentrifugeRpc } from "effect-centrifugo/client"
import { Centrifugo } from "effect-centrifugo/testing"
import { AppHandlers } from "./app.ts"
import { NewsRpcs } from "./contract.ts"
import { serveWeb } from "./web/serve.ts"

const root = fileURLToPath(new URL("..", import.meta.url))
const serve = process.argv.includes("--serve")
const verbose = process.argv.includes("--verbose")
const transportFlag = process.argv.indexOf("--transport")
const transport = transportFlag === -1 ? "grpc" : process.argv[transportFlag + 1]
if (transport !== "grpc" && transport !== "http") {
  console.error(`--transport must be grpc or http, got ${transport}`)
  process.exit(2)
}

const bold = (s: string) => `\x1b[1m${s}\x1b[0m`
const green = (s: string) => `\x1b[32m${s}\x1b[0m`
const dim = (s: string) => `\x1b[2m${s}\x1b[0m`
let stepNo = 0
const step = (title: string) => console.log(`\n${bold(`${++stepNo}. ${title}`)}`)
const saw = (what: string, value: unknown) => console.log(`   ${green("✓")} ${what}: ${JSON.stringify(value)}`)

const expectEqual = (what: string, actual: unknown, expected: unknown) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
  saw(what, actual)
}

const within = <T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))
  ])

// centrifuge-js types each event's listener; the demo only needs "the next context of this event".
const once = <T>(emitter: { once(event: never, cb: never): unknown }, event: string) =>
  new Promise<T>((resolve) => (emitter.once as (event: string, cb: (ctx: T) => void) => unknown)(event, resolve))

const waitForPort = async (port: number, child: ChildProcess, output: () => string) => {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the backend exited with ${child.exitCode}:\n${output()}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, "127.0.0.1", () => (socket.end(), resolve(true)))
      socket.once("error", () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the backend did not listen on ${port}:\n${output()}`)
}

const main = async () => {
  const bin = execFileSync("bash", [`${root}/scripts/build-centrifugo.sh`], { encoding: "utf8" }).trim()
  const grpcPort = Number(process.env.PROXY_PORT ?? (await Centrifugo.freePort()))
  const httpPort = Number(process.env.PROXY_HTTP_PORT ?? (await Centrifugo.freePort()))
  // The backend serves both transports; Centrifugo's proxies use the one chosen.
  const proxyPort = transport === "http" ? httpPort : grpcPort
  // Chosen before either starts: the backend calls Centrifugo's server API (news.create broadcasts).
  const centrifugoPort = Number(process.env.CENTRIFUGO_PORT ?? (await Centrifugo.freePort()))
  const apiKey = "demo-api-key"

  step(`Start the example backend (examples/main.ts): gRPC on 127.0.0.1:${grpcPort}, HTTP on 127.0.0.1:${httpPort}`)
  let backendOutput = ""
  const backend = spawn(process.execPath, ["--conditions=effect-centrifugo-source", `${root}/examples/main.ts`], {
    env: {
      ...process.env,
      PROXY_HOST: "127.0.0.1",
      PROXY_PORT: String(grpcPort),
      PROXY_HTTP_HOST: "127.0.0.1",
      PROXY_HTTP_PORT: String(httpPort),
      PROXY_CENTRIFUGO_API_URL: `http://127.0.0.1:${centrifugoPort}`,
      PROXY_CENTRIFUGO_API_KEY: apiKey
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const collect = (chunk: Buffer) => {
    backendOutput += chunk.toString()
    if (verbose || serve) process.stdout.write(dim(`   [backend] ${chunk.toString()}`))
  }
  backend.stdout.on("data", collect)
  backend.stderr.on("data", collect)
  const stopBackend = async () => {
    if (backend.exitCode !== null) return
    const exited = once(backend, "exit")
    backend.kill("SIGINT")
    await exited
  }
  await waitForPort(proxyPort, backend, () => backendOutput)
  saw("backend listening", `127.0.0.1:${proxyPort}`)

  step(`Start Centrifugo v6.9.1 with the config generated from the handlers, its proxies pointed at the backend over ${transport === "http" ? "HTTP" : "gRPC"}`)
  const centrifugo = await Centrifugo.start({
    bin,
    transport,
    proxy: `127.0.0.1:${proxyPort}`,
    httpHeaders: ["Secret", "Authorization"],
    port: centrifugoPort,
    apiKey,
    // The config comes from the handler set: its proxies, and the `chat` namespace of the typed chat rooms.
    handlers: AppHandlers
  })
  saw("centrifugo healthy", centrifugo.httpUrl)

  const shutdown = async () => {
    await centrifugo.stop()
    await stopBackend()
  }

  const clients: Array<Centrifuge> = []
  const newClient = (data: unknown, headers: Record<string, string> = {}) => {
    const WithHeaders = function(url: string, protocols?: string | Array<string>) {
      return new WebSocket(url, protocols, { headers })
    }
    const c = new Centrifuge(centrifugo.websocketUrl, { websocket: WithHeaders, data, minReconnectDelay: 60_000 })
    clients.push(c)
    return c
  }
  try {
    step("Connect with an invalid token (token-auth connect: disconnected with 4501, no retry)")
    const intruder = newClient({ authToken: "forged" })
    const refusedConnect = once<{ code: number; reason: string }>(intruder, "disconnected")
    intruder.connect()
    const closed = await within(refusedConnect, "disconnect")
    expectEqual("disconnected", { code: closed.code, reason: closed.reason }, { code: 4501, reason: "connection is not allowed" })

    step("Connect as alice with `alice-token` (subscribed server-side to user-alice, chat-alice and public)")
    const alice = newClient({ authToken: "alice-token" }, { Secret: "secret" })
    const serverSide = new Set<string>()
    alice.on("subscribed", (ctx) => serverSide.add(ctx.channel))
    const connected = once<{ client: string; data: unknown }>(alice, "connected")
    alice.connect()
    expectEqual("connect reply data", (await within(connected, "connected")).data, { user: "alice" })
    await within(
      (async () => {
        while (serverSide.size < 3) await new Promise((resolve) => setTimeout(resolve, 20))
      })(),
      "server-side subscriptions"
    )
    expectEqual("server-side subscriptions", [...serverSide].sort(), ["chat-alice", "public", "user-alice"])

    step("Publish to `public` through Centrifugo's HTTP API (alice receives it on her auto-subscribed channel)")
    const news = once<{ channel: string; data: unknown }>(alice, "publication")
    const api = await fetch(`${centrifugo.httpUrl}/api/publish`, {
      method: "POST",
      headers: { "X-API-Key": centrifugo.apiKey },
      body: JSON.stringify({ channel: "public", data: { headline: "effect-centrifugo demo" } })
    }).then((r) => r.json())
    saw("HTTP API answered", api)
    expectEqual("publication on public", (await within(news, "publication")).data, { headline: "effect-centrifugo demo" })

    step("Subscribe to user.alice (her own: allowed) and user.bob (foreign: refused with 103)")
    const own = alice.newSubscription("user.alice")
    const ownSubscribed = once(own, "subscribed")
    own.subscribe()
    await within(ownSubscribed, "user.alice subscribed")
    saw("user.alice", "subscribed")
    const foreign = alice.newSubscription("user.bob")
    const foreignRefused = once<{ code: number; reason: string }>(foreign, "unsubscribed")
    foreign.subscribe()
    const refusal = await within(foreignRefused, "user.bob refused")
    expectEqual("user.bob", { code: refusal.code, reason: refusal.reason }, { code: 103, reason: "permission denied" })

    step("Subscribe to `topic` (allowed because the WebSocket request carried the header Secret: secret)")
    const topic = alice.newSubscription("topic")
    const topicSubscribed = once(topic, "subscribed")
    topic.subscribe()
    await within(topicSubscribed, "topic subscribed")
    saw("topic", "subscribed")

    step("Call the ping RPC")
    expectEqual("rpc ping", (await alice.rpc("ping", {})).data, "pong")

    step("Store and show news through the RPC -> HTTP bridge (post:news/store, get:news/1)")
    const stored = (await alice.rpc("post:news/store", { title: "Effect handlers", body: "They compose." })).data as {
      status: number
      body: { id: number }
    }
    expectEqual("post:news/store", stored, {
      status: 201,
      body: { id: 1, title: "Effect handlers", body: "They compose.", author: "alice" }
    })
    expectEqual("get:news/1", (await alice.rpc("get:news/1", {})).data, { status: 200, body: stored.body })
    const invalid = (await alice.rpc("post:news/store", { title: "no" })).data as { status: number }
    expectEqual("post:news/store with a short title", invalid.status, 422)

    step("Create news with the typed news.create RPC: stored, then broadcast through the server API to news and user.alice")
    const newsChannel = alice.newSubscription("news")
    const newsSubscribed = once(newsChannel, "subscribed")
    newsChannel.subscribe()
    await within(newsSubscribed, "news subscribed")
    const broadcastOnNews = once<{ data: { news: { title: string } } }>(newsChannel, "publication")
    const broadcastOnOwn = once<{ data: { news: { title: string } } }>(own, "publication")
    // Through the typed client of the news RpcGroup (examples/contract.ts): decoded values, declared failures.
    const newsRpcs = CentrifugeRpc.promiseClient(NewsRpcs, alice)
    const created = await newsRpcs["news.create"]({ title: "Broadcasts work", body: "Through CentrifugoApi." })
    saw("news.create", created)
    expectEqual("delivered to", created.deliveredTo, ["news", "user.alice"])
    expectEqual("on news", (await within(broadcastOnNews, "news broadcast")).data.news.title, "Broadcasts work")
    expectEqual("on user.alice", (await within(broadcastOnOwn, "own broadcast")).data.news.title, "Broadcasts work")
    expectEqual("news.get", (await newsRpcs["news.get"]({ id: created.id })).title, "Broadcasts work")
    const missing = await newsRpcs["news.get"]({ id: 9999 }).then(() => undefined, (failure: unknown) => failure)
    expectEqual("news.get of a missing id: the declared failure", missing, { _tag: "NewsNotFound", id: 9999 })

    step("Publish into chat:lobby (typed payload; the handler stamps author and time)")
    const bob = newClient({ authToken: "bob-token" })
    bob.connect()
    const bobLobby = bob.newSubscription("chat:lobby")
    const bobSubscribed = once(bobLobby, "subscribed")
    bobLobby.subscribe()
    await within(bobSubscribed, "bob subscribed")
    const lobby = alice.newSubscription("chat:lobby")
    const lobbySubscribed = once(lobby, "subscribed")
    lobby.subscribe()
    await within(lobbySubscribed, "alice subscribed")
    const received = once<{ data: { text: string; by: string; at: string } }>(bobLobby, "publication")
    await lobby.publish({ text: "hello, bob" })
    const message = (await within(received, "publication")).data
    expectEqual("bob received", { text: message.text, by: message.by }, { text: "hello, bob", by: "alice" })
    const empty = await lobby.publish({ text: "" }).then(() => undefined, (e: { code: number }) => e.code)
    expectEqual("an empty message is refused", empty, 107)

    if (serve) {
      const web = await serveWeb({
        websocketUrl: centrifugo.websocketUrl,
        ...(process.env.WEB_PORT === undefined ? {} : { port: Number(process.env.WEB_PORT) })
      })
      console.log(`\n${bold("Serving.")} Open the browser demo, or connect your own client:`)
      console.log(`   Browser:    ${bold(web.url)}   (log in as alice or bob, chat, ping, news)`)
      console.log(`   WebSocket:  ${centrifugo.websocketUrl}   (connect data {"authToken": "alice-token"} or "bob-token")`)
      console.log(`   HTTP API:   ${centrifugo.httpUrl}/api  (X-API-Key: ${centrifugo.apiKey})`)
      console.log(`   Backend:    grpc://127.0.0.1:${grpcPort} and http://127.0.0.1:${httpPort}/centrifugo/ (proxies use ${transport})`)
      console.log("   Ctrl-C stops everything.")
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()))
      await web.close()
    }
    console.log(`\n${green("Demo finished: every step saw what it expected.")}`)
  } catch (error) {
    console.error(`\n\x1b[31mDemo failed:\x1b[0m ${(error as Error).message}`)
    console.error(dim(`--- backend output ---\n${backendOutput}\n--- centrifugo output (tail) ---\n${centrifugo.logs().slice(-4000)}`))
    process.exitCode = 1
  } finally {
    for (const client of clients) client.disconnect()
    await shutdown()
  }
}

main().then(
  () => process.exit(),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)

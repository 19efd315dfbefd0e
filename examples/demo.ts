/**
 * `npm run demo`: the example backend (examples/main.ts) behind a real Centrifugo v6.9.1, walked through by a
 * scripted centrifuge-js client that prints each step. Exits 0 when every step saw what it expected.
 * `npm run demo -- --serve` keeps both running afterwards so you can connect your own client (Ctrl-C stops).
 */
import { Centrifuge } from "centrifuge"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { connect as tcpConnect } from "node:net"
import { fileURLToPath } from "node:url"
import WebSocket from "ws"
import { Centrifugo } from "effect-centrifugo/testing"

const root = fileURLToPath(new URL("..", import.meta.url))
const serve = process.argv.includes("--serve")
const verbose = process.argv.includes("--verbose")

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
  const proxyPort = Number(process.env.PROXY_PORT ?? (await Centrifugo.freePort()))

  step(`Start the example backend (examples/main.ts) on 127.0.0.1:${proxyPort}`)
  let backendOutput = ""
  const backend = spawn(process.execPath, ["--conditions=effect-centrifugo-source", `${root}/examples/main.ts`], {
    env: { ...process.env, PROXY_HOST: "127.0.0.1", PROXY_PORT: String(proxyPort) },
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

  step("Start Centrifugo v6.9.1 with every unary proxy pointed at the backend")
  const centrifugo = await Centrifugo.start({
    bin,
    proxy: `127.0.0.1:${proxyPort}`,
    ...(process.env.CENTRIFUGO_PORT ? { port: Number(process.env.CENTRIFUGO_PORT) } : {})
  })
  saw("centrifugo healthy", centrifugo.httpUrl)

  const shutdown = async () => {
    await centrifugo.stop()
    await stopBackend()
  }

  const clients: Array<Centrifuge> = []
  try {
    step("Connect as alice (connect proxy: user from the connect data, auto-subscribed to `news`)")
    const alice = new Centrifuge(centrifugo.websocketUrl, { websocket: WebSocket, data: { name: "alice" } })
    clients.push(alice)
    const newsSubscribed = once<{ channel: string }>(alice, "subscribed")
    const connected = once<{ client: string; data: unknown }>(alice, "connected")
    alice.connect()
    const ctx = await within(connected, "connected")
    expectEqual("connect reply data", ctx.data, { welcome: "hello alice" })
    expectEqual("server-side subscription", (await within(newsSubscribed, "news subscription")).channel, "news")

    step("Subscribe to chat:lobby (subscribe proxy allows it and sends data)")
    const lobby = alice.newSubscription("chat:lobby")
    const lobbySubscribed = once<{ data: unknown }>(lobby, "subscribed")
    lobby.subscribe()
    expectEqual("subscribe reply data", (await within(lobbySubscribed, "chat:lobby subscribed")).data, {
      joined: "chat:lobby"
    })

    step("Publish into chat:lobby (publish proxy stamps the author; subscribers get the new data)")
    const publication = once<{ data: unknown }>(lobby, "publication")
    await lobby.publish({ text: "hello, lobby" })
    expectEqual("publication received", (await within(publication, "publication")).data, {
      text: "hello, lobby",
      by: "alice"
    })

    step("Call the ping RPC (rpc proxy)")
    expectEqual("rpc result", (await alice.rpc("ping", {})).data, "pong")
    const unknown = await alice.rpc("nope", {}).then(() => undefined, (e: { code: number; message: string }) => e)
    expectEqual("unknown rpc method", { code: unknown?.code, message: unknown?.message }, {
      code: 104,
      message: "unknown method nope"
    })

    step("Subscribe to vault (subscribe proxy refuses with 1403)")
    const secret = alice.newSubscription("vault")
    const refused = once<{ code: number; reason: string }>(secret, "unsubscribed")
    secret.subscribe()
    const { code, reason } = await within(refused, "refusal")
    expectEqual("subscription refused", { code, reason }, { code: 1403, reason: "permission denied" })

    step("Publish to `news` through Centrifugo's HTTP API (alice got it through her server-side subscription)")
    const news = once<{ channel: string; data: unknown }>(alice, "publication")
    const api = await fetch(`${centrifugo.httpUrl}/api/publish`, {
      method: "POST",
      headers: { "X-API-Key": centrifugo.apiKey },
      body: JSON.stringify({ channel: "news", data: { headline: "effect-centrifugo demo works" } })
    }).then((r) => r.json())
    saw("HTTP API answered", api)
    expectEqual("news publication", (await within(news, "news publication")).data, {
      headline: "effect-centrifugo demo works"
    })
    alice.disconnect()

    if (serve) {
      console.log(`\n${bold("Serving.")} Connect your own client:`)
      console.log(`   WebSocket:  ${centrifugo.websocketUrl}   (connect data {"name": "you"})`)
      console.log(`   HTTP API:   ${centrifugo.httpUrl}/api  (X-API-Key: ${centrifugo.apiKey})`)
      console.log(`   Backend:    grpc://127.0.0.1:${proxyPort}`)
      console.log("   Ctrl-C stops both.")
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()))
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

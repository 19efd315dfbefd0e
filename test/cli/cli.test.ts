// The built `effect-centrifugo` CLI, end to end, in temporary directories: `init` a project from this repository's
// packed tarball, `npm install` and `npm test` it; `create` a handler of every event and an RPC method, then the
// project's `tsc` and tests again; `config` for it accepted by `centrifugo checkconfig --strict`, and a real
// Centrifugo started with that config serving the project (connect + rpc through the centrifuge SDK);
// `config --check` reporting planted mismatches. Slow (npm install): one project, reused by every step.
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Defaults } from "effect-centrifugo"
import { Centrifugo } from "../../src/testing/index.ts"
import { EVENTS } from "../../src/cli/templates/handler.ts"
import { centrifugoBin, client, next } from "../support/e2e.ts"

const repo = fileURLToPath(new URL("../..", import.meta.url))
const cliMain = join(repo, "dist", "src", "cli", "main.js")

interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly output: string
}

/** Runs a command to its end; never throws, so a test can show what it printed. */
const run = (command: string, args: ReadonlyArray<string>, cwd: string, env: Record<string, string> = {}) =>
  new Promise<Ran>((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.once("error", (error) => resolve({ code: -1, stdout, stderr: `${stderr}${error.message}`, output: error.message }))
    child.once("close", (code) => resolve({ code, stdout, stderr, output: `${stdout}${stderr}` }))
  })

/** The built CLI (`npm run build` in beforeAll), with this Node (>= 22.19: it loads the project's .ts modules). */
const cli = (args: ReadonlyArray<string>, cwd: string, env: Record<string, string> = {}) =>
  run(process.execPath, [cliMain, ...args], cwd, env)

const npm = (args: ReadonlyArray<string>, cwd: string) => run("npm", args, cwd)

let work: string
let app: string
let library: string

beforeAll(async () => {
  const built = await npm(["run", "build"], repo)
  expect(built.code, built.output).toBe(0)
  work = mkdtempSync(join(tmpdir(), "effect-centrifugo-cli-"))
  const packed = await npm(["pack", "--pack-destination", work], repo)
  expect(packed.code, packed.output).toBe(0)
  const tarball = readdirSync(work).find((file) => file.endsWith(".tgz"))
  expect(tarball).toBeDefined()
  app = join(work, "app")
  library = `file:${join(work, tarball!)}`
  const created = await cli(["init", app, "--library", library], work)
  expect(created.code, created.output).toBe(0)
  const installed = await npm(["install", "--prefer-offline", "--no-audit", "--no-fund"], app)
  expect(installed.code, installed.output).toBe(0)
  // The scaffold's versions must resolve together on the day it runs (effect's packages peer each other's newest).
  expect(installed.output).not.toMatch(/ERESOLVE|peer dep|conflicting peer/i)
}, 600_000)

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true })
})

/**
 * Starts long-running processes in `cwd` (the environment without PROXY_* variables, so servers run with their
 * defaults unless told otherwise), each collected in `processes`; returns a reader of its output so far.
 */
const starter = (cwd: string, processes: Array<ChildProcess>) =>
(command: string, args: ReadonlyArray<string>, extra: Record<string, string>) => {
  let output = ""
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("PROXY_")))
  const child = spawn(command, args, { cwd, env: { ...base, ...extra }, stdio: ["ignore", "pipe", "pipe"] })
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  processes.push(child)
  return () => output
}

/** SIGTERM, then the exit code and signal once the process ended. */
const stop = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return resolve({ code: child.exitCode, signal: child.signalCode })
    }
    child.once("exit", (code, signal) => resolve({ code, signal }))
    child.kill("SIGTERM")
  })

/**
 * The project's src/main.ts (with `serverEnv`) and Centrifugo with its centrifugo.json (on `httpPort`); a centrifuge
 * client connected as alice is handed to `use`. Then SIGTERM: the scaffolded main.ts drains and exits 0 (Main.run),
 * as Kubernetes and systemd expect.
 */
const throughCentrifugo = async (
  cwd: string,
  httpPort: number,
  serverEnv: Record<string, string>,
  listening: string,
  use: (centrifuge: ReturnType<typeof client>, centrifugo: () => string) => Promise<void>
) => {
  const processes: Array<ChildProcess> = []
  const start = starter(cwd, processes)
  const centrifuge = client(`ws://127.0.0.1:${httpPort}/connection/websocket`, { data: { user: "alice" } })
  try {
    const server = start(process.execPath, ["src/main.ts"], serverEnv)
    const centrifugo = start(centrifugoBin(), ["--config", "centrifugo.json"], {})
    await expect.poll(server, { timeout: 20_000 }).toContain(listening)
    await expect.poll(
      () => fetch(`http://127.0.0.1:${httpPort}/health`).then((r) => r.ok, () => false),
      { timeout: 20_000, interval: 100 }
    ).toBe(true)
    const connected = next<{ client: string }>(centrifuge, "connected")
    centrifuge.connect()
    await connected
    await use(centrifuge, centrifugo)
    centrifuge.disconnect()
    expect(await stop(processes[0]!), server()).toEqual({ code: 0, signal: null })
    expect(server()).toMatch(/Centrifugo (HTTP )?proxy.* stopped/)
  } finally {
    centrifuge.disconnect()
    await Promise.all(processes.map(stop))
  }
}

describe("effect-centrifugo CLI", () => {
  it("prints --help for every command", async () => {
    for (const command of [[], ["init"], ["create"], ["create", "handler"], ["create", "rpc"], ["create", "channel"], ["config"]]) {
      const help = await cli([...command, "--help"], work)
      expect(help.code, help.output).toBe(0)
      expect(help.stdout).toContain("USAGE")
      expect(help.stdout).toContain(["effect-centrifugo", ...command].join(" "))
    }
  })

  it("init writes the project, and refuses a non-empty directory unless --force", async () => {
    for (const file of ["package.json", "tsconfig.json", "src/handlers.ts", "src/contract.ts", "src/main.ts", "test/handlers.test.ts", "centrifugo.json", "README.md"]) {
      expect(existsSync(join(app, file)), file).toBe(true)
    }
    const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8"))
    expect(Object.keys(manifest.scripts)).toEqual(expect.arrayContaining(["dev", "test", "start"]))
    expect(manifest.devDependencies.node).toBe(JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).devDependencies.node)

    const occupied = join(work, "occupied")
    mkdirSync(occupied)
    writeFileSync(join(occupied, "notes.txt"), "mine")
    const refused = await cli(["init", occupied], work)
    expect(refused.code).not.toBe(0)
    expect(refused.output).toContain("not empty")
    expect(existsSync(join(occupied, "package.json"))).toBe(false)
    const forced = await cli(["init", occupied, "--force"], work)
    expect(forced.code, forced.output).toBe(0)
    expect(existsSync(join(occupied, "package.json"))).toBe(true)
    expect(readFileSync(join(occupied, "notes.txt"), "utf8")).toBe("mine")
  })

  it("the new project's tests pass on the first try", async () => {
    const tested = await npm(["test"], app)
    expect(tested.code, tested.output).toBe(0)
    expect(tested.output).toContain("4 passed")
  }, 180_000)

  it("create handler (every event) and create rpc: the project still compiles and every test passes", async () => {
    for (const event of EVENTS) {
      const created = await cli(["create", "handler", event, `On ${event}`], app)
      expect(created.code, created.output).toBe(0)
      const name = `on${event[0]!.toUpperCase()}${event.slice(1)}`
      expect(existsSync(join(app, "src", "handlers", `${name}.ts`)), name).toBe(true)
      expect(existsSync(join(app, "test", "handlers", `${name}.test.ts`)), name).toBe(true)
      // connect and rpc are in src/handlers.ts already: the line is printed, not added twice.
      expect(created.output).toContain(`${event}: ${name},`)
    }
    const method = await cli(["create", "rpc", "news:list"], app)
    expect(method.code, method.output).toBe(0)

    const handlers = readFileSync(join(app, "src", "handlers.ts"), "utf8")
    for (const event of EVENTS.filter((e) => e !== "connect" && e !== "rpc")) {
      expect(handlers).toContain(`${event}: on${event[0]!.toUpperCase()}${event.slice(1)},`)
    }
    expect(handlers).toContain(`"news:list": newsList,`)
    expect(handlers).not.toContain("connect: onConnect")

    const again = await cli(["create", "handler", "publish", "On publish"], app)
    expect(again.code).not.toBe(0)
    expect(again.output).toContain("already exists")

    const tested = await npm(["test"], app)
    expect(tested.code, tested.output).toBe(0)
    expect(tested.output).toContain(`${EVENTS.length + 2} passed`) // init's file, one per event, the rpc method
  }, 240_000)

  it("create leaves a handler file it does not recognise untouched and prints the line to add", async () => {
    const other = join(work, "other")
    mkdirSync(join(other, "src"), { recursive: true })
    const own = `import { HandlerSet } from "effect-centrifugo"\nexport const Mine = HandlerSet.layer({})\n`
    writeFileSync(join(other, "src", "handlers.ts"), own)
    const created = await cli(["create", "handler", "subscribe", "Chat"], other)
    expect(created.code, created.output).toBe(0)
    expect(readFileSync(join(other, "src", "handlers.ts"), "utf8")).toBe(own)
    expect(created.output).toContain(`import { chat } from "./handlers/chat.ts"`)
    expect(created.output).toContain("subscribe: chat,")
  })

  it("config: checkconfig --strict accepts it, and a real Centrifugo started with it serves the project", async () => {
    const bin = centrifugoBin()
    const proxyPort = await Centrifugo.freePort()
    const httpPort = await Centrifugo.freePort()
    const written = await cli([
      "config",
      "--handlers",
      "src/handlers.ts#AppHandlers",
      "--endpoint",
      `127.0.0.1:${proxyPort}`,
      "--http-address",
      "127.0.0.1",
      "--http-port",
      String(httpPort),
      "--credentials-value",
      "cli-test-secret",
      "--out",
      "centrifugo.json"
    ], app, { CENTRIFUGO_BIN: bin })
    expect(written.code, written.output).toBe(0)
    expect(written.output).toContain("checkconfig --strict: ok")
    const config = JSON.parse(readFileSync(join(app, "centrifugo.json"), "utf8"))
    expect(config.rpc.namespace_boundary).toBe("::")
    expect(config.client.proxy.connect.grpc).toEqual({ credentials_key: "x-centrifugo-proxy", credentials_value: "cli-test-secret" })
    expect(await Centrifugo.checkWithBinary(bin, config)).toBeDefined()

    await throughCentrifugo(app, httpPort, {
      // The server requires the credentials the config gives every proxy.
      PROXY_HOST: "127.0.0.1",
      PROXY_PORT: String(proxyPort),
      PROXY_CREDENTIALS_KEY: "x-centrifugo-proxy",
      PROXY_CREDENTIALS_VALUE: "cli-test-secret"
    }, "listening", async (centrifuge, centrifugo) => {
      const pong = await centrifuge.rpc("ping", {})
      expect(pong.data).toBe("pong")
      // `news:list` reaches the proxy through rpc.without_namespace thanks to namespace_boundary "::".
      // A method of the contract's RpcGroup: its result in Effect's JSON Exit, what effect-centrifugo/client decodes.
      const news = await centrifuge.rpc("news:list", { n: 21 })
      expect(news.data).toEqual({ _tag: "Success", value: { doubled: 42 } })
      expect(centrifugo()).not.toContain("\"level\":\"error\"")
    })
  }, 120_000)

  it("config --check passes on the generated config and reports planted mismatches", async () => {
    const matching = await cli(["config", "--check", "centrifugo.json", "--handlers", "src/handlers.ts#AppHandlers"], app)
    expect(matching.code, matching.output).toBe(0)
    expect(matching.output).toContain("matches the handlers")

    // Planted: the refresh proxy removed (a handler nothing reaches) ...
    const config = JSON.parse(readFileSync(join(app, "centrifugo.json"), "utf8"))
    delete config.client.proxy.refresh
    writeFileSync(join(app, "planted.json"), JSON.stringify(config, null, 2))
    const missing = await cli(["config", "--check", "planted.json", "--handlers", "src/handlers.ts#AppHandlers"], app)
    expect(missing.code).not.toBe(0)
    expect(missing.output).toContain("handler without proxy: `refresh`")

    // ... and a handler set answering only connect, checked against the full config (proxies nothing answers).
    writeFileSync(
      join(app, "src", "onlyConnect.ts"),
      `import { HandlerSet } from "effect-centrifugo"\nimport { connect } from "./handlers.ts"\nexport const OnlyConnect = HandlerSet.layer({ connect })\n`
    )
    const extra = await cli(["config", "--check", "centrifugo.json", "--handlers", "src/onlyConnect.ts#OnlyConnect"], app)
    expect(extra.code).not.toBe(0)
    expect(extra.output).toContain("proxy without handler: rpc.without_namespace.proxy_enabled sends `rpc` calls")
    expect(extra.output).toContain("proxy without handler: client.proxy.refresh")
  }, 90_000)

  it("init --transport http: npm run centrifugo:config keeps the user's edits, and points Centrifugo at the HTTP server started with its defaults", async () => {
    const web = join(work, "app-http")
    const created = await cli(["init", web, "--transport", "http", "--library", library], work)
    expect(created.code, created.output).toBe(0)
    expect(created.output).toContain(`the HTTP server on :${Defaults.http.port}`)
    // Same dependencies as the gRPC project: share its node_modules instead of a second install.
    symlinkSync(join(app, "node_modules"), join(web, "node_modules"), "dir")
    const scripts = JSON.parse(readFileSync(join(web, "package.json"), "utf8")).scripts
    expect(scripts["centrifugo:config"]).toContain("--transport http")
    expect(scripts["centrifugo:check"]).toContain("--transport http")
    expect(readFileSync(join(web, "src", "main.ts"), "utf8")).toContain("Main.run(HttpProxy.layerConfig()")
    const tsc = await run(join(app, "node_modules", ".bin", "tsc"), ["--noEmit"], web)
    expect(tsc.code, tsc.output).toBe(0)
    const bin = centrifugoBin()
    const env = { CENTRIFUGO_BIN: bin }

    // Without a Centrifugo binary at hand, config says that it skipped the check (the project's installed CLI: this
    // repository's own has the binary in its .cache).
    const installedCli = join(web, "node_modules", "effect-centrifugo", "dist", "src", "cli", "main.js")
    const unchecked = await run(
      process.execPath,
      [installedCli, "config", "--handlers", "src/handlers.ts#AppHandlers"],
      web,
      { CENTRIFUGO_BIN: "" }
    )
    expect(unchecked.code, unchecked.output).toBe(0)
    expect(unchecked.stderr).toContain("centrifugo checkconfig skipped: no Centrifugo binary found")

    // Regenerating the fresh config: nothing to change; the hint names the variables the HTTP server reads.
    const first = await npm(["run", "centrifugo:config"], web)
    expect(first.code, first.output).toBe(0)
    expect(first.output).toContain("is up to date")
    expect(first.output).toContain(`${Defaults.http.credentialsEnv.key}=${Defaults.credentialsKey}`)
    expect(first.output).toContain(`${Defaults.http.credentialsEnv.value}=<the secret>`)
    expect(first.output).not.toContain("PROXY_CREDENTIALS")

    // The user's edits: Centrifugo's port, a namespace, the API key, a real secret on every proxy.
    const httpPort = await Centrifugo.freePort()
    const edited = JSON.parse(readFileSync(join(web, "centrifugo.json"), "utf8"))
    edited.http_server = { address: "127.0.0.1", port: httpPort }
    edited.http_api.key = "my-api-key"
    edited.channel = { namespaces: [{ name: "chat", presence: true }] }
    for (const proxy of [edited.client.proxy.connect, edited.rpc.proxy]) {
      proxy.http.static_headers[Defaults.credentialsKey] = "s3cret"
    }
    writeFileSync(join(web, "centrifugo.json"), JSON.stringify(edited, null, 2))
    const unchanged = await npm(["run", "centrifugo:config"], web)
    expect(unchanged.code, unchanged.output).toBe(0)
    expect(JSON.parse(readFileSync(join(web, "centrifugo.json"), "utf8"))).toEqual(edited)

    // A new handler: its proxy is added (same transport, same secret), every edit stays, the change is listed.
    const chat = await cli(["create", "handler", "subscribe", "Chat"], web)
    expect(chat.code, chat.output).toBe(0)
    const updated = await run("npm", ["run", "centrifugo:config"], web, env)
    expect(updated.code, updated.output).toBe(0)
    expect(updated.output).toContain("checkconfig --strict: ok")
    expect(updated.output).toContain("+ channel.proxy")
    const config = JSON.parse(readFileSync(join(web, "centrifugo.json"), "utf8"))
    expect(config).toMatchObject({
      http_server: { address: "127.0.0.1", port: httpPort },
      http_api: { key: "my-api-key" },
      channel: {
        namespaces: [{ name: "chat", presence: true }],
        without_namespace: { subscribe_proxy_enabled: true },
        proxy: {
          subscribe: {
            endpoint: `http://127.0.0.1:${Defaults.http.port}/centrifugo/subscribe`,
            http: { static_headers: { [Defaults.credentialsKey]: "s3cret" } }
          }
        }
      }
    })
    const checked = await npm(["run", "centrifugo:check"], web)
    expect(checked.code, checked.output).toBe(0)
    // A config whose proxies call gRPC does not match an HTTP backend.
    const planted = structuredClone(config)
    planted.client.proxy.connect = { enabled: true, endpoint: "grpc://127.0.0.1:10001", timeout: "3s" }
    writeFileSync(join(web, "planted.json"), JSON.stringify(planted))
    const mismatch = await cli(
      ["config", "--check", "planted.json", "--transport", "http", "--handlers", "src/handlers.ts#AppHandlers"],
      web
    )
    expect(mismatch.code).not.toBe(0)
    expect(mismatch.output).toContain("transport: the proxies call the backend over grpc, and it serves http")

    // The server with its defaults (no PROXY_HTTP_PORT), the secret in the variables the hint named.
    await throughCentrifugo(web, httpPort, {
      [Defaults.http.credentialsEnv.key]: Defaults.credentialsKey,
      [Defaults.http.credentialsEnv.value]: "s3cret"
    }, `listening on http://0.0.0.0:${Defaults.http.port}`, async (centrifuge, centrifugo) => {
      expect((await centrifuge.rpc("ping", {})).data).toBe("pong")
      expect(centrifugo()).not.toContain("connection refused")
    })
  }, 180_000)

  it("init --transport both: one main.ts serving gRPC and HTTP, configured for gRPC; it compiles", async () => {
    const both = join(work, "app-both")
    const created = await cli(["init", both, "--transport", "both", "--library", library], work)
    expect(created.code, created.output).toBe(0)
    symlinkSync(join(app, "node_modules"), join(both, "node_modules"), "dir")
    expect(readFileSync(join(both, "src", "main.ts"), "utf8")).toContain(
      "Main.run(Layer.mergeAll(ProxyServer.layerConfig(), HttpProxy.layerConfig())"
    )
    expect(JSON.parse(readFileSync(join(both, "package.json"), "utf8")).scripts["centrifugo:config"]).toContain(
      "--transport grpc"
    )
    const tsc = await run(join(app, "node_modules", ".bin", "tsc"), ["--noEmit"], both)
    expect(tsc.code, tsc.output).toBe(0)
  }, 60_000)

  it("create channel: typed code in src/contract.ts and a route; its test passes; config writes its namespace; Centrifugo serves it", async () => {
    const project = join(work, "app-channel")
    const created = await cli(["init", project, "--library", library], work)
    expect(created.code, created.output).toBe(0)
    symlinkSync(join(app, "node_modules"), join(project, "node_modules"), "dir")
    const made = await cli(["create", "channel", "tickets:{id}"], project)
    expect(made.code, made.output).toBe(0)
    expect(readFileSync(join(project, "src", "contract.ts"), "utf8")).toContain('export const Tickets = Channel.make({')
    expect(readFileSync(join(project, "src", "handlers.ts"), "utf8")).toContain("ChannelRouter.route(Tickets, {")
    const again = await cli(["create", "channel", "tickets:{other}"], project)
    expect(again.code).not.toBe(0)
    expect(again.output).toContain("already exports Tickets")
    const invalid = await cli(["create", "channel", "rooms:{x", "--name", "Rooms"], project)
    expect(invalid.code).not.toBe(0)
    expect(invalid.output).toContain("invalid channel pattern")
    const tested = await npm(["test"], project)
    expect(tested.code, tested.output).toBe(0)
    expect(tested.output).toContain("5 passed") // init's four and the channel's

    const bin = centrifugoBin()
    const httpPort = await Centrifugo.freePort()
    const written = await cli([
      "config",
      "--handlers",
      "src/handlers.ts#AppHandlers",
      "--http-address",
      "127.0.0.1",
      "--http-port",
      String(httpPort),
      "--credentials-value",
      "channel-secret",
      "--out",
      "centrifugo.json"
    ], project, { CENTRIFUGO_BIN: bin })
    expect(written.code, written.output).toBe(0)
    expect(written.output).toContain("checkconfig --strict: ok")
    expect(written.output).toContain("+ channel")
    const config = JSON.parse(readFileSync(join(project, "centrifugo.json"), "utf8"))
    expect(config.channel.namespaces).toEqual([expect.objectContaining({
      name: "tickets",
      subscribe_proxy_enabled: true,
      publish_proxy_enabled: true,
      history_size: 100,
      force_recovery: true
    })])
    const checked = await cli(["config", "--check", "centrifugo.json", "--handlers", "src/handlers.ts#AppHandlers"], project)
    expect(checked.code, checked.output).toBe(0)
    // The namespace removed by hand: --check names it.
    writeFileSync(join(project, "broken.json"), JSON.stringify({ ...config, channel: { ...config.channel, namespaces: [] } }))
    const broken = await cli(["config", "--check", "broken.json", "--handlers", "src/handlers.ts#AppHandlers"], project)
    expect(broken.code).not.toBe(0)
    expect(broken.output).toContain("namespace missing: channels of `tickets`")

    await throughCentrifugo(project, httpPort, {
      PROXY_CREDENTIALS_KEY: Defaults.credentialsKey,
      PROXY_CREDENTIALS_VALUE: "channel-secret"
    }, "listening", async (centrifuge) => {
      const sub = centrifuge.newSubscription("tickets:7")
      const received = next<{ data: unknown }>(sub, "publication")
      const ready = next(sub, "subscribed")
      sub.subscribe()
      await ready
      await centrifuge.publish("tickets:7", { text: "hello" })
      expect((await received).data).toEqual({ text: "hello" })
      await expect(centrifuge.publish("tickets:7", { text: 7 })).rejects.toMatchObject({ code: 107 })
    })
  }, 180_000)

  it("create rpc with hostile names: each is refused or written so that the project still compiles", async () => {
    const project = join(work, "app-rpc")
    const created = await cli(["init", project, "--library", library], work)
    expect(created.code, created.output).toBe(0)
    symlinkSync(join(app, "node_modules"), join(project, "node_modules"), "dir")
    const tsc = join(app, "node_modules", ".bin", "tsc")
    const refused: Array<string> = []
    for (const name of ['say"hi', "a*/b", "delete", "connect", "x\ny", "__proto__", "1abc", "`${x}`", "a\\b", "ping"]) {
      const made = await cli(["create", "rpc", name], project)
      if (made.code !== 0) refused.push(name)
      const compiled = await run(tsc, ["--noEmit"], project)
      expect(compiled.code, `after create rpc ${JSON.stringify(name)}:\n${made.output}\n${compiled.output}`).toBe(0)
    }
    expect(refused).toEqual(["x\ny", "__proto__", "1abc"])
    const handlers = readFileSync(join(project, "src", "handlers.ts"), "utf8")
    expect(handlers).toContain(`"delete": deleteMethod,`)
    expect(handlers).toContain("connect: connectMethod,")
    expect(handlers).toContain(`"a*/b": aB,`)
    // The typed template and its tests pass for a hostile name too.
    const tested = await run(join(app, "node_modules", ".bin", "vitest"), ["run", "test/handlers/aB.test.ts"], project)
    expect(tested.code, tested.output).toBe(0)
  }, 180_000)
})

/**
 * The files of a new project (`effect-centrifugo init`): a connect and an rpc handler, the server, a test that
 * runs them through the testing kit, and the Centrifugo config that matches them.
 *
 * The markers in `src/handlers.ts` let `effect-centrifugo create` add handlers and RPC methods to it.
 */
import { CHANNELS_MARKER } from "./channel.ts"

/**
 * Markers `create` looks for in `src/handlers.ts` (each must appear exactly once), and `rpcs` in `src/contract.ts`.
 */
export const MARKERS = {
  imports: "// effect-centrifugo: imports",
  rpcMethods: "// effect-centrifugo: rpc methods",
  handlers: "// effect-centrifugo: handlers",
  rpcs: "// effect-centrifugo: rpcs",
  channelRoutes: "// effect-centrifugo: channel routes"
} as const

/** The name of the RpcGroup `src/contract.ts` exports, and the opening `create rpc` finds its methods after. */
export const RPCS_EXPORT = "AppRpcs"
export const RPCS_OPENING = `export const ${RPCS_EXPORT} = RpcGroup.make(`
/** The opening of the group's implementation in `src/handlers.ts`. */
export const RPCS_LIVE_OPENING = `${RPCS_EXPORT}.toLayer({`

/**
 * The contract: what the backend serves and a client calls, imported by both. Its RPCs are an effect/rpc RpcGroup
 * (`create rpc` adds to it); it imports only `effect`, by module path, so a browser bundle keeps only what it uses.
 */
export const contract = `/**
 * The contract shared by the backend and its clients: typed channels (their name patterns, publication Schemas and
 * the Centrifugo namespace options they need) and the RPCs, an effect/rpc RpcGroup. The backend attaches rules and
 * handlers to the channels and implements the RPCs in src/handlers.ts; a client calls the RPCs and subscribes typed
 * through \`effect-centrifugo/client\` (\`CentrifugeRpc.promiseClient(${RPCS_EXPORT}, centrifuge)\`,
 * \`Publications.subscribe\`). \`npm run centrifugo:config\` writes what Centrifugo needs into centrifugo.json.
 * It imports only \`effect\` and the browser-safe client entry, so a browser bundle can take it.
 *
 * \`npx effect-centrifugo create channel <pattern>\` and \`create rpc <method>\` add to it at the marked lines.
 */
import * as Schema from "effect/Schema"
import * as Rpc from "effect/rpc/Rpc"
import * as RpcGroup from "effect/rpc/RpcGroup"
import { Channel } from "effect-centrifugo/client"

${CHANNELS_MARKER}

${RPCS_OPENING}
  ${MARKERS.rpcs}
)

/** The channels and RPC methods \`create\` adds are written with these. */
export type Building = typeof Schema | typeof Rpc | typeof Channel
`

/** The name of the handler-set Layer `src/handlers.ts` exports. */
export const HANDLERS_EXPORT = "AppHandlers"

/** The transport a project's server serves; `both` serves gRPC and HTTP, and its centrifugo.json points at gRPC. */
export type ProjectTransport = "grpc" | "http" | "both"

/** The transport of the project's centrifugo.json (and of its `centrifugo:config` script). */
export const configTransport = (transport: ProjectTransport): "grpc" | "http" => transport === "http" ? "http" : "grpc"

export interface ProjectVersions {
  readonly library: string
  readonly effect: string
  readonly platformNode: string
  readonly vitest: string
  readonly effectVitest: string
  readonly typescript: string
  readonly typesNode: string
  readonly node: string
}

export const packageJson = (name: string, versions: ProjectVersions, transport: ProjectTransport): string =>
  JSON.stringify(
    {
      name,
      version: "0.0.0",
      private: true,
      type: "module",
      // effect 4 and vitest 5 need Node >= 22.19; the `node` devDependency pins it for npm scripts.
      engines: { node: ">=22.19.0" },
      scripts: {
        dev: "node --watch src/main.ts",
        // A smaller V8 young generation: ~40-50 MiB less RSS under load at no throughput cost (the library's bench).
        start: "node --max-semi-space-size=1 src/main.ts",
        test: "tsc --noEmit && vitest run",
        typecheck: "tsc --noEmit",
        // Updates centrifugo.json in place (keeps what you added); --transport keeps the project's choice.
        "centrifugo:config": `effect-centrifugo config --transport ${configTransport(transport)} ` +
          `--handlers src/handlers.ts#${HANDLERS_EXPORT} --out centrifugo.json`,
        "centrifugo:check": `effect-centrifugo config --check centrifugo.json --transport ${configTransport(transport)} ` +
          `--handlers src/handlers.ts#${HANDLERS_EXPORT}`
      },
      dependencies: {
        "effect": versions.effect,
        "@effect/platform-node": versions.platformNode,
        "effect-centrifugo": versions.library
      },
      devDependencies: {
        "vitest": versions.vitest,
        "@effect/vitest": versions.effectVitest,
        "typescript": versions.typescript,
        "@types/node": versions.typesNode,
        "node": versions.node
      },
      allowScripts: { node: true, protobufjs: true }
    },
    null,
    2
  ) + "\n"

export const tsconfig = `{
  "compilerOptions": {
    "target": "ES2023",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "moduleDetection": "force",
    "verbatimModuleSyntax": true,
    "erasableSyntaxOnly": true,
    "allowImportingTsExtensions": true,
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "skipLibCheck": true,
    "types": ["node"],
    "noEmit": true
  },
  "include": ["src", "test"]
}
`

export const handlers = `/**
 * The handler set: one function per Centrifugo proxy event. Centrifugo calls only the proxies its config enables
 * (\`npm run centrifugo:config\` writes the config that matches this file).
 *
 * \`npx effect-centrifugo create handler <event> <Name>\`, \`create rpc <method>\` and \`create channel <pattern>\`
 * add to this file at the marked lines.
 */
import { Effect } from "effect"
import { ChannelRouter, HandlerSet, Reply, type ProxyRequest, RpcProxy, RpcRouter } from "effect-centrifugo"
import { ${RPCS_EXPORT} } from "./contract.ts"
${MARKERS.imports}

/** Accepts a connection as the user named in its connect data (\`{ "user": "alice" }\`); replace with real auth. */
export const connect = (request: ProxyRequest.ConnectRequest) => {
  const data = request.data as { readonly user?: unknown } | undefined
  return typeof data?.user === "string" && data.user !== ""
    ? Effect.succeed(Reply.connect({ user: data.user }))
    : Effect.succeed(Reply.disconnect(4501, "connect data must name a user"))
}

/** The contract's RPCs (src/contract.ts), one function per method: typed payload in, typed result out. */
export const ${RPCS_EXPORT}Live = ${RPCS_LIVE_OPENING}
  ${MARKERS.rpcMethods}
})

/** RPC methods outside the contract, by name (untyped for clients): each answers the result's data. */
export const rpc = RpcRouter.make({
  ping: () => Effect.succeed("pong")
})

/** The typed channels of src/contract.ts, each with the rule that guards it (\`create channel\` adds them). */
export const channels = ChannelRouter.handlers([
  ${MARKERS.channelRoutes}
])

export const ${HANDLERS_EXPORT} = HandlerSet.merge(
  HandlerSet.layer({
    connect,
    ...channels,
    ${MARKERS.handlers}
  }),
  // The rpc event: the contract's methods first, the router for the others.
  RpcProxy.layer(${RPCS_EXPORT}, ${RPCS_EXPORT}Live, { fallback: rpc })
)
`

const mainHeader: Record<ProjectTransport, string> = {
  grpc: `/**
 * The gRPC server Centrifugo's proxies call: PROXY_HOST (default 0.0.0.0) and PROXY_PORT (default 10001) set where it
 * listens; PROXY_CREDENTIALS_KEY / PROXY_CREDENTIALS_VALUE make it require the proxies' credentials.`,
  http: `/**
 * The HTTP server Centrifugo's proxies call (POST /centrifugo/<event>): PROXY_HTTP_HOST (default 0.0.0.0) and
 * PROXY_HTTP_PORT (default 10002) set where it listens; PROXY_HTTP_CREDENTIALS_KEY / PROXY_HTTP_CREDENTIALS_VALUE
 * make it require the header the proxies send from their http.static_headers.`,
  both: `/**
 * The gRPC server (PROXY_HOST / PROXY_PORT, default 0.0.0.0:10001; PROXY_CREDENTIALS_KEY / PROXY_CREDENTIALS_VALUE)
 * and the HTTP server (PROXY_HTTP_HOST / PROXY_HTTP_PORT, default 0.0.0.0:10002, POST /centrifugo/<event>;
 * PROXY_HTTP_CREDENTIALS_KEY / PROXY_HTTP_CREDENTIALS_VALUE) in one process, answered by the same handlers.`
}

const mainServer: Record<ProjectTransport, { readonly imports: string; readonly layer: string }> = {
  grpc: { imports: "Main, ProxyServer", layer: "ProxyServer.layerConfig()" },
  http: { imports: "HttpProxy, Main", layer: "HttpProxy.layerConfig()" },
  both: { imports: "HttpProxy, Main, ProxyServer", layer: "Layer.mergeAll(ProxyServer.layerConfig(), HttpProxy.layerConfig())" }
}

export const main = (transport: ProjectTransport): string => `${mainHeader[transport]}
 *
 * Main.run: SIGTERM or Ctrl-C drains the calls in flight, then the process exits 0.
 */
import { Layer } from "effect"
import { ${mainServer[transport].imports} } from "effect-centrifugo"
import { ${HANDLERS_EXPORT} } from "./handlers.ts"

Main.run(${mainServer[transport].layer}.pipe(Layer.provide(${HANDLERS_EXPORT})))
`

export const handlersTest = `import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { connectRequest, handle, rpcRequest } from "effect-centrifugo/testing"
import { ${HANDLERS_EXPORT} } from "../src/handlers.ts"

describe("handlers", () => {
  it.effect("connect accepts the user named in the connect data", () =>
    Effect.gen(function*() {
      const reply = yield* handle(connectRequest({ data: { user: "alice" } }))
      expect(reply.result?.user).toBe("alice")
    }).pipe(Effect.provide(${HANDLERS_EXPORT})))

  it.effect("connect without a user is refused", () =>
    Effect.gen(function*() {
      const reply = yield* handle(connectRequest({ data: {} }))
      expect(reply.disconnect?.code).toBe(4501)
    }).pipe(Effect.provide(${HANDLERS_EXPORT})))

  it.effect("rpc ping answers pong", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({ method: "ping" }))
      expect(reply.result?.data).toBe("pong")
    }).pipe(Effect.provide(${HANDLERS_EXPORT})))

  it.effect("an unknown rpc method is answered 104", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({ method: "nope" }))
      expect(reply.error?.code).toBe(104)
    }).pipe(Effect.provide(${HANDLERS_EXPORT})))
})
`

const serverLine: Record<ProjectTransport, string> = {
  grpc: "the gRPC server on port 10001 (`PROXY_PORT` to change it)",
  http: "the HTTP server on port 10002 (`PROXY_HTTP_PORT` to change it; routes `/centrifugo/<event>`)",
  both: "the gRPC server on port 10001 and the HTTP server on port 10002 (`PROXY_PORT`, `PROXY_HTTP_PORT`)"
}

const secretLine: Record<ProjectTransport, string> = {
  grpc: "`PROXY_CREDENTIALS_KEY` / `PROXY_CREDENTIALS_VALUE`",
  http: "`PROXY_HTTP_CREDENTIALS_KEY` / `PROXY_HTTP_CREDENTIALS_VALUE`",
  both: "`PROXY_CREDENTIALS_KEY` / `PROXY_CREDENTIALS_VALUE` (gRPC) and `PROXY_HTTP_CREDENTIALS_KEY` / `PROXY_HTTP_CREDENTIALS_VALUE` (HTTP)"
}

export const readme = (name: string, transport: ProjectTransport): string => `# ${name}

A Centrifugo v6 proxy backend written with [effect-centrifugo](https://www.npmjs.com/package/effect-centrifugo).

## Next steps

1. \`npm install\`, then \`npm test\`: the handlers in \`src/handlers.ts\` are tested in \`test/handlers.test.ts\`.
2. \`npm run dev\` starts ${serverLine[transport]}. SIGTERM or Ctrl-C drains it and exits 0.
3. \`centrifugo --config centrifugo.json\` starts Centrifugo v6 with the proxies these handlers answer; connect with
   \`new Centrifuge("ws://localhost:8000/connection/websocket", { data: { user: "alice" } })\` and call
   \`centrifuge.rpc("ping", {})\`.
4. Add handlers: \`npx effect-centrifugo create handler subscribe Chat\` (events: connect, refresh, subscribe,
   publish, rpc, subRefresh, subscribeUnidirectional, subscribeBidirectional, mapPublish, mapRemove,
   sharedPollRefresh) or an RPC method of the contract (\`src/contract.ts\`, an effect/rpc RpcGroup a client
   imports too): \`npx effect-centrifugo create rpc getProfile\`.
5. After changing which events are handled, \`npm run centrifugo:config\` updates \`centrifugo.json\`: the proxies
   are regenerated (over ${configTransport(transport)}), everything else you wrote there (namespaces, keys, origins, the proxies'
   secret) is kept, and the changed keys are listed. \`npm run centrifugo:check\` tells whether the config and the
   handlers agree.

Before production: replace the placeholder keys in \`centrifugo.json\` (\`http_api.key\`, the proxies'
secret) and set ${secretLine[transport]} on this server to the same pair.
`

export const gitignore = "node_modules\n"

#!/usr/bin/env node
/**
 * The `effect-centrifugo` command line: `init` a project, `create` handlers and RPC methods from templates, write or
 * check the Centrifugo `config` that matches a handler set.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Defaults from "../Defaults.ts"
import { checkExisting, generateConfig, PLACEHOLDER_SECRET } from "./config.ts"
import { createChannel } from "./createChannel.ts"
import { createHandler, createRpc } from "./createHandler.ts"
import { init } from "./init.ts"
import { packageInfo } from "./packageInfo.ts"
import { EVENTS } from "./templates/handler.ts"

const cwd = process.cwd()

const initCommand = Command.make("init", {
  dir: Argument.String("dir").pipe(
    Argument.withDescription("Where to create the project (default: the current directory)"),
    Argument.withDefault(".")
  ),
  force: Flag.Boolean("force").pipe(
    Flag.withDescription("Write into a directory that is not empty (files of the same name are replaced)"),
    Flag.withDefault(false)
  ),
  transport: Flag.Literals("transport", ["grpc", "http", "both"] as const).pipe(
    Flag.withDescription(
      "The transport the server serves: grpc (default), http, or both (centrifugo.json then points at gRPC); " +
        "the project's scripts keep the choice"
    ),
    Flag.withDefault("grpc" as const)
  ),
  library: Flag.String("library").pipe(
    Flag.withDescription("The effect-centrifugo dependency spec (default ^<this version>), e.g. file:/path/to/effect-centrifugo-0.1.0.tgz"),
    Flag.optional
  )
}, ({ dir, force, library, transport }) => init(cwd, { dir, force, transport, library: Option.getOrUndefined(library) })).pipe(
  Command.withDescription(
    "Create a project: package.json, tsconfig, src/handlers.ts (connect + rpc), src/contract.ts (typed channels), src/main.ts, a test, centrifugo.json, README"
  )
)

const handlerCommand = Command.make("handler", {
  event: Argument.Literals("event", EVENTS).pipe(Argument.withDescription(`The proxy event: ${EVENTS.join(", ")}`)),
  name: Argument.String("name").pipe(Argument.withDescription("The handler's name, e.g. Chat (file src/handlers/chat.ts)"))
}, ({ event, name }) => createHandler(cwd, event, name)).pipe(
  Command.withDescription(
    "Write src/handlers/<name>.ts and test/handlers/<name>.test.ts for an event, and add it to src/handlers.ts when that file is in the shape init writes (else print the line to add)"
  )
)

const rpcCommand = Command.make("rpc", {
  method: Argument.String("method").pipe(Argument.withDescription("The RPC method name, e.g. getProfile or news:list"))
}, ({ method }) => createRpc(cwd, method)).pipe(
  Command.withDescription(
    "Declare an RPC method in the contract (src/contract.ts) and write its implementation and test, added to AppRpcs.toLayer in src/handlers.ts"
  )
)

const channelCommand = Command.make("channel", {
  pattern: Argument.String("pattern").pipe(
    Argument.withDescription("The channel's name pattern, e.g. tickets:{id} or personal:#{user}")
  ),
  name: Flag.String("name").pipe(
    Flag.withDescription("The channel's export name (default: from the namespace, tickets:{id} -> Tickets)"),
    Flag.optional
  )
}, ({ name, pattern }) => createChannel(cwd, pattern, Option.getOrUndefined(name))).pipe(
  Command.withDescription(
    "Write a typed channel into src/contract.ts, its route (signed-in users subscribe and publish) into src/handlers.ts, and test/channels/<name>.test.ts"
  )
)

const createCommand = Command.make("create").pipe(
  Command.withDescription("Create a handler, an RPC method or a typed channel from a template that compiles and whose test passes"),
  Command.withSubcommands([handlerCommand, rpcCommand, channelCommand])
)

const configCommand = Command.make("config", {
  handlers: Flag.String("handlers").pipe(
    Flag.withDescription("The handler set: <module>#<export>, e.g. src/handlers.ts#AppHandlers")
  ),
  check: Flag.String("check").pipe(
    Flag.withDescription("Check this existing Centrifugo config against the handlers instead of writing one"),
    Flag.optional
  ),
  transport: Flag.Literals("transport", ["grpc", "http"] as const).pipe(
    Flag.withDescription(
      "How Centrifugo reaches the backend (default: what the existing --out file uses, else grpc); with --check, " +
        "also report proxies that use the other transport"
    ),
    Flag.optional
  ),
  endpoint: Flag.String("endpoint").pipe(
    Flag.withDescription(
      `The backend: host:port for grpc (default ${Defaults.endpoint("grpc")}), a base URL for http (default ` +
        `${Defaults.endpoint("http")}): where a server started with its defaults listens`
    ),
    Flag.optional
  ),
  httpPort: Flag.Int("http-port").pipe(
    Flag.withDescription(
      `Centrifugo's own HTTP port (WebSocket, API, health); default: the existing --out file's, else ${Defaults.centrifugo.httpPort}`
    ),
    Flag.optional
  ),
  httpAddress: Flag.String("http-address").pipe(
    Flag.withDescription("The address Centrifugo's HTTP server binds (default: every interface)"),
    Flag.optional
  ),
  credentials: Flag.Boolean("credentials").pipe(
    Flag.withDescription("Give every proxy a shared secret (gRPC credentials / HTTP header); --no-credentials for none"),
    Flag.withDefault(true)
  ),
  credentialsKey: Flag.String("credentials-key").pipe(
    Flag.withDescription("The secret's metadata key / header name"),
    Flag.withDefault(Defaults.credentialsKey)
  ),
  credentialsValue: Flag.String("credentials-value").pipe(
    Flag.withDescription(`The secret (default: the one the existing --out file carries, else "${PLACEHOLDER_SECRET}")`),
    Flag.optional
  ),
  out: Flag.String("out").pipe(
    Flag.withDescription(
      "Write the config to this file (default: stdout). An existing file is updated: the proxies are regenerated, " +
        "everything else you wrote is kept, and the changes are listed"
    ),
    Flag.optional
  )
}, (options) =>
  Option.isSome(options.check)
    ? checkExisting(cwd, options.check.value, options.handlers, Option.getOrUndefined(options.transport))
    : generateConfig(cwd, {
      handlers: options.handlers,
      transport: Option.getOrUndefined(options.transport),
      endpoint: Option.getOrUndefined(options.endpoint),
      out: Option.getOrUndefined(options.out),
      httpPort: Option.getOrUndefined(options.httpPort),
      httpAddress: Option.getOrUndefined(options.httpAddress),
      credentials: options.credentials,
      credentialsKey: options.credentialsKey,
      credentialsValue: Option.getOrUndefined(options.credentialsValue)
    })).pipe(
    Command.withDescription(
      "Write the Centrifugo v6 config that matches a handler set (proxies for exactly the events handled), or --check an existing one"
    )
  )

const cli = Command.make("effect-centrifugo").pipe(
  Command.withDescription("Scaffold and configure Centrifugo proxy backends written with effect-centrifugo"),
  Command.withSubcommands([initCommand, createCommand, configCommand])
)

Command.run(cli, { version: packageInfo().version }).pipe(
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain
)


// main.ts
import { Effect, Layer } from "effect"
import { HandlerSet, HttpProxy, Main, ProxyServer, Reply } from "effect-centrifugo"

const AppHandlers = HandlerSet.layer({
  // Effect.fnUntraced: the handler is made once and run per call (not an Effect.gen made on every call).
  connect: Effect.fnUntraced(function*(request) {
    const { name } = (request.data ?? {}) as { name?: string }
    if (!name) return yield* Reply.error(1401, "name required") // the client sees code 1401
    return Reply.connect({ user: name, channels: ["news"], data: { welcome: `hello ${name}` } })
  }),
  rpc: (request) =>
    request.method === "ping"
      ? Effect.succeed(Reply.rpc({ data: "pong" }))
      : Effect.succeed(Reply.error(Reply.ErrorCode.MethodNotFound, `unknown method ${request.method}`))
})

// gRPC on PROXY_HOST:PROXY_PORT (default 0.0.0.0:10001), HTTP on PROXY_HTTP_HOST:PROXY_HTTP_PORT (0.0.0.0:10002);
// keep the one you use. Ctrl-C or SIGTERM drains in-flight calls, then exits 0.
const Servers = Layer.mergeAll(ProxyServer.layerConfig(), HttpProxy.layerConfig())
Main.run(Servers.pipe(Layer.provide(AppHandlers)))

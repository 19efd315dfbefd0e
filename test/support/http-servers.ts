// The HTTP transport's two servers, started alike for tests that must hold for both: the standalone server
// (`HttpProxy.layer`, a plain node:http listener) and the routes mounted in an effect/http app (`HttpProxy.routes`
// served by `HttpRouter.serve` on @effect/platform-node's server). Both decide their answers in src/http/exchange.ts.
import { NodeHttpServer } from "@effect/platform-node"
import { Cause, References, Context, Effect, Exit, Layer, Logger, Scope } from "effect"
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "effect/http"
import { createServer } from "node:http"
import type { HandlerSet } from "../../src/index.ts"
import { HttpProxy } from "../../src/index.ts"
import { TestServer } from "../../src/testing/index.ts"

export type Start = <E>(
  handlers: Layer.Layer<HandlerSet.HandlerSet, E>,
  options?: Omit<HttpProxy.HttpProxyOptions, "host" | "port">
) => Promise<TestServer.RunningServer>

/** `HttpProxy.routes` on an effect/http server of 127.0.0.1, keeping its log lines (as `TestServer.startHttp`). */
export const startMounted: Start = async (handlers, options = {}) => {
  const logs: Array<TestServer.LogLine> = []
  const capture = Logger.make<unknown, void>(({ cause, fiber, logLevel, message }) => {
    logs.push({
      level: logLevel,
      message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
      cause: cause.reasons.length === 0 ? "" : Cause.pretty(cause),
      annotations: { ...fiber.getRef(References.CurrentLogAnnotations) }
    })
  })
  const served = HttpRouter.serve(HttpProxy.routes(options), { disableListenLog: true, disableLogger: true }).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
    Layer.provide(handlers),
    Layer.provide(Logger.layer([capture]))
  )
  const scope = Scope.makeUnsafe()
  const exit = await Effect.runPromiseExit(Layer.buildWithScope(served, scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  const address = Context.get(exit.value, HttpServer.HttpServer).address
  const port = "port" in address ? address.port : 0
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    logs,
    stop: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** Both servers, for `describe.each`. */
export const httpServers: ReadonlyArray<{ readonly server: string; readonly start: Start }> = [
  { server: "standalone (HttpProxy.layer)", start: TestServer.startHttp },
  { server: "mounted (HttpProxy.routes)", start: startMounted }
]

/**
 * An application's own auth in front of every route, the proxy's included: it answers 403 before our routes run
 * (what Centrifugo's `status_to_code_transforms` exists for). Requests with `x-app-key: k` pass.
 */
export const AppAuth = HttpRouter.middleware((effect) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (request.url.startsWith("/centrifugo/") && request.headers["x-app-key"] !== "k") {
      return HttpServerResponse.text("forbidden", { status: 403 })
    }
    return yield* effect
  }), { global: true })

/**
 * Runs a proxy server for a test, on a free port of 127.0.0.1, keeping every log line it writes, so a test can assert
 * both the reply and the log.
 *
 * - Plain vitest: `const server = await TestServer.start(MyHandlers)` ... `await server.stop()`.
 * - Effect: `TestServer.layer(MyHandlers)` is a Layer of the `TestServer.TestServer` service (the server runs for the
 *   Layer's lifetime, e.g. an `it.layer` block), and `TestServer.make(MyHandlers)` the scoped Effect behind it.
 * - The HTTP transport, the same three ways: `startHttp`, `layerHttp` (the `TestServer.TestHttpServer` service) and
 *   `makeHttp`; call it with `HttpProxyClient.make(server.url)` or point `Centrifugo.config` at `server.address`.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import * as Scope from "effect/Scope"
import type { HandlerSet } from "../HandlerSet.ts"
import * as ProxyServer from "../grpc/ProxyServer.ts"
import * as HttpProxy from "../http/HttpProxy.ts"
import type { ServerAddress } from "../server/address.ts"

/**
 * One log line a test server wrote: level, message and cause.
 *
 * @since 0.1.0
 * @category models
 */
export interface LogLine {
  readonly level: string
  readonly message: string
  /** The cause attached to the line, pretty-printed; `""` when none. */
  readonly cause: string
  /** The line's annotations (`event`, `client`, `user`, `channel`, ... on a call's lines). */
  readonly annotations: Readonly<Record<string, unknown>>
}

/**
 * A test server (gRPC or HTTP) running for a scope.
 *
 * @since 0.1.0
 * @category models
 */
export interface Server extends ServerAddress {
  /** Log lines written so far. */
  readonly logs: ReadonlyArray<LogLine>
}

/**
 * The running server, as a service (what `layer` provides).
 *
 * @since 0.1.0
 * @category services
 */
export const TestServer: Context.Service<Server, Server> = Context.Service<Server>("effect-centrifugo/testing/TestServer")

/**
 * A test server started with `start` or `startHttp`: its address, log lines, and `stop`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningServer extends Server {
  /** Closes the server's scope: graceful shutdown, as on SIGTERM. */
  readonly stop: () => Promise<void>
}

/**
 * Options of a test server: every `ProxyServer` option but the address (it listens on a free port of 127.0.0.1).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Omit<ProxyServer.ProxyServerOptions, "host" | "port">

/** A logger that keeps every line it is given, for assertions on what a server logged. */
const logCapture = () => {
  const logs: Array<LogLine> = []
  const capture = Logger.make<unknown, void>(({ cause, fiber, logLevel, message }) => {
    logs.push({
      level: logLevel,
      message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
      cause: cause.reasons.length === 0 ? "" : Cause.pretty(cause),
      annotations: { ...fiber.getRef(References.CurrentLogAnnotations) }
    })
  })
  return { capture, logs }
}

/** `server` on `handlers`, built in the current scope with every log line it writes kept: its address and logs. */
const buildWithLogs = <I extends ServerAddress, E1, E2>(
  server: Layer.Layer<I, E1, HandlerSet>,
  key: Context.Service<I, I>,
  handlers: Layer.Layer<HandlerSet, E2>
): Effect.Effect<Server, E1 | E2, Scope.Scope> =>
  Effect.gen(function*() {
    const { capture, logs } = logCapture()
    const context = yield* Layer.build(server.pipe(Layer.provide(handlers), Layer.provide(Logger.layer([capture]))))
    const { address, port, url } = Context.get(context, key)
    return { port, address, url, logs }
  })

/**
 * Starts the server in the current scope (closing the scope shuts it down gracefully); fails with the Layer's failure
 * if the handlers (or their services) cannot be built.
 *
 * @since 0.1.0
 * @category testing
 */
export const make = <E>(
  handlers: Layer.Layer<HandlerSet, E>,
  options: Options = {}
): Effect.Effect<Server, E | ProxyServer.ProxyServerError, Scope.Scope> =>
  buildWithLogs(ProxyServer.layer({ ...options, host: "127.0.0.1", port: 0 }), ProxyServer.ProxyServer, handlers)

/**
 * The server as a Layer: it runs while the Layer is in use (an `it.layer` block, a `Layer.launch`).
 *
 * @example
 * ```ts
 * import { describe, expect, it } from "@effect/vitest"
 * import { Effect } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 * import { ProxyClient, TestServer } from "effect-centrifugo/testing"
 *
 * const MyHandlers = HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "42" })) })
 *
 * describe("over gRPC", () => {
 *   it.layer(TestServer.layer(MyHandlers))((it) => {
 *     it.effect("accepts the connection", () =>
 *       Effect.gen(function*() {
 *         const server = yield* TestServer.TestServer
 *         const client = ProxyClient.make(server.address)
 *         const response = yield* Effect.promise(() => client.connect({ client: "c1" }))
 *         client.close()
 *         expect(response.result?.user).toBe("42")
 *       }))
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <E>(
  handlers: Layer.Layer<HandlerSet, E>,
  options: Options = {}
): Layer.Layer<Server, E | ProxyServer.ProxyServerError> =>
  Layer.effect(TestServer, make(handlers, options))

/**
 * Starts the server; rejects with the Layer's failure if the handlers (or their services) cannot be built.
 *
 * @example
 * ```ts
 * import { expect, it } from "@effect/vitest"
 * import { Effect } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 * import { ProxyClient, TestServer } from "effect-centrifugo/testing"
 *
 * it("answers over gRPC and logs nothing unexpected", async () => {
 *   const server = await TestServer.start(HandlerSet.layer({ rpc: () => Effect.succeed(Reply.rpc({ data: "pong" })) }))
 *   const client = ProxyClient.make(server.address)
 *   const response = await client.rpc({ client: "c1", user: "u1", method: "ping" })
 *   expect(ProxyClient.parseJson(response.result?.data)).toBe("pong")
 *   expect(server.logs.filter((line) => line.level === "Error")).toEqual([])
 *   client.close()
 *   await server.stop()
 * })
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const start = <E>(handlers: Layer.Layer<HandlerSet, E>, options: Options = {}): Promise<RunningServer> =>
  running(make(handlers, options))

/**
 * The running HTTP server, as a service (what `layerHttp` provides).
 *
 * @since 0.1.0
 * @category services
 */
export const TestHttpServer: Context.Service<Server, Server> = Context.Service<Server>(
  "effect-centrifugo/testing/TestHttpServer"
)

/**
 * Options of the HTTP test server: `HttpProxy`'s, less the host and port (a free port of 127.0.0.1).
 *
 * @since 0.1.0
 * @category models
 */
export type HttpOptions = Omit<HttpProxy.HttpProxyOptions, "host" | "port">

/**
 * Starts the HTTP transport (`HttpProxy.layer`) on a free port of 127.0.0.1 in the current scope, keeping its log
 * lines (closing the scope drains it); fails with the Layer's failure if the handlers cannot be built.
 *
 * @since 0.1.0
 * @category testing
 */
export const makeHttp = <E>(
  handlers: Layer.Layer<HandlerSet, E>,
  options: HttpOptions = {}
): Effect.Effect<Server, E | HttpProxy.HttpProxyError, Scope.Scope> =>
  buildWithLogs(HttpProxy.layer({ ...options, host: "127.0.0.1", port: 0 }), HttpProxy.HttpProxy, handlers)

/**
 * The HTTP server as a Layer: it runs while the Layer is in use (an `it.layer` block).
 *
 * @since 0.1.0
 * @category testing
 */
export const layerHttp = <E>(
  handlers: Layer.Layer<HandlerSet, E>,
  options: HttpOptions = {}
): Layer.Layer<Server, E | HttpProxy.HttpProxyError> => Layer.effect(TestHttpServer, makeHttp(handlers, options))

/** Runs `make` in a scope of its own: the value, and `stop` to close the scope; rejects with its failure. */
const running = async <A, E>(make: Effect.Effect<A, E, Scope.Scope>): Promise<A & { readonly stop: () => Promise<void> }> => {
  const scope = Scope.makeUnsafe()
  const exit = await Effect.runPromiseExit(Scope.provide(make, scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Cause.squash(exit.cause)
  }
  return { ...exit.value, stop: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/**
 * Starts the HTTP transport (see `makeHttp`); rejects with the Layer's failure if the handlers cannot be built.
 *
 * @since 0.1.0
 * @category testing
 */
export const startHttp = <E>(handlers: Layer.Layer<HandlerSet, E>, options: HttpOptions = {}): Promise<RunningServer> =>
  running(makeHttp(handlers, options))

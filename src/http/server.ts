/**
 * The standalone HTTP server's start: Node's HTTP server with the plain request listener of `listener.ts`, its
 * connection bounds, the drain and shutdown as a finalizer, and the bind.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { createServer } from "node:http"
import * as Defaults from "../Defaults.ts"
import { HandlerSet } from "../HandlerSet.ts"
import { warnAboutMismatches } from "../internal/configCheck.ts"
import { forkIn } from "../internal/context.ts"
import * as Address from "../server/address.ts"
import type * as Inflight from "../server/inflight.ts"
import { currentOrPrivate } from "../server/readiness.ts"
import * as Shutdown from "../server/shutdown.ts"
import { type StartFailure, startFailure } from "../server/startFailure.ts"
import * as EventRoutes from "./eventRoutes.ts"
import { httpEvents } from "./events.ts"
import type { HttpProxyOptions } from "./HttpProxy.ts"
import * as Listener from "./listener.ts"

const NAME = "Centrifugo HTTP proxy"

/** The default connection cap: below the common `ulimit -n` of 1024, with room to spare. */
export const defaultMaxConnections = 900

/** How often a draining server closes the connections that went idle. */
const IDLE_SWEEP_MS = 50

/** The server started, listening once this succeeds and drained when the scope closes. */
export const make = Effect.fnUntraced(function*(options: HttpProxyOptions) {
  const host = options.host ?? Defaults.http.host
  const port = options.port ?? Defaults.http.port
  const maxConnections = options.maxConnections ?? defaultMaxConnections
  const problem = Address.portProblem(port) ??
    (Number.isInteger(maxConnections) && maxConnections > 0
      ? undefined
      : `maxConnections ${maxConnections} is not a positive integer`)
  if (problem !== undefined) return yield* Effect.fail(startFailure(problem))
  // Checked before binding, so an unsafe configuration never listens.
  const { prefix, routes } = yield* EventRoutes.make(options)
  const readiness = yield* currentOrPrivate
  const fork = forkIn(yield* Effect.context<never>())
  const inflight: Inflight.Inflight = new Set()
  let closing = false
  // Headers get the body's bound too (Node's own default is 60 s, checked every 30 s); the body's is ours.
  const slowRequestMs = Duration.toMillis(Duration.fromInputUnsafe(options.bodyTimeout ?? EventRoutes.defaultBodyTimeout))
  const server = createServer(
    {
      // TCP keep-alive probes on every connection: an idle connection whose peer vanished is found and closed.
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
      headersTimeout: slowRequestMs,
      requestTimeout: 0,
      connectionsCheckingInterval: Math.min(1_000, slowRequestMs)
    },
    Listener.make({ routes, prefix, readiness, fork, inflight, closing: () => closing })
  )
  server.keepAliveTimeout = Duration.toMillis(Duration.fromInputUnsafe(options.keepAliveTimeout ?? Duration.zero))
  server.maxConnections = maxConnections
  Listener.warnOnDrop(server, fork)

  // Registered before binding, so it runs even if binding fails (then there is nothing to drain).
  const drainDelay = Duration.fromInputUnsafe(options.drainDelay ?? Duration.zero)
  const grace = Duration.fromInputUnsafe(options.shutdownTimeout ?? Duration.seconds(10))
  yield* Effect.addFinalizer(() =>
    Effect.gen(function*() {
      yield* readiness.drain
      if (!server.listening) return
      yield* Shutdown.drain(readiness, drainDelay, NAME)
      closing = true
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Every answer from now on closes its connection; a connection that went idle just before (its answer was
      // already on its way) is closed by this sweep, so the drain ends with the last in-flight request.
      server.closeIdleConnections()
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
      yield* Shutdown.close({ closed, inflight, grace, noun: "request(s)", force: () => server.closeAllConnections() })
        .pipe(Effect.ensuring(Effect.sync(() => clearInterval(sweep))))
      yield* Effect.logInfo(`${NAME} stopped`)
    })
  )

  const bound = yield* Effect.callback<number, StartFailure>((resume) => {
    const failed = (error: Error) => resume(Effect.fail(startFailure(`cannot bind ${host}:${port}: ${error.message}`, error)))
    server.once("error", failed)
    server.listen(port, host, () => {
      server.off("error", failed)
      const address = server.address()
      resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : port))
    })
  })
  // After binding, a server error (rare: the listening socket failing) is logged; connections' errors are Node's.
  server.on("error", (error) => void fork(Effect.logError(`${NAME} server error`, error)))
  const address = Address.make("http", host, bound)
  yield* Effect.logInfo(`${NAME} listening on ${address.url}${prefix}/{${httpEvents.map((e) => e.path).join(",")}}`)
  if (options.centrifugoConfig !== undefined) yield* warnAboutMismatches(options.centrifugoConfig, yield* HandlerSet, "http")
  return address
})

/**
 * Running N copies of the same main program on one machine, sharing the listening port(s).
 *
 * ```ts
 * import { Layer } from "effect"
 * import { type HandlerSet, ProxyServer, Workers } from "effect-centrifugo"
 *
 * declare const AppHandlers: Layer.Layer<HandlerSet.HandlerSet>
 *
 * // main.ts: PROXY_WORKERS=4 node main.ts (or "auto": one per core); unset = 1 = an ordinary single process
 * Workers.run(ProxyServer.layerConfig().pipe(Layer.provide(AppHandlers)))
 * ```
 *
 * With a count of 1 this is `Main.run(layer)`. With more, the process becomes a supervisor (Node's `cluster`
 * primary) that starts `count` workers, each running the same file, which call `Workers.run` again and serve
 * `layer` as `Main.run` does. The server Layers are unchanged: each worker binds the same port and the primary hands
 * incoming connections to the workers in turn.
 *
 * Why `node:cluster` rather than `reusePort`: it works with any Node server unchanged (grpc-js calls `listen` with
 * options of its own and has no way to ask for `reusePort`, Node 22.12+'s `SO_REUSEPORT`); it hands connections out
 * round-robin, where the kernel would pick by a hash of each connection's addresses and ports (with Centrifugo's
 * handful of connections, a coin toss each); port 0 gives every worker the same port; and the primary is the natural
 * supervisor.
 *
 * Centrifugo opens one long-lived connection per proxy kind, and a connection stays with the worker that accepted
 * it: set `maxConnectionAge` on the server (`PROXY_MAX_CONNECTION_AGE`) so connections are re-opened periodically
 * and land on other workers.
 *
 * - A worker that exits unasked (crash, SIGKILL, out of memory) is replaced after a back-off that doubles with each
 *   exit in a row (`restartDelay` .. `maxRestartDelay`), reset once a worker has run for `stableAfter`; each
 *   replacement is logged with the worker's exit code or signal.
 * - If no worker has ever started listening and one exits with an error (a configuration error, a port in use), the
 *   primary stops the others and exits 1: retrying would only repeat the error.
 * - SIGTERM or SIGINT to the primary sends SIGTERM to every worker, waits while each drains (its in-flight calls
 *   finish), and exits 0 once all have exited. A worker still running `shutdownTimeout` later is killed.
 * - Each worker's log lines are annotated with `worker` (its slot, 1..count) and `pid`; the worker also finds its
 *   slot in the `PROXY_WORKER_ID` environment variable. The primary's own lines follow `LOG_FORMAT` / `LOG_LEVEL`.
 * - The admin server (`Admin.layer`, `PROXY_ADMIN_PORT`) is served by the primary for the whole group: one `/metrics`
 *   scrape gathers every worker's series, labelled `worker="<slot>"`, and `/readyz` is ready when every slot's
 *   worker is (see `ClusterAdmin`).
 * - The workers share nothing in memory: state kept per process (`TokenStorage.layerMemory`, in-memory stores) is
 *   per worker. See "Scaling out" in the production guide (`docs/guides/production.md`).
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import cluster, { type Worker } from "node:cluster"
import { availableParallelism } from "node:os"
import { withDefaultFlags } from "./internal/nodeFlags.ts"
import * as Main from "./Main.ts"
import * as ClusterAdmin from "./ops/ClusterAdmin.ts"
import * as Logging from "./ops/Logging.ts"
import { type TaggedError, taggedError } from "./internal/tagged.ts"

/**
 * Options of `Workers.run`: the number of workers, their restart back-off, and how long each may take to drain.
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkersOptions {
  /**
   * How many worker processes. Default: the `PROXY_WORKERS` environment variable (a number, or `auto` for one per
   * core), else 1 (no cluster: the process serves the Layer itself).
   */
  readonly count?: number | "auto"
  /** The first replacement's delay after a worker exits unasked; doubled for each exit in a row. Default 100 ms. */
  readonly restartDelay?: Duration.Input
  /** The largest replacement delay. Default 10 seconds. */
  readonly maxRestartDelay?: Duration.Input
  /** A worker that ran this long resets its slot's back-off. Default 10 seconds. */
  readonly stableAfter?: Duration.Input
  /**
   * On shutdown, how long a worker may take to drain before it is killed with SIGKILL. Default 30 seconds: set it
   * above the server's own `shutdownTimeout` (default 10 s), so the server answers its last calls itself.
   */
  readonly shutdownTimeout?: Duration.Input
}

/**
 * The environment variable with a worker's slot (1..count), set by the primary on each worker it starts.
 *
 * @since 0.1.0
 * @category constants
 */
export const workerIdEnv = "PROXY_WORKER_ID"

/**
 * The workers could not be started: an invalid count, or every worker failed before listening.
 *
 * @since 0.1.0
 * @category errors
 */
export interface WorkersError extends TaggedError<"WorkersError"> {}

/**
 * Builds a `WorkersError`; it prints as `WorkersError: <message>` with its cause.
 *
 * @since 0.1.0
 * @category errors
 */
export const WorkersError = taggedError<WorkersError>("WorkersError")

/**
 * This process's worker slot when it is a worker started by `Workers.run`, else undefined.
 *
 * @since 0.1.0
 * @category utils
 */
export const workerId = (): number | undefined => {
  if (!cluster.isWorker) return undefined
  const id = Number(process.env[workerIdEnv])
  return Number.isInteger(id) && id > 0 ? id : undefined
}

/**
 * Runs `layer` as the main program in `count` processes sharing its port(s) (see the module's description);
 * with a count of 1, exactly `Main.run(layer)`.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { HandlerSet, ProxyServer, Reply, Workers } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "" })) })
 *
 * // Four processes sharing port 10001; connections are re-opened every 5 minutes so they spread over the workers.
 * Workers.run(
 *   ProxyServer.layer({ port: 10001, maxConnectionAge: "5 minutes" }).pipe(Layer.provide(MyHandlers)),
 *   { count: 4 }
 * )
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = <A, E, R>(layer: Layer.Layer<A, E, R> & Main.ProvideMissing<R>, options: WorkersOptions = {}): void => {
  if (cluster.isWorker) {
    const id = workerId()
    // A worker of another supervisor (pm2's cluster mode, say) serves as a single process: it cannot fork.
    if (id === undefined) return Main.run(layer)
    Layer.launch(Main.withReadiness(layer as Layer.Layer<A, E>)).pipe(
      Effect.annotateLogs({ worker: id, pid: process.pid }),
      NodeRuntime.runMain({ teardown: Main.teardown })
    )
    return
  }
  const count = resolveCount(options.count)
  if (count._tag === "Right" && count.value === 1) return Main.run(layer)
  // Workers start with the default V8 flags (a smaller young generation: less RSS; the user's own flags win).
  cluster.setupPrimary({ execArgv: withDefaultFlags(process.execArgv, process.env.NODE_OPTIONS) })
  const program = count._tag === "Left" ? Effect.fail(count.error) : Effect.scoped(supervise(count.value, options))
  // The primary's own lines in the workers' format (LOG_FORMAT, LOG_LEVEL).
  program.pipe(Effect.provide(Logging.layerConfig()), NodeRuntime.runMain({ teardown: Main.teardown }))
}

type Count = { readonly _tag: "Right"; readonly value: number } | { readonly _tag: "Left"; readonly error: WorkersError }

/** `count`, else PROXY_WORKERS, else 1; "auto" is one per core. */
const resolveCount = (given: WorkersOptions["count"]): Count => {
  // Read before any Effect runtime exists: the count decides whether this process runs one.
  const raw: number | string | undefined = given ?? process.env.PROXY_WORKERS
  if (raw === undefined || raw === "") return { _tag: "Right", value: 1 }
  if (raw === "auto") return { _tag: "Right", value: availableParallelism() }
  const value = typeof raw === "number" ? raw : Number(raw.trim())
  if (!Number.isInteger(value) || value < 1) {
    return {
      _tag: "Left",
      error: WorkersError({ message: `PROXY_WORKERS / count must be a whole number >= 1 or "auto", got ${JSON.stringify(raw)}` })
    }
  }
  return { _tag: "Right", value }
}

interface Exited {
  readonly code: number | null
  readonly signal: string | null
}

const describeExit = ({ code, signal }: Exited) => signal !== null ? `signal ${signal}` : `code ${code}`

const supervise = (count: number, options: WorkersOptions) =>
  Effect.gen(function*() {
    const restartDelay = Duration.fromInputUnsafe(options.restartDelay ?? Duration.millis(100))
    const maxRestartDelay = Duration.fromInputUnsafe(options.maxRestartDelay ?? Duration.seconds(10))
    const stableAfter = Duration.toMillis(Duration.fromInputUnsafe(options.stableAfter ?? Duration.seconds(10)))
    const drainTimeout = Duration.fromInputUnsafe(options.shutdownTimeout ?? Duration.seconds(30))
    // Once any worker has listened, the program is known to start: later exits are crashes worth retrying.
    let started = false
    // The live worker of each slot, and the admin server the workers asked for (served here, for the group).
    const live = new Map<number, Worker>()
    const group: ClusterAdmin.Group = { count, workers: () => live }
    const runFork = yield* FiberSet.makeRuntime<never>()
    let adminPort: Promise<number | undefined> | undefined
    const serveAdmin = (worker: Worker, request: ClusterAdmin.ServeRequest) => {
      adminPort ??= new Promise((resolve) =>
        runFork(Effect.scoped(
          ClusterAdmin.serve(request, group).pipe(
            Effect.tap((port) => Effect.sync(() => resolve(port))),
            Effect.andThen(Effect.never)
          )
        ).pipe(Effect.catch((error) =>
          Effect.logError(`cannot serve the admin port ${request.host}:${request.port}: ${error.message}`).pipe(
            Effect.andThen(Effect.sync(() => resolve(undefined)))
          )
        )))
      )
      void adminPort.then((port) => {
        if (worker.isConnected()) worker.send({ type: ClusterAdmin.SERVING, port })
      })
    }

    /** One worker from start to exit; interrupted (shutdown), it is asked to drain and awaited. */
    const runWorker = (slot: number) =>
      Effect.acquireUseRelease(
        Effect.sync(() => {
          const worker: Worker = cluster.fork({ [workerIdEnv]: String(slot) })
          live.set(slot, worker)
          worker.on("message", (message: unknown) => {
            if ((message as { type?: unknown } | null)?.type === ClusterAdmin.SERVE) {
              serveAdmin(worker, message as ClusterAdmin.ServeRequest)
            }
          })
          worker.once("exit", () => {
            if (live.get(slot) === worker) live.delete(slot)
          })
          const state = { listened: false, startedAt: Date.now() }
          worker.once("listening", () => {
            state.listened = true
            started = true
          })
          const exited = new Promise<Exited>((resolve) =>
            worker.once("exit", (code: number | null, signal: string | null) => resolve({ code, signal }))
          )
          return { worker, state, exited }
        }),
        ({ exited, state, worker }) =>
          Effect.promise(() => exited).pipe(
            Effect.map((exit) => ({ ...exit, ...state, pid: worker.process.pid, ranFor: Date.now() - state.startedAt }))
          ),
        ({ exited, worker }, exit) =>
          exit._tag === "Success" ? Effect.void : drain(slot, worker, exited, drainTimeout)
      )

    const slot = (id: number) =>
      Effect.gen(function*() {
        let exitsInARow = 0
        for (;;) {
          const exit = yield* runWorker(id)
          if (!exit.listened && !started && exit.code !== 0) {
            return yield* Effect.fail(
              WorkersError({ message: `worker ${id} (pid ${exit.pid}) exited with ${describeExit(exit)} before it listened` })
            )
          }
          exitsInARow = exit.ranFor >= stableAfter ? 1 : exitsInARow + 1
          const delay = Duration.min(Duration.times(restartDelay, 2 ** (exitsInARow - 1)), maxRestartDelay)
          yield* Effect.logWarning(
            `worker ${id} (pid ${exit.pid}) exited with ${describeExit(exit)}; starting a new one in ${
              Duration.format(delay)
            }`
          ).pipe(Effect.annotateLogs({ worker: id, pid: exit.pid ?? 0 }))
          yield* Effect.sleep(delay)
        }
      })

    yield* Effect.logInfo(`starting ${count} workers`).pipe(Effect.annotateLogs({ pid: process.pid }))
    yield* Effect.forEach(Array.from({ length: count }, (_, i) => i + 1), slot, {
      concurrency: "unbounded",
      discard: true
    }).pipe(
      Effect.onInterrupt(() => Effect.logInfo(`all ${count} workers stopped`))
    )
  })

/** SIGTERM, then wait for the worker to drain and exit; SIGKILL after `timeout`. */
const drain = (slot: number, worker: Worker, exited: Promise<Exited>, timeout: Duration.Duration) =>
  Effect.gen(function*() {
    if (worker.process.exitCode !== null || worker.process.signalCode !== null) return
    worker.process.kill("SIGTERM")
    const exit = yield* Effect.promise(() => exited).pipe(Effect.timeoutOption(timeout))
    if (Option.isSome(exit)) {
      if (exit.value.code !== 0) {
        yield* Effect.logWarning(`worker ${slot} (pid ${worker.process.pid}) exited with ${describeExit(exit.value)}`)
      }
      return
    }
    yield* Effect.logWarning(
      `worker ${slot} (pid ${worker.process.pid}) still running ${Duration.format(timeout)} after SIGTERM; killing it`
    )
    worker.process.kill("SIGKILL")
    yield* Effect.promise(() => exited)
  })

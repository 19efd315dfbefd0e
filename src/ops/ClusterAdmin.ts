/**
 * The admin server of a process group run by `Workers.run`: one `/metrics` scrape and one `/readyz` answer for every
 * worker. A worker's `Admin.layer` does not bind the admin port (with the port shared, each scrape would reach one
 * worker at random); it asks the primary to serve it, and answers the primary's scrapes over the cluster IPC channel.
 * The primary serves the port: `/metrics` gathers every live worker's Prometheus text, each series labelled
 * `worker="<slot>"` (what prom-client's cluster aggregator does for the series it cannot sum); `/readyz` is ready
 * when every slot has a live worker that says it is ready; `/healthz` answers while the primary runs.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Worker } from "node:cluster"
import { createServer, type Server } from "node:http"
import * as Metrics from "./Metrics.ts"
import * as Probes from "./Probes.ts"
import { Readiness, type Status } from "./Readiness.ts"

/** The messages between the primary and its workers (all tagged, so other IPC users are left alone). */
export const SERVE = "effect-centrifugo/admin-serve"
export const SERVING = "effect-centrifugo/admin-serving"
const SCRAPE = "effect-centrifugo/admin-scrape"
const SCRAPED = "effect-centrifugo/admin-scraped"

export interface ServeRequest {
  readonly type: typeof SERVE
  readonly host: string
  readonly port: number
  readonly metricsPath: string
}

export interface Scraped {
  readonly type: typeof SCRAPED
  readonly id: number
  readonly metrics: string
  readonly status: Status
}

/** How long the primary waits for a worker's answer to a scrape. */
const SCRAPE_TIMEOUT_MS = 2_000

/** `worker="<slot>"` added to every sample line of a Prometheus text. */
export const labelled = (text: string, slot: number): ReadonlyArray<string> =>
  text.split("\n").filter((line) => line !== "").map((line) => {
    if (line.startsWith("#")) return line
    const brace = line.indexOf("{")
    const space = line.indexOf(" ")
    return brace !== -1 && brace < space
      ? `${line.slice(0, brace + 1)}worker="${slot}",${line.slice(brace + 1)}`
      : `${line.slice(0, space)}{worker="${slot}"}${line.slice(space)}`
  })

/** Prometheus texts (already labelled) merged: each family's HELP/TYPE once, then its samples from every source. */
const mergeTexts = (texts: ReadonlyArray<ReadonlyArray<string>>): string => {
  const families = new Map<string, { comments: Array<string>; samples: Array<string> }>()
  for (const lines of texts) {
    let current: { comments: Array<string>; samples: Array<string> } | undefined
    for (const line of lines) {
      const comment = /^# (HELP|TYPE) (\S+)/.exec(line)
      if (comment !== null) {
        const name = comment[2]!
        let family = families.get(name)
        if (family === undefined) families.set(name, family = { comments: [], samples: [] })
        if (!family.comments.some((c) => c.startsWith(`# ${comment[1]} `))) family.comments.push(line)
        current = family
      } else if (!line.startsWith("#")) {
        if (current === undefined) families.set(line, current = { comments: [], samples: [] })
        current.samples.push(line)
      }
    }
  }
  return [...families.values()].flatMap((f) => [...f.comments, ...f.samples]).join("\n") + "\n"
}

export interface Group {
  /** The slots the group should have (1..count). */
  readonly count: number
  /** The live worker in each slot. */
  readonly workers: () => ReadonlyMap<number, Worker>
}

let nextId = 1

/** One worker's answer to a scrape, or undefined when it did not answer in time (or is gone). */
const scrape = (worker: Worker): Promise<Scraped | undefined> =>
  new Promise((resolve) => {
    const id = nextId++
    const done = (value: Scraped | undefined) => {
      clearTimeout(timer)
      worker.off("message", onMessage)
      worker.off("exit", onExit)
      resolve(value)
    }
    const onMessage = (message: unknown) => {
      const answer = message as Partial<Scraped> | null
      if (answer?.type === SCRAPED && answer.id === id) done(answer as Scraped)
    }
    const onExit = () => done(undefined)
    const timer = setTimeout(() => done(undefined), SCRAPE_TIMEOUT_MS)
    worker.on("message", onMessage)
    worker.once("exit", onExit)
    try {
      worker.send({ type: SCRAPE, id })
    } catch {
      done(undefined)
    }
  })

const scrapeAll = (group: Group) =>
  Promise.all([...group.workers()].map(async ([slot, worker]) => ({ slot, answer: await scrape(worker) })))

/** The group's readiness: every slot has a live worker that answered ready. */
const groupStatus = async (group: Group): Promise<Status> => {
  const answers = await scrapeAll(group)
  const reasons: Array<string> = []
  for (let slot = 1; slot <= group.count; slot++) {
    const found = answers.find((a) => a.slot === slot)
    if (found === undefined) reasons.push(`worker ${slot}: not running`)
    else if (found.answer === undefined) reasons.push(`worker ${slot}: no answer`)
    else if (!found.answer.status.ready) reasons.push(`worker ${slot}: ${found.answer.status.reason ?? "not ready"}`)
  }
  return reasons.length === 0 ? { ready: true } : { ready: false, reason: reasons.join("; ") }
}

/** Every live worker's metrics, labelled by slot, as one Prometheus text. */
const groupMetrics = async (group: Group): Promise<string> => {
  const answers = await scrapeAll(group)
  return mergeTexts(answers.flatMap(({ answer, slot }) => (answer === undefined ? [] : [labelled(answer.metrics, slot)])))
}

/**
 * The primary's admin server for `group`, open until the scope closes; its port. Each request is answered from the
 * workers' answers to one scrape.
 */
export const serve = (request: ServeRequest, group: Group): Effect.Effect<number, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const server = yield* Effect.acquireRelease(
      Effect.callback<Server, Error>((resume) => {
        const server = createServer((req, res) => {
          const path = (req.url ?? "/").split("?")[0]
          const answer = (status: number, body: string, contentType = "text/plain; charset=utf-8") => {
            res.writeHead(status, { "content-type": contentType })
            res.end(body)
          }
          if (req.method !== "GET") return answer(405, "method not allowed")
          if (path === Probes.livePath) return answer(200, "ok")
          if (path === Probes.readyPath) {
            return void groupStatus(group).then((status) =>
              status.ready ? answer(200, "ready") : answer(503, `not ready: ${status.reason}`)
            )
          }
          if (path === request.metricsPath) {
            return void groupMetrics(group).then((text) => answer(200, text, Metrics.contentType))
          }
          answer(404, "not found")
        })
        server.once("error", (error) => resume(Effect.fail(error)))
        server.listen(request.port, request.host, () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.callback<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : request.port
    yield* Effect.logInfo(
      `Admin server for ${group.count} workers listening on http://${request.host}:${port} ` +
        `(${request.metricsPath}, ${Probes.livePath}, ${Probes.readyPath})`
    )
    return port
  })

/**
 * A worker's side: ask the primary to serve the admin port, and answer its scrapes with this process's metrics and
 * readiness until the scope closes. The port the primary bound.
 */
export const asWorker = (
  request: Omit<ServeRequest, "type">
): Effect.Effect<number, never, Readiness | Scope.Scope> =>
  Effect.gen(function*() {
    const readiness = yield* Readiness
    const sample = yield* Metrics.processSampler
    const context = yield* Effect.context<never>()
    const send = (message: unknown) => void process.send?.(message)
    const onScrape = (message: unknown) => {
      const ask = message as { type?: unknown; id?: unknown } | null
      if (ask?.type !== SCRAPE || typeof ask.id !== "number") return
      const id = ask.id
      void Effect.runPromiseWith(context)(Effect.all({ metrics: Metrics.text(sample), status: readiness.status })).then(
        ({ metrics, status }) => send({ type: SCRAPED, id, metrics, status } satisfies Scraped)
      )
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => process.on("message", onScrape)),
      () => Effect.sync(() => process.off("message", onScrape))
    )
    const port = yield* Effect.callback<number | undefined>((resume) => {
      const onServing = (message: unknown) => {
        const answer = message as { type?: unknown; port?: unknown } | null
        if (answer?.type !== SERVING) return
        process.off("message", onServing)
        resume(Effect.succeed(typeof answer.port === "number" ? answer.port : undefined))
      }
      process.on("message", onServing)
      send({ type: SERVE, ...request } satisfies ServeRequest)
      return Effect.sync(() => process.off("message", onServing))
    })
    // The primary logged why (the port in use, say); a worker without its admin server must not run unnoticed.
    if (port === undefined) return yield* Effect.die(new Error(`the primary could not serve the admin port ${request.port}`))
    return port
  })

/**
 * The standalone HTTP server's request listener: plain `node:http`, calling the core pipeline directly.
 *
 * Why not the `effect/http` router here: a proxy server has nine fixed POST routes and two probes, and going through
 * the platform's request and response objects, router and middleware cost about 6 µs per call (measured), as much
 * as the handler's whole pipeline. The answers are decided in `exchange.ts`, shared with the mountable
 * `HttpProxy.routes`, so both answer alike; this module only moves bytes, and:
 * - reads the body up to the limit (a larger one is answered 413 and the connection closed, unread);
 * - interrupts the handler's fiber when the request's connection closes before the answer (Centrifugo gave up);
 * - tracks in-flight fibers, for the drain.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import { throttle } from "../internal/logText.ts"
import type * as Pipeline from "../internal/pipeline.ts"
import { livePath, readyPath } from "../ops/Probes.ts"
import type * as Readiness from "../ops/Readiness.ts"
import * as Inflight from "../server/inflight.ts"
import * as Exchange from "./exchange.ts"

export interface ListenerOptions {
  /** The route of each event by its full path (`/centrifugo/connect` ...). */
  readonly routes: ReadonlyMap<string, Exchange.EventRoute>
  /** The routes' prefix (normalized: no trailing slash); "" at the root. */
  readonly prefix: string
  readonly readiness: Readiness.Readiness
  /** Starts fibers in the server's context (`Effect.runForkWith`). */
  readonly fork: Pipeline.Fork
  /** The fibers of the calls in flight (the drain interrupts those still running after its grace period). */
  readonly inflight: Inflight.Inflight
  /** True once the server is closing: every answer then closes its connection, so the drain can end. */
  readonly closing: () => boolean
}

const write = (response: ServerResponse, answer: Exchange.Answer, close: boolean): void => {
  if (response.headersSent || response.destroyed) return
  const headers: Record<string, string | number> = {
    "content-type": answer.contentType,
    "content-length": Buffer.byteLength(answer.body)
  }
  if (answer.allow !== undefined) headers.allow = answer.allow
  if (close || answer.close === true) headers.connection = "close"
  response.writeHead(answer.status, headers).end(answer.body)
}

const SHUTTING_DOWN = Exchange.plain(503, "effect-centrifugo: server shutting down")
// Probes close their connection: a probe opens a new one each time, and a stranger cannot park idle ones with them.
const LIVE = Exchange.plain(200, "ok", { close: true })
const READY = Exchange.plain(200, "ready", { close: true })

/** A body still arriving: when it must have arrived by, and how to refuse it if not. */
interface Arriving {
  readonly request: IncomingMessage
  readonly deadline: number
  readonly refuse: () => void
}

/**
 * The bodies still arriving, checked against their deadlines by one sweep rather than a timer per request (a timer
 * armed and cleared for every call was a measurable part of the per-call cost). The sweep runs every quarter of the
 * shortest `bodyTimeout` (between 10 ms and 1 s) while any body is arriving, and stops when none is.
 */
const bodyWatch = (bodyTimeoutMs: number) => {
  const arriving = new Set<Arriving>()
  const every = Math.min(1000, Math.max(10, Math.floor(bodyTimeoutMs / 4)))
  let sweeper: ReturnType<typeof setInterval> | undefined
  const sweep = () => {
    const now = Date.now()
    for (const entry of arriving) {
      if (entry.request.complete || entry.request.destroyed) arriving.delete(entry)
      else if (now >= entry.deadline) {
        arriving.delete(entry)
        entry.refuse()
      }
    }
    if (arriving.size === 0 && sweeper !== undefined) {
      clearInterval(sweeper)
      sweeper = undefined
    }
  }
  return {
    add: (entry: Arriving): void => {
      arriving.add(entry)
      if (sweeper === undefined) sweeper = setInterval(sweep, every).unref()
    },
    remove: (entry: Arriving): void => {
      arriving.delete(entry)
    }
  }
}

export const make = (options: ListenerOptions) => {
  const { closing, fork, inflight, prefix, readiness, routes } = options
  const watch = bodyWatch(Math.min(...[...routes.values()].map((route) => Duration.toMillis(route.bodyTimeout))))
  const known = [...routes.values()].map((route) => route.event.path).join(", ")
  const underPrefix = prefix === "" ? undefined : `${prefix}/`
  const send = (response: ServerResponse, answer: Exchange.Answer, close = false): void =>
    write(response, answer, close || closing())
  const log = (effect: Effect.Effect<void> | undefined) => {
    if (effect !== undefined) fork(effect)
  }

  const probe = (path: string, response: ServerResponse): void => {
    if (path === livePath) return send(response, LIVE)
    fork(readiness.status).addObserver((exit) =>
      send(
        response,
        exit._tag === "Success" && exit.value.ready
          ? READY
          : Exchange.plain(503, `not ready: ${exit._tag === "Success" ? exit.value.reason ?? "unknown" : "check died"}`, {
            close: true
          })
      )
    )
  }

  const run = (route: Exchange.EventRoute, request: IncomingMessage, response: ServerResponse, body: Uint8Array) => {
    const pipeline = route.pipeline!
    const decoded = Exchange.decode(route, body, request.headers)
    if (decoded._tag === "Answer") {
      log(decoded.answer.log)
      return send(response, decoded.answer)
    }
    if (decoded._tag === "InvalidJson") {
      return fork(pipeline.invalidJson(decoded.field, decoded.reason)).addObserver((exit) => {
        if (exit._tag === "Success") send(response, Exchange.answerOf(exit.value))
      })
    }
    const fiber = Inflight.track(
      inflight,
      (done) => pipeline.start(decoded.request, route.timeout, fork, done),
      // Interrupted from outside: Centrifugo closed the request (no one to answer) or the server is shutting down.
      (outcome: Pipeline.Outcome<string> | undefined) =>
        send(response, outcome === undefined ? SHUTTING_DOWN : Exchange.answerOf(outcome))
    )
    if (fiber === undefined) return
    const running = fiber
    // Centrifugo giving up (its proxy timeout) closes the connection before the answer: stop the handler.
    response.once("close", () => {
      if (!response.writableFinished) running.interruptUnsafe()
    })
  }

  return (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? "/"
    const query = url.indexOf("?")
    const path = query === -1 ? url : url.slice(0, query)
    const route = routes.get(path)
    if (route === undefined) {
      if (request.method === "GET" && (path === livePath || path === readyPath)) return probe(path, response)
      return send(
        response,
        underPrefix !== undefined && path.startsWith(underPrefix) ? Exchange.unknownEvent(url, known) : Exchange.NOT_FOUND
      )
    }
    const refused = Exchange.admit(route, request.method, request.headers)
    if (refused !== undefined) {
      log(refused.log)
      // A refused body is not read: its answer closes the connection rather than drain up to 4 MiB or more of it.
      return send(response, refused)
    }
    const chunks: Array<Buffer> = []
    let size = 0
    let refusedBody = false
    const refuse = (answer: Exchange.Answer) => {
      refusedBody = true
      watch.remove(arriving)
      chunks.length = 0
      log(answer.log)
      send(response, answer, true)
    }
    // The body must arrive within its own bound (the handler's `timeout` starts only once it has).
    const arriving: Arriving = {
      request,
      deadline: Date.now() + Duration.toMillis(route.bodyTimeout),
      refuse: () => {
        if (!refusedBody) refuse(Exchange.bodyTimedOut(route))
      }
    }
    watch.add(arriving)
    request.on("data", (chunk: Buffer) => {
      if (refusedBody) return
      size += chunk.length
      if (size > route.maxBodySize) return refuse(Exchange.bodyTooLarge(route))
      chunks.push(chunk)
    })
    request.once("error", (error) => {
      if (!refusedBody) refuse(Exchange.unreadableBody(route, error))
    })
    request.once("end", () => {
      if (refusedBody) return
      watch.remove(arriving)
      run(route, request, response, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
    })
  }
}

/**
 * Node closes a connection over `server.maxConnections` as soon as it is accepted, silently: a warning says so, at
 * most one per 10 s with the count of the others.
 */
export const warnOnDrop = (server: Server, fork: Pipeline.Fork): void => {
  const shouldWarn = throttle(10_000)
  server.on("drop", (data?: { remoteAddress?: string; remotePort?: number }) => {
    const suppressed = shouldWarn()
    if (suppressed === undefined) return
    fork(Effect.logWarning(
      `Centrifugo HTTP proxy: connection limit reached (maxConnections ${server.maxConnections}): refused a ` +
        `connection from ${data?.remoteAddress ?? "?"}:${data?.remotePort ?? "?"}` +
        (suppressed > 0 ? ` (and ${suppressed} more not logged)` : "")
    ))
  })
}

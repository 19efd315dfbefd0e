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

/**
 * One request on its way, from its headers to its answer: the body as it arrives (the usual single chunk without an
 * array), its deadline, and what answering it needs. The request's listeners are functions of the module that find
 * it on the request (`this` of an EventEmitter listener), not closures made per request: a request used to make
 * six closures and two objects before its handler ran.
 */
interface Call {
  readonly server: ServerState
  readonly route: Exchange.EventRoute
  readonly request: IncomingMessage
  readonly response: ServerResponse
  /** When the body must have arrived by (ms since the epoch): the handler's `timeout` starts only once it has. */
  readonly deadline: number
  first: Buffer | undefined
  rest: Array<Buffer> | undefined
  size: number
  refused: boolean
  /** The handler's fiber while it runs asynchronously; undefined before, and once answered. */
  fiber: Inflight.AnyFiber | undefined
  answered: boolean
}

/** What the calls of one listener share. */
interface ServerState {
  readonly watch: ReturnType<typeof bodyWatch>
  readonly fork: Pipeline.Fork
  readonly inflight: Inflight.Inflight
  readonly send: (response: ServerResponse, answer: Exchange.Answer, close?: boolean) => void
  readonly log: (effect: Effect.Effect<void> | undefined) => void
}

const CALL: unique symbol = Symbol("effect-centrifugo/http/call")
type WithCall = IncomingMessage & { [CALL]?: Call }

/**
 * The bodies still arriving, checked against their deadlines by one sweep rather than a timer per request (a timer
 * armed and cleared for every call was a measurable part of the per-call cost). The sweep runs every quarter of the
 * shortest `bodyTimeout` (between 10 ms and 1 s) while any body is arriving, and stops when none is.
 */
const bodyWatch = (bodyTimeoutMs: number) => {
  const arriving = new Set<Call>()
  const every = Math.min(1000, Math.max(10, Math.floor(bodyTimeoutMs / 4)))
  let sweeper: ReturnType<typeof setInterval> | undefined
  const sweep = () => {
    const now = Date.now()
    for (const call of arriving) {
      if (call.request.complete || call.request.destroyed) arriving.delete(call)
      else if (now >= call.deadline) {
        arriving.delete(call)
        if (!call.refused) refuse(call, Exchange.bodyTimedOut(call.route))
      }
    }
    if (arriving.size === 0 && sweeper !== undefined) {
      clearInterval(sweeper)
      sweeper = undefined
    }
  }
  return {
    add: (call: Call): void => {
      arriving.add(call)
      if (sweeper === undefined) sweeper = setInterval(sweep, every).unref()
    },
    remove: (call: Call): void => {
      arriving.delete(call)
    }
  }
}

/** Refuses a request whose body cannot be taken (too large, too slow, unreadable): answered, connection closed. */
const refuse = (call: Call, answer: Exchange.Answer): void => {
  call.refused = true
  call.server.watch.remove(call)
  call.first = undefined
  call.rest = undefined
  call.server.log(answer.log)
  call.server.send(call.response, answer, true)
}

function onData(this: WithCall, chunk: Buffer): void {
  const call = this[CALL]!
  if (call.refused) return
  call.size += chunk.length
  if (call.size > call.route.maxBodySize) return refuse(call, Exchange.bodyTooLarge(call.route))
  if (call.first === undefined) call.first = chunk
  else (call.rest ??= []).push(chunk)
}

function onError(this: WithCall, error: Error): void {
  const call = this[CALL]!
  // Once the body is complete an error is the connection's, not the body's: a running handler is interrupted by the
  // response's `close` (or by `run`, when the connection closed before it started).
  if (!call.refused && !this.complete) refuse(call, Exchange.unreadableBody(call.route, error))
}

function onEnd(this: WithCall): void {
  const call = this[CALL]!
  if (call.refused) return
  call.server.watch.remove(call)
  const body = call.rest === undefined
    ? call.first ?? EMPTY_BODY
    : Buffer.concat([call.first!, ...call.rest], call.size)
  call.first = undefined
  call.rest = undefined
  run(call, body)
}

const EMPTY_BODY = Buffer.alloc(0)

/** Decodes the body and runs the handler, or answers what decoding found; exactly one answer. */
const run = (call: Call, body: Uint8Array): void => {
  const { request, response, route, server } = call
  const pipeline = route.pipeline!
  const decoded = Exchange.decode(route, body, request.headers)
  if (decoded._tag === "Answer") {
    server.log(decoded.answer.log)
    return server.send(response, decoded.answer)
  }
  if (decoded._tag === "InvalidJson") {
    return void server.fork(pipeline.invalidJson(decoded.field, decoded.reason)).addObserver((exit) => {
      if (exit._tag === "Success") server.send(response, Exchange.answerOf(exit.value))
    })
  }
  // Tracked for the drain only while it runs asynchronously; a handler that answers inside `start` never is.
  const fiber = pipeline.start(decoded.request, route.timeout, server.fork, (outcome) => {
    call.answered = true
    if (call.fiber !== undefined) {
      server.inflight.delete(call.fiber)
      call.fiber = undefined
    }
    // Interrupted from outside: Centrifugo closed the request (no one to answer) or the server is shutting down.
    server.send(response, outcome === undefined ? SHUTTING_DOWN : Exchange.answerOf(outcome))
  })
  if (call.answered) return
  call.fiber = fiber
  server.inflight.add(fiber)
  // Centrifugo giving up (its proxy timeout) closes the connection before the answer: stop the handler.
  response.once("close", () => {
    if (!response.writableFinished) fiber.interruptUnsafe()
  })
  // The connection may have closed before the handler started (its `close` already emitted): nobody to answer.
  if (request.socket.destroyed) fiber.interruptUnsafe()
}

export const make = (options: ListenerOptions) => {
  const { closing, fork, inflight, prefix, readiness, routes } = options
  const known = [...routes.values()].map((route) => route.event.path).join(", ")
  const underPrefix = prefix === "" ? undefined : `${prefix}/`
  const send = (response: ServerResponse, answer: Exchange.Answer, close = false): void =>
    write(response, answer, close || closing())
  const log = (effect: Effect.Effect<void> | undefined) => {
    if (effect !== undefined) fork(effect)
  }
  const server: ServerState = {
    watch: bodyWatch(Math.min(...[...routes.values()].map((route) => Duration.toMillis(route.bodyTimeout)))),
    fork,
    inflight,
    send,
    log
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
    const call: Call = {
      server,
      route,
      request,
      response,
      deadline: Date.now() + Duration.toMillis(route.bodyTimeout),
      first: undefined,
      rest: undefined,
      size: 0,
      refused: false,
      fiber: undefined,
      answered: false
    }
    ;(request as WithCall)[CALL] = call
    server.watch.add(call)
    // `on`, not `once`: `once` wraps each listener in a state object and a bound function (~250 bytes a request);
    // `end` is emitted once, and a refused call ignores anything after its refusal.
    request.on("data", onData)
    request.on("error", onError)
    request.on("end", onEnd)
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

/**
 * What the HTTP transport answers, decided without any HTTP server: the checks before a body is read (method,
 * credentials, handler, declared size), the decoding of a body into a request, and the pipeline's outcome as a response.
 * Both servers of the transport are thin shells around these decisions, so they answer byte for byte alike:
 * - `listener.ts`, the standalone server (a plain `node:http` request listener: the fastest way to run it);
 * - the `effect/http` routes of `HttpProxy.routes`, for mounting the proxy in an application's own router.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { noHandlerMessage } from "../internal/events.ts"
import { safe } from "../internal/logText.ts"
import * as Pipeline from "../internal/pipeline.ts"
import { isInvalidJson } from "../internal/payloadWire.ts"
import type * as ProxyRequest from "../ProxyRequest.ts"
import type { HttpEvent } from "./events.ts"
import { forwardedHeaders } from "./headers.ts"
import { isBadBody } from "./json.ts"
import type * as Credentials from "../server/credentials.ts"
import * as Refusals from "../server/refusals.ts"

/** A complete HTTP answer: status, body, and the headers it needs beyond content type and length. */
export interface Answer {
  readonly status: number
  readonly body: string
  readonly contentType: "application/json" | "text/plain; charset=utf-8"
  /** `Allow` header value (405 only). */
  readonly allow?: string
  /**
   * Close the connection after this answer: every answer Centrifugo never gets from a working setup (refusals,
   * 404s, probes), so a client cannot keep idle connections open with them; Centrifugo's own stay open.
   */
  readonly close?: boolean
  /** A line for the server's log, if this answer deserves one. */
  readonly log?: Effect.Effect<void> | undefined
}

/** A plain-text answer (everything but a reply). */
export const plain = (status: number, body: string, extra?: Partial<Pick<Answer, "allow" | "log" | "close">>): Answer => ({
  status,
  body,
  contentType: "text/plain; charset=utf-8",
  ...extra
})

/** One event's route: everything needed to answer its requests. */
export interface EventRoute {
  readonly event: HttpEvent
  /** Undefined when the event has no handler (answered 501). */
  readonly pipeline: Pipeline.EventPipeline<string> | undefined
  readonly timeout: Duration.Duration
  readonly maxBodySize: number
  /** How long the body may take to arrive once the headers are in. */
  readonly bodyTimeout: Duration.Duration
  /** The `requireCredentials` check: the header named `key` must carry the value. */
  readonly credentials: Credentials.CredentialsCheck | undefined
  /** The 413 text for this route's limit. */
  readonly tooLarge: string
  /**
   * The throttled warning of a refused request (one line per kind per 10 s, shared by all routes of a server), or
   * `undefined` when this one is left out.
   */
  readonly refuse: (kind: Refusal, message: string) => Effect.Effect<void> | undefined
}

/** Why a request was refused: each kind has a throttle of its own, so a flood of one does not hide another. */
export type Refusal = "credentials" | "badBody" | "tooLarge" | "unreadable" | "noHandler" | "slowBody"

/**
 * The warnings of refused requests for one server (see `server/refusals.ts`): per kind, at most one line per 10 s.
 * `message` is already escaped.
 */
export const refuser = (): (event: HttpEvent, kind: Refusal, message: string) => Effect.Effect<void> | undefined => {
  const refusals = Refusals.make<Refusal>("requests")
  return (event, kind, message) => refusals(kind, `${event.spec.method}: ${message}`, { event: event.spec.name })
}

/** The 401 body and warning text. */
export const UNAUTHORIZED =
  "effect-centrifugo: missing or wrong proxy credentials header (see the proxy's http.static_headers)"

/**
 * The answer to a request before its body is read, or `undefined` to read it: another method than POST (405), a
 * missing or wrong credentials header (401), an event without a handler (501), a declared body over the limit (413).
 * `headers` are Node's (names lower-cased).
 */
export const admit = (
  route: EventRoute,
  method: string | undefined,
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): Answer | undefined => {
  const { credentials, event, maxBodySize, pipeline } = route
  if (method !== "POST") {
    return plain(405, `effect-centrifugo: Centrifugo's proxy requests are POST, got ${safe(String(method))}`, {
      allow: "POST",
      close: true
    })
  }
  if (credentials !== undefined && !credentials.ok(headers[credentials.key] as string | undefined)) {
    return plain(401, UNAUTHORIZED, { log: route.refuse("credentials", UNAUTHORIZED), close: true })
  }
  if (pipeline === undefined) {
    const message = noHandlerMessage(event.spec.name)
    return plain(501, `effect-centrifugo: ${event.spec.method}: ${message}`, {
      log: route.refuse("noHandler", message),
      close: true
    })
  }
  const declared = headers["content-length"]
  if (typeof declared === "string" && Number(declared) > maxBodySize) {
    return plain(413, route.tooLarge, {
      log: route.refuse("tooLarge", `refused a ${safe(declared)}-byte body (maxBodySize ${maxBodySize})`),
      close: true
    })
  }
  return undefined
}

/** The answer to a body that grew over the limit while it was read (no Content-Length, or a wrong one). */
export const bodyTooLarge = (route: EventRoute): Answer =>
  plain(413, route.tooLarge, {
    log: route.refuse("tooLarge", `refused a body over maxBodySize (${route.maxBodySize} bytes)`),
    close: true
  })

/** The answer to a body that did not arrive within `bodyTimeout` of its headers. */
export const bodyTimedOut = (route: EventRoute): Answer =>
  plain(408, "effect-centrifugo: the body did not arrive in time (bodyTimeout)", {
    log: route.refuse("slowBody", `the body did not arrive within ${Duration.format(route.bodyTimeout)} (bodyTimeout)`),
    close: true
  })

/** The answer to a body that could not be read (the connection failed while sending it). */
export const unreadableBody = (route: EventRoute, reason: unknown): Answer =>
  plain(400, "effect-centrifugo: could not read the body", {
    log: route.refuse("unreadable", `could not read the body: ${safe(String(reason))}`),
    close: true
  })

/** What a body is: a request to run, or the answer to give instead (a bad body; a payload that is not JSON). */
export type Decoded =
  | { readonly _tag: "Request"; readonly request: ProxyRequest.ProxyRequest }
  | { readonly _tag: "Answer"; readonly answer: Answer }
  | { readonly _tag: "InvalidJson"; readonly field: string; readonly reason: string }

/** Decodes a body of `route`'s event; `headers` are Node's, of which the forwarded ones reach the request. */
export const decode = (
  route: EventRoute,
  body: Uint8Array,
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): Decoded => {
  const { credentials, event } = route
  try {
    return {
      _tag: "Request",
      request: event.decode(body, forwardedHeaders(headers as Readonly<Record<string, string>>, credentials?.key))
    }
  } catch (error) {
    if (isInvalidJson(error)) return { _tag: "InvalidJson", field: error.field, reason: error.reason }
    if (isBadBody(error)) {
      return {
        _tag: "Answer",
        // One line in the answer too: a reason may quote the body (JSON.parse's messages do), newlines included.
        answer: plain(400, `effect-centrifugo: bad request: ${safe(error.message)}`, {
          log: route.refuse("badBody", `bad request: ${safe(error.message)}`),
          close: true
        })
      }
    }
    return {
      _tag: "Answer",
      answer: plain(500, "effect-centrifugo: internal error while decoding the request", {
        close: true,
        log: Effect.logError(`${event.spec.method}: unexpected decode error`, error).pipe(
          Effect.annotateLogs({ event: event.spec.name })
        )
      })
    }
  }
}

/** The pipeline's outcome as an answer: the reply with 200, or a status for what a reply cannot say. */
export const answerOf = (outcome: Pipeline.Outcome<string>): Answer => {
  if (!Pipeline.isUnanswerable(outcome)) return { status: 200, body: outcome, contentType: "application/json" }
  return plain(outcome._tag === "Failed" ? 500 : 400, `effect-centrifugo: ${outcome.message}`)
}

/** The 404 outside the prefix. */
export const NOT_FOUND: Answer = plain(404, "effect-centrifugo: not found", { close: true })

/** The 404 under the prefix: which events exist. */
export const unknownEvent = (url: string, known: string): Answer =>
  plain(404, `effect-centrifugo: no proxy event at ${safe(url)}; the events are ${known}`, { close: true })

/**
 * The HTTP transport's routes, one per event, as both of its servers (the standalone listener and the mounted
 * `effect/http` routes) answer them: each event's pipeline (or none: 501), its limits and the credentials check,
 * keyed by full path. The options are checked here, before anything listens.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Defaults from "../Defaults.ts"
import type { Handler } from "../Handler.ts"
import { HandlerSet } from "../HandlerSet.ts"
import * as Pipeline from "../internal/pipeline.ts"
import * as Credentials from "../server/credentials.ts"
import { startFailure } from "../server/startFailure.ts"
import { httpEvents } from "./events.ts"
import * as Exchange from "./exchange.ts"
import { MESSAGE_HEADERS } from "./headers.ts"
import type { HttpProxyRoutesOptions } from "./HttpProxy.ts"

/** The default time a request's headers, then its body, may take to arrive. */
export const defaultBodyTimeout = Duration.seconds(10)

/** The default body limit: 4 MiB, as the gRPC server's message limit. */
export const defaultMaxBodySize = 4 * 1024 * 1024

/** A prefix without trailing slashes, with a leading one ("" for the root). */
const normalizePrefix = (prefix: string): string => {
  const trimmed = prefix.replace(/\/+$/, "")
  return trimmed === "" || trimmed.startsWith("/") ? trimmed : `/${trimmed}`
}

/** Why the options cannot serve, if they cannot: credentials that protect nothing, a body limit or timeout of 0. */
const problemOf = (options: HttpProxyRoutesOptions, maxBodySize: number, bodyTimeout: Duration.Duration) => {
  const required = options.requireCredentials
  if (required !== undefined && MESSAGE_HEADERS.has(required.key.toLowerCase())) {
    return `requireCredentials.key ${required.key} is a header of the HTTP message itself`
  }
  return Credentials.problem(required, Defaults.http.credentialsEnv) ??
    (Number.isInteger(maxBodySize) && maxBodySize > 0 ? undefined : `maxBodySize ${maxBodySize} is not a positive integer`) ??
    (Duration.toMillis(bodyTimeout) >= 1 ? undefined : `bodyTimeout ${Duration.format(bodyTimeout)} is shorter than 1 ms`)
}

/** The route of every event, keyed by its full path; fails on invalid options. */
export const make = (options: HttpProxyRoutesOptions) =>
  Effect.gen(function*() {
    const maxBodySize = options.maxBodySize ?? defaultMaxBodySize
    const bodyTimeout = Duration.fromInputUnsafe(options.bodyTimeout ?? defaultBodyTimeout)
    const problem = problemOf(options, maxBodySize, bodyTimeout)
    if (problem !== undefined) return yield* Effect.fail(startFailure(problem))
    const handlers = yield* HandlerSet
    const prefix = normalizePrefix(options.prefix ?? Defaults.http.prefix)
    const failureReply = Pipeline.failureReplyOf(options.failureReply)
    const timeout = Pipeline.timeoutOf(options.timeout)
    const credentials = Credentials.check(options.requireCredentials)
    const refuse = Exchange.refuser()
    const tooLarge = `effect-centrifugo: the body is larger than ${maxBodySize} bytes (maxBodySize)`
    const routes = new Map<string, Exchange.EventRoute>()
    for (const event of httpEvents) {
      const handler = handlers[event.spec.name] as Handler<never, never> | undefined
      const pipeline = handler === undefined ? undefined : yield* Effect.try({
        try: () => Pipeline.make(event.spec, handler, event.encode as (reply: unknown) => string, { failureReply }),
        catch: (error) => startFailure(`invalid failureReply: ${String(error)}`, error)
      })
      routes.set(`${prefix}/${event.path}`, {
        event,
        pipeline,
        timeout,
        maxBodySize,
        bodyTimeout,
        credentials,
        tooLarge,
        refuse: (kind, message) => refuse(event, kind, message)
      })
    }
    return { prefix, routes }
  })

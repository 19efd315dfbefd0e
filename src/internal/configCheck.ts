/**
 * The mismatch every Centrifugo newcomer hits, found at start instead of at the first call: given the path of the
 * Centrifugo config the server is meant for, warn about each proxy that reaches no handler (its calls would answer
 * UNIMPLEMENTED) and each handler no proxy reaches. Transport-neutral: a server calls it once it is listening.
 * `checkConfig` (public through `CentrifugoConfig`) is the comparison itself; the CLI's `config --check` prints it.
 */
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { PRO_EVENTS, type Transport } from "./centrifugoConfig.ts"
import { checkNamespaces, formatNamespaceMismatch, type NamespaceMismatch } from "./namespaces.ts"
import { type Description, type EventName, eventNames, type HandlerSet } from "../HandlerSet.ts"

/**
 * Logs one warning per mismatch between the config at `path` and `handlers` (or one line saying they match), and
 * one when its proxies call another transport than `transport`, the one of the server checking.
 */
export const warnAboutMismatches = (path: string, handlers: HandlerSet, transport: Transport): Effect.Effect<void> =>
  Effect.suspend(() => {
    let config: unknown
    try {
      config = JSON.parse(readFileSync(path, "utf8"))
    } catch (error) {
      return Effect.logWarning(
        `cannot check the Centrifugo config ${path} against the handlers: ${error instanceof Error ? error.message : String(error)}`
      )
    }
    const mismatches = checkConfig(config, { events: eventNames(handlers) }).map(formatMismatch)
    const used = configTransport(config)
    if (used !== undefined && used !== transport) {
      mismatches.push(`its proxies call the backend over ${used}, and this server answers ${transport}`)
    }
    if (mismatches.length === 0) {
      return Effect.logInfo(`Centrifugo config ${path}: every proxy reaches a handler and every handler a proxy`)
    }
    return Effect.forEach(mismatches, (mismatch) => Effect.logWarning(`Centrifugo config ${path}: ${mismatch}`), {
      discard: true
    })
  })

/** The transport of a proxy endpoint, from its scheme (`grpc://` or `http(s)://`). */
export const endpointTransport = (endpoint: unknown): Transport | undefined =>
  typeof endpoint !== "string"
    ? undefined
    : endpoint.startsWith("grpc://")
    ? "grpc"
    : /^https?:\/\//.test(endpoint)
    ? "http"
    : undefined

/** The transport the proxies of `config` use (the first proxy with an endpoint), or undefined when none has one. */
export const configTransport = (config: unknown): Transport | undefined => {
  const root = record(config)
  const places = [record(record(root.client).proxy), record(record(root.channel).proxy)]
  for (const proxies of places) {
    for (const proxy of Object.values(proxies)) {
      const transport = endpointTransport(record(proxy).endpoint)
      if (transport !== undefined) return transport
    }
  }
  return endpointTransport(record(record(root.rpc).proxy).endpoint)
}

/**
 * One disagreement between a Centrifugo config and a handler set.
 *
 * @since 0.1.0
 * @category models
 */
export type Mismatch =
  | {
    /** Centrifugo calls this event and nothing answers it: every call fails with UNIMPLEMENTED. */
    readonly _tag: "ProxyWithoutHandler"
    readonly event: EventName
    /** Where in the config the proxy is enabled. */
    readonly at: string
  }
  | {
    /** A handler no proxy reaches: it is never called. */
    readonly _tag: "HandlerWithoutProxy"
    readonly event: EventName
  }
  | {
    /** An RPC method whose `ns:` prefix Centrifugo treats as a namespace it does not know (answered 104). */
    readonly _tag: "RpcMethodUnreachable"
    readonly method: string
  }
  | NamespaceMismatch

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const record = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {})

/** Where each event's proxy is enabled in `config` (empty for an event no proxy reaches). */
export const proxiedEvents = (config: unknown): ReadonlyMap<EventName, ReadonlyArray<string>> => {
  const found = new Map<EventName, Array<string>>()
  const add = (event: EventName, at: string) => found.set(event, [...(found.get(event) ?? []), at])
  const root = record(config)
  const client = record(record(root.client).proxy)
  if (record(client.connect).enabled === true) add("connect", "client.proxy.connect")
  if (record(client.refresh).enabled === true) add("refresh", "client.proxy.refresh")

  const channel = record(root.channel)
  const namespaces: Array<[string, Record<string, unknown>]> = [["channel.without_namespace", record(channel.without_namespace)]]
  for (const ns of Array.isArray(channel.namespaces) ? channel.namespaces : []) {
    const options = record(ns)
    namespaces.push([`channel.namespaces[${String(options.name)}]`, options])
  }
  for (const [at, options] of namespaces) {
    if (options.subscribe_proxy_enabled === true) add("subscribe", `${at}.subscribe_proxy_enabled`)
    if (options.publish_proxy_enabled === true) add("publish", `${at}.publish_proxy_enabled`)
    if (options.sub_refresh_proxy_enabled === true) add("subRefresh", `${at}.sub_refresh_proxy_enabled`)
    if (options.subscribe_stream_proxy_enabled === true) {
      add(
        options.subscribe_stream_proxy_bidirectional === true ? "subscribeBidirectional" : "subscribeUnidirectional",
        `${at}.subscribe_stream_proxy_enabled`
      )
    }
    const map = record(options.map)
    if (map.publish_proxy_enabled === true) add("mapPublish", `${at}.map.publish_proxy_enabled`)
    if (map.remove_proxy_enabled === true) add("mapRemove", `${at}.map.remove_proxy_enabled`)
    if (options.subscription_type === "shared_poll") add("sharedPollRefresh", `${at}.subscription_type`)
  }

  const rpc = record(root.rpc)
  if (record(rpc.without_namespace).proxy_enabled === true) add("rpc", "rpc.without_namespace.proxy_enabled")
  for (const ns of Array.isArray(rpc.namespaces) ? rpc.namespaces : []) {
    const options = record(ns)
    if (options.proxy_enabled === true) add("rpc", `rpc.namespaces[${String(options.name)}].proxy_enabled`)
  }
  return found
}

/**
 * Where `config` (a parsed Centrifugo v6 config) and the handler set described by `description` disagree; empty when
 * they match. PRO-only events are not checked.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkConfig = (config: unknown, description: Description): ReadonlyArray<Mismatch> => {
  const mismatches: Array<Mismatch> = []
  const proxied = proxiedEvents(config)
  const handled = new Set(description.events)
  for (const [event, places] of proxied) {
    if (!handled.has(event)) for (const at of places) mismatches.push({ _tag: "ProxyWithoutHandler", event, at })
  }
  for (const event of description.events) {
    if (!PRO_EVENTS.has(event) && !proxied.has(event)) mismatches.push({ _tag: "HandlerWithoutProxy", event })
  }
  if (proxied.has("rpc") && description.rpcMethods !== undefined) {
    const rpc = record(record(config).rpc)
    const boundary = typeof rpc.namespace_boundary === "string" && rpc.namespace_boundary !== ""
      ? rpc.namespace_boundary
      : ":"
    const proxiedNamespaces = new Set(
      (Array.isArray(rpc.namespaces) ? rpc.namespaces : []).map(record).filter((ns) => ns.proxy_enabled === true).map((
        ns
      ) => String(ns.name))
    )
    const withoutNamespace = record(rpc.without_namespace).proxy_enabled === true
    for (const method of description.rpcMethods) {
      const at = method.indexOf(boundary)
      const reachable = at === -1 ? withoutNamespace : proxiedNamespaces.has(method.slice(0, at))
      if (!reachable) mismatches.push({ _tag: "RpcMethodUnreachable", method })
    }
  }
  if (description.channels !== undefined) mismatches.push(...checkNamespaces(config, description.channels))
  return mismatches
}

/**
 * A mismatch as one line for people.
 *
 * @since 0.1.0
 * @category utils
 */
export const formatMismatch = (mismatch: Mismatch): string => {
  switch (mismatch._tag) {
    case "ProxyWithoutHandler":
      return `proxy without handler: ${mismatch.at} sends \`${mismatch.event}\` calls, and no handler answers them (UNIMPLEMENTED)`
    case "HandlerWithoutProxy":
      return `handler without proxy: \`${mismatch.event}\` is handled, but no proxy in the config reaches it`
    case "RpcMethodUnreachable":
      return `rpc method unreachable: \`${mismatch.method}\` is read by Centrifugo as a namespace it does not proxy (set rpc.namespace_boundary to "::")`
    default:
      return formatNamespaceMismatch(mismatch)
  }
}

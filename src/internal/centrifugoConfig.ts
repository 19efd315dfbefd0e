/**
 * The Centrifugo v6 config that matches a handler set, and the check of a given config against one.
 *
 * `generate(description, options)` enables the proxies of exactly the events handled (a proxy for an event without a
 * handler answers UNIMPLEMENTED to every call; a handler without a proxy is never called). `checkConfig(config,
 * description)` lists where a config and a handler set disagree: the CLI's `config --check` prints it, and a server
 * can log it at start instead of failing at the first call (a built handler set gives its description as
 * `{ events: HandlerSet.eventNames(handlers) }`). The public part is re-exported by `src/CentrifugoConfig.ts`.
 */
import type * as Channel from "../contract/Channel.ts"
import * as Defaults from "../Defaults.ts"
import { type ChannelEvent, routedEvents } from "./channels.ts"
import { namespaceOptions, proxyFlags } from "./namespaces.ts"
import type { Description, EventName } from "../HandlerSet.ts"
import { eventNamed, events } from "./events.ts"

export type Transport = Defaults.Transport

/** Events Centrifugo OSS cannot proxy (PRO only): no config is written or checked for them. */
export const PRO_EVENTS: ReadonlySet<EventName> = new Set(events.filter((event) => event.pro).map((event) => event.name))

/** Events Centrifugo proxies over gRPC only (stream subscriptions; the PRO ones are left out above). */
export const GRPC_ONLY_EVENTS: ReadonlySet<EventName> = new Set(
  events.filter((event) => event.grpcOnly && !event.pro).map((event) => event.name)
)

/**
 * Where Centrifugo reaches the backend and what else the generated config carries (transport, endpoint, timeout,
 * credentials, the HTTP server and API key, contract channels no route serves).
 *
 * @since 0.1.0
 * @category models
 */
export interface GenerateOptions {
  readonly transport: Transport
  /**
   * gRPC: `host:port` (or `grpc://host:port`); HTTP: the backend's base URL, `http://host:port`. Default
   * `Defaults.endpoint(transport)`: where a server started with its defaults on this machine listens.
   */
  readonly endpoint?: string
  /** Centrifugo's own HTTP port (WebSocket, API, health). Default 8000. */
  readonly httpPort?: number
  /** The address Centrifugo's HTTP server binds. Default: every interface. */
  readonly httpAddress?: string
  /** Every proxy's timeout (a Go duration). Default `"3s"`. */
  readonly timeout?: string
  /**
   * The secret every proxy call carries: gRPC `credentials_key`/`credentials_value` metadata, or an HTTP static
   * header. The backend checks it with `PROXY_CREDENTIALS_KEY` / `PROXY_CREDENTIALS_VALUE` (gRPC) or
   * `PROXY_HTTP_CREDENTIALS_KEY` / `PROXY_HTTP_CREDENTIALS_VALUE` (HTTP): `Defaults[transport].credentialsEnv`. Omit for none.
   */
  readonly credentials?: { readonly key: string; readonly value: string }
  /** The server API key. Default: a placeholder to replace. */
  readonly apiKey?: string
  /**
   * Contract channels Centrifugo must know though no `ChannelRouter` route serves them (channels published by the
   * server only, or served by hand-written handlers): their namespaces get the channels' options, and the channel
   * proxies of the events in `events` (default none).
   */
  readonly channels?: ReadonlyArray<{ readonly channel: Channel.Any; readonly events?: ReadonlyArray<ChannelEvent> }>
  /** Settings every proxy gets besides its endpoint and timeout (forwarded headers, HTTP status transforms...). */
  readonly proxyExtras?: ProxyExtras
  /** The HTTP routes' prefix of an HTTP backend. Default `Defaults.http.prefix`. */
  readonly httpPrefix?: string
  /**
   * RPC namespaces (methods `name::method`) proxied through a named proxy of their own; `binaryEncoding` makes
   * payloads travel as base64. The hook for RPC settings derived from a contract.
   */
  readonly rpcNamespaces?: ReadonlyArray<{ readonly name: string; readonly binaryEncoding?: boolean }>
}

/**
 * Settings every generated proxy carries besides its endpoint and timeout.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProxyExtras {
  /** HTTP headers of the client's connection request forwarded to every proxy call. */
  readonly httpHeaders?: ReadonlyArray<string>
  /** Emulated headers (the SDK's `headers` option) forwarded to every proxy call. */
  readonly emulatedHeaders?: ReadonlyArray<string>
  /** `include_connection_meta` on every proxy but connect's (default: when the handlers read the meta). */
  readonly includeConnectionMeta?: boolean
  /** HTTP proxies: more `http.static_headers` (the secret of `credentials` is added to them). */
  readonly staticHeaders?: Readonly<Record<string, string>>
  /** HTTP proxies: `http.status_to_code_transforms`. */
  readonly statusToCodeTransforms?: ReadonlyArray<Record<string, unknown>>
}

/**
 * A generated config and the notes on what it left out (PRO-only events, gRPC-only events over HTTP).
 *
 * @since 0.1.0
 * @category models
 */
export interface Generated {
  readonly config: Record<string, unknown>
  /** Handled events the config cannot serve (PRO events; stream events over HTTP), with the reason. */
  readonly notes: ReadonlyArray<string>
}

/** The channel namespaces written for handlers that need a subscription type of their own. */
export const NAMESPACES = { stream: "stream", bidi: "bidi", map: "map", poll: "poll" } as const

/**
 * The Centrifugo v6 config serving exactly the events of `description`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generate = (description: Description, options: GenerateOptions): Generated => {
  const notes: Array<string> = []
  const handled = new Set<EventName>()
  for (const event of description.events) {
    if (PRO_EVENTS.has(event)) notes.push(`${event}: a Centrifugo PRO event, not configurable in Centrifugo OSS`)
    else if (options.transport === "http" && GRPC_ONLY_EVENTS.has(event)) {
      notes.push(`${event}: stream subscriptions are proxied over gRPC only; use --transport grpc`)
    } else handled.add(event)
  }
  const has = (event: EventName) => handled.has(event)

  const endpoint = options.endpoint ?? Defaults.endpoint(options.transport)
  const extras = options.proxyExtras ?? {}
  const includeMeta = extras.includeConnectionMeta ?? description.usesConnectionMeta === true
  const proxy = (event: EventName): Record<string, unknown> => {
    const base: Record<string, unknown> = { endpoint: "", timeout: options.timeout ?? "3s" }
    if (extras.httpHeaders !== undefined) base.http_headers = [...extras.httpHeaders]
    if (extras.emulatedHeaders !== undefined) base.emulated_headers = [...extras.emulatedHeaders]
    if (options.transport === "grpc") {
      base.endpoint = endpoint.startsWith("grpc://") ? endpoint : `grpc://${endpoint}`
      if (options.credentials !== undefined) {
        base.grpc = { credentials_key: options.credentials.key, credentials_value: options.credentials.value }
      }
    } else {
      const path = eventNamed(event).key
      const prefix = (options.httpPrefix ?? Defaults.http.prefix).replace(/\/+$/, "")
      base.endpoint = `${endpoint.replace(/\/+$/, "")}${prefix}/${path}`
      const headers = {
        ...extras.staticHeaders,
        ...(options.credentials === undefined ? {} : { [options.credentials.key]: options.credentials.value })
      }
      const http: Record<string, unknown> = {}
      if (Object.keys(headers).length > 0) http.static_headers = headers
      if (extras.statusToCodeTransforms !== undefined) http.status_to_code_transforms = [...extras.statusToCodeTransforms]
      if (Object.keys(http).length > 0) base.http = http
    }
    // Connect creates the meta; every later event can read it back (Auth.authenticate keeps the user there).
    if (includeMeta && event !== "connect") base.include_connection_meta = true
    return base
  }

  const clientProxies: Record<string, unknown> = {}
  if (has("connect")) clientProxies.connect = { enabled: true, ...proxy("connect") }
  if (has("refresh")) clientProxies.refresh = { enabled: true, ...proxy("refresh") }

  const channelProxies: Record<string, unknown> = {}
  if (has("subscribe")) channelProxies[eventNamed("subscribe").key] = proxy("subscribe")
  if (has("publish")) channelProxies[eventNamed("publish").key] = proxy("publish")
  if (has("subRefresh")) channelProxies[eventNamed("subRefresh").key] = proxy("subRefresh")
  // Typed channels get namespaces of their own; a channel event no router answers is proxied for every channel
  // without namespace, as before channels existed.
  const channels = channelNamespaces(description, options.channels ?? [], has)
  const withoutNamespace: Record<string, unknown> = { ...channels.get("") }
  const namespaces: Array<Record<string, unknown>> = [...channels].filter(([name]) => name !== "").map((
    [name, ns]
  ) => ({ name, ...ns }))
  if (has("subscribeUnidirectional") || has("subscribeBidirectional")) {
    channelProxies[eventNamed("subscribeUnidirectional").key] = proxy(has("subscribeUnidirectional") ? "subscribeUnidirectional" : "subscribeBidirectional")
  }
  if (has("subscribeUnidirectional")) namespaces.push({ name: NAMESPACES.stream, subscribe_stream_proxy_enabled: true })
  if (has("subscribeBidirectional")) {
    namespaces.push({
      name: NAMESPACES.bidi,
      subscribe_stream_proxy_enabled: true,
      subscribe_stream_proxy_bidirectional: true
    })
  }
  if (has("mapPublish") || has("mapRemove")) {
    if (has("mapPublish")) channelProxies[eventNamed("mapPublish").key] = proxy("mapPublish")
    if (has("mapRemove")) channelProxies[eventNamed("mapRemove").key] = proxy("mapRemove")
    namespaces.push({
      name: NAMESPACES.map,
      subscription_type: "map",
      // Not through the subscribe proxy: Centrifugo v6.9.1 drops the map type on that path.
      allow_subscribe_for_client: true,
      map: {
        mode: "persistent",
        ...(has("mapPublish") ? { publish_proxy_enabled: true } : {}),
        ...(has("mapRemove") ? { remove_proxy_enabled: true } : {})
      }
    })
  }
  if (has("sharedPollRefresh")) {
    channelProxies.shared_poll_refresh = proxy("sharedPollRefresh")
    namespaces.push({
      name: NAMESPACES.poll,
      subscription_type: "shared_poll",
      allow_subscribe_for_client: true,
      shared_poll: { refresh_interval: "10s" }
    })
  }

  const config: Record<string, unknown> = {
    http_server: {
      ...(options.httpAddress === undefined ? {} : { address: options.httpAddress }),
      port: options.httpPort ?? Defaults.centrifugo.httpPort
    },
    log: { level: "info" },
    health: { enabled: true },
    http_api: { key: options.apiKey ?? "replace-with-a-secret-api-key" },
    client: {
      allowed_origins: ["http://localhost:*", "http://127.0.0.1:*"],
      ...(Object.keys(clientProxies).length > 0 ? { proxy: clientProxies } : {})
    },
    ...(Object.keys(channelProxies).length > 0
      ? {
        channel: {
          proxy: channelProxies,
          ...(Object.keys(withoutNamespace).length > 0 ? { without_namespace: withoutNamespace } : {}),
          ...(namespaces.length > 0 ? { namespaces } : {})
        }
      }
      : {}),
    // Clients track shared-poll keys with tokens signed by this key (a placeholder to replace).
    ...(has("sharedPollRefresh") ? { shared_poll: { hmac_secret_key: "replace-with-a-shared-poll-secret" } } : {}),
    ...(has("rpc") ? rpcSection(proxy("rpc"), options.rpcNamespaces ?? []) : {})
  }
  return { config, notes }
}

/**
 * The RPC settings: one proxy for methods without namespace, and the named proxies of `rpcNamespaces`. The place
 * where RPC settings derived from a contract join the config.
 */
const rpcSection = (
  proxy: Record<string, unknown>,
  rpcNamespaces: NonNullable<GenerateOptions["rpcNamespaces"]>
): Record<string, unknown> => ({
  rpc: {
    // `::` so `post:news/store` (HttpBridge.rpc's `verb:path`) and `news:list` stay whole and reach the proxy of
    // methods without namespace; with the default `:` Centrifugo answers 104 itself for unknown namespaces.
    namespace_boundary: "::",
    proxy,
    without_namespace: { proxy_enabled: true },
    ...(rpcNamespaces.length === 0
      ? {}
      : { namespaces: rpcNamespaces.map((ns) => ({ name: ns.name, proxy_enabled: true, proxy_name: `rpc_${ns.name}` })) })
  },
  ...(rpcNamespaces.length === 0 ? {} : {
    proxies: rpcNamespaces.map((ns) => ({
      name: `rpc_${ns.name}`,
      ...proxy,
      ...(ns.binaryEncoding === true ? { binary_encoding: true } : {})
    }))
  })
})

/**
 * The options and proxy flags of every namespace the channels need (`""`: channels without namespace): routed
 * channels from the description, contract channels from the options, and `channel.without_namespace`'s flags for
 * the channel events no router answers.
 */
const channelNamespaces = (
  description: Description,
  extra: NonNullable<GenerateOptions["channels"]>,
  has: (event: EventName) => boolean
): Map<string, Record<string, unknown>> => {
  const routed = routedEvents(description.channels)
  const contract = extra.map(({ channel, events }) => ({
    pattern: channel.pattern,
    namespace: channel.namespace,
    events: (events ?? []).filter(has),
    options: channel.options,
    userLimited: channel.userLimited
  }))
  const out = new Map(namespaceOptions([...(description.channels ?? []), ...contract]))
  for (const event of ["subscribe", "publish", "subRefresh"] as const) {
    if (has(event) && !routed.has(event)) out.set("", { ...out.get(""), [proxyFlags[event]]: true })
  }
  return out
}

export {
  checkConfig,
  configTransport,
  endpointTransport,
  formatMismatch,
  type Mismatch,
  proxiedEvents
} from "./configCheck.ts"

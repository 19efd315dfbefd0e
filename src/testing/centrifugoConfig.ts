/**
 * The testing kit's Centrifugo config: the CLI's generator (`CentrifugoConfig.generate`) plus the settings a test
 * run wants (free ports, short timers, any origin, the gRPC API when asked), re-exported by `Centrifugo`.
 *
 * @since 0.1.0
 */
import type * as Defaults from "../Defaults.ts"
import * as CentrifugoConfig from "../internal/centrifugoConfig.ts"
import type * as Channel from "../contract/Channel.ts"
import type * as HandlerSet from "../HandlerSet.ts"
import { isPlainObject } from "../internal/plainObject.ts"

/**
 * Options of `config`: where Centrifugo reaches the backend, its ports and API key, and the proxies and namespaces
 * to enable.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions {
  /** Where Centrifugo reaches the proxy backend, `host:port` (the gRPC server, or the HTTP one with `transport`). */
  readonly proxy: string
  /** Centrifugo's HTTP port (WebSocket, HTTP API, health). */
  readonly port: number
  /** The HTTP API key. Default `test-api-key`. */
  readonly apiKey?: string
  /** Every proxy's timeout, a Go duration such as `"2s"`. Default `"3s"`. */
  readonly proxyTimeout?: string
  /** HTTP headers of the client's connection request forwarded to every proxy call (case-insensitive). */
  readonly httpHeaders?: ReadonlyArray<string>
  /** Emulated headers (the SDK's `headers` option) forwarded to every proxy call. */
  readonly emulatedHeaders?: ReadonlyArray<string>
  /** Centrifugo's log level. Default `info`. */
  readonly logLevel?: string
  /**
   * Credentials every proxy call carries, what the servers' `requireCredentials` checks: gRPC
   * `grpc.credentials_key` / `credentials_value`, or over HTTP a static header (`http.static_headers`) named `key`.
   * Over HTTP it is refused when its name is also in `httpHeaders`/`emulatedHeaders`: Centrifugo lets a client's
   * header of that name replace the static one.
   */
  readonly credentials?: { readonly key: string; readonly value: string }
  /** Enables Centrifugo's gRPC server API on this port, with this key. */
  readonly grpcApi?: { readonly port: number; readonly key: string }
  /** Deep-merged over the generated config, for anything else. */
  readonly overrides?: Record<string, unknown>
  /**
   * The handler set Centrifugo serves (a `HandlerSet` Layer or its description): the proxies of exactly its events
   * and the namespaces of its routed channels. Default: every proxy, for a backend that answers everything.
   */
  // `any`: a handler set of any requirements, failures and build errors; only its description is read.
  readonly handlers?: HandlerSet.Description | HandlerSet.Described<any, any, any>
  /**
   * Contract channels served by handlers that are not `ChannelRouter` routes: their namespaces, with the channel
   * options and the subscribe, publish and sub_refresh proxies the handlers answer.
   */
  readonly channels?: ReadonlyArray<Channel.Any>
  /**
   * How Centrifugo reaches the backend: `grpc` (default; `proxy` is the gRPC server's `host:port`) or `http`
   * (`proxy` is the HTTP transport's `host:port`; each proxy posts to `http://proxy${httpPrefix}/<event>`). HTTP
   * has no stream subscriptions: the `stream` and `bidi` namespaces and the subscribe_stream proxy are left out.
   */
  readonly transport?: Defaults.Transport
  /** The HTTP routes' prefix. Default `/centrifugo` (`HttpProxy`'s default). */
  readonly httpPrefix?: string
  /** `http.static_headers` of every HTTP proxy. */
  readonly staticHeaders?: Readonly<Record<string, string>>
  /** `http.status_to_code_transforms` of every HTTP proxy (what non-200 statuses mean to the client). */
  readonly statusToCodeTransforms?: ReadonlyArray<Record<string, unknown>>
}

/**
 * Every event the kit's config proxies unless `handlers` says otherwise: the unary events Centrifugo OSS proxies
 * (shared polls aside) and both stream subscriptions (left out over HTTP).
 */
const EVERY_EVENT: HandlerSet.Description = {
  events: [
    "connect",
    "refresh",
    "subscribe",
    "publish",
    "subRefresh",
    "rpc",
    "subscribeUnidirectional",
    "subscribeBidirectional",
    "mapPublish",
    "mapRemove"
  ]
}

/**
 * A Centrifugo v6 config written by the same generator as the CLI's `config` (`CentrifugoConfig.generate`), with
 * test settings on top. By default every proxy is enabled (connect, refresh, subscribe, publish, sub_refresh and rpc
 * for channels without namespace and methods without namespace; namespaces `stream` and `bidi` for stream
 * subscriptions and `map` for map subscriptions; RPC namespace `bin`, methods `bin::name`, through a proxy with
 * `binary_encoding: true`); `handlers` narrows it to a handler set's events and routed channels. The namespaces of
 * typed channels come from the handler set's routes and from `channels`; none is written by hand.
 * Timers that tests wait on (presence update, expired subscription close delay) are shortened to 1 s.
 * `centrifugo checkconfig --strict` accepts it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const config = (options: ConfigOptions): Record<string, unknown> => {
  const transport = options.transport ?? "grpc"
  const forwarded = [...(options.httpHeaders ?? []), ...(options.emulatedHeaders ?? [])].map((h) => h.toLowerCase())
  if (
    transport === "http" && options.credentials !== undefined &&
    forwarded.includes(options.credentials.key.toLowerCase())
  ) {
    throw new Error(
      `credentials.key ${options.credentials.key} is also forwarded from clients (http_headers/emulated_headers): a ` +
        `client could send its own value and replace the secret. Use a header name clients never send.`
    )
  }
  const described = options.handlers === undefined
    ? EVERY_EVENT
    : "description" in options.handlers
    ? options.handlers.description
    : options.handlers
  const credentials = options.credentials
  const { config: generated } = CentrifugoConfig.generate(described, {
    transport,
    endpoint: transport === "grpc" ? options.proxy : `http://${options.proxy}`,
    httpAddress: "127.0.0.1",
    httpPort: options.port,
    timeout: options.proxyTimeout ?? "3s",
    apiKey: options.apiKey ?? "test-api-key",
    ...(credentials === undefined ? {} : { credentials }),
    ...(options.httpPrefix === undefined ? {} : { httpPrefix: options.httpPrefix }),
    channels: (options.channels ?? []).map((channel) => ({ channel, events: ["subscribe", "publish", "subRefresh"] })),
    proxyExtras: {
      httpHeaders: options.httpHeaders ?? [],
      emulatedHeaders: options.emulatedHeaders ?? [],
      includeConnectionMeta: true,
      ...(transport === "http"
        ? { staticHeaders: options.staticHeaders ?? {}, statusToCodeTransforms: options.statusToCodeTransforms ?? [] }
        : {})
    },
    rpcNamespaces: [{ name: "bin", binaryEncoding: true }]
  })
  const channel = isPlainObject(generated.channel) ? generated.channel : undefined
  const testSettings = {
    log: { level: options.logLevel ?? "info" },
    usage_stats: { disabled: true },
    ...(options.grpcApi === undefined
      ? {}
      : { grpc_api: { enabled: true, address: "127.0.0.1", port: options.grpcApi.port, key: options.grpcApi.key } }),
    client: { allowed_origins: ["*"], presence_update_interval: "1s", expired_sub_close_delay: "1s" },
    // Subscribers of channels without namespace may read presence and history (server-API tests use them).
    ...(channel !== undefined && isPlainObject(channel.without_namespace)
      ? { channel: { without_namespace: { allow_presence_for_subscriber: true, allow_history_for_subscriber: true } } }
      : {})
  }
  return deepMerge(deepMerge(generated, testSettings), options.overrides ?? {})
}


/** `source` over `target`, nested objects merged key by key (arrays and other values replaced). */
export const deepMerge = (target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...target }
  for (const [key, value] of Object.entries(source)) {
    const current = out[key]
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value
  }
  return out
}


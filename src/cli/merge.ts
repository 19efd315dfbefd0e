/**
 * Regenerating a Centrifugo config that already exists: the generated proxies replace the old ones, and everything
 * the user added or changed stays (namespaces, `http_api.key`, origins, a proxy's endpoint host, timeout and secret).
 * A transport switch replaces the proxies' endpoints. The namespaces of typed channels take the contract's options and
 * proxy flags (keys the user added to them stay; a namespace the contract no longer has stays too, and is reported
 * when its proxies reach no handler). Where the result still disagrees with the handlers (a proxy the
 * user enabled in a namespace of their own for an event nothing handles), the caller refuses to write.
 */
import * as CentrifugoConfig from "../internal/centrifugoConfig.ts"
import type { Description } from "../HandlerSet.ts"
import { isPlainObject } from "../internal/plainObject.ts"

type Json = Record<string, unknown>

/** The proxies `generate` writes, by where they live. */
const PROXY_PLACES: ReadonlyArray<readonly [string, string]> = [
  ["client", "connect"],
  ["client", "refresh"],
  ["channel", "subscribe"],
  ["channel", "publish"],
  ["channel", "sub_refresh"],
  ["channel", "subscribe_stream"],
  ["channel", "map_publish"],
  ["channel", "map_remove"],
  ["channel", "shared_poll_refresh"]
]

/** Flags `generate` decides (present when the event is handled, absent otherwise). */
const WITHOUT_NAMESPACE_FLAGS = ["subscribe_proxy_enabled", "publish_proxy_enabled", "sub_refresh_proxy_enabled"]

const transportOf = CentrifugoConfig.endpointTransport

/** Every proxy object of a config, with where it is. */
const proxies = (config: unknown): ReadonlyArray<readonly [string, Json]> => {
  if (!isPlainObject(config)) return []
  const out: Array<readonly [string, Json]> = []
  for (const [section, name] of PROXY_PLACES) {
    const proxy = (config[section] as Json | undefined)?.proxy
    if (isPlainObject(proxy) && isPlainObject(proxy[name])) out.push([`${section}.proxy.${name}`, proxy[name] as Json])
  }
  const rpc = config.rpc
  if (isPlainObject(rpc) && isPlainObject(rpc.proxy)) out.push(["rpc.proxy", rpc.proxy])
  return out
}

/** The transport the proxies of `config` use (the first proxy's), or undefined when it has none. */
export const configTransport = CentrifugoConfig.configTransport

/** The shared secret the proxies of `config` carry (gRPC credentials or the HTTP static header), if any. */
export const configSecret = (config: unknown): { readonly key: string; readonly value: string } | undefined => {
  for (const [, proxy] of proxies(config)) {
    const grpc = proxy.grpc
    if (isPlainObject(grpc) && typeof grpc.credentials_key === "string" && typeof grpc.credentials_value === "string") {
      return { key: grpc.credentials_key, value: grpc.credentials_value }
    }
    const headers = isPlainObject(proxy.http) ? proxy.http.static_headers : undefined
    if (isPlainObject(headers)) {
      const [entry] = Object.entries(headers)
      if (entry !== undefined && typeof entry[1] === "string") return { key: entry[0], value: entry[1] }
    }
  }
  return undefined
}

/** `base` with `over`'s keys added where `base` has none; on both sides, `base`'s leaves win. */
const keepExisting = (base: unknown, over: unknown): unknown => {
  if (!isPlainObject(base) || !isPlainObject(over)) return base === undefined ? over : base
  const out: Json = { ...base }
  for (const [key, value] of Object.entries(over)) out[key] = key in base ? keepExisting(base[key], value) : value
  return out
}

export interface Merged {
  readonly config: Json
  /** Where `config` differs from the existing one: `+ path`, `- path`, `~ path`. */
  readonly changes: ReadonlyArray<string>
  /** Where the merged config still disagrees with the handlers (enabled by the user outside what `generate` owns). */
  readonly conflicts: ReadonlyArray<CentrifugoConfig.Mismatch>
}

/**
 * `generated` (the config for `description`) applied to `existing`: the proxies and the flags that enable them come
 * from `generated`; a proxy that keeps its transport keeps the user's values; every other key the user wrote stays.
 */
export const merge = (
  existing: Json,
  generated: Json,
  description: Description,
  /** What the command line gave explicitly: then the generated value wins over the existing one. */
  explicit: { readonly endpoint: boolean; readonly secret: boolean; readonly httpServer: boolean } = {
    endpoint: false,
    secret: false,
    httpServer: false
  }
): Merged => {
  const out = keepExisting(structuredClone(existing), generated) as Json
  // The proxies: exactly the generated ones; the user's values survive unless the transport changed.
  for (const [section, name] of [...PROXY_PLACES, ["rpc", "proxy"] as const]) {
    const path = section === "rpc" ? ["rpc"] : [section, "proxy"]
    const key = section === "rpc" ? "proxy" : name
    const wanted = dig(generated, path)?.[key]
    const holder = dig(out, path)
    const before = dig(existing, path)?.[key]
    if (wanted === undefined) {
      if (holder !== undefined) delete holder[key]
      continue
    }
    const target = ensure(out, path)
    target[key] = isPlainObject(before) && transportOf(before.endpoint) === transportOf((wanted as Json).endpoint)
      ? keepExisting(before, wanted)
      : wanted
    // A proxy on the other transport keeps no settings of the old one.
    if (isPlainObject(target[key])) {
      const proxy = target[key] as Json
      if (transportOf(proxy.endpoint) === "grpc") delete proxy.http
      else delete proxy.grpc
      const fresh = wanted as Json
      if ("enabled" in fresh) proxy.enabled = fresh.enabled
      if (explicit.endpoint) proxy.endpoint = fresh.endpoint
      if (explicit.secret) for (const key of ["grpc", "http"]) if (key in fresh) proxy[key] = fresh[key]
    }
  }
  if (explicit.httpServer && isPlainObject(generated.http_server)) {
    out.http_server = { ...(isPlainObject(out.http_server) ? out.http_server : {}), ...generated.http_server }
  }
  // The flags that enable proxies where generate writes them.
  const setFlag = (path: ReadonlyArray<string>, flag: string) => {
    const wanted = dig(generated, path)?.[flag]
    const holder = dig(out, path)
    if (wanted !== undefined) ensure(out, path)[flag] = wanted
    else if (holder !== undefined) delete holder[flag]
  }
  for (const flag of WITHOUT_NAMESPACE_FLAGS) setFlag(["channel", "without_namespace"], flag)
  setFlag(["rpc", "without_namespace"], "proxy_enabled")
  // The namespaces generate writes: merged by name; one whose handler is gone is removed.
  const generatedNamespaces = namespaces(generated)
  const ownNames = new Set<string>(Object.values(CentrifugoConfig.NAMESPACES))
  const channel = dig(out, ["channel"])
  if (channel !== undefined && Array.isArray(channel.namespaces)) {
    const kept: Array<unknown> = []
    for (const ns of channel.namespaces) {
      const name = isPlainObject(ns) ? String(ns.name) : undefined
      if (name !== undefined && ownNames.has(name) && !generatedNamespaces.has(name)) continue
      const fresh = name === undefined ? undefined : generatedNamespaces.get(name)
      // A typed channel's namespace: the contract decides its options and proxies; keys the user added stay.
      kept.push(fresh === undefined ? ns : ownNames.has(name!) ? keepExisting(ns, fresh) : { ...(ns as Json), ...fresh })
    }
    const names = new Set(kept.map((ns) => (isPlainObject(ns) ? String(ns.name) : "")))
    for (const [name, ns] of generatedNamespaces) if (!names.has(name)) kept.push(ns)
    channel.namespaces = kept
  }
  prune(out)
  return { config: out, changes: diff(existing, out, ""), conflicts: CentrifugoConfig.checkConfig(out, description) }
}

const namespaces = (config: Json): ReadonlyMap<string, Json> => {
  const list = dig(config, ["channel"])?.namespaces
  return new Map((Array.isArray(list) ? list : []).filter(isPlainObject).map((ns) => [String(ns.name), ns]))
}

const dig = (config: Json, path: ReadonlyArray<string>): Json | undefined => {
  let at: unknown = config
  for (const key of path) at = isPlainObject(at) ? at[key] : undefined
  return isPlainObject(at) ? at : undefined
}

const ensure = (config: Json, path: ReadonlyArray<string>): Json => {
  let at = config
  for (const key of path) {
    if (!isPlainObject(at[key])) at[key] = {}
    at = at[key] as Json
  }
  return at
}

/** Removes the proxy sections that became empty. */
const prune = (config: Json) => {
  for (const path of [["client", "proxy"], ["channel", "proxy"], ["channel", "without_namespace"], ["rpc", "without_namespace"]]) {
    const parent = dig(config, path.slice(0, -1))
    const node = dig(config, path)
    if (parent !== undefined && node !== undefined && Object.keys(node).length === 0) delete parent[path.at(-1)!]
  }
  const channel = dig(config, ["channel"])
  if (channel !== undefined && Array.isArray(channel.namespaces) && channel.namespaces.length === 0) delete channel.namespaces
  for (const section of ["channel", "rpc"]) {
    const node = dig(config, [section])
    if (node !== undefined && (Object.keys(node).length === 0 || (section === "rpc" && onlyBoundary(node)))) delete config[section]
  }
}

/** An `rpc` section left with nothing but the boundary generate wrote for the proxy. */
const onlyBoundary = (rpc: Json) => Object.keys(rpc).length === 1 && rpc.namespace_boundary === "::"

/** The paths where `after` differs from `before` (leaves and arrays compared whole). */
const diff = (before: unknown, after: unknown, at: string): Array<string> => {
  // Named entries (channel namespaces) compared by name, so a change shows where it is.
  if (isNamedList(before) && isNamedList(after)) return diff(byName(before), byName(after), at)
  if (isPlainObject(before) && isPlainObject(after)) {
    const out: Array<string> = []
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const path = at === "" ? key : key.startsWith("[") ? `${at}${key}` : `${at}.${key}`
      if (!(key in after)) out.push(`- ${path}`)
      else if (!(key in before)) out.push(`+ ${path}`)
      else out.push(...diff(before[key], after[key], path))
    }
    return out
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [`~ ${at}`]
}

const isNamedList = (value: unknown): value is ReadonlyArray<Json> =>
  Array.isArray(value) && value.every((item) => isPlainObject(item) && typeof item.name === "string")

const byName = (list: ReadonlyArray<Json>): Json => Object.fromEntries(list.map((item) => [`[${String(item.name)}]`, item]))

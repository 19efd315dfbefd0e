/**
 * The Centrifugo namespaces typed channels need, and the check of a config's namespaces against them. Read by
 * `CentrifugoConfig.generate` / `checkConfig` (so the CLI and the testing kit write and check the same thing).
 */
import { type ChannelDescription, type ChannelEvent, channelEvents } from "./channels.ts"
import { eventNamed } from "./events.ts"

type Json = Record<string, unknown>

/** The namespace flag that enables each channel event's proxy: `<its proxy key>_proxy_enabled`. */
export const proxyFlags = Object.fromEntries(
  channelEvents.map((event) => [event, `${eventNamed(event).key}_proxy_enabled`])
) as Readonly<Record<ChannelEvent, string>>

/** A channel's options as Centrifugo v6 namespace options (snake_case), without the proxy flags. */
const optionsOf = (channel: ChannelDescription): Json => {
  const { history, joinLeave, presence, publishForSubscriber, recovery, subscribeForClient } = channel.options
  return {
    ...(presence === true ? { presence: true, allow_presence_for_subscriber: true } : {}),
    ...(joinLeave === true ? { join_leave: true, force_push_join_leave: true } : {}),
    ...(history !== undefined
      ? { history_size: history.size, history_ttl: history.ttl, allow_history_for_subscriber: true }
      : {}),
    ...(recovery === true ? { force_recovery: true } : {}),
    ...(subscribeForClient === true ? { allow_subscribe_for_client: true } : {}),
    ...(publishForSubscriber === true ? { allow_publish_for_subscriber: true } : {}),
    ...(channel.userLimited ? { allow_user_limited_channels: true } : {})
  }
}

/** Options and proxy flags of every channel, merged per namespace (`""`: channels without namespace). */
export const namespaceOptions = (channels: ReadonlyArray<ChannelDescription>): ReadonlyMap<string, Json> => {
  const out = new Map<string, Json>()
  for (const channel of channels) {
    const name = channel.namespace ?? ""
    const flags = Object.fromEntries(channel.events.map((event) => [proxyFlags[event], true]))
    out.set(name, { ...out.get(name), ...optionsOf(channel), ...flags })
  }
  return out
}

/** A disagreement between a config's channel namespaces and the channels the handlers route. */
export type NamespaceMismatch =
  | {
    /** A channel's namespace is not in `channel.namespaces`: Centrifugo refuses its channels (102). */
    readonly _tag: "NamespaceMissing"
    readonly namespace: string
  }
  | {
    /** A routed event whose proxy is off in the namespace: the handler is never called for it. */
    readonly _tag: "NamespaceProxyOff"
    readonly namespace: string
    readonly event: ChannelEvent
  }
  | {
    /** A proxy on in a namespace where no channel route answers the event: every call is refused (103). */
    readonly _tag: "NamespaceProxyWithoutHandler"
    readonly namespace: string
    readonly event: ChannelEvent
  }
  | {
    /** An option a channel needs with another value in the config. */
    readonly _tag: "NamespaceOptionDiffers"
    readonly namespace: string
    readonly option: string
    readonly expected: unknown
    readonly actual: unknown
  }

const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

/** `channel.without_namespace` as `""`, and every `channel.namespaces` entry by name. */
const configNamespaces = (config: unknown): ReadonlyMap<string, Json> => {
  const channel = isRecord(config) && isRecord(config.channel) ? config.channel : {}
  const out = new Map<string, Json>()
  out.set("", isRecord(channel.without_namespace) ? channel.without_namespace : {})
  for (const ns of Array.isArray(channel.namespaces) ? channel.namespaces : []) {
    if (isRecord(ns) && typeof ns.name === "string") out.set(ns.name, ns)
  }
  return out
}

/**
 * Where a config's namespaces disagree with the routed channels: missing namespaces, proxies off for a routed
 * event, proxies on for a routed event in a namespace without such a route, options with another value.
 */
export const checkNamespaces = (
  config: unknown,
  channels: ReadonlyArray<ChannelDescription>
): ReadonlyArray<NamespaceMismatch> => {
  const wanted = namespaceOptions(channels)
  const present = configNamespaces(config)
  const routed = new Set(channels.flatMap((channel) => channel.events))
  const out: Array<NamespaceMismatch> = []
  for (const [namespace, options] of wanted) {
    const actual = present.get(namespace)
    if (actual === undefined) {
      out.push({ _tag: "NamespaceMissing", namespace })
      continue
    }
    for (const [option, expected] of Object.entries(options)) {
      const event = (Object.keys(proxyFlags) as Array<ChannelEvent>).find((e) => proxyFlags[e] === option)
      if (event !== undefined) {
        if (actual[option] !== true) out.push({ _tag: "NamespaceProxyOff", namespace, event })
      } else if (actual[option] !== expected) {
        out.push({ _tag: "NamespaceOptionDiffers", namespace, option, expected, actual: actual[option] })
      }
    }
  }
  for (const [namespace, actual] of present) {
    for (const event of routed) {
      if (actual[proxyFlags[event]] === true && wanted.get(namespace)?.[proxyFlags[event]] !== true) {
        out.push({ _tag: "NamespaceProxyWithoutHandler", namespace, event })
      }
    }
  }
  return out
}

const label = (namespace: string) => (namespace === "" ? "channel.without_namespace" : `namespace ${namespace}`)

/** A namespace mismatch as one line for people. */
export const formatNamespaceMismatch = (mismatch: NamespaceMismatch): string => {
  switch (mismatch._tag) {
    case "NamespaceMissing":
      return `namespace missing: channels of \`${mismatch.namespace}\` are routed, and channel.namespaces has no ` +
        `\`${mismatch.namespace}\` (Centrifugo refuses them with 102 unknown channel)`
    case "NamespaceProxyOff":
      return `proxy off: ${label(mismatch.namespace)} has no ${proxyFlags[mismatch.event]}, and a channel route ` +
        `answers \`${mismatch.event}\` there (its handler is never called)`
    case "NamespaceProxyWithoutHandler":
      return `proxy without handler: ${label(mismatch.namespace)} enables ${proxyFlags[mismatch.event]}, and no ` +
        `channel route answers \`${mismatch.event}\` there (every call is refused with 103)`
    case "NamespaceOptionDiffers":
      return `option differs: ${label(mismatch.namespace)} has ${mismatch.option} = ${
        JSON.stringify(mismatch.actual)
      }, the channel needs ${JSON.stringify(mismatch.expected)}`
  }
}

/**
 * The channels a handler set routes, as the config generator and checker read them: attached by
 * `ChannelRouter.handlers` to its handler functions, collected into `HandlerSet.Description.channels`.
 * The one place where typed channels meet the handler-set description.
 */
import type * as Channel from "../contract/Channel.ts"

/** A channel event the router answers. */
export type ChannelEvent = "subscribe" | "publish" | "subRefresh"

/** A routed channel and the events its route answers (attached to the router's handler functions). */
export interface ChannelUse {
  readonly channel: Channel.Any
  readonly events: ReadonlyArray<ChannelEvent>
}

/**
 * One routed channel in a handler-set description: plain data (the CLI may read it from another copy of the
 * library), with the proxies it needs.
 */
export interface ChannelDescription {
  readonly pattern: string
  /** Undefined: a channel without namespace (`channel.without_namespace`). */
  readonly namespace: string | undefined
  readonly events: ReadonlyArray<ChannelEvent>
  readonly options: Channel.Options
  readonly userLimited: boolean
}

// Symbol.for: a handler built with the application's copy of the library is readable by the CLI's copy.
export const channelsKey: unique symbol = Symbol.for("effect-centrifugo/ChannelRouter/channels") as never

const EVENTS: ReadonlyArray<ChannelEvent> = ["subscribe", "publish", "subRefresh"]

/**
 * The routed channels of a handler record: for each channel event whose handler is a router's, the channels
 * whose routes answer that event. Undefined when no handler comes from a router.
 */
export const describeChannels = (handlers: object): ReadonlyArray<ChannelDescription> | undefined => {
  const byPattern = new Map<string, { readonly channel: Channel.Any; readonly events: Set<ChannelEvent> }>()
  let routed = false
  for (const event of EVENTS) {
    const handler = (handlers as Readonly<Record<string, unknown>>)[event] as { readonly [channelsKey]?: ReadonlyArray<ChannelUse> } | undefined
    const uses = handler?.[channelsKey]
    if (uses === undefined) continue
    routed = true
    for (const use of uses) {
      if (!use.events.includes(event)) continue
      const entry = byPattern.get(use.channel.pattern) ?? { channel: use.channel, events: new Set<ChannelEvent>() }
      entry.events.add(event)
      byPattern.set(use.channel.pattern, entry)
    }
  }
  if (!routed) return undefined
  return [...byPattern.values()].map(({ channel, events }) => ({
    pattern: channel.pattern,
    namespace: channel.namespace,
    events: EVENTS.filter((event) => events.has(event)),
    options: channel.options,
    userLimited: channel.userLimited
  }))
}

/** The routed channel events of a description (an event the router answers for at least one channel). */
export const routedEvents = (channels: ReadonlyArray<ChannelDescription> | undefined): ReadonlySet<ChannelEvent> =>
  new Set((channels ?? []).flatMap((channel) => channel.events))

/**
 * The channels of two merged handler sets: `second`'s handler wins for an event both answer, so `first`'s
 * channels keep only the events `second` does not answer.
 */
export const combineChannels = (
  first: ReadonlyArray<ChannelDescription> | undefined,
  second: ReadonlyArray<ChannelDescription> | undefined,
  secondEvents: ReadonlyArray<string>
): ReadonlyArray<ChannelDescription> | undefined => {
  if (first === undefined) return second
  const kept = first
    .map((channel) => ({ ...channel, events: channel.events.filter((event) => !secondEvents.includes(event)) }))
    .filter((channel) => channel.events.length > 0)
  return [...kept, ...(second ?? [])]
}

/**
 * The channels a handler set routes, as the config generator and checker read them: each handler of
 * `ChannelRouter.handlers` contributes its channels (its `description`), combined into
 * `HandlerSet.Description.channels` by the rule in internal/description.ts.
 * The one place where typed channels meet the handler-set description.
 */
import type * as Channel from "../contract/Channel.ts"

/** A channel event the router answers. */
export type ChannelEvent = "subscribe" | "publish" | "subRefresh"

/** A routed channel and the events its route answers. */
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

/** The channel events, in the order descriptions list them. */
export const channelEvents: ReadonlyArray<ChannelEvent> = ["subscribe", "publish", "subRefresh"]

/** A channel as the description holds it, for the events given. */
const describeChannel = (channel: Channel.Any, events: ReadonlyArray<ChannelEvent>): ChannelDescription => ({
  pattern: channel.pattern,
  namespace: channel.namespace,
  events: channelEvents.filter((event) => events.includes(event)),
  options: channel.options,
  userLimited: channel.userLimited
})

/** The channels of one router handler (the one of `event`): what it contributes to the set's description. */
export const channelsOf = (uses: ReadonlyArray<ChannelUse>, event: ChannelEvent): ReadonlyArray<ChannelDescription> =>
  uses.filter((use) => use.events.includes(event)).map((use) => describeChannel(use.channel, [event]))

/** The routed channel events of a description (an event the router answers for at least one channel). */
export const routedEvents = (channels: ReadonlyArray<ChannelDescription> | undefined): ReadonlySet<ChannelEvent> =>
  new Set((channels ?? []).flatMap((channel) => channel.events))

/**
 * The channels of two descriptions combined: `second`'s handler wins for an event both answer, so `first`'s
 * channels keep only the events `second` does not answer; entries of one pattern are merged (events united).
 */
export const combineChannels = (
  first: ReadonlyArray<ChannelDescription> | undefined,
  second: ReadonlyArray<ChannelDescription> | undefined,
  secondEvents: ReadonlyArray<string>
): ReadonlyArray<ChannelDescription> | undefined => {
  if (first === undefined && second === undefined) return undefined
  const byPattern = new Map<string, ChannelDescription>()
  const add = (channel: ChannelDescription) => {
    const known = byPattern.get(channel.pattern)
    byPattern.set(
      channel.pattern,
      known === undefined ? channel : { ...known, events: channelEvents.filter((e) => known.events.includes(e) || channel.events.includes(e)) }
    )
  }
  for (const channel of first ?? []) {
    const events = channel.events.filter((event) => !secondEvents.includes(event))
    if (events.length > 0) add({ ...channel, events })
  }
  for (const channel of second ?? []) add(channel)
  return [...byPattern.values()]
}

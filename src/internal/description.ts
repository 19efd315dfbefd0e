/**
 * The handler-set description's mechanics: combining two descriptions field by field, and attaching one to a
 * handler-set Layer (`HandlerSet.Described`).
 *
 * To add a field to `HandlerSet.Description`: declare it there (optional), add its rule to `rules` below (the
 * mapped type makes a missing rule a compile error), contribute it where it is known (a handler's `description`,
 * as `RpcRouter.make` does, or an interceptor's `description` option, as `Auth.authenticate` does), and read it in
 * `CentrifugoConfig`.
 */
import type * as Layer from "effect/Layer"
import type { Contribution, Described, Description, HandlerSet } from "../HandlerSet.ts"
import { combineChannels } from "./channels.ts"

/** How each field of two descriptions combines; `b` is the later one (the second set of a merge). */
const rules: { readonly [K in keyof Description]-?: (a: Description, b: Description) => Description[K] } = {
  events: (a, b) => [...new Set([...a.events, ...b.events])],
  // The rpc handler of `b` replaces `a`'s when `b` has one, and its methods with it.
  rpcMethods: (a, b) => b.events.includes("rpc") ? b.rpcMethods : a.rpcMethods,
  usesConnectionMeta: (a, b) => a.usesConnectionMeta === true || b.usesConnectionMeta === true ? true : undefined,
  // `b`'s handler replaces `a`'s for the events `b` answers, and the channels it routes with it.
  channels: (a, b) => combineChannels(a.channels, b.channels, b.events)
}

/** `a` and `b` combined field by field (fields without a value are left out). */
export const combine = (a: Description, b: Description): Description => {
  const combined: Record<string, unknown> = {}
  for (const [key, rule] of Object.entries(rules) as Array<[keyof Description, typeof rules[keyof Description]]>) {
    const value = rule(a, b)
    if (value !== undefined) combined[key] = value
  }
  return combined as unknown as Description
}

/**
 * `description` plus what `contribution` adds; `events` are those of the contributor (the rpc handler's event for
 * `RpcRouter.make`'s methods, none for an interceptor).
 */
export const contribute = (
  description: Description,
  contribution: Contribution | undefined,
  events: Description["events"] = []
): Description => contribution === undefined ? description : combine(description, { ...contribution, events })

/** `layer` with its description: the Layer itself (same identity), typed so that losing it is a compile error. */
export const described = <R, F, E>(layer: Layer.Layer<HandlerSet, E, R>, description: Description): Described<R, F, E> =>
  Object.assign(layer, { description }) as Described<R, F, E>

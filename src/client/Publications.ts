/**
 * Typed channels on the client: publications decoded with the channel's Schema, and publishing a typed value.
 * Works with the `centrifuge` SDK's `Subscription` (or anything shaped like it); browser-safe, no Node import.
 *
 * ```ts
 * import { Schema } from "effect"
 * import { Channel, Publications } from "effect-centrifugo/client"
 *
 * const Room = Channel.make({
 *   pattern: "chat:{room}",
 *   publication: Schema.Struct({ text: Schema.String, by: Schema.String })
 * })
 * declare const centrifuge: Publications.Subscriber // a `Centrifuge` from the `centrifuge` package
 *
 * const sub = Publications.subscribe(centrifuge, Room, { room: "lobby" }, {
 *   onData: (message) => console.log(`${message.by}: ${message.text}`), // typed: { text, by }
 *   onError: (error) => console.warn(error.message) // a publication that does not fit the Schema
 * })
 * await Publications.publish(sub, Room, { text: "hello", by: "me" }) // a wrong value does not compile
 * ```
 *
 * A publication that does not decode goes to `onError`, never to `onData`.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Channel from "../contract/Channel.ts"
import { describeIssue } from "../internal/schemaIssue.ts"

/**
 * A publication as the SDK hands it over.
 *
 * @since 0.1.0
 * @category models
 */
export interface PublicationContext {
  readonly channel: string
  readonly data: unknown
}

/**
 * What the module needs of a `Subscription` (from the `centrifuge` package).
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscriptionLike {
  readonly channel: string
  on(event: "publication", listener: (context: PublicationContext) => void): unknown
  removeListener(event: "publication", listener: (context: PublicationContext) => void): unknown
  publish(data: unknown): Promise<unknown>
}

/**
 * What `subscribe` needs of a `Centrifuge` client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Subscriber {
  getSubscription(channel: string): (SubscriptionLike & { subscribe(): void }) | null
  newSubscription(channel: string): SubscriptionLike & { subscribe(): void }
}

/**
 * A publication that did not fit the channel's Schema (received), or a value that could not be encoded with it
 * (published).
 *
 * @since 0.1.0
 * @category errors
 */
export interface PublicationError {
  readonly _tag: "PublicationError"
  readonly channel: string
  /** The data as received (or the value given to `publish`). */
  readonly data: unknown
  /** Where and why, e.g. `text: Expected string, got 1`. */
  readonly message: string
}

/**
 * Where decoded publications and the ones that do not decode go.
 *
 * @since 0.1.0
 * @category models
 */
export interface Listeners<A> {
  readonly onData: (value: A, context: PublicationContext) => void
  readonly onError: (error: PublicationError) => void
}

const publicationError = (channel: string, data: unknown, message: string): PublicationError => ({
  _tag: "PublicationError",
  channel,
  data,
  message
})

/**
 * Decodes every publication of `subscription` with `channel`'s Schema: values to `listeners.onData`, failures to
 * `listeners.onError`. Returns the function that stops listening.
 *
 * @since 0.1.0
 * @category constructors
 */
export const listen = <C extends Channel.Any>(
  subscription: SubscriptionLike,
  channel: C,
  listeners: Listeners<Channel.Type<C>>
): () => void => {
  const listener = (context: PublicationContext) => {
    const decoded = Channel.decode(channel, context.data)
    if (Result.isSuccess(decoded)) listeners.onData(decoded.success, context)
    else listeners.onError(publicationError(context.channel, context.data, describeIssue(decoded.failure.issue)))
  }
  subscription.on("publication", listener)
  return () => {
    subscription.removeListener("publication", listener)
  }
}

/**
 * The subscription to the channel `channel` names with `params` (the client's existing one, or a new one), listened
 * to with `listen` and subscribed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const subscribe = <C extends Channel.Any, S extends SubscriptionLike & { subscribe(): void }>(
  client: { getSubscription(channel: string): S | null; newSubscription(channel: string): S },
  channel: C,
  params: Channel.ParamsOf<C>,
  listeners: Listeners<Channel.Type<C>>
): S => {
  const name = Channel.name(channel, params)
  const subscription = client.getSubscription(name) ?? client.newSubscription(name)
  listen(subscription, channel, listeners)
  subscription.subscribe()
  return subscription
}

/**
 * Publishes `value` into the subscription's channel, encoded with `channel`'s Schema. A value the Schema cannot
 * encode is refused before it leaves (the promise rejects with a `PublicationError`); the server's answer (a
 * publish proxy's 107, say) rejects as the SDK rejects.
 *
 * @since 0.1.0
 * @category constructors
 */
export const publish = <C extends Channel.Any>(
  subscription: SubscriptionLike,
  channel: C,
  value: Channel.Type<C>
): Promise<void> => {
  const encoded = Channel.encode(channel, value)
  return Result.isSuccess(encoded)
    ? subscription.publish(encoded.success).then(() => undefined)
    : Promise.reject(publicationError(subscription.channel, value, describeIssue(encoded.failure.issue)))
}

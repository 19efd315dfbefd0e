/**
 * Typed publications through the server API: a value of a channel's publication type, encoded with its Schema,
 * into a channel named from typed parameters.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type * as Schema from "effect/Schema"
import * as Channel from "../contract/Channel.ts"
import {
  type ApiFailure,
  type BroadcastItem,
  CentrifugoApi,
  type PublishOptions,
  type PublishResult
} from "./CentrifugoApi.ts"

// The parameters were checked against the pattern by the caller's signature; here the channel is generic.
const nameOf = Channel.name as (channel: Channel.Any, params: Readonly<Record<string, string>>) => string

const encoded = <C extends Channel.Any>(channel: C, value: Channel.Type<C>) => {
  const result = Channel.encode(channel, value)
  return Result.isSuccess(result) ? Effect.succeed(result.success) : Effect.fail(result.failure)
}

/**
 * Publishes a typed value into one channel of a family: `publishTo(Ticket, { id: "42" }, message)`. A value that
 * is not the channel's publication type, or a wrong parameter, is a compile error; the value is encoded with the
 * channel's Schema (a refinement it fails is a `SchemaError`, and nothing is published).
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { CentrifugoApi, Channel } from "effect-centrifugo"
 *
 * const Personal = Channel.make({ pattern: "personal:#{user}", publication: Schema.Struct({ notice: Schema.String }) })
 *
 * const notify = (user: string) => CentrifugoApi.publishTo(Personal, { user }, { notice: "your ticket was answered" })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const publishTo = <C extends Channel.Any>(
  channel: C,
  params: Channel.ParamsOf<C>,
  value: Channel.Type<C>,
  options: PublishOptions = {}
): Effect.Effect<PublishResult, ApiFailure | Schema.SchemaError, CentrifugoApi> =>
  Effect.gen(function*() {
    // Named first: a bad parameter value throws here, before anything is sent.
    const name = nameOf(channel, params)
    const data = yield* encoded(channel, value)
    const api = yield* CentrifugoApi
    return yield* api.publish({ ...options, channel: name, data })
  })

/**
 * Broadcasts one typed value into several channels of a family, one per parameter set; the value is encoded once
 * with the channel's Schema. Each channel's outcome is in the result, as with `broadcast`.
 *
 * @since 0.1.0
 * @category utils
 */
export const broadcastTo = <C extends Channel.Any>(
  channel: C,
  params: ReadonlyArray<Channel.ParamsOf<C>>,
  value: Channel.Type<C>,
  options: PublishOptions = {}
): Effect.Effect<ReadonlyArray<BroadcastItem>, ApiFailure | Schema.SchemaError, CentrifugoApi> =>
  Effect.gen(function*() {
    const channels = params.map((p) => nameOf(channel, p))
    const data = yield* encoded(channel, value)
    const api = yield* CentrifugoApi
    return yield* api.broadcast({ ...options, channels, data })
  })

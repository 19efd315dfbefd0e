/**
 * An in-memory CentrifugoApi for unit tests of code that publishes: it records every call, keeps channel history
 * where you say the channel keeps one (offsets, one epoch per channel), presence you set, and map state, and answers
 * like Centrifugo v6.9.1 does.
 *
 * ```ts
 * import { expect, it } from "@effect/vitest"
 * import { Effect } from "effect"
 * import type { CentrifugoApi } from "effect-centrifugo"
 * import { CentrifugoApiMemory } from "effect-centrifugo/testing"
 *
 * declare const storeAndBroadcast: (
 *   news: { readonly title: string }
 * ) => Effect.Effect<void, unknown, CentrifugoApi.CentrifugoApi>
 *
 * it.effect("broadcasts stored news", () =>
 *   Effect.gen(function*() {
 *     const api = CentrifugoApiMemory.make({ history: { chat: { size: 100, ttl: "5 minutes" } } })
 *     yield* storeAndBroadcast({ title: "Hello" }).pipe(Effect.provide(api.layer))
 *     expect(api.published("news")).toEqual([{ title: "Hello" }])
 *     expect(api.calls.map((c) => c.method)).toEqual(["broadcast"])
 *   }))
 * ```
 *
 * As on the real server, only a channel whose namespace keeps history (`history_size` and `history_ttl` in
 * Centrifugo's config) answers a publish with its `offset` and `epoch` and has `history`; any other channel answers
 * a publish with `{}` and `history` / `historyRemove` with error 108 "not available".
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Api from "../api/index.ts"
import * as Payload from "../Payload.ts"

/**
 * A channel's history, as Centrifugo's `history_size` / `history_ttl`.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoryOptions {
  /** How many publications are kept (the oldest go first). */
  readonly size: number
  /** How long a publication is kept (by Effect's Clock, so `TestClock` drives it). Default: forever. */
  readonly ttl?: Duration.Input
}

/**
 * Options of the in-memory API: which channels keep history, and the namespace boundary.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryOptions {
  /**
   * Which channels keep history. By namespace, as Centrifugo's config does it: `{ chat: { size: 100, ttl: "5
   * minutes" } }` for `chat:...` channels, the key `""` for channels without namespace; or a function of the channel
   * name. Default: no channel keeps history (Centrifugo's default).
   */
  readonly history?:
    | Readonly<Record<string, HistoryOptions>>
    | ((channel: string) => HistoryOptions | undefined)
  /** Centrifugo's `channel.namespace_boundary`. Default `:`. */
  readonly namespaceBoundary?: string
}

/**
 * One call the in-memory API received: the method name and its input.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedCall {
  readonly method: string
  readonly input: unknown
}

/**
 * The in-memory server API: its Layer, the service, the calls it received, what was published, and test controls.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryApi {
  /** Provide this to the code under test. */
  readonly layer: Layer.Layer<Api.CentrifugoApi>
  /** The service itself, for use outside a Layer. */
  readonly api: Api.CentrifugoApi
  /** Every call, in order. */
  readonly calls: ReadonlyArray<RecordedCall>
  /**
   * The data published into a channel (publish and broadcast), oldest first: everything subscribers received, whether
   * or not the channel keeps history (and with `skipHistory` too).
   */
  readonly published: (channel: string) => ReadonlyArray<unknown>
  /** Sets who is in a channel (presence, presenceStats, channels read it). */
  readonly setPresence: (channel: string, clients: ReadonlyArray<Api.ClientInfo>) => void
  /** Makes the next calls of `method` fail with this Centrifugo error. */
  readonly failNext: (method: keyof Api.CentrifugoApi, code: number, message: string) => void
}

interface ChannelState {
  readonly epoch: string
  offset: number
  readonly publications: Array<Api.HistoryPublication & { readonly at: number }>
}

const dataOf = (value: unknown): unknown => (Payload.isBinary(value) ? value.bytes : Payload.isRawJson(value) ? JSON.parse(value.text) : value)

/**
 * An in-memory `CentrifugoApi` for tests: records every call, keeps publications and history, and lets a test set
 * presence or fail calls.
 *
 * @example
 * ```ts
 * import { expect, it } from "@effect/vitest"
 * import { Effect } from "effect"
 * import { CentrifugoApiMemory } from "effect-centrifugo/testing"
 *
 * it.effect("keeps history where the namespace has one", () =>
 *   Effect.gen(function*() {
 *     const memory = CentrifugoApiMemory.make({ history: { chat: { size: 10, ttl: "1 minute" } } })
 *     const api = memory.api
 *     yield* api.publish({ channel: "chat:room", data: { text: "hi" } })
 *     const history = yield* api.history({ channel: "chat:room", limit: -1 })
 *     expect(history.publications.map((p) => p.data)).toEqual([{ text: "hi" }])
 *     expect(memory.calls.map((call) => call.method)).toEqual(["publish", "history"])
 *   }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: MemoryOptions = {}): MemoryApi => {
  const calls: Array<RecordedCall> = []
  const streams = new Map<string, ChannelState>()
  const sent = new Map<string, Array<unknown>>()
  const presence = new Map<string, Record<string, Api.ClientInfo>>()
  const maps = new Map<string, Map<string, Api.MapEntry>>()
  const failures = new Map<string, { code: number; message: string }>()
  const boundary = options.namespaceBoundary ?? ":"

  const historyOf = (name: string): { readonly size: number; readonly ttlMs: number } | undefined => {
    const config = options.history
    if (config === undefined) return undefined
    const index = name.indexOf(boundary)
    const found = typeof config === "function" ? config(name) : config[index < 0 ? "" : name.slice(0, index)]
    if (found === undefined) return undefined
    return {
      size: found.size,
      ttlMs: found.ttl === undefined ? Infinity : Duration.toMillis(Duration.fromInputUnsafe(found.ttl))
    }
  }

  const channel = (name: string): ChannelState => {
    let state = streams.get(name)
    if (state === undefined) {
      state = { epoch: `epoch-${streams.size + 1}`, offset: 0, publications: [] }
      streams.set(name, state)
    }
    return state
  }

  const notAvailable = (method: string) => Effect.fail(Api.CentrifugoApiError({ method, code: 108, message: "not available" }))

  /** A channel's history at `now`: publications past their ttl are gone. */
  const historyAt = (name: string, ttlMs: number, now: number): ChannelState => {
    const state = channel(name)
    const expired = state.publications.findIndex((p) => now - p.at < ttlMs)
    state.publications.splice(0, expired < 0 ? state.publications.length : expired)
    return state
  }

  const recordEffect = <I, O>(
    method: keyof Api.CentrifugoApi,
    body: (input: I, now: number) => Effect.Effect<O, Api.ApiFailure>
  ) =>
  (input: I): Effect.Effect<O, Api.ApiFailure> =>
    Effect.suspend(() => {
      calls.push({ method, input })
      const failure = failures.get(method)
      if (failure !== undefined) {
        failures.delete(method)
        return Effect.fail(Api.CentrifugoApiError({ method, code: failure.code, message: failure.message }))
      }
      return Effect.flatMap(Clock.currentTimeMillis, (now) => body(input, now))
    })

  const record = <I, O>(method: keyof Api.CentrifugoApi, body: (input: I, now: number) => O) =>
    recordEffect(method, (input: I, now) => Effect.sync(() => body(input, now)))

  const publishTo = (
    name: string,
    input: Api.PublishOptions & { readonly data: unknown },
    now: number
  ): Api.PublishPosition => {
    const data = dataOf(input.data)
    const log = sent.get(name) ?? []
    log.push(data)
    sent.set(name, log)
    const history = historyOf(name)
    // Like Centrifugo: no history, or skipped, means no stream position either.
    if (history === undefined || input.skipHistory === true) return {}
    const state = historyAt(name, history.ttlMs, now)
    state.offset++
    state.publications.push({
      data,
      offset: state.offset,
      at: now,
      ...(input.tags === undefined ? {} : { tags: input.tags })
    })
    if (state.publications.length > history.size) state.publications.splice(0, state.publications.length - history.size)
    return { offset: state.offset, epoch: state.epoch }
  }

  const mapOf = (name: string) => {
    let map = maps.get(name)
    if (map === undefined) {
      map = new Map()
      maps.set(name, map)
    }
    return map
  }

  const api: Api.CentrifugoApi = {
    publish: record("publish", (input: Api.PublishInput, now) => publishTo(input.channel, input, now)),
    broadcast: record("broadcast", (input: Api.BroadcastInput, now) =>
      input.channels.map((name) => ({ channel: name, result: publishTo(name, input, now) }))),
    subscribe: record("subscribe", () => undefined),
    unsubscribe: record("unsubscribe", () => undefined),
    disconnect: record("disconnect", () => undefined),
    refresh: record("refresh", () => undefined),
    presence: record("presence", (input: { readonly channel: string }) => ({ ...(presence.get(input.channel) ?? {}) })),
    presenceStats: record("presenceStats", (input: { readonly channel: string }) => {
      const clients = Object.values(presence.get(input.channel) ?? {})
      return { numClients: clients.length, numUsers: new Set(clients.map((c) => c.user)).size }
    }),
    history: recordEffect("history", (input: Api.HistoryInput, now) => {
      const history = historyOf(input.channel)
      if (history === undefined) return notAvailable("history")
      const state = historyAt(input.channel, history.ttlMs, now)
      let publications: Array<Api.HistoryPublication> = state.publications
        .filter((p) => input.since === undefined || p.offset > input.since.offset)
        .map(({ at: _at, ...publication }) => publication)
      if (input.reverse === true) publications = publications.reverse()
      const limit = input.limit ?? 0
      return Effect.succeed({
        publications: limit === 0 ? [] : limit < 0 ? publications : publications.slice(0, limit),
        offset: state.offset,
        epoch: state.epoch
      })
    }),
    historyRemove: recordEffect("historyRemove", (input: { readonly channel: string }) => {
      if (historyOf(input.channel) === undefined) return notAvailable("historyRemove")
      channel(input.channel).publications.length = 0
      return Effect.void
    }),
    info: record("info", () => ({
      nodes: [{
        uid: "memory",
        name: "memory",
        version: "test",
        numClients: [...presence.values()].reduce((n, clients) => n + Object.keys(clients).length, 0),
        numUsers: 0,
        numChannels: presence.size,
        numSubs: 0,
        uptime: 0
      }]
    })),
    rpc: record("rpc", () => {
      throw new Error("CentrifugoApiMemory: rpc has no server-side RPC; use failNext or your own double")
    }),
    channels: record("channels", () =>
      Object.fromEntries(
        [...presence].filter(([, clients]) => Object.keys(clients).length > 0).map(([name, clients]) => [
          name,
          { numClients: Object.keys(clients).length }
        ])
      )),
    mapPublish: record("mapPublish", (input: Api.MapPublishInput) => {
      const map = mapOf(input.channel)
      if ((input.keyMode === "if_new" && map.has(input.key)) || (input.keyMode === "if_exists" && !map.has(input.key))) {
        return { suppressed: true, suppressReason: input.keyMode === "if_new" ? "key exists" : "key not found" }
      }
      const state = channel(input.channel)
      state.offset++
      map.set(input.key, { key: input.key, data: dataOf(input.data), offset: state.offset })
      return { offset: state.offset, epoch: state.epoch }
    }),
    mapRemove: record("mapRemove", (input: { readonly channel: string; readonly key: string }) => {
      const state = channel(input.channel)
      state.offset++
      mapOf(input.channel).delete(input.key)
      return { offset: state.offset, epoch: state.epoch }
    }),
    mapReadState: record("mapReadState", (input: Api.MapReadStateInput) => {
      const state = channel(input.channel)
      return { entries: [...mapOf(input.channel).values()], offset: state.offset, epoch: state.epoch }
    }),
    mapReadStream: record("mapReadStream", (input: Api.MapReadStreamInput) => {
      const state = channel(input.channel)
      return { entries: [...mapOf(input.channel).values()], offset: state.offset, epoch: state.epoch }
    }),
    mapStats: record("mapStats", (input: { readonly channel: string }) => ({ numKeys: mapOf(input.channel).size })),
    mapClear: record("mapClear", (input: { readonly channel: string }) => {
      mapOf(input.channel).clear()
    }),
    sharedPollPublish: record("sharedPollPublish", () => undefined),
    batch: (commands) =>
      Effect.forEach(commands, (command) => {
        const [name, input] = Object.entries(command)[0] as [keyof Api.CentrifugoApi, unknown]
        const method = api[name] as (input: unknown) => Effect.Effect<unknown, Api.ApiFailure>
        return method(input).pipe(
          Effect.map((result): Api.BatchReply => ({ result })),
          Effect.catchTag("CentrifugoApiError", (e) => Effect.succeed<Api.BatchReply>({ error: { code: e.code, message: e.message } }))
        )
      })
  }

  return {
    layer: Layer.succeed(Api.CentrifugoApi, api),
    api,
    calls,
    published: (name) => [...(sent.get(name) ?? [])],
    setPresence: (name, clients) => {
      presence.set(name, Object.fromEntries(clients.map((c) => [c.client, c])))
    },
    failNext: (method, code, message) => {
      failures.set(method, { code, message })
    }
  }
}

/**
 * An in-memory CentrifugoApi for unit tests of code that publishes: it records every call, keeps channel history
 * (offsets, one epoch per channel), presence you set, and map state, and answers like Centrifugo does.
 *
 * ```ts
 * const api = CentrifugoApiMemory.make()
 * yield* storeAndBroadcast(news).pipe(Effect.provide(api.layer))
 * expect(api.published("news")).toEqual([{ title: "..." }])
 * expect(api.calls.map((c) => c.method)).toEqual(["broadcast"])
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import * as Api from "../api/CentrifugoApi.ts"
import * as Payload from "../Payload.ts"

export interface RecordedCall {
  readonly method: string
  readonly input: unknown
}

export interface MemoryApi {
  /** Provide this to the code under test. */
  readonly layer: Layer.Layer<Api.CentrifugoApi>
  /** The service itself, for use outside a Layer. */
  readonly api: Api.CentrifugoApi
  /** Every call, in order. */
  readonly calls: ReadonlyArray<RecordedCall>
  /** The data published into a channel (publish and broadcast), oldest first. */
  readonly published: (channel: string) => ReadonlyArray<unknown>
  /** Sets who is in a channel (presence, presenceStats, channels read it). */
  readonly setPresence: (channel: string, clients: ReadonlyArray<Api.ClientInfo>) => void
  /** Makes the next calls of `method` fail with this Centrifugo error. */
  readonly failNext: (method: keyof Api.CentrifugoApi, code: number, message: string) => void
}

interface ChannelState {
  readonly epoch: string
  offset: number
  readonly publications: Array<Api.HistoryPublication>
}

const dataOf = (value: unknown): unknown => (Payload.isBinary(value) ? value.bytes : Payload.isRawJson(value) ? JSON.parse(value.text) : value)

export const make = (): MemoryApi => {
  const calls: Array<RecordedCall> = []
  const channels = new Map<string, ChannelState>()
  const presence = new Map<string, Record<string, Api.ClientInfo>>()
  const maps = new Map<string, Map<string, Api.MapEntry>>()
  const failures = new Map<string, { code: number; message: string }>()

  const channel = (name: string): ChannelState => {
    let state = channels.get(name)
    if (state === undefined) {
      state = { epoch: `epoch-${channels.size + 1}`, offset: 0, publications: [] }
      channels.set(name, state)
    }
    return state
  }

  const record = <I, O>(method: keyof Api.CentrifugoApi, body: (input: I) => O) =>
  (input: I): Effect.Effect<O, Api.ApiFailure> =>
    Effect.suspend(() => {
      calls.push({ method, input })
      const failure = failures.get(method)
      if (failure !== undefined) {
        failures.delete(method)
        return Effect.fail(Api.apiError(method, failure.code, failure.message))
      }
      return Effect.sync(() => body(input))
    })

  const publishTo = (name: string, input: Api.PublishOptions & { readonly data: unknown }): Api.PublishResult => {
    const state = channel(name)
    if (input.skipHistory === true) return {}
    state.offset++
    state.publications.push({
      data: dataOf(input.data),
      offset: state.offset,
      ...(input.tags === undefined ? {} : { tags: input.tags })
    })
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
    publish: record("publish", (input: Api.PublishInput) => publishTo(input.channel, input)),
    broadcast: record("broadcast", (input: Api.BroadcastInput) =>
      input.channels.map((name) => ({ channel: name, result: publishTo(name, input) }))),
    subscribe: record("subscribe", () => undefined),
    unsubscribe: record("unsubscribe", () => undefined),
    disconnect: record("disconnect", () => undefined),
    refresh: record("refresh", () => undefined),
    presence: record("presence", (input: { readonly channel: string }) => ({ ...(presence.get(input.channel) ?? {}) })),
    presenceStats: record("presenceStats", (input: { readonly channel: string }) => {
      const clients = Object.values(presence.get(input.channel) ?? {})
      return { numClients: clients.length, numUsers: new Set(clients.map((c) => c.user)).size }
    }),
    history: record("history", (input: Api.HistoryInput) => {
      const state = channel(input.channel)
      let publications = state.publications.filter((p) => input.since === undefined || p.offset > input.since.offset)
      if (input.reverse === true) publications = [...publications].reverse()
      const limit = input.limit ?? 0
      return {
        publications: limit === 0 ? [] : limit < 0 ? publications : publications.slice(0, limit),
        offset: state.offset,
        epoch: state.epoch
      }
    }),
    historyRemove: record("historyRemove", (input: { readonly channel: string }) => {
      channel(input.channel).publications.length = 0
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
    published: (name) => (channels.get(name)?.publications ?? []).map((p) => p.data),
    setPresence: (name, clients) => {
      presence.set(name, Object.fromEntries(clients.map((c) => [c.client, c])))
    },
    failNext: (method, code, message) => {
      failures.set(method, { code, message })
    }
  }
}

/**
 * The handler and test templates of `effect-centrifugo create`: one per event, each compiling as written and its
 * test passing, so a new handler starts green and is changed from there.
 */
import type { EventName } from "../../HandlerSet.ts"

/** The events `create handler` knows (every unary and stream proxy Centrifugo OSS calls). */
export const EVENTS = [
  "connect",
  "refresh",
  "subscribe",
  "publish",
  "rpc",
  "subRefresh",
  "subscribeUnidirectional",
  "subscribeBidirectional",
  "mapPublish",
  "mapRemove",
  "sharedPollRefresh"
] as const satisfies ReadonlyArray<EventName>

export type TemplateEvent = typeof EVENTS[number]

export interface Template {
  /** `src/handlers/<name>.ts` */
  readonly source: string
  /** `test/handlers/<name>.test.ts` */
  readonly test: string
}

interface EventTemplate {
  readonly request: string
  readonly builder: string
  readonly body: string
  readonly expectation: string
}

const unary: Record<Exclude<TemplateEvent, "subscribeUnidirectional" | "subscribeBidirectional">, EventTemplate> = {
  connect: {
    request: "ConnectRequest",
    builder: "connectRequest({ data: { user: \"alice\" } })",
    body: `{
  const data = request.data as { readonly user?: unknown } | undefined
  return typeof data?.user === "string"
    ? Effect.succeed(Reply.connect({ user: data.user }))
    : Effect.succeed(Reply.error(Reply.ErrorCode.Unauthorized, "unauthorized"))
}`,
    expectation: "expect(reply.result?.user).toBe(\"alice\")"
  },
  refresh: {
    request: "RefreshRequest",
    builder: "refreshRequest({ user: \"alice\" })",
    body: `
  // Extends the connection by an hour; answer \`Reply.refresh({ expired: true })\` to end it.
  Effect.succeed(Reply.refresh({ expireAt: Math.floor(Date.now() / 1000) + 3600 }))`,
    expectation: "expect(reply.result?.expired ?? false).toBe(false)"
  },
  subscribe: {
    request: "SubscribeRequest",
    builder: "subscribeRequest({ channel: \"news\" })",
    body: `
  request.channel.startsWith("private")
    ? Effect.succeed(Reply.error(Reply.ErrorCode.PermissionDenied, "permission denied"))
    : Effect.succeed(Reply.subscribe())`,
    expectation: "expect(reply.error).toBeUndefined()\n      expect(reply.result).toBeDefined()"
  },
  publish: {
    request: "PublishRequest",
    builder: "publishRequest({ user: \"alice\", data: { text: \"hi\" } })",
    body: `
  // Publishes the client's data stamped with its author.
  Effect.succeed(Reply.publish({ data: { ...(request.data as object), by: request.user } }))`,
    expectation: "expect(reply.result?.data).toEqual({ text: \"hi\", by: \"alice\" })"
  },
  rpc: {
    request: "RpcRequest",
    builder: "rpcRequest({ method: \"echo\", data: { n: 1 } })",
    body: `
  Effect.succeed(Reply.rpc({ data: { method: request.method, echo: request.data } }))`,
    expectation: "expect(reply.result?.data).toEqual({ method: \"echo\", echo: { n: 1 } })"
  },
  subRefresh: {
    request: "SubRefreshRequest",
    builder: "subRefreshRequest({ channel: \"news\" })",
    body: `
  Effect.succeed(Reply.subRefresh({ expireAt: Math.floor(Date.now() / 1000) + 3600 }))`,
    expectation: "expect(reply.result?.expired ?? false).toBe(false)"
  },
  mapPublish: {
    request: "MapPublishRequest",
    builder: "mapPublishRequest({ key: \"cell-1\", data: { color: \"red\" } })",
    body: `
  Effect.succeed(Reply.mapPublish({ data: { ...(request.data as object), by: request.user } }))`,
    expectation: "expect(reply.result?.data).toEqual({ color: \"red\", by: \"user-1\" })"
  },
  mapRemove: {
    request: "MapRemoveRequest",
    builder: "mapRemoveRequest({ key: \"cell-1\" })",
    body: `
  // Accepts the removal as asked; answer \`Reply.error(...)\` to refuse it.
  Effect.succeed(Reply.mapRemove({ key: request.key }))`,
    expectation: "expect(reply.error).toBeUndefined()\n      expect(reply.result).toBeDefined()"
  },
  sharedPollRefresh: {
    request: "SharedPollRefreshRequest",
    builder: "sharedPollRefreshRequest({ items: [{ key: \"price-1\", version: 0n }] })",
    body: `
  // The current value of every key asked for; the version must grow for clients to see a change.
  Effect.succeed(Reply.sharedPollRefresh({
    items: request.items.map((item) => ({ key: item.key, data: { value: 42 }, version: item.version + 1n }))
  }))`,
    expectation: "expect(reply.result?.items).toEqual([{ key: \"price-1\", data: { value: 42 }, version: 1 }])"
  }
}

const header = (event: TemplateEvent) =>
  `/** The \`${event}\` handler. Add it to \`HandlerSet.layer({ ${event}: ... })\` in src/handlers.ts. */\n`

/** The handler module and its test for `event`, exporting `name`. */
export const handlerTemplate = (event: TemplateEvent, name: string): Template => {
  if (event === "subscribeUnidirectional" || event === "subscribeBidirectional") return streamTemplate(event, name)
  const t = unary[event]
  const builder = t.builder.slice(0, t.builder.indexOf("("))
  const source = `${header(event)}import { Effect } from "effect"
import { Reply, type ProxyRequest } from "effect-centrifugo"

export const ${name} = (request: ProxyRequest.${t.request}) =>${t.body.startsWith("{") ? " " : ""}${t.body}
`
  const test = `import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { HandlerSet } from "effect-centrifugo"
import { ${builder}, handle } from "effect-centrifugo/testing"
import { ${name} } from "../../src/handlers/${name}.ts"

describe("${name}", () => {
  it.effect("answers a ${event} call", () =>
    Effect.gen(function*() {
      const reply = yield* handle(${t.builder})
      ${t.expectation}
    }).pipe(Effect.provide(HandlerSet.layer({ ${event}: ${name} }))))
})
`
  return { source, test }
}

const streamTemplate = (event: "subscribeUnidirectional" | "subscribeBidirectional", name: string): Template => {
  const bidirectional = event === "subscribeBidirectional"
  const source = `${header(event)}import { Effect, Stream } from "effect"
import { Reply, type ProxyRequest } from "effect-centrifugo"

/**
 * A stream subscription (channels of the \`${bidirectional ? "bidi" : "stream"}\` namespace in the generated config):
 * ${bidirectional ? "echoes each publication of the client back to it, stamped `echo: true`." : "sends three ticks to the one subscribed client, then ends the subscription."}
 */
export const ${name} = (${bidirectional ? "_request: ProxyRequest.SubscribeRequest, incoming: Stream.Stream<ProxyRequest.ClientPublication>" : "_request: ProxyRequest.SubscribeRequest"}) =>
  Effect.succeed(Reply.stream(${
    bidirectional
      ? "Stream.map(incoming, (publication) => ({ data: { ...(publication.data as object), echo: true } }))"
      : "Stream.make(1, 2, 3).pipe(Stream.map((tick) => ({ data: { tick } })))"
  }))
`
  const test = `import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { ${bidirectional ? "clientPublication, " : ""}subscribeRequest } from "effect-centrifugo/testing"
import { ${name} } from "../../src/handlers/${name}.ts"

describe("${name}", () => {
  it.effect("accepts the subscription and streams publications", () =>
    Effect.gen(function*() {
      const reply = yield* ${name}(subscribeRequest({ channel: "${bidirectional ? "bidi" : "stream"}:demo" })${
    bidirectional ? ", Stream.make(clientPublication({ text: \"hi\" }))" : ""
  })
      expect(reply._tag).toBe("StreamResult")
      const sent = yield* Stream.runCollect(reply.publications)
      expect(Array.from(sent).map((publication) => publication.data)).toEqual(${
    bidirectional ? "[{ text: \"hi\", echo: true }]" : "[{ tick: 1 }, { tick: 2 }, { tick: 3 }]"
  })
    }))
})
`
  return { source, test }
}

// `text` quoted, safe inside a block comment: a method name may hold the comment's closing characters.
const inComment = (text: string): string => JSON.stringify(text).replace(/\*\//g, "*\\/")

/** The line `create rpc` adds to the contract's RpcGroup: the method's payload and success Schemas. */
export const rpcContractLine = (method: string): string =>
  `Rpc.make(${JSON.stringify(method)}, { payload: { n: Schema.Number }, success: Schema.Struct({ doubled: Schema.Number }) }),`

/**
 * An RPC method of the contract's RpcGroup (`src/contract.ts`, where `create rpc` adds its `Rpc.make`): the
 * implementation typed from the contract, and its test through the handler set.
 */
export const rpcMethodTemplate = (method: string, name: string): Template => {
  const quoted = JSON.stringify(method)
  const source = `/** The ${inComment(method)} RPC method: src/contract.ts declares its payload and result. */
import { Effect } from "effect"
import type * as RpcGroup from "effect/rpc/RpcGroup"
import type { AppRpcs } from "../contract.ts"

/**
 * What the client sends, e.g. \`centrifuge.rpc(${inComment(method)}, { n: 1 })\` (anything else is answered 107), in;
 * the result the contract declares, out. Declare an \`error\` Schema in the contract to fail with a typed error.
 */
export const ${name} = (({ n }) => Effect.succeed({ doubled: n * 2 })) satisfies RpcGroup.HandlerFrom<
  RpcGroup.Rpcs<typeof AppRpcs>,
  ${quoted}
>
`
  const test = `import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { handle, rpcRequest } from "effect-centrifugo/testing"
import { AppHandlers } from "../../src/handlers.ts"

describe(${quoted}, () => {
  it.effect("answers the result the contract declares", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({ method: ${quoted}, data: { n: 1 } }))
      // The reply data is Effect's JSON Exit: what effect-centrifugo/client decodes.
      expect(reply.result?.data).toEqual({ _tag: "Success", value: { doubled: 2 } })
    }).pipe(Effect.provide(AppHandlers)))

  it.effect("a payload of the wrong shape is answered 107", () =>
    Effect.gen(function*() {
      const reply = yield* handle(rpcRequest({ method: ${quoted}, data: { n: "one" } }))
      expect(reply.error?.code).toBe(107)
    }).pipe(Effect.provide(AppHandlers)))
})
`
  return { source, test }
}

/**
 * The templates of `effect-centrifugo create channel`: the typed channel written into the contract file, the route
 * added to the handler set, and a test of both through the testing kit.
 */

/** The contract file `init` writes and `create channel` adds to: imported by the backend (and a client). */
export const CONTRACT_FILE = "src/contract.ts"

/** Where `create channel` adds to the contract file (must appear exactly once). */
export const CHANNELS_MARKER = "// effect-centrifugo: channels"

// The contract file itself (channels and RPCs) is written by init from templates/project.ts.

/** The channel's definition, inserted before the marker of the contract file. */
export const channelDefinition = (name: string, pattern: string): string => `/** Channel \`${pattern}\`: what is published there, and the namespace options it needs. */
export const ${name} = Channel.make({
  pattern: ${JSON.stringify(pattern)},
  publication: Schema.Struct({ text: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(1000)) }),
  options: { history: { size: 100, ttl: "300s" }, recovery: true, presence: true }
})

`

/** The route added to the handler set: signed-in users subscribe and publish (replace the rule with yours). */
export const channelRoute = (name: string): string =>
  `ChannelRouter.route(${name}, { authorize: ({ user }) => Effect.succeed(user.id !== ""), subscribe: true, publish: true }),`

/** A test of the channel through the project's handler set. */
export const channelTest = (name: string, params: ReadonlyArray<string>): string => {
  const args = params.length === 0 ? "" : `, { ${params.map((p) => `${p}: "1"`).join(", ")} }`
  return `import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Channel } from "effect-centrifugo"
import { handle, publishRequest, subscribeRequest } from "effect-centrifugo/testing"
import { ${name} } from "../../src/contract.ts"
import { AppHandlers } from "../../src/handlers.ts"

const channel = Channel.name(${name}${args})

describe("${name}", () => {
  it.effect("signed-in users subscribe and publish; bad data is refused with 107", () =>
    Effect.gen(function*() {
      expect((yield* handle(subscribeRequest({ user: "alice", channel }))).error).toBeUndefined()
      expect((yield* handle(subscribeRequest({ user: "", channel }))).error?.code).toBe(103)
      const published = yield* handle(publishRequest({ user: "alice", channel, data: { text: "hi" } }))
      expect(published.result?.data).toEqual({ text: "hi" })
      const bad = yield* handle(publishRequest({ user: "alice", channel, data: { text: 1 } }))
      expect(bad.error?.code).toBe(107)
    }).pipe(Effect.provide(AppHandlers)))
})
`
}

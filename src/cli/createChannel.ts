/**
 * `effect-centrifugo create channel <pattern>`: a typed channel written into the contract file (created when
 * missing), a route for it added to `src/handlers.ts` (when that file is in the shape `init` writes; otherwise the
 * line to add is printed), and a test of both.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import * as Channel from "../contract/Channel.ts"
import { identifierOf, insertAtMarker } from "./createHandler.ts"
import { attempt, type CommandError, fail } from "./failure.ts"
import * as Templates from "./templates/channel.ts"
import * as Project from "./templates/project.ts"
import { MARKERS } from "./templates/project.ts"

/** The channel's export name: `--name`, else the namespace (`tickets:{id}` -> `Tickets`). */
const nameOf = (pattern: string, name: string | undefined): string | undefined => {
  const base = identifierOf(name ?? pattern.split(":")[0]!.replace(/\{[^}]*\}/g, ""))
  return base === undefined ? undefined : base[0]!.toUpperCase() + base.slice(1)
}

const read = (file: string) => attempt(`reading ${file}`, () => readFileSync(file, "utf8"))

export const createChannel = (root: string, pattern: string, name: string | undefined): Effect.Effect<void, CommandError> =>
  Effect.gen(function*() {
    // Channel.make checks the pattern (the Schema does not matter here).
    const parsed = yield* Effect.try({
      try: () => Channel.make({ pattern, publication: Schema.Unknown }),
      catch: (error) => (error instanceof Error ? error.message : String(error))
    }).pipe(Effect.catch((message) => fail(message)))
    const identifier = nameOf(pattern, name)
    if (identifier === undefined) return yield* fail(`"${name ?? pattern}" does not make a name: pass --name`)
    const contractFile = join(root, Templates.CONTRACT_FILE)
    const contract = existsSync(contractFile) ? yield* read(contractFile) : Project.contract
    if (new RegExp(`\\bexport const ${identifier}\\b`).test(contract)) {
      return yield* fail(`${Templates.CONTRACT_FILE} already exports ${identifier}: pass another --name`)
    }
    if (contract.split(Templates.CHANNELS_MARKER).length !== 2) {
      return yield* fail(`${Templates.CONTRACT_FILE} has no "${Templates.CHANNELS_MARKER}" line (once) to add to`)
    }
    const test = join("test", "channels", `${identifier[0]!.toLowerCase()}${identifier.slice(1)}.test.ts`)
    if (existsSync(join(root, test))) return yield* fail(`${test} already exists: not overwriting it`)
    const at = contract.indexOf(Templates.CHANNELS_MARKER)
    const updated = contract.slice(0, at) + Templates.channelDefinition(identifier, pattern) + contract.slice(at)
    yield* attempt("writing the channel", () => {
      mkdirSync(dirname(contractFile), { recursive: true })
      writeFileSync(contractFile, updated)
      mkdirSync(dirname(join(root, test)), { recursive: true })
      writeFileSync(join(root, test), Templates.channelTest(identifier, parsed.params), { flag: "wx" })
    })
    yield* Console.log(`${Templates.CONTRACT_FILE}: added ${identifier} (${pattern})\ncreated ${test}`)

    const handlersFile = join(root, "src", "handlers.ts")
    const route = Templates.channelRoute(identifier)
    const importLine = `import { ${identifier} } from "./contract.ts"`
    const handlers = existsSync(handlersFile) ? yield* read(handlersFile) : undefined
    const withRoute = handlers === undefined
      ? undefined
      : insertAtMarker(handlers, MARKERS.channelRoutes, "ChannelRouter.handlers([", identifier, route, importLine)
    if (withRoute === undefined) {
      yield* Console.log(
        `src/handlers.ts left as it is (not in the shape \`init\` writes). Add to ChannelRouter.handlers([...]):\n` +
          `  ${importLine}\n  ${route}`
      )
      return
    }
    yield* attempt("writing src/handlers.ts", () => writeFileSync(handlersFile, withRoute))
    yield* Console.log(`src/handlers.ts: added the route of ${identifier} (signed-in users subscribe and publish)`)
  })

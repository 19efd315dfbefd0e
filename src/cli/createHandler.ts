/**
 * `effect-centrifugo create handler <event> <Name>` and `create rpc <method>`: write a handler (or RPC method) module
 * and its test from a template, refuse to overwrite, and add the handler to `src/handlers.ts` when that file is in
 * the shape `init` writes (its marker comments present once each); otherwise print the line to add by hand. An RPC
 * method is also declared in the contract's RpcGroup (`src/contract.ts`, same rule).
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { attempt, type CommandError, fail } from "./failure.ts"
import { handlerTemplate, rpcContractLine, rpcMethodTemplate, type Template, type TemplateEvent } from "./templates/handler.ts"
import { MARKERS, RPCS_LIVE_OPENING, RPCS_OPENING } from "./templates/project.ts"

/** `Chat` -> `chat`; a JavaScript identifier or nothing. */
export const identifierOf = (name: string): string | undefined => {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word !== "")
  if (words.length === 0) return undefined
  const joined = words.map((word, i) => (i === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join("")
  const identifier = joined[0]!.toLowerCase() + joined.slice(1)
  return /^[a-z][A-Za-z0-9]*$/.test(identifier) ? identifier : undefined
}

const writeTemplate = (root: string, name: string, template: Template): Effect.Effect<ReadonlyArray<string>, CommandError> =>
  Effect.gen(function*() {
    const source = join("src", "handlers", `${name}.ts`)
    const test = join("test", "handlers", `${name}.test.ts`)
    for (const file of [source, test]) {
      if (existsSync(join(root, file))) return yield* fail(`${file} already exists: not overwriting it`)
    }
    yield* attempt("writing the handler", () => {
      for (const [file, text] of [[source, template.source], [test, template.test]] as const) {
        mkdirSync(dirname(join(root, file)), { recursive: true })
        writeFileSync(join(root, file), text, { flag: "wx" })
      }
    })
    return [source, test]
  })

const countOf = (text: string, part: string) => text.split(part).length - 1

/**
 * `text` with `line` inserted before `marker` (same indentation) and `importLine` (when given) before the imports
 * marker, or undefined when the file is not in the recognised shape or already has `key` in the block that ends at
 * `marker`.
 */
export const insertAtMarker = (
  text: string,
  marker: string,
  opening: string,
  key: string,
  line: string,
  importLine: string | undefined
): string | undefined => {
  const imports = importLine === undefined || countOf(text, MARKERS.imports) === 1
  if (countOf(text, marker) !== 1 || !imports || countOf(text, opening) !== 1) return undefined
  const start = text.indexOf(opening)
  const end = text.indexOf(marker)
  if (start === -1 || end < start) return undefined
  const block = text.slice(start + opening.length, end)
  const escaped = key.replace(/[.*+?^${}()|[\]\\"]/g, "\\$&")
  // The key already there (`key,` shorthand or `key:`, quoted or not): adding it again would not compile.
  if (new RegExp(`(^|[\\s,{(])["']?${escaped}["']?\\s*[:,}\\n]`).test(block)) return undefined
  const lineStart = text.lastIndexOf("\n", end) + 1
  const indent = text.slice(lineStart, end)
  if (indent.trim() !== "") return undefined
  const withLine = `${text.slice(0, lineStart)}${indent}${line}\n${text.slice(lineStart)}`
  if (importLine === undefined) return withLine
  const importAt = withLine.lastIndexOf("\n", withLine.indexOf(MARKERS.imports)) + 1
  return `${withLine.slice(0, importAt)}${importLine}\n${withLine.slice(importAt)}`
}

const addToFile = (
  root: string,
  name: "handlers" | "contract",
  marker: string,
  opening: string,
  key: string,
  line: string,
  importLine: string | undefined
): Effect.Effect<void, CommandError> =>
  Effect.gen(function*() {
    const shown = `src/${name}.ts`
    const file = join(root, "src", `${name}.ts`)
    const text = existsSync(file) ? yield* attempt(`reading ${shown}`, () => readFileSync(file, "utf8")) : undefined
    const updated = text === undefined ? undefined : insertAtMarker(text, marker, opening, key, line, importLine)
    if (updated === undefined) {
      const add = importLine === undefined ? line : `${importLine}\n  ${line}`
      yield* Console.log(
        `${shown} left as it is (not in the shape \`init\` writes, or \`${key}\` is there already). Add:\n  ${add}`
      )
      return
    }
    yield* attempt(`writing ${shown}`, () => writeFileSync(file, updated))
    yield* Console.log(`${shown}: added \`${line}\``)
  })

export const createHandler = (root: string, event: TemplateEvent, name: string): Effect.Effect<void, CommandError> =>
  Effect.gen(function*() {
    const identifier = identifierOf(name)
    if (identifier === undefined) return yield* fail(`"${name}" does not make a name (letters and digits)`)
    const written = yield* writeTemplate(root, identifier, handlerTemplate(event, identifier))
    for (const file of written) yield* Console.log(`created ${file}`)
    yield* addToFile(
      root,
      "handlers",
      MARKERS.handlers,
      "HandlerSet.layer({",
      event,
      `${event}: ${identifier},`,
      `import { ${identifier} } from "./handlers/${identifier}.ts"`
    )
  })

/** Words a module cannot export as a `const` (reserved, or strict-mode restricted). */
const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await arguments eval undefined")
    .split(" ")
)

/**
 * The module name for an RPC method: its identifier, or `<identifier>Method` when that is a reserved word or a name
 * `src/handlers.ts` already binds (importing it again would not compile); undefined when neither is free.
 */
const rpcIdentifier = (method: string, handlersText: string | undefined): string | undefined => {
  const base = identifierOf(method)
  if (base === undefined) return undefined
  const taken = (name: string) => RESERVED.has(name) || (handlersText !== undefined && new RegExp(`\\b${name}\\b`).test(handlersText))
  for (const name of [base, `${base}Method`]) if (!taken(name)) return name
  return undefined
}

export const createRpc = (root: string, method: string): Effect.Effect<void, CommandError> =>
  Effect.gen(function*() {
    // Centrifugo's method names are plain text; control characters and __proto__ (an object literal's prototype,
    // not a key) would make a router entry that does not do what it says.
    if (method.trim() === "" || /[\u0000-\u001f\u007f]/.test(method) || method === "__proto__") {
      return yield* fail(`${JSON.stringify(method)} is not an RPC method name`)
    }
    const file = join(root, "src", "handlers.ts")
    const handlersText = existsSync(file) ? yield* attempt("reading src/handlers.ts", () => readFileSync(file, "utf8")) : undefined
    const identifier = rpcIdentifier(method, handlersText)
    if (identifier === undefined) {
      return yield* fail(
        `${JSON.stringify(method)} does not make a module name (it needs letters or digits, and one that src/handlers.ts does not use yet)`
      )
    }
    const written = yield* writeTemplate(root, identifier, rpcMethodTemplate(method, identifier))
    for (const file of written) yield* Console.log(`created ${file}`)
    const key = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(method) && !RESERVED.has(method) ? method : JSON.stringify(method)
    // Declared in the contract's RpcGroup, then implemented in the group's toLayer.
    yield* addToFile(root, "contract", MARKERS.rpcs, RPCS_OPENING, method, rpcContractLine(method), undefined)
    yield* addToFile(
      root,
      "handlers",
      MARKERS.rpcMethods,
      RPCS_LIVE_OPENING,
      method,
      `${key}: ${identifier},`,
      `import { ${identifier} } from "./handlers/${identifier}.ts"`
    )
  })

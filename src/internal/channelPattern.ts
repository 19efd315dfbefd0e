/**
 * `Channel`'s patterns: topic patterns (src/internal/topicPattern.ts) without `[...]` parts, with a literal
 * namespace, compiled once per channel value and shared by `Channel` and `ChannelRouter`. Browser-safe.
 *
 * @since 0.1.0
 */
import { compile, type CompiledPattern } from "./topicPattern.ts"

/** The pattern compiled, or why it is not a channel pattern. */
const compileChannel = (pattern: string): CompiledPattern | string => {
  // Optional parts would leave parameters unset and names without one spelling.
  if (/[[\]]/.test(pattern)) return "`[` and `]` are reserved"
  const compiled = compile(pattern)
  if (typeof compiled === "string") return compiled
  const colon = pattern.indexOf(":")
  if (colon === -1) return compiled
  if (pattern.slice(0, colon).includes("{")) return "the namespace (before the first `:`) must be literal"
  // Centrifugo's own rule for namespace names (checked when it loads its config).
  if (!/^[-a-zA-Z0-9_.]{2,}$/.test(pattern.slice(0, colon))) {
    return "the namespace (before the first `:`) must be 2 or more of letters, digits, `-`, `_` and `.`"
  }
  return compiled
}

/** The pattern compiled; a TypeError naming the pattern when it is not a channel pattern. */
export const compileChannelPattern = (pattern: string): CompiledPattern => {
  const compiled = compileChannel(pattern)
  if (typeof compiled === "string") throw new TypeError(`invalid channel pattern "${pattern}": ${compiled}`)
  return compiled
}

const cache = new WeakMap<object, CompiledPattern>()

/** Keeps a channel's compiled pattern (`Channel.make` compiles it once, to validate it). */
export const rememberPattern = (channel: object, compiled: CompiledPattern): void => {
  cache.set(channel, compiled)
}

/** A channel's compiled pattern; a channel copied by spreading gets its pattern compiled again. */
export const patternOf = (channel: { readonly pattern: string }): CompiledPattern => {
  const found = cache.get(channel)
  if (found !== undefined) return found
  const compiled = compileChannelPattern(channel.pattern)
  cache.set(channel, compiled)
  return compiled
}

/** The name a pattern without `[...]` parts spells with these parameter values, in the pattern's order. */
export const spell = (compiled: CompiledPattern, valueOf: (param: string) => string): string => {
  let name = ""
  for (const instruction of compiled.program) {
    if (instruction.op === "char") name += String.fromCodePoint(instruction.codePoint)
    // An even slot opens parameter slot / 2 (see `compile`).
    else if (instruction.op === "save" && instruction.slot % 2 === 0) name += valueOf(compiled.names[instruction.slot / 2]!)
  }
  return name
}

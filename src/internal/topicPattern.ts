/**
 * Channel patterns (TopicRegistry's, and `Channel`'s, which have no `[...]` parts): compiled to a small automaton
 * and matched without backtracking (the public module, src/services/TopicRegistry.ts, documents the pattern
 * language). Browser-safe: the client entry takes it in through `Channel`.
 *
 * @since 0.1.0
 */
import { utf8Length } from "./utf8.ts"


/** Characters a parameter can never contain: Centrifugo's separators and its namespace and user boundaries. */
export const separators = "./:#"
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A value a parameter can take: not empty, no separator. */
export const isParamValue = (value: string): boolean =>
  value !== "" && ![...separators].some((separator) => value.includes(separator))

/**
 * One instruction of the matcher (a Thompson/Pike automaton, see `compile`): consume a code point (`char`: this
 * one, `param`: any but a separator), fork (`split`: `prefer` first), jump, record a capture boundary, or accept.
 */
export type Instruction =
  | { readonly op: "char"; readonly codePoint: number }
  | { readonly op: "param" }
  | { readonly op: "split"; readonly prefer: number; readonly other: number }
  | { readonly op: "save"; readonly slot: number }
  | { readonly op: "match" }

/** A channel pattern compiled for matching: its matcher program, parameter names and literal prefix. */
export interface CompiledPattern {
  readonly pattern: string
  /** The matcher program; parameter `names[i]` is captured between slots `2i` and `2i + 1`. */
  readonly program: ReadonlyArray<Instruction>
  readonly names: ReadonlyArray<string>
  /** The literal text every match starts with (up to the first `{` or `[`): a quick first check. */
  readonly prefix: string
}

/**
 * Compiles a pattern to a matcher program, or gives the reason it is not valid (callers say which pattern).
 *
 * The program is run by simulating all its alternatives at once, one channel code point at a time (never by
 * backtracking), so matching costs at most (channel length x program length) steps: `room.{a}-{b}` on a long run
 * of `-` is linear, where a backtracking regular expression is quadratic. Alternatives are ordered like a regular
 * expression's (a parameter takes as much as it can, an optional part is tried before skipping it), so the
 * captured parameters are the ones `^room\.([^./:#]+)-([^./:#]+)$` would give.
 */
export const compile = (pattern: string): CompiledPattern | string => {
  if (pattern === "") return "empty"
  const names: Array<string> = []
  const program: Array<Instruction> = []
  // Indexes of the `split` opening each enclosing `[...]`, patched when its `]` is reached.
  const open: Array<number> = []
  let i = 0
  while (i < pattern.length) {
    const char = pattern[i]!
    if (char === "{") {
      const end = pattern.indexOf("}", i)
      if (end === -1) return "`{` without `}`"
      const name = pattern.slice(i + 1, end)
      if (!NAME.test(name)) return `parameter name "${name}" must be letters, digits and _`
      if (names.includes(name)) return `parameter {${name}} appears twice`
      const slot = 2 * names.length
      names.push(name)
      // save start; param; split(back to param, on); save end — one or more code points, as many as possible.
      program.push({ op: "save", slot })
      const param = program.length
      program.push({ op: "param" })
      program.push({ op: "split", prefer: param, other: param + 2 })
      program.push({ op: "save", slot: slot + 1 })
      i = end + 1
    } else if (char === "[") {
      open.push(program.length)
      program.push({ op: "split", prefer: -1, other: -1 }) // patched at `]`
      i++
    } else if (char === "]") {
      const split = open.pop()
      if (split === undefined) return "`]` without `[`"
      program[split] = { op: "split", prefer: split + 1, other: program.length }
      i++
    } else if (char === "}") {
      return "`}` without `{`"
    } else {
      const codePoint = pattern.codePointAt(i)!
      program.push({ op: "char", codePoint })
      i += codePoint > 0xffff ? 2 : 1
    }
  }
  if (open.length !== 0) return "`[` without `]`"
  program.push({ op: "match" })
  const special = pattern.search(/[{[]/)
  return { pattern, program, names, prefix: special === -1 ? pattern : pattern.slice(0, special) }
}

const SEPARATOR_CODE_POINTS = new Set([...separators].map((c) => c.codePointAt(0)!))

/** Longer than `max` UTF-8 bytes (a UTF-16 unit is at least one byte, so long strings are not even measured). */
export const tooLong = (channel: string, max: number): boolean =>
  !(channel.length <= max && utf8Length(channel) <= max)

interface Thread {
  readonly pc: number
  /** Code unit offsets of the capture boundaries; -1 = not set. */
  readonly captures: ReadonlyArray<number>
}

/**
 * Runs the program over the whole channel (anchored at both ends). Per code point each program instruction is
 * visited at most once (`visited` marks them per position), so the work is linear in the channel length; `cost`
 * counts those visits.
 */
const run = (
  compiled: CompiledPattern,
  channel: string,
  cost: { steps: number }
): ReadonlyArray<number> | undefined => {
  const { program } = compiled
  const visited = new Int32Array(program.length).fill(-1)
  let generation = 0

  // Follows jumps, forks and saves from `pc` (in priority order) and queues the threads that wait for input.
  const add = (list: Array<Thread>, pc: number, captures: ReadonlyArray<number>, position: number): void => {
    if (visited[pc] === generation) return // a higher-priority thread already got here: same future, keep it
    visited[pc] = generation
    cost.steps++
    const instruction = program[pc]!
    switch (instruction.op) {
      case "split":
        add(list, instruction.prefer, captures, position)
        add(list, instruction.other, captures, position)
        return
      case "save": {
        const next = captures.slice()
        next[instruction.slot] = position
        add(list, pc + 1, next, position)
        return
      }
      default:
        list.push({ pc, captures })
    }
  }

  let threads: Array<Thread> = []
  add(threads, 0, new Array<number>(2 * compiled.names.length).fill(-1), 0)
  let position = 0
  while (position < channel.length && threads.length > 0) {
    const codePoint = channel.codePointAt(position)!
    const nextPosition = position + (codePoint > 0xffff ? 2 : 1)
    const next: Array<Thread> = []
    generation++
    for (const thread of threads) {
      cost.steps++
      const instruction = program[thread.pc]!
      const accepts = instruction.op === "char"
        ? instruction.codePoint === codePoint
        : instruction.op === "param" && !SEPARATOR_CODE_POINTS.has(codePoint)
      if (accepts) add(next, thread.pc + 1, thread.captures, nextPosition)
    }
    threads = next
    position = nextPosition
  }
  if (position < channel.length) return undefined
  // The highest-priority thread that accepts at the end is the match a backtracking matcher would find first.
  for (const thread of threads) {
    cost.steps++
    if (program[thread.pc]!.op === "match") return thread.captures
  }
  return undefined
}

/**
 * Matches a channel against a compiled pattern: its parameters, or undefined. Linear in the channel length;
 * channels longer than `maxChannelLength` UTF-8 bytes do not match.
 */
export const matchPattern = (
  compiled: CompiledPattern,
  channel: string,
  maxChannelLength: number
): Readonly<Record<string, string>> | undefined => {
  if (tooLong(channel, maxChannelLength)) return undefined
  if (!channel.startsWith(compiled.prefix)) return undefined
  const captures = run(compiled, channel, { steps: 0 })
  if (captures === undefined) return undefined
  const params: Record<string, string> = {}
  compiled.names.forEach((name, index) => {
    const start = captures[2 * index]!
    const end = captures[2 * index + 1]!
    if (start >= 0 && end >= 0) params[name] = channel.slice(start, end)
  })
  return params
}

/**
 * The first item whose pattern matches the channel, with its parameters; the length cap is checked once for all.
 */
export const firstMatch = <T>(
  items: ReadonlyArray<T>,
  patternOf: (item: T) => CompiledPattern,
  channel: string,
  maxChannelLength: number
): { readonly item: T; readonly params: Readonly<Record<string, string>> } | undefined => {
  if (tooLong(channel, maxChannelLength)) return undefined
  for (const item of items) {
    const params = matchPattern(patternOf(item), channel, Infinity)
    if (params !== undefined) return { item, params }
  }
  return undefined
}

/**
 * The number of matcher steps matching this channel takes, without the length cap: a deterministic cost measure,
 * exported so tests can show it grows linearly with the channel length (no timing involved).
 */
export const matchCost = (compiled: CompiledPattern, channel: string): number => {
  const cost = { steps: 0 }
  run(compiled, channel, cost)
  return cost.steps
}


// A parser for the Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, and samples
// `name{label="value",...} value [timestamp]` with escaped label values. Strict: anything it does not understand
// throws, so a test fails on malformed output instead of silently matching less.

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Family {
  readonly name: string
  type: string
  help: string
  readonly samples: Array<Sample>
}

const NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y

const parseValue = (text: string, line: string): number => {
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY
  if (text === "-Inf") return Number.NEGATIVE_INFINITY
  if (text === "NaN") return Number.NaN
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value '${text}' in: ${line}`)
  return Number(text)
}

const match = (re: RegExp, line: string, at: number): string | undefined => {
  re.lastIndex = at
  return re.exec(line)?.[0]
}

/** One sample line. */
export const parseSample = (line: string): Sample => {
  const name = match(NAME, line, 0)
  if (name === undefined) throw new Error(`no metric name in: ${line}`)
  let at = name.length
  const labels: Record<string, string> = {}
  if (line[at] === "{") {
    at++
    while (line[at] !== "}") {
      const label = match(LABEL_NAME, line, at)
      if (label === undefined) throw new Error(`bad label name at ${at} in: ${line}`)
      at += label.length
      if (line[at] !== "=" || line[at + 1] !== "\"") throw new Error(`expected =" at ${at} in: ${line}`)
      at += 2
      let value = ""
      while (line[at] !== "\"") {
        if (at >= line.length) throw new Error(`unterminated label value in: ${line}`)
        if (line[at] === "\\") {
          const escaped = line[at + 1]
          value += escaped === "n" ? "\n" : escaped === "\\" ? "\\" : escaped === "\"" ? "\"" : (() => {
            throw new Error(`bad escape \\${escaped} in: ${line}`)
          })()
          at += 2
        } else {
          value += line[at]
          at++
        }
      }
      at++
      if (label in labels) throw new Error(`duplicate label ${label} in: ${line}`)
      labels[label] = value
      if (line[at] === ",") at++
      else if (line[at] !== "}") throw new Error(`expected , or } at ${at} in: ${line}`)
    }
    at++
  }
  if (line[at] !== " ") throw new Error(`expected a space before the value in: ${line}`)
  const rest = line.slice(at + 1).trim().split(/\s+/)
  if (rest.length < 1 || rest.length > 2) throw new Error(`expected a value and an optional timestamp in: ${line}`)
  return { name, labels, value: parseValue(rest[0]!, line) }
}

const SUFFIXES = ["_bucket", "_sum", "_count"]

/** The whole exposition, by family name (histogram `_bucket`/`_sum`/`_count` samples go to their family). */
export const parse = (text: string): Map<string, Family> => {
  const families = new Map<string, Family>()
  const family = (name: string): Family => {
    let found = families.get(name)
    if (found === undefined) {
      found = { name, type: "untyped", help: "", samples: [] }
      families.set(name, found)
    }
    return found
  }
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue
    if (line.startsWith("#")) {
      const parts = /^#\s+(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(.*)$/.exec(line)
      if (parts === null) continue // a plain comment
      const [, keyword, name, rest] = parts
      if (keyword === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest!)) {
          throw new Error(`unknown type in: ${line}`)
        }
        family(name!).type = rest!
      } else family(name!).help = rest!
      continue
    }
    const sample = parseSample(line)
    const base = SUFFIXES.find((suffix) => sample.name.endsWith(suffix) && families.has(sample.name.slice(0, -suffix.length)))
    family(base === undefined ? sample.name : sample.name.slice(0, -base.length)).samples.push(sample)
  }
  return families
}

/** The samples of `name` (exact sample name) whose labels include `labels`. */
export const samples = (
  families: Map<string, Family>,
  name: string,
  labels: Readonly<Record<string, string>> = {}
): Array<Sample> =>
  [...families.values()].flatMap((f) => f.samples).filter((s) =>
    s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value)
  )

/** The single sample of `name` with exactly these labels (undefined when there is none). */
export const value = (
  families: Map<string, Family>,
  name: string,
  labels: Readonly<Record<string, string>> = {}
): number | undefined => {
  const found = samples(families, name, labels).filter((s) =>
    Object.keys(s.labels).length === Object.keys(labels).length
  )
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`)
  return found[0]?.value
}

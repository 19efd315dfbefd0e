/**
 * A small SVG chart of a bench run: median calls/s per scenario and server, with the min–max range as a whisker.
 * `node bench/chart.ts [results.json] [out.svg]` (bench/run.ts calls it after every run).
 */
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

interface Sample {
  readonly rps: number
}
interface Results {
  readonly machine: { readonly date: string; readonly cpu: string; readonly cores: number; readonly node: string }
  readonly samples: Record<string, Record<string, ReadonlyArray<Sample>>>
}

const COLORS: Record<string, string> = {
  "effect-centrifugo": "#2563eb",
  "effect-centrifugo realistic": "#2563eb",
  "grpc-js": "#f59e0b",
  "grpc-js realistic": "#f59e0b",
  "node:http2": "#10b981",
  "effect-centrifugo HTTP": "#7c3aed",
  "effect-centrifugo HTTP realistic": "#7c3aed",
  "effect-centrifugo HTTP mounted": "#a78bfa",
  "node:http": "#ef4444",
  "node:http realistic": "#ef4444",
  "grpc-go (ceiling)": "#9ca3af",
  "Fastify": "#0f766e",
  "Fastify realistic": "#0f766e",
  "Express 5": "#78716c",
  "Express 5 realistic": "#78716c",
  "Hono": "#ea580c",
  "Hono realistic": "#ea580c"
}

const ORDER = ["effect-centrifugo", "grpc-js", "node:http2", "grpc-go (ceiling)"]
const rank = (server: string) => ORDER.indexOf(server.replace(" realistic", ""))

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

export const chart = (results: Results): string => {
  const groups = Object.entries(results.samples)
  const servers = [...new Set(groups.flatMap(([, byServer]) => Object.keys(byServer)))].sort((a, b) => rank(a) - rank(b))
  const max = Math.max(...groups.flatMap(([, byServer]) => Object.values(byServer).flatMap((runs) => runs.map((r) => r.rps))))
  const bar = 14
  const gap = 4
  const groupGap = 26
  const left = 210
  const width = 900
  const plot = width - left - 90
  let y = 60
  const parts: Array<string> = []
  for (const [scenario, byServer] of groups) {
    const entries = Object.entries(byServer).sort(([a], [b]) => rank(a) - rank(b))
    parts.push(`<text x="10" y="${y + (entries.length * (bar + gap)) / 2 + 4}" class="label">${escape(scenario)}</text>`)
    for (const [server, runs] of entries) {
      const values = runs.map((r) => r.rps)
      const m = median(values)
      const x = (v: number) => left + (v / max) * plot
      parts.push(
        `<rect x="${left}" y="${y}" width="${(x(m) - left).toFixed(1)}" height="${bar}" fill="${COLORS[server] ?? "#6b7280"}"/>`,
        `<line x1="${x(Math.min(...values)).toFixed(1)}" x2="${x(Math.max(...values)).toFixed(1)}" y1="${y + bar / 2}" y2="${y + bar / 2}" class="whisker"/>`,
        `<text x="${(x(Math.max(...values)) + 6).toFixed(1)}" y="${y + bar - 3}" class="value">${Math.round(m).toLocaleString("en-US")}</text>`
      )
      y += bar + gap
    }
    y += groupGap
  }
  const legend = servers.filter((server) => !server.endsWith("realistic")).map((server, i) =>
    `<rect x="${left + i * 140}" y="24" width="12" height="12" fill="${COLORS[server] ?? "#6b7280"}"/>` +
    `<text x="${left + i * 140 + 16}" y="34" class="legend">${escape(server)}</text>`
  )
  const { machine } = results
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 30}" viewBox="0 0 ${width} ${y + 30}">
<style>text{font-family:sans-serif;fill:#111}.label{font-size:12px}.value{font-size:11px;fill:#374151}.legend{font-size:12px}.title{font-size:14px;font-weight:bold}.whisker{stroke:#111;stroke-width:1.5}.note{font-size:11px;fill:#4b5563}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="18" class="title">calls/s, median of interleaved rounds (whisker: min–max)</text>
${legend.join("\n")}
${parts.join("\n")}
<text x="10" y="${y + 15}" class="note">${escape(`${machine.date.slice(0, 10)} · ${machine.cpu} · ${machine.cores} cores · Node ${machine.node}`)}</text>
</svg>
`
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const input = process.argv[2] ?? "bench/results/latest.json"
  const output = process.argv[3] ?? "bench/results/latest.svg"
  writeFileSync(output, chart(JSON.parse(readFileSync(input, "utf8")) as Results))
}

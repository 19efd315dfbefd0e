/**
 * What every benchmarked server answers, so the variants differ only in how they are built.
 * - noop: Connect -> { user: "u" }, Subscribe -> {}, RPC -> {}
 * - realistic Connect: parse `data` JSON, check it has a string `token`, look the token up (a service call), answer
 *   the user with two channels and JSON data.
 */
export const TOKENS: ReadonlyMap<string, string> = new Map([["t1", "alice"], ["t2", "bob"]])

export const realisticChannels = (user: string) => [`user-${user}`, "public"]

export const port = (): number => Number(process.env.PORT ?? "0")

export const ready = (port: number) => {
  console.log(`ready ${port}`)
  // bench/soak.ts: the process's own memory breakdown on stdout every MEMORY_EVERY_MS.
  const every = Number(process.env.MEMORY_EVERY_MS ?? "0")
  if (every > 0) setInterval(() => console.log(`memory ${JSON.stringify(process.memoryUsage())}`), every).unref()
}

export const realistic = process.env.MODE === "realistic"

/**
 * The HTTP proxy's Connect answer as a hand-written server computes it from the parsed body (Centrifugo embeds the
 * connect `data` as JSON): shared by the node:http, Fastify, Express and Hono servers.
 */
export const httpConnectAnswer = (body: { data?: { token?: unknown } } | null | undefined): unknown => {
  if (!realistic) return { result: { user: "u" } }
  const token = body?.data?.token
  if (typeof token !== "string") return { error: { code: 107, message: "bad request: token: Expected string" } }
  const user = TOKENS.get(token)
  if (user === undefined) return { error: { code: 101, message: "unauthorized" } }
  return { result: { user, channels: realisticChannels(user), data: { ok: true } } }
}

/** The HTTP proxy's other events, answered as the no-op server does (the frameworks get a route per event). */
export const HTTP_EMPTY_EVENTS = ["subscribe", "rpc", "refresh", "publish", "sub_refresh"] as const
export const emptyAnswer = { result: {} }

// Shared plumbing for end-to-end tests: the real Centrifugo binary and the real centrifuge-js SDK over WebSocket.
import { Centrifuge, type Options } from "centrifuge"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import WebSocket from "ws"

const root = fileURLToPath(new URL("../..", import.meta.url))

let bin: string | undefined
/** The Centrifugo v6.9.1 binary (built once by scripts/build-centrifugo.sh; CENTRIFUGO_BIN overrides). */
export const centrifugoBin = (): string =>
  (bin ??= execFileSync("bash", [`${root}/scripts/build-centrifugo.sh`], { encoding: "utf8" }).trim())

/** A `ws` WebSocket that sends these HTTP headers with the upgrade request (real transport headers). */
const websocketWithHeaders = (headers: Record<string, string>) =>
  function HeaderWebSocket(url: string, protocols?: string | Array<string>) {
    return new WebSocket(url, protocols, { headers })
  }

export interface ClientOptions extends Partial<Options> {
  /** HTTP headers on the WebSocket upgrade request. */
  readonly httpHeaders?: Record<string, string>
}

/** A centrifuge-js client over `ws`; not connected yet. */
export const client = (url: string, options: ClientOptions = {}): Centrifuge => {
  const { httpHeaders, ...rest } = options
  return new Centrifuge(url, {
    websocket: httpHeaders === undefined ? WebSocket : websocketWithHeaders(httpHeaders),
    // Tests want to see the first failure, not a reconnect storm.
    minReconnectDelay: 5_000,
    maxReconnectDelay: 10_000,
    ...rest
  })
}

interface Emitter {
  once(event: string, listener: (ctx: never) => void): unknown
  on(event: string, listener: (ctx: never) => void): unknown
  removeListener(event: string, listener: (ctx: never) => void): unknown
}

/** The next `event` whose context passes `accept`, or a rejection after `timeoutMs`. */
export const next = <T = unknown>(
  emitter: Emitter,
  event: string,
  accept: (ctx: T) => boolean = () => true,
  timeoutMs = 10_000
): Promise<T> =>
  new Promise((resolve, reject) => {
    const listener = (ctx: T) => {
      if (!accept(ctx)) return
      clearTimeout(timer)
      emitter.removeListener(event, listener as (ctx: never) => void)
      resolve(ctx)
    }
    const timer = setTimeout(() => {
      emitter.removeListener(event, listener as (ctx: never) => void)
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`))
    }, timeoutMs)
    emitter.on(event, listener as (ctx: never) => void)
  })

/** A subscription of `c` to `channel`, once Centrifugo confirmed it. */
export const subscribed = async (c: Centrifuge, channel: string) => {
  const sub = c.newSubscription(channel)
  const ready = next(sub, "subscribed")
  sub.subscribe()
  await ready
  return sub
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Clients made by `connect(data)` against `url()`; `disconnectAll()` (in an afterEach) closes them. */
export const clientPool = (url: () => string) => {
  const clients: Array<Centrifuge> = []
  return {
    connect: (data: unknown): Centrifuge => {
      const c = client(url(), { data })
      clients.push(c)
      return c
    },
    disconnectAll: (): void => {
      for (const c of clients.splice(0)) c.disconnect()
    }
  }
}

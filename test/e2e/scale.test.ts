// Scaling out, end to end: 2 Centrifugo v6.9.1 nodes sharing Redis, the example backend (examples/main.ts) with
// 2 workers on one port over gRPC with maxConnectionAge, 200 centrifuge-js clients spread over both nodes with JWTs.
// Then three faults under load, each with "nothing lost" stated as numbers: a worker SIGKILLed, a Centrifugo node
// restarted, the whole backend SIGTERMed.
// Redis is Debian's, installed by scripts/install-redis.sh when missing (REDIS_URL overrides); only where it cannot be
// installed is this file skipped, with the reason printed.
import type { Centrifuge, Subscription } from "centrifuge"
import { Effect } from "effect"
import { TokenStorage } from "effect-centrifugo"
import { Centrifugo, CentrifugoCluster } from "effect-centrifugo/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { balancer, type Backend, findRedis, type Redis, startBackend } from "../support/cluster.ts"
import { centrifugoBin, client, next, sleep } from "../support/e2e.ts"

const redisFound = findRedis()
if ("reason" in redisFound) console.warn(`test/e2e/scale.test.ts skipped: no Redis.\n${redisFound.reason}`)

const CLIENTS = 200
const SECRET = "scale-test-hmac-secret-of-at-least-32-bytes"
const API_KEY = "test-api-key"

interface User {
  readonly id: string
  readonly client: Centrifuge
  readonly sub: Subscription
  /** The node its WebSocket went to last. */
  readonly node: number
  /** Publications received on user.{id}, by phase: their `seq` values. */
  readonly received: Map<string, Array<number>>
  /** Subscribed events with recovery flags. */
  readonly subscribed: Array<{ wasRecovering: boolean; recovered: boolean }>
}

interface RpcError {
  readonly code: number
  readonly message: string
  readonly temporary?: boolean
}

/** One RPC, retried after temporary failures (bounded); the errors it met along the way. */
const pingWithRetry = async (user: User) => {
  const errors: Array<number> = []
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const result = await user.client.rpc("ping", {})
      return { data: result.data, errors }
    } catch (error) {
      const { code, temporary } = error as RpcError
      // 100 (internal, temporary) is what Centrifugo answers when its call to the backend failed; 1 is the SDK's
      // own timeout. Anything else is an answer and is not retried.
      if (!(temporary === true || code === 100 || code === 1)) return { data: error, errors }
      errors.push(code)
      await sleep(200)
    }
  }
  return { data: undefined, errors }
}

it("a cluster node's config (Redis engine, node name) passes centrifugo checkconfig --strict", async () => {
  const nodeConfig = Centrifugo.config({
    proxy: "127.0.0.1:10001",
    port: 8000,
    overrides: CentrifugoCluster.clusterOverrides(
      { redisUrl: "redis://127.0.0.1:6379", redisPrefix: "test", name: "node-0" },
      { channel: { without_namespace: { history_size: 100, history_ttl: "300s", force_recovery: true } } }
    )
  })
  expect(nodeConfig).toMatchObject({
    engine: { type: "redis", redis: { address: ["redis://127.0.0.1:6379"], prefix: "test" } },
    node: { name: "node-0" },
    channel: { without_namespace: { subscribe_proxy_enabled: true, history_size: 100, force_recovery: true } }
  })
  await Centrifugo.checkWithBinary(centrifugoBin(), nodeConfig)
})

describe.runIf("start" in redisFound)("scaling out: Centrifugo cluster + Redis + 2 backend workers", () => {
  let redis: Redis | undefined
  let cluster: CentrifugoCluster.RunningCluster | undefined
  let backend: Backend | undefined
  const users: Array<User> = []
  // A node's URLs stay valid while it is stopped (its ports are kept for the restart).
  const lb = balancer(() => cluster!.nodes.map((node) => node.websocketUrl))

  const apiBroadcast = (node: number, channels: ReadonlyArray<string>, data: unknown) =>
    fetch(`${cluster!.nodes[node]!.httpUrl}/api/broadcast`, {
      method: "POST",
      headers: { "X-API-Key": API_KEY },
      body: JSON.stringify({ channels, data })
    }).then((r) => r.json() as Promise<{ result?: { responses: Array<{ error?: unknown }> }; error?: unknown }>)

  beforeAll(async () => {
    if (!("start" in redisFound)) return
    redis = await redisFound.start()
    const backendPort = await Centrifugo.freePort()
    cluster = await CentrifugoCluster.start({
      bin: centrifugoBin(),
      nodes: 2,
      redisUrl: redis.url,
      proxy: `127.0.0.1:${backendPort}`,
      apiKey: API_KEY,
      logLevel: "warn",
      // user.{id} keeps history, and clients recover from it after a reconnect (to any node: history is in Redis).
      overrides: { channel: { without_namespace: { history_size: 100, history_ttl: "300s", force_recovery: true } } }
    })
    backend = await startBackend(backendPort, 2, {
      PROXY_TOKEN_HMAC_SECRET: SECRET,
      PROXY_CENTRIFUGO_API_URL: cluster.nodes[0]!.httpUrl,
      PROXY_CENTRIFUGO_API_KEY: API_KEY,
      // Centrifugo's long-lived connections (one per proxy kind and node) are re-opened every ~2 s, each time on
      // the next worker: calls of every kind spread over both workers.
      PROXY_MAX_CONNECTION_AGE: "2 seconds",
      PROXY_MAX_CONNECTION_AGE_GRACE: "10 seconds"
    })

    const tokens = TokenStorage.makeJwt({ secret: SECRET })
    for (let i = 0; i < CLIENTS; i++) {
      const id = `u${i}`
      const token = await Effect.runPromise(tokens.issue({ user: id, claims: {} }))
      const preferred = i % 2
      const websocket = lb.websocket(preferred)
      const state = { node: preferred }
      const centrifuge = client("ws://balanced", {
        data: { authToken: token },
        // Reconnect soon after a node goes away (the SDK adds jitter), so the restart phase stays short.
        minReconnectDelay: 100,
        maxReconnectDelay: 1_000,
        timeout: 10_000,
        websocket: function Tracked(url: string, protocols?: string | Array<string>) {
          const socket = websocket(url, protocols)
          state.node = lb.down.has(preferred) ? 1 - preferred : preferred
          return socket
        }
      })
      const user: User = {
        id,
        get node() {
          return state.node
        },
        received: new Map(),
        subscribed: [],
        client: centrifuge,
        sub: centrifuge.newSubscription(`user.${id}`)
      }
      user.sub.on("publication", (ctx) => {
        const { phase, seq } = ctx.data as { phase: string; seq: number }
        user.received.set(phase, [...(user.received.get(phase) ?? []), seq])
      })
      user.sub.on("subscribed", (ctx) => user.subscribed.push({ wasRecovering: ctx.wasRecovering, recovered: ctx.recovered }))
      users.push(user)
    }
    // In batches: 200 simultaneous connects on a loaded 2-core machine would only queue behind each other.
    for (let start = 0; start < CLIENTS; start += 50) {
      const batch = users.slice(start, start + 50)
      await Promise.all(batch.map(async (user) => {
        const subscribed = next(user.sub, "subscribed", () => true, 30_000)
        user.client.connect()
        user.sub.subscribe()
        await subscribed
      }))
    }
  }, 120_000)

  afterAll(async () => {
    for (const user of users) user.client.disconnect()
    backend?.kill()
    await cluster?.stop()
    await redis?.stop()
  })

  /** Waits until every user got `count` publications of `phase` (bounded); returns the ones that did not. */
  const awaitPublications = async (phase: string, count: number) => {
    const deadline = Date.now() + 20_000
    const missing = () => users.filter((u) => new Set(u.received.get(phase) ?? []).size < count)
    while (missing().length > 0 && Date.now() < deadline) await sleep(100)
    return missing()
  }

  it("200 clients on both nodes connect with JWTs and subscribe user.{id}; a publication through node A reaches node B; RPCs are served by both workers", async () => {
    expect(users.filter((u) => u.client.state === "connected")).toHaveLength(CLIENTS)
    expect(users.filter((u) => u.sub.state === "subscribed")).toHaveLength(CLIENTS)
    const onB = users.filter((u) => u.node === 1)
    expect(onB).toHaveLength(CLIENTS / 2)

    // One broadcast through node A's server API to every user.{id}: subscribers on node B get it through Redis.
    const sent = await apiBroadcast(0, users.map((u) => `user.${u.id}`), { phase: "hello", seq: 1 })
    expect(sent.error).toBeUndefined()
    const missing = await awaitPublications("hello", 1)
    expect(missing.map((u) => u.id)).toEqual([])
    console.info(`node B clients that received node A's publication: ${onB.filter((u) => u.received.has("hello")).length}/${onB.length}`)

    // RPC rounds until both workers have served some (bounded): each connection stays on one worker for its age.
    const mark = backend!.output().length
    let answered = 0
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all(users.map((u) => u.client.rpc("ping", {})))
      answered += results.filter((r) => r.data === "pong").length
      if (backend!.rpcsPerWorker(mark).size === 2 && round >= 1) break
      await sleep(500)
    }
    // The workers' log lines reach this process through a pipe: wait for the last ones.
    const total = () => [...backend!.rpcsPerWorker(mark).values()].reduce((a, b) => a + b, 0)
    await expect.poll(total, { timeout: 10_000 }).toBe(answered)
    const perWorker = backend!.rpcsPerWorker(mark)
    console.info(`RPCs answered per worker: ${JSON.stringify(Object.fromEntries(perWorker))} (clients got ${answered} pongs)`)
    expect([...perWorker.keys()].sort()).toEqual([1, 2])
  }, 60_000)

  it("SIGKILL one worker under load: temporary failures are retried, the worker is replaced, every RPC is answered", async () => {
    const pids = backend!.workerPids()
    const victim = pids.get(1)!
    let issued = 0
    let killed = false
    // 200 clients x 5 sequential pings; the worker is killed once a third of them were issued.
    const results = await Promise.all(users.map(async (user) => {
      const out: Array<Awaited<ReturnType<typeof pingWithRetry>>> = []
      for (let i = 0; i < 5; i++) {
        issued++
        if (!killed && issued >= (CLIENTS * 5) / 3) {
          killed = true
          process.kill(victim, "SIGKILL")
        }
        out.push(await pingWithRetry(user))
        await sleep(50)
      }
      return out
    }))
    const all = results.flat()
    const answered = all.filter((r) => r.data === "pong").length
    const retried = all.filter((r) => r.errors.length > 0).length
    console.info(
      `worker SIGKILL: ${issued} RPCs issued, ${answered} answered "pong", ${retried} answered after retrying a temporary error (codes ${
        [...new Set(all.flatMap((r) => r.errors))].join(",") || "none"
      })`
    )
    expect(killed).toBe(true)
    expect(answered).toBe(issued)
    await expect.poll(() => backend!.output(), { timeout: 20_000 }).toMatch(
      new RegExp(`worker 1 \\(pid ${victim}\\) exited with signal SIGKILL; starting a new one in`)
    )
    await expect.poll(() => backend!.workerPids().get(1), { timeout: 20_000 }).not.toBe(victim)
  }, 90_000)

  it("restart node B under load: its clients reconnect to node A, recover user.{id}, and miss no publication", async () => {
    const onB = users.filter((u) => u.node === 1)
    expect(onB.length).toBeGreaterThan(0)
    const subscribedBefore = new Map(users.map((u) => [u.id, u.subscribed.length]))
    const channels = users.map((u) => `user.${u.id}`)
    const SENT = 20
    // Publications through node A every 100 ms; node B goes down after the 5th and comes back after the 12th (once
    // its clients have moved).
    for (let seq = 1; seq <= SENT; seq++) {
      const reply = await apiBroadcast(0, channels, { phase: "restart", seq })
      expect(reply.error).toBeUndefined()
      if (seq === 5) {
        lb.down.add(1)
        await cluster!.stopNode(1)
      }
      if (seq === 12) {
        // Node B comes back once its clients are all on node A (on a slow machine their reconnects take longer).
        const deadline = Date.now() + 20_000
        while (!onB.every((u) => u.client.state === "connected" && u.node === 0) && Date.now() < deadline) await sleep(100)
        await cluster!.startNode(1)
        lb.down.delete(1)
      }
      await sleep(100)
    }
    const missing = await awaitPublications("restart", SENT)
    const duplicates = users.reduce((n, u) => n + (u.received.get("restart")?.length ?? 0) - SENT, 0)
    const moved = onB.filter((u) => u.node === 0)
    const recovered = onB.filter((u) =>
      u.subscribed.slice(subscribedBefore.get(u.id)).some((s) => s.wasRecovering && s.recovered)
    )
    console.info(
      `node restart: ${SENT} publications sent to each of ${CLIENTS} clients; ${CLIENTS - missing.length} got all ${SENT}, ` +
        `${missing.length} missed some; ${duplicates} duplicates; ${moved.length}/${onB.length} node B clients moved to node A, ` +
        `${recovered.length} of them recovered their subscription from history`
    )
    expect(missing.map((u) => `${u.id}: ${JSON.stringify(u.received.get("restart"))}`)).toEqual([])
    expect(moved).toHaveLength(onB.length)
    expect(recovered).toHaveLength(onB.length)
    for (const user of users) expect([...new Set(user.received.get("restart"))].sort((a, b) => a - b)).toEqual(
      Array.from({ length: SENT }, (_, i) => i + 1)
    )
  }, 90_000)

  it("SIGTERM the whole backend under load: every call the workers started is answered, none is left without an answer", async () => {
    const mark = backend!.output().length
    let issued = 0
    let stopped = false
    const outcomes = await Promise.all(users.map(async (user) => {
      const out: Array<"pong" | number> = []
      for (let i = 0; i < 4; i++) {
        issued++
        if (!stopped && issued >= CLIENTS * 2) {
          stopped = true
          backend!.child.kill("SIGTERM")
        }
        // No retry here: the backend is going away for good; each call's first answer is what counts.
        out.push(
          await user.client.rpc("ping", {}).then((r) => (r.data === "pong" ? "pong" : -1), (e: RpcError) => e.code)
        )
        await sleep(30)
      }
      return out
    }))
    const all = outcomes.flat()
    const pongs = all.filter((o) => o === "pong").length
    const errors = all.filter((o) => o !== "pong")
    const code = await backend!.exited
    // After the exit: every line the workers wrote has come through the pipe.
    await sleep(100)
    const served = [...backend!.rpcsPerWorker(mark).values()].reduce((a, b) => a + b, 0)
    console.info(
      `backend SIGTERM: ${issued} RPCs issued, ${all.length} answered (${pongs} "pong", ${errors.length} errors: codes ${
        [...new Set(errors)].join(",") || "none"
      }), 0 unanswered; the workers served ${served} and clients received ${pongs} of them; exit code ${code}`
    )
    expect(stopped).toBe(true)
    expect(all).toHaveLength(issued)
    // Every error is Centrifugo's answer that the backend was unreachable, never the SDK's timeout (code 1).
    expect(errors.filter((e) => e !== 100)).toEqual([])
    // Each call a worker answered reached its client: none was cut off by the shutdown.
    expect(pongs).toBe(served)
    expect(code).toBe(0)
    expect(backend!.output()).toContain("all 2 workers stopped")
  }, 90_000)
})

// grpc.health.v1 Watch streams at scale: every watcher shares one readiness check per interval (not one each), and
// the number of watches is capped (RESOURCE_EXHAUSTED past it), so a crowd of watchers costs the process little.
import * as grpc from "@grpc/grpc-js"
import { Effect } from "effect"
import { EventEmitter } from "node:events"
import { describe, expect, it } from "vitest"
import * as Health from "../../src/grpc/health.ts"
import { liveness } from "../../src/ops/Health.ts"
import * as Readiness from "../../src/ops/Readiness.ts"

const PROXY = "centrifugal.centrifugo.proxy.CentrifugoProxy"

/** A server-streaming call as grpc-js hands it to the handler: what it was written, and how it ended. */
const fakeWatch = (health: Health.HealthService, service: string) => {
  const call = Object.assign(new EventEmitter(), {
    request: Buffer.from([0x0a, service.length, ...Buffer.from(service)]),
    cancelled: false,
    written: [] as Array<number>,
    ended: undefined as grpc.ServiceError | undefined,
    write(bytes: Buffer) {
      // The status is the message's only field: 0x08 <status>, or nothing for UNKNOWN.
      call.written.push(bytes.length === 0 ? 0 : bytes[1]!)
      return true
    }
  })
  call.on("error", (error: grpc.ServiceError) => (call.ended = error))
  const watch = health.implementation.Watch as grpc.handleServerStreamingCall<Buffer, Buffer>
  watch(call as unknown as grpc.ServerWritableStream<Buffer, Buffer>)
  return {
    call,
    cancel: () => {
      call.cancelled = true
      call.emit("cancelled")
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const setup = (maxWatches?: number) => {
  let runs = 0
  const readiness = Readiness.make({ check: Effect.sync(() => void runs++) })
  const health = Health.make({
    readiness,
    services: [PROXY],
    run: (effect) => Effect.runFork(effect),
    watchInterval: "50 millis",
    ...(maxWatches === undefined ? {} : { maxWatches })
  })
  return { readiness, health, runs: () => runs }
}

describe("grpc.health.v1 Watch", () => {
  it("50 watchers share one readiness check per interval, and all hear a drain at once", async () => {
    const { health, readiness, runs } = setup()
    const watches = Array.from({ length: 50 }, (_, i) => fakeWatch(health, i % 2 === 0 ? "" : PROXY))
    await sleep(500)
    // About one check per 50 ms interval (10 in 500 ms), not one per watcher per interval (500).
    expect(runs()).toBeLessThanOrEqual(20)
    expect(watches.every((w) => w.call.written.length === 1 && w.call.written[0] === Health.ServingStatus.SERVING))
      .toBe(true)
    await Effect.runPromise(readiness.drain)
    await sleep(20)
    expect(watches.every((w) => w.call.written.at(-1) === Health.ServingStatus.NOT_SERVING)).toBe(true)
    health.close()
    await sleep(10)
    expect(watches.every((w) => w.call.ended?.code === grpc.status.UNAVAILABLE)).toBe(true)
  })

  it("liveness and unknown names are answered without running the check", async () => {
    const { health, runs } = setup()
    const live = fakeWatch(health, liveness)
    const unknown = fakeWatch(health, "no.such.Service")
    await sleep(200)
    expect(live.call.written).toEqual([Health.ServingStatus.SERVING])
    expect(unknown.call.written).toEqual([Health.ServingStatus.SERVICE_UNKNOWN])
    expect(runs()).toBe(0)
    health.close()
  })

  it("watches over maxWatches are refused with RESOURCE_EXHAUSTED; a slot freed is taken again", async () => {
    const { health } = setup(3)
    const open = [fakeWatch(health, ""), fakeWatch(health, ""), fakeWatch(health, PROXY)]
    const refused = fakeWatch(health, "")
    await sleep(20)
    expect(refused.call.ended?.code).toBe(grpc.status.RESOURCE_EXHAUSTED)
    expect(open.every((w) => w.call.ended === undefined)).toBe(true)
    open[0]!.cancel()
    await sleep(20)
    const again = fakeWatch(health, "")
    await sleep(100)
    expect(again.call.ended).toBeUndefined()
    expect(again.call.written).toEqual([Health.ServingStatus.SERVING])
    health.close()
  })
})

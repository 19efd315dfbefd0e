// Issue 15 on the HTTP transport: the standalone HttpProxy serves /healthz and /readyz beside the proxy routes, and
// its shutdown flips the shared Readiness first (so /readyz and the gRPC health turn "not ready" everywhere) while
// in-flight proxy calls are still being answered.
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { expect, it } from "vitest"
import { HandlerSet, HttpProxy, Readiness, Reply } from "../../src/index.ts"
import { HttpProxyClient } from "../../src/testing/index.ts"

it("GET /healthz and /readyz on the HTTP transport; its drain makes the shared Readiness not ready first", async () => {
  const readiness = Readiness.make()
  const handlers = HandlerSet.layer({
    rpc: (request) =>
      request.method === "slow"
        ? Effect.sleep("500 millis").pipe(
          Effect.andThen(Effect.sync(() => Reply.rpc({ data: { drainingWhileAnswering: readiness.isDraining() } })))
        )
        : Effect.succeed(Reply.rpc({ data: "ok" }))
  })
  const scope = Scope.makeUnsafe()
  const context = await Effect.runPromise(Layer.buildWithScope(
    HttpProxy.layer({ host: "127.0.0.1", port: 0 }).pipe(
      Layer.provide(handlers),
      Layer.provide(Layer.succeed(Readiness.Readiness, readiness))
    ),
    scope
  ))
  const { url } = Context.get(context, HttpProxy.HttpProxy)
  const get = (path: string) => fetch(`${url}${path}`).then(async (r) => ({ status: r.status, body: await r.text() }))
  expect(await get("/healthz")).toMatchObject({ status: 200 })
  expect(await get("/readyz")).toMatchObject({ status: 200 })

  const slow = HttpProxyClient.make(url).rpc({ client: "c", user: "", method: "slow" })
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(readiness.isDraining()).toBe(false)
  const stopped = Effect.runPromise(Scope.close(scope, Exit.void))
  // The in-flight call is still answered, and it already saw the process as not ready.
  expect((await slow).json?.result).toEqual({ data: { drainingWhileAnswering: true } })
  await stopped
  expect(readiness.isDraining()).toBe(true)
})

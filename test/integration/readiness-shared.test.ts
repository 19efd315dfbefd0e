// One Readiness for every server: each server (gRPC, HTTP, admin) uses the one in context or a private one, and
// Main.withReadiness (what Main.run and Workers.run launch) gives them one to share.
import { Context, Effect, Layer } from "effect"
import { expect, it } from "vitest"
import { Admin, HandlerSet, HttpProxy, Main, Readiness } from "../../src/index.ts"

const handlers = HandlerSet.layer({})

const servers = Layer.mergeAll(
  HttpProxy.layer({ host: "127.0.0.1", port: 0 }).pipe(Layer.provide(handlers)),
  // Admin.layer needs no Readiness, as the proxy servers do not.
  Admin.layer({ host: "127.0.0.1", port: 0 })
)

type Servers = Layer.Layer<HttpProxy.HttpProxy | Admin.AdminServer, unknown>

/** The servers' /readyz answers after draining the Readiness that `wrap` gives them to share (if it gives one). */
const readyAfterDrain = (wrap: (layer: Servers) => Servers) =>
  Effect.runPromise(
    Effect.scoped(Effect.gen(function*() {
      let shared: Readiness.Readiness | undefined
      const spy = Layer.effectDiscard(Effect.map(Effect.serviceOption(Readiness.Readiness), (found) => {
        if (found._tag === "Some") shared = found.value
      }))
      const context = yield* Layer.build(wrap(Layer.merge(servers, spy)))
      const urls = [Context.get(context, HttpProxy.HttpProxy).url, Context.get(context, Admin.AdminServer).url]
      const before = yield* Effect.promise(() => Promise.all(urls.map((url) => fetch(`${url}/readyz`).then((r) => r.status))))
      if (shared !== undefined) yield* shared.drain
      const after = yield* Effect.promise(() => Promise.all(urls.map((url) => fetch(`${url}/readyz`).then((r) => r.status))))
      return { before, after, shared: shared !== undefined }
    }))
  )

it("Main.withReadiness: a drain turns every server's /readyz 503", async () => {
  expect(await readyAfterDrain(Main.withReadiness)).toEqual({ before: [200, 200], after: [503, 503], shared: true })
})

it("without a Readiness in context each server keeps a private one and starts ready", async () => {
  expect(await readyAfterDrain((layer) => layer)).toEqual({ before: [200, 200], after: [200, 200], shared: false })
})

/**
 * The HTTP probes, as an `effect/http` route Layer any server can mount (the admin server does; so can the HTTP
 * transport):
 * - `GET /healthz` (liveness): `200 ok` whenever the process answers: a drain or a failing readiness check does not
 *   make it fail, so Kubernetes does not restart a pod that is merely shutting down or waiting for its database;
 * - `GET /readyz` (readiness): `200 ready`, or `503` with the reason (`draining`, or the readiness check's failure)
 *   from the moment a server sharing the `Readiness` starts its drain.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import { Readiness } from "./Readiness.ts"

/**
 * The path of the liveness probe: `/healthz`.
 *
 * @since 0.1.0
 * @category constants
 */
export const livePath = "/healthz"
/**
 * The path of the readiness probe: `/readyz`.
 *
 * @since 0.1.0
 * @category constants
 */
export const readyPath = "/readyz"

/**
 * `/healthz` and `/readyz` on the router, answering from the `Readiness` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const routes: Layer.Layer<never, never, HttpRouter.HttpRouter | Readiness> = Layer.effectDiscard(
  Effect.gen(function*() {
    const router = yield* HttpRouter.HttpRouter
    const readiness = yield* Readiness
    yield* router.add("GET", livePath, Effect.succeed(HttpServerResponse.text("ok")))
    yield* router.add(
      "GET",
      readyPath,
      Effect.map(readiness.status, (status) =>
        status.ready
          ? HttpServerResponse.text("ready")
          : HttpServerResponse.text(`not ready: ${status.reason ?? "unknown"}`, { status: 503 }))
    )
  })
)

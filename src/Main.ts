/**
 * Running a server Layer as the process's main program.
 *
 * ```ts
 * import { Layer } from "effect"
 * import { type HandlerSet, Main, ProxyServer } from "effect-centrifugo"
 *
 * declare const AppHandlers: Layer.Layer<HandlerSet.HandlerSet>
 *
 * Main.run(ProxyServer.layerConfig().pipe(Layer.provide(AppHandlers)))
 * ```
 *
 * is `Layer.launch(Main.withReadiness(layer)).pipe(NodeRuntime.runMain({ teardown: Main.teardown }))`: every server
 * in the Layer shares one `Readiness` (a drain of one turns every probe not ready), SIGTERM or SIGINT closes the
 * Layer's scope (the servers stop accepting calls and drain in-flight ones), and the process then exits **0**, as a
 * clean shutdown should (Kubernetes and systemd read a non-zero code as a crash). Effect's default teardown exits
 * 130 for any interrupted main, SIGTERM included. A Layer that fails to build, or a defect, still exits 1.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as Readiness from "./ops/Readiness.ts"

/**
 * Exit code 0 when the main program ended by interruption alone (a signal asked it to stop and it drained);
 * otherwise Effect's default (1 for failures and defects).
 *
 * @since 0.1.0
 * @category running
 */
export const teardown: Runtime.Teardown = (exit, onExit) => {
  if (Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)) return onExit(0)
  Runtime.defaultTeardown(exit, onExit)
}

/**
 * Nothing when the Layer needs no more services; otherwise a member no Layer has, whose type names the services
 * still missing, so the compiler error on `Main.run(...)` / `Workers.run(...)` says which ones to provide.
 *
 * @since 0.1.0
 * @category models
 */
export type ProvideMissing<R> = [R] extends [never] ? unknown
  : { readonly "these services are not provided yet (Layer.provide them to the Layer you run)": R }

/**
 * Launches `layer` (a server and what it needs) as the main program, with `teardown`.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { HandlerSet, HttpProxy, Main, ProxyServer, Reply } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "" })) })
 *
 * // Both transports, from PROXY_* environment variables; SIGTERM drains both and the process exits 0.
 * Main.run(Layer.mergeAll(ProxyServer.layerConfig(), HttpProxy.layerConfig()).pipe(Layer.provide(MyHandlers)))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = <A, E, R>(layer: Layer.Layer<A, E, R> & ProvideMissing<R>): void =>
  Layer.launch(withReadiness(layer as Layer.Layer<A, E>)).pipe(NodeRuntime.runMain({ teardown }))

/**
 * `layer` with one `Readiness` shared by every server in it (the servers fall back to a private one each, so without
 * this a drain of one would not turn the others' probes not ready). A `Readiness` the layer provides itself wins.
 *
 * @since 0.1.0
 * @category running
 */
export const withReadiness = <A, E>(layer: Layer.Layer<A, E>): Layer.Layer<A, E> =>
  Layer.provide(layer, Readiness.layer())

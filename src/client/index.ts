/**
 * effect-centrifugo/client: the browser side of the contract. No Node import, no gRPC: it runs wherever the
 * `centrifuge` SDK runs (browsers, Node, workers, React Native), and a bundler keeps only what you import.
 *
 * - `CentrifugeRpc`: an `effect/rpc` client protocol over centrifuge-js `rpc()` (`RpcClient.make(group)` gives the
 *   typed Effect client), and a Promise facade for frontends without Effect.
 *
 * @since 0.1.0
 */
export * as CentrifugeRpc from "./CentrifugeRpc.ts"

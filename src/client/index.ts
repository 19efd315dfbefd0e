/**
 * effect-centrifugo/client: the browser side of the contract. No Node import, no gRPC: it runs wherever the
 * `centrifuge` SDK runs (browsers, Node, workers, React Native), and a bundler keeps only what you import.
 *
 * - `CentrifugeRpc`: an `effect/rpc` client protocol over centrifuge-js `rpc()` (`RpcClient.make(group)` gives the
 *   typed Effect client), and a Promise facade for frontends without Effect.
 * - `Channel`: channel families as values (pattern, publication Schema), the same module the backend uses.
 * - `Publications`: typed subscriptions (each publication decoded with the channel's Schema) and typed publish.
 *
 * @since 0.1.0
 */
export * as CentrifugeRpc from "./CentrifugeRpc.ts"
export * as Channel from "../contract/Channel.ts"
export * as Publications from "./Publications.ts"

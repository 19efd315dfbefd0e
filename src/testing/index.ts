/**
 * effect-centrifugo/testing: build requests, run handlers as the server does, mock services, call a server like
 * Centrifugo does, run a real Centrifugo.
 *
 * @since 0.1.0
 */
export * as Centrifugo from "./Centrifugo.ts"
export * as CentrifugoCluster from "./CentrifugoCluster.ts"
export * as CentrifugoApiMemory from "./CentrifugoApiMemory.ts"
export { type Connection, ConnectionRefusedError, establish } from "./connection.ts"
export { handle, type HandledReply, type Readable, type ResultByTag, type ResultOf } from "./handle.ts"
export * as HttpProxyClient from "./HttpProxyClient.ts"
export * as Mocks from "./mocks.ts"
export * as ProxyClient from "./ProxyClient.ts"
export * from "./requests.ts"
export * as TestServer from "./TestServer.ts"

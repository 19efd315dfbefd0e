/**
 * The typed part of the browser demo: the news RPCs (examples/news-rpcs.ts) called through
 * `effect-centrifugo/client`. examples/web/bundle.ts bundles this file with esbuild, from the installed packages,
 * into the script the page loads (`/client.js`, the global `DemoClient`); app.js stays plain JavaScript.
 */
import { CentrifugeRpc } from "effect-centrifugo/client"
import { NewsRpcs } from "../news-rpcs.ts"

/** The news RPCs as Promises: resolved with the decoded success, rejected with the declared failure or an error. */
export const newsClient = (centrifuge: CentrifugeRpc.RpcCaller) => CentrifugeRpc.promiseClient(NewsRpcs, centrifuge)

/** The code and message of an error Centrifugo or the backend answered, if that is what `error` is. */
export const errorOf = CentrifugeRpc.errorOf

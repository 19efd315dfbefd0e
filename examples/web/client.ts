/**
 * The typed part of the browser demo: the news RPCs (examples/contract.ts) called through
 * `effect-centrifugo/client`. examples/web/bundle.ts bundles this file with esbuild, from the installed packages,
 * into the script the page loads (`/client.js`, the global `DemoClient`); app.js stays plain JavaScript.
 */
import { CentrifugeRpc, Publications } from "effect-centrifugo/client"
import { ChatRoom, NewsRpcs } from "../contract.ts"

/** The news RPCs as Promises: resolved with the decoded success, rejected with the declared failure or an error. */
export const newsClient = (centrifuge: CentrifugeRpc.RpcCaller) => CentrifugeRpc.promiseClient(NewsRpcs, centrifuge)

/** The code and message of an error Centrifugo or the backend answered, if that is what `error` is. */
export const errorOf = CentrifugeRpc.errorOf

/** A chat room's publications, decoded with the contract's ChatMessage: a message that does not fit goes to onError. */
export const listenRoom = (
  subscription: Publications.SubscriptionLike,
  listeners: Publications.Listeners<typeof ChatRoom.publication.Type>
) => Publications.listen(subscription, ChatRoom, listeners)

/** Publishes a chat message, checked against the contract first: an empty one never leaves the page. */
export const say = (subscription: Publications.SubscriptionLike, text: string) =>
  Publications.publish(subscription, ChatRoom, { text })

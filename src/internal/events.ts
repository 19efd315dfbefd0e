/**
 * The unary proxy events as the core sees them, whatever the transport: which handler answers a request (by its
 * `_tag`), and whether the event's reply can carry an error that Centrifugo acts on.
 *
 * Refresh and sub-refresh replies have error fields that Centrifugo ignores (it would end the session on a reply
 * without a result), and cache-empty notifications have none: a failure there is answered with a transport-level
 * failure instead (gRPC INTERNAL, HTTP 500), which Centrifugo treats as "try again later" (refresh: extend by 60 s).
 *
 * @since 0.1.0
 */
import type { EventName } from "../HandlerSet.ts"
import type { ProxyRequest } from "../ProxyRequest.ts"

export interface UnaryEvent {
  /** The request's `_tag` (also the gRPC method name). */
  readonly tag: ProxyRequest["_tag"]
  /** The key of the handler that answers it in `HandlerSet.layer({...})`. */
  readonly event: EventName
  /** The reply has an error field Centrifugo reads: failures are answered as error replies. */
  readonly answersErrors: boolean
}

const event = (tag: ProxyRequest["_tag"], name: EventName, answersErrors: boolean): UnaryEvent => ({
  tag,
  event: name,
  answersErrors
})

export const unaryEvents: ReadonlyArray<UnaryEvent> = [
  event("Connect", "connect", true),
  event("Refresh", "refresh", false),
  event("Subscribe", "subscribe", true),
  event("Publish", "publish", true),
  event("RPC", "rpc", true),
  event("SubRefresh", "subRefresh", false),
  event("MapPublish", "mapPublish", true),
  event("MapRemove", "mapRemove", true),
  event("SharedPollRefresh", "sharedPollRefresh", true),
  event("NotifyCacheEmpty", "notifyCacheEmpty", false),
  event("NotifyChannelState", "notifyChannelState", true)
]

const byTag = new Map<string, UnaryEvent>(unaryEvents.map((e) => [e.tag, e]))

/** The event of a request tag. */
export const eventOfTag = (tag: ProxyRequest["_tag"]): UnaryEvent => byTag.get(tag)!

/** The message for a call whose event has no handler; both transports answer it (UNIMPLEMENTED / HTTP 501). */
export const noHandlerMessage = (event: EventName): string =>
  `no \`${event}\` handler: add one to HandlerSet.layer({ ... }) or remove this proxy from Centrifugo's config`

/**
 * Session refresh: Centrifugo asks when a connection's `expireAt` passes. Users that still have a valid session
 * get another hour; the example has no session store, so every non-anonymous user does.
 */
import { Clock, Effect } from "effect"
import { Reply, type ProxyRequest } from "effect-centrifugo"

export const refresh = (request: ProxyRequest.RefreshRequest) =>
  Effect.map(Clock.currentTimeMillis, (now) =>
    request.user === ""
      ? Reply.refresh({ expired: true })
      : Reply.refresh({ expireAt: Math.floor(now / 1000) + 3600 }))

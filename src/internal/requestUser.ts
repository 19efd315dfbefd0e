/**
 * The user of a channel request with the token's claims, for rules that decide by claims (ChannelRouter,
 * TopicRegistry): the `Auth.CurrentUser` an interceptor provided, else the user `Auth.authenticate` keeps in the
 * connection meta, else the request's user with no claims.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Auth from "../Auth.ts"
import type { PublishRequest, SubRefreshRequest, SubscribeRequest } from "../ProxyRequest.ts"

export const requestUser = (
  request: SubscribeRequest | PublishRequest | SubRefreshRequest
): Effect.Effect<Auth.CurrentUser> =>
  Effect.map(
    Effect.serviceOption(Auth.CurrentUser),
    (provided) =>
      Option.isSome(provided) ? provided.value : Auth.userFromMeta(request) ?? { id: request.user, claims: {} }
  )

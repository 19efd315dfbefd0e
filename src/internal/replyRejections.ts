/**
 * Rejections (`Reply.error`, `Reply.disconnect`), Centrifugo's built-in codes, and the mark every reply carries: the
 * first part of the public `Reply` module (src/Reply.ts re-exports what users need).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import { utf8Length } from "./utf8.ts"

/** The mark of every value built by `Reply`'s constructors. */
export const ReplyTypeId: unique symbol = Symbol.for("effect-centrifugo/Reply")
export type ReplyTypeId = typeof ReplyTypeId


/**
 * Centrifugo's built-in error codes (0-399 are reserved for Centrifugo; these are the ones it defines).
 *
 * @since 0.1.0
 * @category constants
 */
export const ErrorCode = {
  Internal: 100,
  Unauthorized: 101,
  UnknownChannel: 102,
  PermissionDenied: 103,
  MethodNotFound: 104,
  AlreadySubscribed: 105,
  LimitExceeded: 106,
  BadRequest: 107,
  NotAvailable: 108,
  TokenExpired: 109,
  Expired: 110,
  TooManyRequests: 111,
  UnrecoverablePosition: 112
} as const

/**
 * Centrifugo's built-in disconnect codes (3000-3499 reconnect, 3500-3999 do not).
 *
 * @since 0.1.0
 * @category constants
 */
export const DisconnectCode = {
  ConnectionClosed: 3000,
  Shutdown: 3001,
  ServerError: 3004,
  Expired: 3005,
  SubExpired: 3006,
  Slow: 3008,
  WriteError: 3009,
  InsufficientState: 3010,
  ForceReconnect: 3011,
  NoPong: 3012,
  TooManyRequests: 3013,
  StateInvalidated: 3014,
  InvalidToken: 3500,
  BadRequest: 3501,
  Stale: 3502,
  ForceNoReconnect: 3503,
  ConnectionLimit: 3504,
  ChannelLimit: 3505,
  InappropriateProtocol: 3506,
  PermissionDenied: 3507,
  NotAvailable: 3508,
  TooManyErrors: 3509
} as const

const builtInErrorCodes: ReadonlySet<number> = new Set(Object.values(ErrorCode))
const builtInDisconnectCodes: ReadonlySet<number> = new Set(Object.values(DisconnectCode))

/** A WebSocket close frame carries at most 123 bytes of reason; Centrifugo's docs ask for 32 ASCII bytes. */
const MAX_DISCONNECT_REASON_BYTES = 123

// ---------------------------------------------------------------------------------------------------------------
// Rejections
// ---------------------------------------------------------------------------------------------------------------

/**
 * Rejects one command; the connection stays. Also an Effect failing with itself: `return yield* Reply.error(...)`.
 *
 * @since 0.1.0
 * @category errors
 */
export interface ErrorReply extends Effect.Effect<never, ErrorReply> {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "ErrorReply"
  readonly code: number
  readonly message: string
  /** Client SDKs retry temporary errors (resubscribe, reconnect). */
  readonly temporary: boolean
}

/**
 * Closes the whole connection. Also an Effect failing with itself: `return yield* Reply.disconnect(...)`.
 *
 * @since 0.1.0
 * @category errors
 */
export interface DisconnectReply extends Effect.Effect<never, DisconnectReply> {
  readonly [ReplyTypeId]: ReplyTypeId
  readonly _tag: "DisconnectReply"
  readonly code: number
  readonly reason: string
}

/**
 * A reply usable as a typed failure: `Effect.fail(Reply.error(...))`, or `yield*` it.
 *
 * @since 0.1.0
 * @category errors
 */
export type Rejection = ErrorReply | DisconnectReply

const rejectionFields = (value: Rejection): Record<string, unknown> =>
  value._tag === "ErrorReply"
    ? { _tag: value._tag, code: value.code, message: value.message, temporary: value.temporary }
    : { _tag: value._tag, code: value.code, reason: value.reason }

// Rejections are plain data with an Effect prototype (no classes): evaluating one fails with itself, so it can be
// yielded in Effect.gen. The Effect prototype's own printing is replaced so logs and JSON show the reply's fields.
const RejectionProto: object = Object.assign(
  Object.create(
    Effectable.Prototype<Effect.Effect<never, Rejection>>({
      label: "Rejection",
      evaluate() {
        return Effect.fail(this as unknown as Rejection)
      }
    })
  ),
  {
    toJSON(this: Rejection) {
      return rejectionFields(this)
    },
    toString(this: Rejection) {
      return this._tag === "ErrorReply"
        ? `ErrorReply(${this.code}: ${this.message}${this.temporary ? ", temporary" : ""})`
        : `DisconnectReply(${this.code}: ${this.reason})`
    },
    [Symbol.for("nodejs.util.inspect.custom")](this: Rejection) {
      return rejectionFields(this)
    }
  }
)

const rejection = <A extends Rejection>(fields: Omit<A, keyof Effect.Effect<never, A> | ReplyTypeId>): A =>
  Object.assign(Object.create(RejectionProto), fields, { [ReplyTypeId]: ReplyTypeId }) as A

/**
 * Rejects the command with an error. `code` must be a custom code in 400-1999 or one of `ErrorCode`.
 * @throws RangeError for any other code.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 *
 * const MyHandlers = HandlerSet.layer({
 *   publish: (request) =>
 *     Effect.gen(function*() {
 *       if (request.channel.startsWith("readonly:")) return yield* Reply.error(403, "read-only channel")
 *       return Reply.publish()
 *     })
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const error = (code: number, message: string, temporary = false): ErrorReply => {
  if (!Number.isInteger(code) || !((code >= 400 && code <= 1999) || builtInErrorCodes.has(code))) {
    throw new RangeError(
      `Reply.error: code ${code} is not allowed. Use a custom code in 400-1999, or one of Centrifugo's built-in codes ` +
        `(ErrorCode: 100-112). Codes 0-399 are reserved by Centrifugo.`
    )
  }
  return rejection<ErrorReply>({ _tag: "ErrorReply", code, message, temporary })
}

/**
 * Closes the connection. `code` must be a custom code in 4000-4999 (4000-4499: the client reconnects,
 * 4500-4999: it does not) or one of `DisconnectCode`.
 * @throws RangeError for any other code, or a reason longer than a WebSocket close frame allows (123 bytes).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HandlerSet, Reply } from "effect-centrifugo"
 *
 * declare const isBanned: (user: string) => Effect.Effect<boolean>
 *
 * const MyHandlers = HandlerSet.layer({
 *   rpc: (request) =>
 *     Effect.gen(function*() {
 *       if (yield* isBanned(request.user)) return yield* Reply.disconnect(4001, "banned")
 *       return Reply.rpc({ data: "ok" })
 *     })
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const disconnect = (code: number, reason: string): DisconnectReply => {
  if (!Number.isInteger(code) || !((code >= 4000 && code <= 4999) || builtInDisconnectCodes.has(code))) {
    throw new RangeError(
      `Reply.disconnect: code ${code} is not allowed. Use a custom code in 4000-4999 (4000-4499 reconnect, ` +
        `4500-4999 do not), or one of Centrifugo's built-in codes (DisconnectCode: 3000-3509).`
    )
  }
  const reasonBytes = utf8Length(reason)
  if (reasonBytes > MAX_DISCONNECT_REASON_BYTES) {
    throw new RangeError(
      `Reply.disconnect: reason is ${reasonBytes} bytes; a WebSocket close frame carries at ` +
        `most ${MAX_DISCONNECT_REASON_BYTES} (Centrifugo recommends 32 ASCII bytes).`
    )
  }
  return rejection<DisconnectReply>({ _tag: "DisconnectReply", code, reason })
}

/** True for any value built by `Reply`'s constructors (a result or a rejection). */
export const isReply = (value: unknown): value is { readonly _tag: string } =>
  typeof value === "object" && value !== null && (value as ErrorReply)[ReplyTypeId] === ReplyTypeId

/**
 * True for `Reply.error(...)` and `Reply.disconnect(...)` values, e.g. found in a handler's failure channel.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRejection = (value: unknown): value is Rejection =>
  isReply(value) && (value._tag === "ErrorReply" || value._tag === "DisconnectReply")

/**
 * The check the pipeline makes before any codec encodes a reply: a handler written in JavaScript (or cast) may answer
 * another event's reply, which no wire form can carry. The TypeError becomes the failure reply and a log line.
 *
 * @since 0.1.0
 */

const describe = (value: unknown): string =>
  typeof value === "object" && value !== null && "_tag" in value ? String(value._tag) : `a ${typeof value}`

/** Throws a TypeError naming the event and what it answered unless `reply` is `expected` (or a rejection). */
export const expectTag = (
  event: string,
  reply: { readonly _tag?: unknown } | undefined,
  expected: string,
  rejections: boolean
): void => {
  const tag = reply?._tag
  if (tag === expected || (rejections && (tag === "ErrorReply" || tag === "DisconnectReply"))) return
  throw new TypeError(
    `the ${event} handler answered ${describe(reply)}; expected a ${expected}` +
      (rejections ? " or Reply.error / Reply.disconnect" : "")
  )
}

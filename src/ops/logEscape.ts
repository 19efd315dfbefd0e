/**
 * Every log line safe from the text it carries: a logger wrapper that escapes control characters (`\n`, `\u001b`,
 * C1 controls, U+2028/9) in what a line is made of (messages, annotation values, the messages of the errors in its
 * cause) before the format sees them. Client text is already escaped where the library logs it; this makes it true
 * of every line, a handler's own `Effect.log(request.channel)` included, in every format.
 *
 * What stays: the newlines that lay out a cause's stack in the pretty format (each line indented under its entry,
 * so none of them can pass for an entry of its own).
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import type * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as References from "effect/References"
import { escapeControls } from "../internal/logText.ts"

// The same set as logText's CONTROL, tested without the g flag.
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

const escapeValue = (value: unknown): unknown =>
  typeof value === "string" && HAS_CONTROL.test(value) ? escapeControls(value) : value

/** An error like `error` whose message (and the message at the head of its stack) is escaped. */
const escapeError = (error: Error): Error => {
  if (!HAS_CONTROL.test(error.message)) return error
  const message = escapeControls(error.message)
  const copy: Error = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error)
  const stack = error.stack?.replace(error.message, message)
  Object.defineProperties(copy, {
    message: { value: message, writable: true, configurable: true },
    stack: { value: stack, writable: true, configurable: true }
  })
  return copy
}

const escapeDefect = (value: unknown): unknown => value instanceof Error ? escapeError(value) : escapeValue(value)

const escapeCause = (cause: Cause.Cause<unknown>): Cause.Cause<unknown> => {
  if (cause.reasons.length === 0) return cause
  return Cause.fromReasons(cause.reasons.map((reason) =>
    Cause.isFailReason(reason)
      ? Cause.makeFailReason(escapeDefect(reason.error))
      : Cause.isDieReason(reason)
      ? Cause.makeDieReason(escapeDefect(reason.defect))
      : reason
  ))
}

/** The fiber as the logger sees it: its annotations escaped (formats read them with `fiber.getRef`). */
const escapeFiber = (fiber: Fiber.Fiber<unknown, unknown>): Fiber.Fiber<unknown, unknown> => {
  const annotations = fiber.getRef(References.CurrentLogAnnotations)
  let escaped: Record<string, unknown> | undefined
  for (const key in annotations) {
    const value = annotations[key]
    const safe = escapeValue(value)
    if (safe !== value) (escaped ??= { ...annotations })[key] = safe
  }
  if (escaped === undefined) return fiber
  // A view of the fiber (its prototype), whose context differs only in the annotations.
  return Object.create(fiber, {
    context: { value: Context.add(fiber.context, References.CurrentLogAnnotations, escaped) }
  }) as Fiber.Fiber<unknown, unknown>
}

/**
 * `logger` fed only escaped text: what `Logging.layer` does to every format, for a logger of your own.
 *
 * @since 0.1.0
 * @category loggers
 */
export const escaping = <Output>(logger: Logger.Logger<unknown, Output>): Logger.Logger<unknown, Output> =>
  Logger.make((options) =>
    logger.log({
      ...options,
      message: Array.isArray(options.message) ? options.message.map(escapeValue) : escapeValue(options.message),
      cause: escapeCause(options.cause),
      fiber: escapeFiber(options.fiber)
    })
  )

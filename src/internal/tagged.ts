/**
 * The library's one error convention. Every error is a tagged value whose tag ends in `Error`, built by a function
 * of the same name (`ProxyServerError({ message, cause })`), and is:
 * - yieldable: `return yield* TokenRejectedError({ ... })` fails with it, and `Effect.catchTag` finds it;
 * - an `Error` named after its tag, so `String(error)` is `Tag: message` and `Cause.pretty` and loggers print
 *   `Tag: message`, its stack and its cause.
 * Built on `Data.TaggedError` (Effect's own tagged error), without a class declaration of ours.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"

/** What every library error is: see the module doc. */
export interface TaggedError<Tag extends string> extends Cause.YieldableError {
  readonly _tag: Tag
}

/** The fields a constructor takes: the error's own fields, its message and (optionally) its cause. */
export type ErrorFields<A> =
  & { readonly [K in Exclude<keyof A, keyof Cause.YieldableError | "_tag">]: A[K] }
  & { readonly message: string; readonly cause?: unknown }

/** The constructor of the error type `A`, tagged `tag`. */
export const taggedError = <A extends TaggedError<string>>(tag: A["_tag"]): (fields: ErrorFields<A>) => A => {
  // The fields are checked by `ErrorFields<A>` above; Data's constructor is typed per subclass, which we do not declare.
  const Base = Data.TaggedError(tag) as unknown as new(fields: object) => A
  return (fields) => {
    // An absent cause stays absent (no `cause: undefined` field in equality, JSON or the printed error).
    if (fields.cause !== undefined || !("cause" in fields)) return new Base(fields)
    const { cause: _, ...rest } = fields
    return new Base(rest)
  }
}

/**
 * Tagged failure values that print like errors: a non-enumerable `name` equal to the `_tag`, so `Cause.pretty` and
 * loggers show `TokenRejected: token expired` instead of `Error: token expired`, while equality in tests
 * (`toEqual({ _tag, ... })`) and `JSON.stringify` still see only the value's own fields.
 *
 * @since 0.1.0
 */
export const named = <A extends { readonly _tag: string }>(value: A): A =>
  Object.defineProperty(value, "name", { value: value._tag, enumerable: false, configurable: true })

/**
 * The one "is this a JSON object" check: an object, not null, not an array.
 *
 * @since 0.1.0
 */

/** An object whose keys can be read as fields (not null, not an array); typed arrays pass too: check them first. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

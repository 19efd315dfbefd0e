/**
 * Is a value JSON as it is (what `JSON.stringify` writes without changing it), and if not, where and why. For RPC
 * results (`RpcRouter`) and channel publications (`Channel.encode`): a `Map`, a `Date`, a class instance, a
 * `bigint`, a non-finite number or a cycle would otherwise be turned into `{}`, a string, `null` or an exception by
 * `JSON.stringify`, far from where it was made. Imports nothing: the browser entry uses it too.
 *
 * @since 0.1.0
 */

/** Objects the caller writes in a form of its own (RpcRouter: `Payload.binary` and `Payload.rawJson`). */
export type Allowed = (value: object) => boolean

const none: Allowed = () => false

const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/**
 * `notJson(value) === undefined`, without building a path string per node: the check every answer takes. Only a
 * value that fails it is walked again by `notJson` to say where and why.
 */
export const isJson = (value: unknown, allowed: Allowed = none, ancestors: Array<object> = []): boolean => {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return true
    case "number":
      return Number.isFinite(value)
    case "object":
      break
    default:
      return false
  }
  if (value === null || allowed(value)) return true
  if (ancestors.includes(value) || !(Array.isArray(value) || isPlainObject(value))) return false
  ancestors.push(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isJson(value[i], allowed, ancestors)) return false
  } else {
    for (const key in value) {
      if (Object.hasOwn(value, key) && !isJson((value as Record<string, unknown>)[key], allowed, ancestors)) return false
    }
  }
  ancestors.pop()
  return true
}

/** Where `value` stops being JSON as it is, and why; `undefined` when it is JSON. */
export const notJson = (
  value: unknown,
  path: string,
  allowed: Allowed = none,
  seen: Set<object> = new Set()
): { readonly path: string; readonly what: string } | undefined => {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return undefined
    case "number":
      return Number.isFinite(value) ? undefined : { path, what: `the number ${value}` }
    case "bigint":
      return { path, what: `the bigint ${value}` }
    case "function":
      return { path, what: "a function" }
    case "symbol":
      return { path, what: "a symbol" }
  }
  if (value === null || allowed(value as object)) return undefined
  const object = value as object
  if (seen.has(object)) return { path, what: "a circular reference" }
  if (!Array.isArray(object) && !isPlainObject(object)) {
    return { path, what: `a ${object.constructor?.name ?? "non-plain"} object` }
  }
  seen.add(object)
  const entries: Array<[string, unknown]> = Array.isArray(object)
    ? object.map((item, index) => [`${path}[${index}]`, item])
    : Object.entries(object).map(([key, item]) => [`${path}.${key}`, item])
  for (const [itemPath, item] of entries) {
    const found = notJson(item, itemPath, allowed, seen)
    if (found !== undefined) return found
  }
  seen.delete(object)
  return undefined
}

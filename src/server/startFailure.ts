/**
 * Why a server could not start (it cannot bind, or its options are unsafe or invalid), before each server's public
 * module gives it its own error type (`ProxyServerError`, `HttpProxyError`).
 *
 * @since 0.1.0
 */

/** The reason a server did not start, with what caused it. */
export interface StartFailure {
  readonly _tag: "StartFailure"
  readonly message: string
  readonly cause?: unknown
}

export const startFailure = (message: string, cause?: unknown): StartFailure => ({
  _tag: "StartFailure",
  message,
  ...(cause === undefined ? {} : { cause })
})

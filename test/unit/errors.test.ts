// The library's one error convention (src/internal/tagged.ts), checked on every error type it exports: tagged with a
// name ending in `Error`, built by a function of the same name, an `Error` printed `Tag: message` with its cause,
// yieldable, matched by `Effect.catchTag`, and JSON with its fields.
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import {
  CentrifugoApi,
  HttpProxy,
  Interceptor,
  ProxyServer,
  RpcRouter,
  TokenStorage,
  TopicRegistry,
  Workers
} from "effect-centrifugo"
import { Centrifugo, ConnectionRefusedError } from "effect-centrifugo/testing"

const cause = new Error("the underlying reason")

const errors = [
  ProxyServer.ProxyServerError({ message: "cannot bind", cause }),
  HttpProxy.HttpProxyError({ message: "cannot bind", cause }),
  Workers.WorkersError({ message: "worker exited", cause }),
  TokenStorage.TokenRejectedError({ reason: "expired", message: "token expired", cause }),
  TopicRegistry.InvalidTopicPatternError({ pattern: "a.{", message: "`{` without `}`", cause }),
  CentrifugoApi.CentrifugoApiError({ method: "publish", code: 102, message: "unknown channel", cause }),
  CentrifugoApi.CentrifugoUnauthorizedError({ method: "publish", message: "key refused", cause }),
  CentrifugoApi.CentrifugoTransportError({ method: "publish", message: "connection refused", cause }),
  Interceptor.HandlerTimeoutError({ event: "rpc", message: "too slow", cause }),
  RpcRouter.RpcResultNotJsonError({ method: "m", path: "data", message: "a bigint", cause }),
  RpcRouter.RpcResultInvalidError({ method: "m", message: "does not fit", cause }),
  ConnectionRefusedError({ reply: { logs: [] }, message: "error 403", cause }),
  Centrifugo.CentrifugoStartError({ message: "exited", cause })
]

describe("every library error follows one convention", () => {
  it.each(errors.map((error) => [error._tag, error] as const))("%s", (tag, error) => {
    expect(tag).toMatch(/^[A-Z][A-Za-z]*Error$/)
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe(tag)
    expect(String(error)).toBe(`${tag}: ${error.message}`)
    const printed = Cause.pretty(Cause.fail(error))
    expect(printed).toMatch(new RegExp(`^${tag}: ${error.message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`))
    expect(printed).toContain("the underlying reason")
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ _tag: tag, message: error.message })
    // Yieldable, and found by its tag.
    const exit = Effect.runSyncExit(Effect.gen(function*() {
      return yield* error
    }))
    expect(exit).toEqual(Exit.fail(error))
    const caught = Effect.runSync(
      Effect.catchTag(Effect.fail(error) as Effect.Effect<never, { readonly _tag: string }>, tag, () => Effect.succeed("caught"))
    )
    expect(caught).toBe("caught")
  })

  it("a constructor without a cause leaves the cause out", () => {
    const error = TokenStorage.TokenRejectedError({ reason: "unknown", message: "unknown token" })
    expect("cause" in error).toBe(false)
    expect(JSON.parse(JSON.stringify(error))).toEqual({ _tag: "TokenRejectedError", reason: "unknown", message: "unknown token" })
    expect(error).toMatchObject({ _tag: "TokenRejectedError", reason: "unknown", message: "unknown token" })
  })
})

/**
 * Every CentrifugoApi call, whatever the transport, as a client span `CentrifugoApi.<method>` (a child of the
 * handler's span when made inside one) and a count in `centrifugo_api_calls_total{method, outcome}`. The method is
 * the API method (a fixed set), so the label stays bounded.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Metrics from "../ops/Metrics.ts"
import type { ApiFailure, Transport } from "./CentrifugoApi.ts"

const outcomes: Record<ApiFailure["_tag"], string> = {
  CentrifugoApiError: "error",
  CentrifugoUnauthorizedError: "unauthorized",
  CentrifugoTransportError: "transport_error"
}

const outcomeOf = (exit: Exit.Exit<unknown, ApiFailure>): string => {
  if (Exit.isSuccess(exit)) return "ok"
  const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  if (failure !== undefined) return outcomes[failure.error._tag]
  return Exit.hasInterrupts(exit) ? "interrupted" : "failed"
}

export const observed = (transport: Transport): Transport => (method, request) =>
  transport(method, request).pipe(
    Effect.onExit((exit) =>
      Metric.update(Metric.withAttributes(Metrics.apiCallsTotal, { method, outcome: outcomeOf(exit) }), 1)
    ),
    Effect.withSpan(`CentrifugoApi.${method}`, {
      kind: "client",
      attributes: { "rpc.system": "centrifugo", "rpc.method": method }
    })
  )

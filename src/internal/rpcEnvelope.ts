/**
 * The RPC reply data of an `RpcGroup` method served through Centrifugo's RPC proxy: Effect's own JSON encoding of
 * the method's `Exit` (the form `Schema.toCodecJson(Rpc.exitSchema(rpc))` reads), restricted to what a client may
 * see. Shared by the server (`RpcProxy`) and the browser client (`effect-centrifugo/client`): no Node import.
 *
 * - success: `{ "_tag": "Success", "value": <success, encoded> }`
 * - declared failure: `{ "_tag": "Failure", "cause": [{ "_tag": "Fail", "error": <error, encoded> }] }`
 *
 * Defects, interruptions and failures the method does not declare never travel this way: they are answered as a
 * Centrifugo error (100), as for any other handler.
 *
 * @since 0.1.0
 */

/** A success as it travels. */
export interface SuccessEnvelope {
  readonly _tag: "Success"
  readonly value: unknown
}

/** A declared failure as it travels. */
export interface FailureEnvelope {
  readonly _tag: "Failure"
  readonly cause: readonly [{ readonly _tag: "Fail"; readonly error: unknown }]
}

export type Envelope = SuccessEnvelope | FailureEnvelope

export const success = (value: unknown): SuccessEnvelope => ({ _tag: "Success", value })

export const failure = (error: unknown): FailureEnvelope => ({ _tag: "Failure", cause: [{ _tag: "Fail", error }] })

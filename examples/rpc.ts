/**
 * RPC: `ping` answers `pong` (any JSON value, not only arrays), and every `verb:path` call goes to the news HTTP
 * app (examples/news.ts) through `Http.rpc`.
 */
import { Effect } from "effect"
import { Http, Rpc } from "effect-centrifugo"

export const rpc = Rpc.router(
  {
    ping: () => Effect.succeed("pong")
  },
  // Methods the router does not know are tried as `verb:path` HTTP calls (104 when they are not).
  { notFound: Http.rpc }
)

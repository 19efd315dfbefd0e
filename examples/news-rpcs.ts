/**
 * The news RPCs as a contract: an `effect/rpc` RpcGroup the backend serves (examples/rpc.ts, through
 * `RpcProxy.layer`) and the browser calls (examples/web/client.ts, through `effect-centrifugo/client`). It imports
 * only `effect`, so the browser bundle can take it as it is; by module path (`effect/Schema`, not the `effect`
 * index), which lets a bundler leave out what the contract does not use (a third of the size with esbuild).
 */
import * as Schema from "effect/Schema"
import * as Rpc from "effect/rpc/Rpc"
import * as RpcGroup from "effect/rpc/RpcGroup"

export const News = Schema.Struct({
  id: Schema.Number,
  title: Schema.String,
  body: Schema.String,
  author: Schema.String
})

export const CreateNews = Schema.Struct({
  title: Schema.String.check(Schema.isMinLength(3)),
  body: Schema.String
})

/** The answer to `news.create`: the stored id and the channels the broadcast reached. */
export const Created = Schema.Struct({ id: Schema.Number, deliveredTo: Schema.Array(Schema.String) })

/** `news.get` of an id that is not stored: a declared failure, decoded as such on the client. */
export const NewsNotFound = Schema.TaggedStruct("NewsNotFound", { id: Schema.Number })

export const NewsRpcs = RpcGroup.make(
  Rpc.make("news.create", { payload: CreateNews, success: Created }),
  Rpc.make("news.get", { payload: { id: Schema.Number }, success: News, error: NewsNotFound })
)

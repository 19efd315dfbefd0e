// One RPC method, `item.get` ({ id } -> { id, title, at }), served two ways on either transport: as an effect/rpc
// RpcGroup through RpcProxy (MODE=rpcgroup) and as the same method through RpcRouter (MODE=rpcrouter), with the
// same payload and success Schemas, so the two differ only in the path a call takes. TRANSPORT=grpc|http.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer, References, Schema } from "effect"
import { Rpc, RpcGroup } from "effect/rpc"
import { HandlerSet, HttpProxy, ProxyServer, RpcProxy, RpcRouter } from "../../src/index.ts"
import { port, ready } from "./logic.ts"

const Id = Schema.Struct({ id: Schema.Number })
// DateFromString: a Date in the handler, an ISO string on the wire, by either path (RpcRouter's `success` encodes with
// the Schema itself, RpcProxy with its JSON form, as effect/rpc does; for this Schema both give the same string).
const Item = Schema.Struct({ id: Schema.Number, title: Schema.String, at: Schema.DateFromString })
const item = ({ id }: { readonly id: number }) => Effect.succeed({ id, title: `item ${id}`, at: new Date(0) })

const Items = RpcGroup.make(Rpc.make("item.get", { payload: Id, success: Item }))

const handlers = process.env.MODE === "rpcgroup"
  ? RpcProxy.layer(Items, Items.toLayer({ "item.get": item }))
  : HandlerSet.layer({ rpc: RpcRouter.make({ "item.get": RpcRouter.method(Id, item, { success: Item }) }) })

const server: Layer.Layer<never, unknown, HandlerSet.HandlerSet> = process.env.TRANSPORT === "http"
  ? Layer.effectDiscard(Effect.map(Effect.service(HttpProxy.HttpProxy), (s) => ready(s.port))).pipe(
    Layer.provide(HttpProxy.layer({ host: "127.0.0.1", port: port() }))
  )
  : Layer.effectDiscard(Effect.map(Effect.service(ProxyServer.ProxyServer), (s) => ready(s.port))).pipe(
    Layer.provide(ProxyServer.layer({ host: "127.0.0.1", port: port() }))
  )

const Main = server.pipe(Layer.provide(handlers), Layer.provide(Layer.succeed(References.MinimumLogLevel, "Warn")))
Layer.launch(Main).pipe(NodeRuntime.runMain)

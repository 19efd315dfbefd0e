import { Effect, Schema } from "effect"
import { Rpc, RpcGroup } from "effect/rpc"
import { HandlerSet, RpcProxy, RpcRouter } from "effect-centrifugo"
import { handle, rpcRequest } from "effect-centrifugo/testing"
const Id = Schema.Struct({ id: Schema.Number })
const Item = Schema.Struct({ id: Schema.Number, title: Schema.String, at: Schema.DateFromString })
const item = ({ id }: { readonly id: number }) => Effect.succeed({ id, title: `item ${id}`, at: new Date(0) })
const Items = RpcGroup.make(Rpc.make("item.get", { payload: Id, success: Item }))
const g = RpcProxy.layer(Items, Items.toLayer({ "item.get": item }))
const r = HandlerSet.layer({ rpc: RpcRouter.make({ "item.get": RpcRouter.method(Id, item, { success: Item }) }) })
const req = rpcRequest({ method: "item.get", data: { id: 7 } })
const run = (layer: any, n: number) => Effect.runPromise(Effect.provide(Effect.gen(function*() {
  const t = process.cpuUsage()
  for (let i = 0; i < n; i++) yield* handle(req)
  const d = process.cpuUsage(t)
  return (d.user + d.system) / n
}), layer))
const res: Record<string, number[]> = { group: [], router: [] }
for (let round = 0; round < 8; round++) {
  for (const [name, layer] of [["group", g], ["router", r]] as const) res[name]!.push(await run(layer, 20000))
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!
console.log("cpu us/call median: group", med(res.group!).toFixed(2), "router", med(res.router!).toFixed(2))

// An effect/rpc RpcGroup served through Centrifugo's RPC proxy, end to end on both transports: the real Centrifugo
// v6.9.1 runs with the config generated from the handler set, centrifuge-js in Node calls the group through
// `effect-centrifugo/client` (the typed Effect client and the Promise facade), and a typed subscription decodes
// publications with the channel's Schema (one that does not decode goes to onError, never to onData).
import { Cause, Effect, Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CentrifugoConfig, HandlerSet, Reply } from "../../src/index.ts"
import { CentrifugeRpc, Publications } from "../../src/client/index.ts"
import { Centrifugo, TestServer } from "../../src/testing/index.ts"
import { centrifugoBin, client, next } from "../support/e2e.ts"
import { DeskHandlers, DeskRpcs, Thread } from "../support/desk-contract.ts"

const Handlers = HandlerSet.merge(
  HandlerSet.layer({
    connect: (request) => Effect.succeed(Reply.connect({ user: (request.data as { user: string }).user })),
    // The thread channels: anyone may subscribe; publications pass as sent (the client encoded them).
    subscribe: () => Effect.succeed(Reply.subscribe()),
    publish: () => Effect.succeed(Reply.publish())
  }),
  DeskHandlers
)

describe.each(["grpc", "http"] as const)("an RpcGroup over the %s transport", (transport) => {
  const stops: Array<() => Promise<void>> = []
  let url = ""
  let generated: Record<string, unknown> = {}
  let api: (channel: string, data: unknown) => Promise<void> = async () => {}
  beforeAll(async () => {
    const server = transport === "grpc" ? await TestServer.start(Handlers) : await TestServer.startHttp(Handlers)
    stops.push(server.stop)
    const description = Handlers.description
    const { config } = CentrifugoConfig.generate(description, {
      transport,
      endpoint: transport === "grpc" ? server.address : `http://${server.address}`,
      apiKey: "test-api-key"
    })
    generated = config
    const centrifugo = await Centrifugo.startWith(config, { bin: centrifugoBin() })
    stops.push(centrifugo.stop)
    url = centrifugo.websocketUrl
    // The server API as anything else could call it, untyped: the way a wrong publication gets in.
    api = async (channel, data) => {
      const response = await fetch(`${centrifugo.httpUrl}/api/publish`, {
        method: "POST",
        headers: { "X-API-Key": centrifugo.apiKey },
        body: JSON.stringify({ channel, data })
      })
      expect(response.status).toBe(200)
    }
  }, 60_000)
  afterAll(async () => {
    for (const stop of stops.splice(0).reverse()) await stop()
  })

  const connected = async (user: string) => {
    const c = client(url, { data: { user } })
    stops.push(async () => c.disconnect())
    const up = next(c, "connected")
    c.connect()
    await up
    return c
  }

  it("runs on the config generated from the handler set: the group's methods proxied, checkconfig --strict ok", async () => {
    expect(Handlers.description.rpcMethods).toEqual(["ticket.open", "ticket.list", "ticket.crash"])
    expect(generated.rpc).toMatchObject({ namespace_boundary: "::", without_namespace: { proxy_enabled: true } })
    await expect(Centrifugo.checkWithBinary(centrifugoBin(), generated)).resolves.toBeDefined()
  })

  it("typed success, the declared failure as that failure, 107 with the path, a defect as 100", async () => {
    const c = await connected(`ann-${transport}`)
    const outcome = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const desk = yield* CentrifugeRpc.make(DeskRpcs, c)
      const opened = yield* desk["ticket.open"]({ subject: "printer on fire" })
      const again = yield* Effect.exit(desk["ticket.open"]({ subject: "printer on fire" }))
      const crash = yield* Effect.exit(desk["ticket.crash"]())
      const list = yield* desk["ticket.list"]()
      return { opened, again, crash, list }
    })))
    expect(outcome.opened).toEqual({ id: 1, subject: "printer on fire", by: `ann-${transport}`, at: new Date(Date.UTC(2026, 0, 1)) })
    expect(outcome.opened.at).toBeInstanceOf(Date)
    expect(outcome.list).toEqual([outcome.opened])
    const failure = (exit: Exit.Exit<unknown, unknown>) => Exit.isFailure(exit) ? Cause.findErrorOption(exit.cause) : undefined
    expect(failure(outcome.again)).toMatchObject({
      _tag: "Some",
      value: { _tag: "SubjectTaken", subject: "printer on fire", id: 1 }
    })
    const crash = failure(outcome.crash)
    expect(crash?._tag === "Some" ? CentrifugeRpc.errorOf(crash.value)?.code : undefined).toBe(100)
  })

  it("the Promise facade: resolves typed, rejects with the decoded failure or the Centrifugo error", async () => {
    const c = await connected(`bob-${transport}`)
    const desk = CentrifugeRpc.promiseClient(DeskRpcs, c)
    const opened = await desk["ticket.open"]({ subject: `bob's ${transport} ticket` })
    expect(opened).toMatchObject({ subject: `bob's ${transport} ticket`, by: `bob-${transport}` })
    expect(opened.at).toBeInstanceOf(Date)
    await expect(desk["ticket.open"]({ subject: `bob's ${transport} ticket` })).rejects.toEqual({
      _tag: "SubjectTaken",
      subject: `bob's ${transport} ticket`,
      id: opened.id
    })
    await expect(desk["ticket.crash"]()).rejects.toMatchObject({ _tag: "CentrifugoError", code: 100 })
  })

  it("a payload that does not fit the contract (sent by an untyped client) is answered 107 with the path", async () => {
    const c = await connected(`eve-${transport}`)
    // The typed clients encode with the payload Schema, so they cannot send this: centrifuge-js itself can.
    await expect(c.rpc("ticket.open", { subject: 42 })).rejects.toMatchObject({
      code: 107,
      message: "bad request: subject: Expected string"
    })
    await expect(c.rpc("ticket.open", { subject: "no" })).rejects.toMatchObject({
      code: 107,
      message: expect.stringMatching(/^bad request: subject: Expected a value with a length of at least 3/)
    })
    await expect(c.rpc("ticket.nope", {})).rejects.toMatchObject({ code: 104, message: "method not found: ticket.nope" })
  })

  it("a typed subscription decodes publications, reports one that does not decode, and publishes typed", async () => {
    const c = await connected(`sub-${transport}`)
    const data: Array<typeof Thread.publication.Type> = []
    const errors: Array<Publications.PublicationError> = []
    const sub = Publications.subscribe(c, Thread, { id: "7" }, {
      onData: (message) => data.push(message),
      onError: (error) => errors.push(error)
    })
    await next(sub, "subscribed")
    await api("thread.7", { text: "first", by: "agent" })
    await api("thread.7", { text: 42, by: "agent" })
    await Publications.publish(sub, Thread, { text: "from the client", by: `sub-${transport}` })
    await expect.poll(() => data.length + errors.length).toBe(3)
    expect(data).toEqual([{ text: "first", by: "agent" }, { text: "from the client", by: `sub-${transport}` }])
    expect(errors).toEqual([{
      _tag: "PublicationError",
      channel: "thread.7",
      data: { text: 42, by: "agent" },
      message: "text: Expected string"
    }])
    // A value the Schema refuses never leaves the client.
    await expect(Publications.publish(sub, Thread, { text: "", by: "me" })).rejects.toMatchObject({
      _tag: "PublicationError",
      message: expect.stringMatching(/^text: Expected a value with a length of at least 1/)
    })
  })
})

/**
 * RPC calls proxied to the application's own HTTP layer: a small news app written with `effect/http`, reached from
 * clients as `rpc("post:news/store", {...})` and `rpc("get:news/1", {})` through `HttpBridge.rpc`.
 */
import { Context, Effect, Layer, Ref, Schema } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { Handler, HttpBridge } from "effect-centrifugo"

export interface News {
  readonly id: number
  readonly title: string
  readonly body: string
  readonly author: string
}

/** Where news live; an in-memory one is enough for the example. */
export interface NewsStore {
  readonly store: (news: Omit<News, "id">) => Effect.Effect<News>
  readonly find: (id: number) => Effect.Effect<News | undefined>
}
export const NewsStore = Context.Service<NewsStore>("examples/NewsStore")

export const NewsStoreMemory = Layer.effect(
  NewsStore,
  Effect.gen(function*() {
    const rows = yield* Ref.make(new Map<number, News>())
    return {
      store: (news) =>
        Ref.modify(rows, (map) => {
          const row = { id: map.size + 1, ...news }
          return [row, new Map(map).set(row.id, row)]
        }),
      find: (id) => Effect.map(Ref.get(rows), (map) => map.get(id))
    }
  })
)

export const StoreNews = Schema.Struct({
  title: Schema.String.check(Schema.isMinLength(3), Schema.isMaxLength(120)),
  // Optional: the seed's own call sends only a title (`rpc("post:news/store", {"title": "News title"})`).
  body: Schema.String.pipe(Schema.withDecodingDefaultKey(Effect.succeed("")))
})

const json = (body: unknown, status: number) => HttpServerResponse.jsonUnsafe(body, { status })

/** The user as the bridge sent it: percent-encoded (kept as is if it is not). */
const decodeUser = (raw: string): string => {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

/** POST /news/store: validated; 422 with the problems when the body does not fit. */
const store = HttpRouter.add(
  "POST",
  "/news/store",
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    // The bridge percent-encodes the user ID (header values must be Latin-1; IDs may not be).
    const author = decodeUser(request.headers["x-centrifugo-user"] ?? "") || "anonymous"
    const input = yield* HttpServerRequest.schemaBodyJson(StoreNews, { errors: "all" })
    const news = yield* (yield* NewsStore).store({ ...input, author })
    return json(news, 201)
  }).pipe(
    Effect.catchTag("SchemaError", (error) =>
      Effect.succeed(json({ message: "validation failed", errors: Handler.describeIssue(error.issue) }, 422)))
  )
)

/** GET /news/:id: the news, or 404. */
const show = HttpRouter.add(
  "GET",
  "/news/:id",
  Effect.gen(function*() {
    const { id } = yield* HttpRouter.params
    const news = yield* (yield* NewsStore).find(Number(id))
    return news === undefined ? json({ message: `news ${id} not found` }, 404) : json(news, 200)
  })
)

export const NewsRoutes = Layer.mergeAll(store, show)

/** The Http service serving the news app. */
export const NewsHttp = HttpBridge.layer(NewsRoutes)

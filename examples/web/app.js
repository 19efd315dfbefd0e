// The browser demo's script: one centrifuge client, talking only to Centrifugo; every decision (who you are,
// which channels you get, whether a message goes out and who wrote it, RPC answers) comes from the example backend
// (examples/app.ts) through Centrifugo's proxies. Plain DOM, no framework; text goes in with textContent only.

/** @type {typeof import("centrifuge").Centrifuge} The global set by /vendor/centrifuge.js. */
const Centrifuge = globalThis.Centrifuge
/** @type {typeof import("./client.ts")} The typed news client, bundled from client.ts (/client.js). */
const DemoClient = globalThis.DemoClient
const { websocketUrl } = await fetch("/config.json").then((r) => r.json())

const $ = (id) => document.getElementById(id)
const item = (list, ...parts) => {
  const li = document.createElement("li")
  li.append(...parts)
  $(list).prepend(li)
  return li
}
const span = (className, text) => Object.assign(document.createElement("span"), { className, textContent: text })
const time = (iso) => Object.assign(document.createElement("time"), { textContent: new Date(iso).toLocaleTimeString() })
const enable = (on) => {
  for (const id of ["logout", "ping", "join", "news-store", "news-read"]) $(id).disabled = !on
  $("send").disabled = true
}

/** @type {import("centrifuge").Centrifuge | undefined} */
let client
/** @type {import("centrifuge").Subscription | undefined} */
let room
const serverSide = new Set()

const setStatus = (state, text) => {
  $("status").dataset.state = state
  $("status").textContent = text
}

const showChannels = () => {
  $("channels").textContent = serverSide.size === 0 ? "none yet" : [...serverSide].sort().join(", ")
}

const login = (token) => {
  logout()
  // The token travels as connect data; the backend's connect handler (examples/connect.ts) checks it.
  client = new Centrifuge(websocketUrl, { data: { authToken: token } })
  client.on("connecting", () => setStatus("connecting", "connecting..."))
  client.on("connected", (ctx) => {
    setStatus("connected", `connected as ${ctx.data?.user ?? "?"}`)
    enable(true)
  })
  client.on("disconnected", (ctx) => {
    setStatus("disconnected", `disconnected: ${ctx.code} ${ctx.reason}`)
    enable(false)
  })
  // Server-side subscriptions: the channels the connect reply listed. No client code subscribes to them.
  client.on("subscribed", (ctx) => {
    serverSide.add(ctx.channel)
    showChannels()
  })
  client.on("unsubscribed", (ctx) => {
    serverSide.delete(ctx.channel)
    showChannels()
  })
  client.on("publication", (ctx) => {
    item("publications", span("by", ctx.channel), " ", span("text", JSON.stringify(ctx.data)))
  })
  client.connect()
}

const logout = () => {
  client?.disconnect()
  client = undefined
  room = undefined
  serverSide.clear()
  showChannels()
  enable(false)
  $("room-status").textContent = ""
  setStatus("disconnected", "disconnected")
}

const join = (name) => {
  if (client === undefined) return
  if (room !== undefined) {
    room.unsubscribe()
    client.removeSubscription(room)
  }
  // chat:{room} is a typed channel open to every logged-in user (examples/contract.ts, examples/publish.ts).
  const sub = client.newSubscription(`chat:${name}`)
  room = sub
  $("chat").replaceChildren()
  sub.on("subscribing", () => ($("room-status").textContent = `joining ${sub.channel}...`))
  sub.on("subscribed", () => {
    $("room-status").dataset.state = "subscribed"
    $("room-status").textContent = `joined ${sub.channel}`
    $("send").disabled = false
  })
  sub.on("unsubscribed", (ctx) => {
    $("room-status").dataset.state = "unsubscribed"
    $("room-status").textContent = `left ${sub.channel}: ${ctx.code} ${ctx.reason}`
    $("send").disabled = true
  })
  // Decoded with the contract's ChatMessage (client.ts). `by` and `at` were added by the publish proxy
  // (examples/publish.ts); the page sends only `text`.
  DemoClient.listenRoom(sub, {
    onData: (data) => {
      item("chat", span("by", data.by), " ", span("text", data.text), " ", time(data.at)).dataset.by = data.by
    },
    onError: (error) => ($("chat-error").textContent = `a message that does not fit the contract: ${error.message}`)
  })
  sub.subscribe()
}

const send = async (text) => {
  $("chat-error").textContent = ""
  try {
    if (room !== undefined) await DemoClient.say(room, text)
    $("message").value = ""
  } catch (error) {
    // An empty or too long message does not fit the contract: refused on the page (the backend would answer 107).
    $("chat-error").textContent = error.code === undefined
      ? `refused by the contract: ${error.message}`
      : `refused: ${error.code} ${error.message}`
  }
}

/** Shows an RPC result, or its error. */
const call = async (method, data, show) => {
  try {
    show((await client.rpc(method, data)).data)
  } catch (error) {
    show({ error: `${error.code} ${error.message}` })
  }
}
/**
 * Calls a news RPC through the typed client and shows the decoded answer: the success, the declared failure
 * (`NewsNotFound`), an error Centrifugo or the backend answered, or the client's own refusal (a title under 3
 * characters does not fit the contract's Schema and is never sent).
 */
const news = async (method, payload) => {
  let shown
  try {
    shown = { success: await DemoClient.newsClient(client)[method](payload) }
  } catch (failure) {
    const error = DemoClient.errorOf(failure)
    shown = error !== undefined
      ? { error: `${error.code} ${error.message}` }
      : typeof failure?._tag === "string" && !(failure instanceof Error)
      ? { failure }
      : { refused: String(failure?.message ?? failure) }
  }
  $("news-result").textContent = `${method}\n${JSON.stringify(shown, null, 2)}`
  if (method === "news.create" && shown.success !== undefined) $("news-id").value = String(shown.success.id)
}

for (const button of [$("login-alice"), $("login-bob")]) {
  button.addEventListener("click", () => login(button.dataset.token))
}
$("logout").addEventListener("click", logout)
$("ping").addEventListener("click", () =>
  call("ping", {}, (result) => ($("ping-result").textContent = JSON.stringify(result))))
$("join-form").addEventListener("submit", (event) => {
  event.preventDefault()
  join($("room").value.trim() || "lobby")
})
$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault()
  send($("message").value)
})
$("news-form").addEventListener("submit", (event) => {
  event.preventDefault()
  news("news.create", { title: $("news-title").value, body: $("news-body").value })
})
$("read-form").addEventListener("submit", (event) => {
  event.preventDefault()
  news("news.get", { id: Number($("news-id").value) })
})

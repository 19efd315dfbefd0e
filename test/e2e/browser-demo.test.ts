// The browser demo (examples/web/) in a real headless Chromium driven by playwright-core: the example backend, a
// real Centrifugo v6.9.1 and the page server, with alice and bob in two browser contexts chatting in one room.
// Chromium is Debian's, installed by scripts/install-chromium.sh when missing; only where it cannot be installed is
// this file skipped, with the reason printed.
import { execFileSync } from "node:child_process"
import { mkdir } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { type Browser, chromium, type Page } from "playwright-core"
import { CentrifugoApi } from "effect-centrifugo"
import { Centrifugo, TestServer } from "effect-centrifugo/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AppHandlers, AppWith } from "../../examples/app.ts"
import { type RunningWeb, serveWeb } from "../../examples/web/serve.ts"
import { centrifugoBin } from "../support/e2e.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const screenshot = `${root}/test-output/browser-demo.png`

/** The Chromium binary (CHROMIUM_BIN, /usr/bin/chromium, or installed now), or why there is none. */
const findChromium = (): { readonly bin: string } | { readonly reason: string } => {
  try {
    const bin = execFileSync("bash", [`${root}/scripts/install-chromium.sh`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"]
    }).trim()
    return { bin }
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim()
    return { reason: stderr || (error as Error).message }
  }
}
const found = findChromium()
if ("reason" in found) {
  console.warn(`test/e2e/browser-demo.test.ts skipped: no Chromium.\n${found.reason}`)
}

// Flags for a closed network: no background fetches (component updates, sync, field trials) that would hang or
// fill the log. Playwright adds a fresh temporary --user-data-dir itself (and refuses one in args).
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

describe.runIf("bin" in found)("browser demo (examples/web) in headless Chromium", () => {
  let server: TestServer.RunningServer | undefined
  let centrifugo: Centrifugo.RunningCentrifugo | undefined
  let web: RunningWeb | undefined
  let browser: Browser | undefined
  const pageErrors: Array<string> = []

  beforeAll(async () => {
    // The backend calls Centrifugo's server API, so Centrifugo's port is chosen first and the backend is told.
    const port = await Centrifugo.freePort()
    server = await TestServer.start(
      AppWith(CentrifugoApi.layerHttpFetch({ url: `http://127.0.0.1:${port}`, key: "test-api-key" }))
    )
    centrifugo = await Centrifugo.start({ bin: centrifugoBin(), port, proxy: server.address, handlers: AppHandlers })
    web = await serveWeb({ websocketUrl: centrifugo.websocketUrl })
    browser = await chromium.launch({ executablePath: "bin" in found ? found.bin : "", args: chromiumArgs })
  })
  afterAll(async () => {
    await browser?.close()
    await web?.close()
    await centrifugo?.stop()
    await server?.stop()
  })

  /** A fresh browser context (its own cookies and storage) with the page open and logged in as `user`. */
  const openAs = async (user: "alice" | "bob"): Promise<Page> => {
    const context = await browser!.newContext({ viewport: { width: 1100, height: 900 } })
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    page.on("pageerror", (error) => pageErrors.push(`${user}: ${error.message}`))
    await page.goto(web!.url)
    await page.click(`#login-${user}`)
    await page.locator("#status[data-state=connected]").waitFor()
    return page
  }
  const text = (page: Page, selector: string) => page.locator(selector).textContent()
  /** The chat as shown, newest first: `author: text`, the author read from the stamped message. */
  const chat = (page: Page) =>
    page.locator("#chat li").evaluateAll((items) =>
      items.map((li) => `${(li as HTMLElement).dataset.by}: ${li.querySelector(".text")?.textContent}`)
    )
  const join = async (page: Page) => {
    await page.fill("#room", "lobby")
    await page.click("#join")
    await page.locator("#room-status[data-state=subscribed]").waitFor()
  }
  const say = async (page: Page, message: string) => {
    await page.fill("#message", message)
    await page.click("#send")
  }

  it("alice and bob log in, see their channels, chat with backend-stamped authors, ping and call the typed news RPCs", {
    timeout: 90_000
  }, async () => {
    const alice = await openAs("alice")
    const bob = await openAs("bob")
    expect(await text(alice, "#status")).toBe("connected as alice")
    expect(await text(bob, "#status")).toBe("connected as bob")

    // The connect handler's channels, subscribed server-side; a server publication to `public` reaches both.
    await expect.poll(() => text(alice, "#channels")).toBe("chat-alice, public, user-alice")
    await expect.poll(() => text(bob, "#channels")).toBe("chat-bob, public, user-bob")
    await fetch(`${centrifugo!.httpUrl}/api/publish`, {
      method: "POST",
      headers: { "X-API-Key": centrifugo!.apiKey },
      body: JSON.stringify({ channel: "public", data: { headline: "hello browsers" } })
    })
    for (const page of [alice, bob]) {
      await expect.poll(() => text(page, "#publications")).toBe(`public ${JSON.stringify({ headline: "hello browsers" })}`)
    }

    // Chat: the page sends only `text`; the author shown is the `by` the publish proxy added.
    await join(alice)
    await join(bob)
    await say(alice, "hello from alice")
    await expect.poll(() => chat(bob)).toEqual(["alice: hello from alice"])
    await say(bob, "hi alice, bob here")
    const both = ["bob: hi alice, bob here", "alice: hello from alice"]
    await expect.poll(() => chat(alice)).toEqual(both)
    await expect.poll(() => chat(bob)).toEqual(both)
    // An empty message does not fit the contract's ChatMessage: the typed publish (the bundled client entry) refuses
    // it on the page with the Schema's path; nobody receives it.
    await say(bob, "")
    await expect.poll(() => text(bob, "#chat-error")).toMatch(/^refused by the contract: text: /)

    await alice.click("#ping")
    await expect.poll(() => text(alice, "#ping-result")).toBe(JSON.stringify("pong"))

    // News through the typed client (examples/web/client.ts, bundled by esbuild): an effect/rpc RpcGroup served by
    // RpcProxy. Created by alice (the backend reads her user from the request), read by bob, then a missing id
    // comes back as the declared failure, decoded.
    const shown = async (page: Page) => JSON.parse((await text(page, "#news-result"))!.split("\n").slice(1).join("\n"))
    await alice.fill("#news-title", "Browsers too")
    await alice.fill("#news-body", "Sent from Chromium.")
    await alice.click("#news-store")
    await expect.poll(() => text(alice, "#news-result")).toContain("news.create")
    const created = await shown(alice)
    expect(created).toMatchObject({ success: { deliveredTo: ["news", "user.alice"] } })
    await bob.fill("#news-id", String(created.success.id))
    await bob.click("#news-read")
    await expect.poll(() => text(bob, "#news-result")).toContain("news.get")
    expect(await shown(bob)).toEqual({
      success: { id: created.success.id, title: "Browsers too", body: "Sent from Chromium.", author: "alice" }
    })
    await bob.fill("#news-id", "999")
    await bob.click("#news-read")
    await expect.poll(async () => (await shown(bob)).failure).toEqual({ _tag: "NewsNotFound", id: 999 })
    // A title the contract refuses never leaves the page: the client's Schema stops it.
    await alice.fill("#news-title", "ab")
    await alice.click("#news-store")
    await expect.poll(async () => (await shown(alice)).refused).toMatch(/length of at least 3/)

    await mkdir(`${root}/test-output`, { recursive: true })
    await alice.screenshot({ path: screenshot, fullPage: true })
    await bob.screenshot({ path: `${root}/test-output/browser-demo-bob.png`, fullPage: true })
    expect(await chat(alice)).toEqual(both)
    expect(pageErrors).toEqual([])
  })
})

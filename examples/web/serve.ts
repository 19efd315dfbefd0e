/**
 * Serves the browser demo (examples/web/index.html + app.js), the `centrifuge` SDK's browser bundle from the
 * installed package, and `/client.js`: the typed news client (examples/web/client.ts) bundled by esbuild at start
 * from the installed packages (examples/web/bundle.ts). The page needs no network. `/config.json` tells the page
 * where Centrifugo listens.
 * Used by `npm run demo -- --serve` and by test/e2e/browser-demo.test.ts.
 */
import { readFile } from "node:fs/promises"
import { createServer } from "node:http"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { bundleClient } from "./bundle.ts"

export interface WebOptions {
  /** Centrifugo's WebSocket endpoint, `ws://host:port/connection/websocket`. */
  readonly websocketUrl: string
  /** Default: a free port. */
  readonly port?: number
  /** Default: 127.0.0.1. */
  readonly host?: string
}

export interface RunningWeb {
  /** `http://host:port/` */
  readonly url: string
  readonly close: () => Promise<void>
}

const here = dirname(fileURLToPath(import.meta.url))
// The package's exports do not list dist/, so find the package through its main entry (build/index.js).
const centrifugeBundle = join(dirname(createRequire(import.meta.url).resolve("centrifuge")), "..", "dist", "centrifuge.js")

/** URL path -> [file, content type]. Nothing else is served. */
const files: Record<string, readonly [string, string]> = {
  "/": [join(here, "index.html"), "text/html; charset=utf-8"],
  "/app.js": [join(here, "app.js"), "text/javascript; charset=utf-8"],
  "/vendor/centrifuge.js": [centrifugeBundle, "text/javascript; charset=utf-8"]
}

export const serveWeb = async (options: WebOptions): Promise<RunningWeb> => {
  const host = options.host ?? "127.0.0.1"
  // Bundled once, before the first page is served.
  const client = (await bundleClient()).code
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname
    const send = (status: number, type: string, body: string | Buffer) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" })
      response.end(body)
    }
    if (request.method !== "GET" && request.method !== "HEAD") return send(405, "text/plain", "method not allowed")
    if (path === "/client.js") return send(200, "text/javascript; charset=utf-8", client)
    if (path === "/config.json") {
      return send(200, "application/json", JSON.stringify({ websocketUrl: options.websocketUrl }))
    }
    const file = files[path]
    if (file === undefined) return send(404, "text/plain", "not found")
    readFile(file[0]).then(
      (body) => send(200, file[1], body),
      (error: Error) => send(500, "text/plain", `cannot read ${path}: ${error.message}`)
    )
  })
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, host, () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resolve({
        url: `http://${host}:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            // Browsers keep connections alive; without this, close waits for them to time out.
            server.closeAllConnections()
          })
      })
    })
  })
}

// When main.ts runs a server whose handlers still need services, the compiler error names them where it lands (its
// last line), not only `Type 'unknown' is not assignable to type 'ProxyServer'`. A broken main.ts is compiled with
// this repository's tsconfig; the same file with the services provided compiles.
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, expect, it } from "vitest"

const repo = fileURLToPath(new URL("../..", import.meta.url))
// Inside the repository, so that `effect-centrifugo` and `effect` resolve as they do for the tests.
mkdirSync(join(repo, ".cache"), { recursive: true })
const dir = mkdtempSync(join(repo, ".cache", "missing-service-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const main = (run: "Main" | "Workers", provided: boolean) => `
import { Context, Effect, Layer } from "effect"
import { Auth, HandlerSet, Main, ProxyServer, Reply, TokenStorage, Workers } from "effect-centrifugo"

interface UserDirectory { readonly name: (id: string) => Effect.Effect<string> }
const UserDirectory = Context.Service<UserDirectory>("UserDirectory")

const AppHandlers = HandlerSet.layer({
  rpc: () => Effect.gen(function*() {
    const user = yield* Auth.CurrentUser
    const directory = yield* UserDirectory
    return Reply.rpc({ data: yield* directory.name(user.id) })
  })
})

const Server = ProxyServer.layerConfig().pipe(Layer.provide(AppHandlers))
${
  provided
    ? `const Ready = Server.pipe(
  Layer.provide(Layer.succeed(UserDirectory, { name: (id) => Effect.succeed(id) })),
  Layer.provide(Layer.succeed(Auth.CurrentUser, Auth.serverUser)),
  Layer.provide(TokenStorage.layerMemory({}))
)
${run}.run(Ready)`
    : `${run}.run(Server)`
}
`

const compile = (name: string, source: string) => {
  writeFileSync(join(dir, `${name}.ts`), source)
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({ extends: join(repo, "tsconfig.json"), include: [], files: [`${name}.ts`] })
  )
  const tsc = spawnSync(join(repo, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", join(dir, `${name}.json`)], {
    encoding: "utf8"
  })
  return { code: tsc.status, output: `${tsc.stdout}${tsc.stderr}`.trim() }
}

it.each(["Main", "Workers"] as const)("%s.run: the error's last line names every service still missing", (run) => {
  const broken = compile(`broken${run}`, main(run, false))
  expect(broken.code).not.toBe(0)
  const last = broken.output.split("\n").at(-1)!
  expect(last).toContain("these services are not provided yet")
  expect(last).toMatch(/CurrentUser \| UserDirectory|UserDirectory \| CurrentUser/)
  const fixed = compile(`fixed${run}`, main(run, true))
  expect(fixed.output).toBe("")
  expect(fixed.code).toBe(0)
}, 120_000)

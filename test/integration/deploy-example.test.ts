// The deployment examples (examples/deploy) cannot be built or applied here; what can be checked is checked: the
// image's start command with the image's and the Deployment's environment starts the example backend, whose probes
// (the gRPC health service, /readyz, /healthz), proxy credentials, metrics and JSON logs work as the manifests
// assume; SIGTERM drains (NOT_SERVING first) and exits 0; and Centrifugo accepts the ConfigMap's configuration.
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"
import { AppHandlers } from "../../examples/app.ts"
import { CentrifugoConfig, Health } from "../../src/index.ts"
import { Centrifugo, ProxyClient } from "../../src/testing/index.ts"
import { centrifugoBin } from "../support/e2e.ts"
import * as HealthClient from "../support/health-client.ts"
import { startCollector } from "../support/otlp.ts"
import * as Prometheus from "../support/prometheus.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const dockerfile = readFileSync(`${root}/examples/deploy/Dockerfile`, "utf8")
const manifest = readFileSync(`${root}/examples/deploy/kubernetes.yaml`, "utf8")

/** The final stage's CMD (exec form) and ENV of the Dockerfile. */
const image = () => {
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "))
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(finalStage)![1]!) as Array<string>
  const env: Record<string, string> = {}
  const envBlock = /^ENV ((?:.*\\\n)*.*)$/gm
  for (const [, block] of finalStage.matchAll(envBlock)) {
    for (const [, key, quoted, plain] of block!.replace(/\\\n/g, " ").matchAll(/(\w+)=(?:"([^"]*)"|(\S+))/g)) {
      env[key!] = quoted ?? plain!
    }
  }
  return { cmd, env }
}

/** The Deployment's container env, secrets resolved from the manifest's Secret. */
const deploymentEnv = () => {
  const secret: Record<string, string> = {}
  const stringData = /stringData:\n((?: {2}.*\n)+)/.exec(manifest)![1]!
  for (const [, key, value] of stringData.matchAll(/^ {2}([\w-]+): (.*)$/gm)) secret[key!] = value!
  const env: Record<string, string> = {}
  const entries = manifest.split(/^ {12}- name: /m).slice(1)
  for (const entry of entries) {
    const name = entry.split("\n")[0]!.trim()
    const value = /^ {14}value: "?([^"\n]*)"?$/m.exec(entry)?.[1]
    const fromSecret = /secretKeyRef:\n\s+name: .*\n\s+key: (\S+)/.exec(entry)?.[1]
    env[name] = value ?? secret[fromSecret!]!
  }
  return env
}

it("Centrifugo accepts the ConfigMap's configuration (checkconfig --strict)", async () => {
  const body = manifest.slice(manifest.indexOf("config.json: |\n") + "config.json: |\n".length)
  const config = JSON.parse(body.split("\n").map((line) => line.slice(4)).join("\n")) as Record<string, unknown>
  await Centrifugo.checkWithBinary(centrifugoBin(), config)
  // It serves the example's handlers, and its channel namespaces are what the generator writes from the contract.
  expect(CentrifugoConfig.checkConfig(config, AppHandlers.description).map(CentrifugoConfig.formatMismatch)).toEqual([])
  const generated = CentrifugoConfig.generate(AppHandlers.description, { transport: "grpc" }).config as {
    readonly channel: { readonly namespaces: unknown }
  }
  expect((config.channel as { readonly namespaces: unknown }).namespaces).toEqual(generated.channel.namespaces)
  // It points at the Service's gRPC port, with the Deployment's credentials key.
  const env = deploymentEnv()
  expect(JSON.stringify(config)).toContain(`grpc://effect-centrifugo-backend:${env.PROXY_PORT}`)
  expect(JSON.stringify(config)).toContain(`"credentials_key":"${env.PROXY_CREDENTIALS_KEY}"`)
})

it("the probes in the manifest ask the health service on the proxy port; liveness asks for the liveness name", () => {
  const env = deploymentEnv()
  expect(manifest).toMatch(new RegExp(`readinessProbe:\\n\\s+grpc:\\n\\s+port: ${env.PROXY_PORT}\\n`))
  expect(manifest).toMatch(new RegExp(`livenessProbe:\\n\\s+grpc:\\n\\s+port: ${env.PROXY_PORT}\\n\\s+service: ${Health.liveness}\\n`))
})

it("the image's command with the image's and the Deployment's environment serves, probes, drains and exits 0", async () => {
  const { cmd, env: imageEnv } = image()
  expect(cmd[0]).toBe("node")
  const collector = await startCollector()
  const proxyPort = await Centrifugo.freePort()
  const adminPort = await Centrifugo.freePort()
  const env: Record<string, string> = {
    ...imageEnv,
    ...deploymentEnv(),
    // Only what differs on a test machine: loopback, free ports, local endpoints, a shorter drain.
    PROXY_HOST: "127.0.0.1",
    PROXY_PORT: String(proxyPort),
    PROXY_HTTP_HOST: "127.0.0.1",
    PROXY_HTTP_PORT: "0",
    PROXY_ADMIN_HOST: "127.0.0.1",
    PROXY_ADMIN_PORT: String(adminPort),
    PROXY_CENTRIFUGO_API_URL: `http://127.0.0.1:${await Centrifugo.freePort()}`,
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    PROXY_DRAIN_DELAY: "1 second"
  }
  expect(env.LOG_FORMAT).toBe("json")
  let output = ""
  const child = spawn(process.execPath, cmd.slice(1), {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const health = HealthClient.make(`127.0.0.1:${proxyPort}`)
  const proxy = ProxyClient.make(`127.0.0.1:${proxyPort}`)
  try {
    await expect.poll(() => output, { timeout: 20_000 }).toContain("Admin server listening")
    await expect.poll(() => output, { timeout: 20_000 }).toContain("Centrifugo proxy listening")
    expect(await health.check("")).toBe("SERVING")
    expect(await health.check(Health.liveness)).toBe("SERVING")
    expect((await fetch(`http://127.0.0.1:${adminPort}/readyz`)).status).toBe(200)

    const metadata = { [env.PROXY_CREDENTIALS_KEY!]: env.PROXY_CREDENTIALS_VALUE! }
    const pong = await proxy.rpc({ client: "c1", method: "ping" }, { metadata })
    expect(ProxyClient.parseJson(pong.result?.data)).toBe("pong")
    await expect(proxy.rpc({ client: "c1", method: "ping" })).rejects.toMatchObject({ code: 16 })
    const metrics = Prometheus.parse(await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text())
    expect(Prometheus.samples(metrics, "centrifugo_proxy_calls_total", { event: "rpc", outcome: "ok" }).length).toBe(1)

    child.kill("SIGTERM")
    await expect.poll(() => health.check(""), { timeout: 10_000 }).toBe("NOT_SERVING")
    expect(await exited).toBe(0)
  } finally {
    health.close()
    proxy.close()
    child.kill("SIGKILL")
    await collector.close()
  }
  // Logs: JSON, one object per line; no secret from the environment.
  const lines = output.split("\n").filter((line) => line.trim() !== "")
  for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow()
  expect(output).toContain("stopped")
  expect(output).not.toContain(env.PROXY_CREDENTIALS_VALUE!)
  expect(output).not.toContain(env.PROXY_CENTRIFUGO_API_KEY!)
  // Spans reached the collector named in the Deployment, in OTLP's default protocol (http/protobuf).
  expect(collector.protobufExports()).toBeGreaterThan(0)
}, 60_000)

// Wire contract: our proto/proxy.proto against Centrifugo v6.9.1's own internal/proxyproto/proxy.proto.
// Every message, field name, number, type and label must match, and every method must exist with the same
// request/response types and streaming kinds. The upstream file comes from the Go module cache (the Centrifugo
// build puts it there; `go mod download` fetches it when CENTRIFUGO_BIN skipped the build).
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { load as loadProto, upstreamProto } from "../support/proto-contract.ts"

const load = (file: string) => loadProto(file, "centrifugal.centrifugo.proxy")

describe("proto/proxy.proto wire contract with Centrifugo v6.9.1", () => {
  const ours = load(fileURLToPath(new URL("../../proto/proxy.proto", import.meta.url)))
  const theirs = load(upstreamProto("internal/proxyproto/proxy.proto"))

  it("declares the same service with the same 13 methods, types and streaming kinds", () => {
    expect(Object.keys(theirs.services)).toEqual([".centrifugal.centrifugo.proxy.CentrifugoProxy"])
    const methods = theirs.services[".centrifugal.centrifugo.proxy.CentrifugoProxy"]!
    expect(Object.keys(methods)).toHaveLength(13)
    expect(ours.services).toEqual(theirs.services)
  })

  it("declares exactly the same messages", () => {
    expect(Object.keys(ours.messages).sort()).toEqual(Object.keys(theirs.messages).sort())
  })

  it("gives every message the same fields: name, number, type, label (and reserved numbers)", () => {
    for (const [name, message] of Object.entries(theirs.messages)) {
      expect({ name, ...ours.messages[name] }).toEqual({ name, ...message })
    }
  })
})

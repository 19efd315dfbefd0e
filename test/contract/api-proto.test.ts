// Wire contract: our proto/api.proto against Centrifugo v6.9.1's own internal/apiproto/api.proto.
// Ours covers only the 21 methods open-source Centrifugo implements. Every method must equal upstream's, every
// message we declare must exist upstream with exactly the same fields (name, number, type, label) and reserved
// numbers. The batch Command/Reply are the one exception: they may leave out the PRO-only fields, and only those.
// The upstream file comes from the Go module cache (`go mod download` fetches it when the build was skipped).
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { load as loadProto, upstreamProto } from "../support/proto-contract.ts"

const PKG = "centrifugal.centrifugo.api"
const SERVICE = `.${PKG}.CentrifugoApi`

const OSS_METHODS = [
  "Batch",
  "Publish",
  "Broadcast",
  "Subscribe",
  "Unsubscribe",
  "Disconnect",
  "Presence",
  "PresenceStats",
  "History",
  "HistoryRemove",
  "Info",
  "RPC",
  "Refresh",
  "Channels",
  "MapPublish",
  "MapRemove",
  "MapReadState",
  "MapReadStream",
  "MapStats",
  "MapClear",
  "SharedPollPublish"
]

/** Batch envelopes: ours may omit upstream fields, but only those whose types we do not declare (PRO-only). */
const PARTIAL = new Set([`.${PKG}.Command`, `.${PKG}.Reply`])

const load = (file: string) => loadProto(file, PKG)

describe("proto/api.proto wire contract with Centrifugo v6.9.1 (OSS methods)", () => {
  const ours = load(fileURLToPath(new URL("../../proto/api.proto", import.meta.url)))
  const theirs = load(upstreamProto("internal/apiproto/api.proto"))
  const declared = (type: string) => type in ours.messages || type in ours.enums

  it("declares the CentrifugoApi service with exactly the 21 OSS methods, each equal to upstream's", () => {
    expect(Object.keys(ours.services)).toEqual([SERVICE])
    const methods = ours.services[SERVICE]!
    expect(Object.keys(methods).sort()).toEqual([...OSS_METHODS].sort())
    const upstream = theirs.services[SERVICE]!
    for (const name of OSS_METHODS) {
      expect({ name, ...(methods[name] as object) }).toEqual({ name, ...(upstream[name] as object) })
    }
  })

  it("declares only messages and enums that exist upstream under the same full name", () => {
    expect(Object.keys(ours.messages).filter((name) => !(name in theirs.messages))).toEqual([])
    expect(Object.keys(ours.enums).filter((name) => !(name in theirs.enums))).toEqual([])
  })

  it("gives every message upstream's fields: name, number, type, label (and reserved numbers)", () => {
    for (const [name, message] of Object.entries(ours.messages)) {
      if (PARTIAL.has(name)) continue
      expect({ name, ...message }).toEqual({ name, ...theirs.messages[name] })
    }
  })

  it("keeps in Command and Reply every upstream field except the PRO-only ones", () => {
    for (const name of PARTIAL) {
      const mine = ours.messages[name]!
      const upstream = theirs.messages[name]!
      expect({ name, reserved: mine.reserved }).toEqual({ name, reserved: upstream.reserved })
      for (const [field, fieldShape] of Object.entries(mine.fields)) {
        expect({ name, field, ...fieldShape }).toEqual({ name, field, ...upstream.fields[field] })
      }
      const omitted = Object.entries(upstream.fields).filter(([field]) => !(field in mine.fields))
      const omittedButDeclared = omitted.filter(([, f]) => declared(f.type)).map(([field]) => field)
      expect(
        omittedButDeclared,
        `${name} may omit only fields whose types we do not declare (PRO-only); omitted: ${
          omitted.map(([field, f]) => `${field} = ${f.id} (${f.type})`).join(", ")
        }`
      ).toEqual([])
    }
  })

  it("gives every enum upstream's values", () => {
    for (const [name, values] of Object.entries(ours.enums)) {
      expect({ name, values }).toEqual({ name, values: theirs.enums[name] })
    }
  })
})

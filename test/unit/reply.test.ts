import { describe, expect, it } from "vitest"
import { Reply } from "../../src/index.ts"

describe("Reply.error codes", () => {
  it.each([400, 1000, 1999, 100, 101, 103, 107, 112])("accepts %i", (code) => {
    expect(Reply.error(code, "m")).toMatchObject({ _tag: "ErrorReply", code, message: "m", temporary: false })
  })
  it.each([0, 99, 113, 399, 2000, 4000, 1.5, Number.NaN])("rejects %d with the allowed ranges in the message", (code) => {
    expect(() => Reply.error(code, "m")).toThrow(/Use a custom code in 400-1999, or one of Centrifugo's built-in codes/)
  })
  it("keeps the temporary flag", () => {
    expect(Reply.error(Reply.ErrorCode.Internal, "later", true).temporary).toBe(true)
  })
})

describe("Reply.disconnect codes", () => {
  it.each([4000, 4499, 4500, 4999, 3000, 3005, 3501, 3503, 3509])("accepts %i", (code) => {
    expect(Reply.disconnect(code, "r")).toMatchObject({ _tag: "DisconnectReply", code, reason: "r" })
  })
  it.each([0, 2000, 2999, 3002, 3003, 3007, 3999, 3510, 5000])("rejects %i", (code) => {
    expect(() => Reply.disconnect(code, "r")).toThrow(/Use a custom code in 4000-4999/)
  })
  it("rejects a reason longer than a WebSocket close frame carries", () => {
    expect(() => Reply.disconnect(4000, "x".repeat(124))).toThrow(/124 bytes/)
    expect(Reply.disconnect(4000, "x".repeat(123)).reason).toHaveLength(123)
  })
})

describe("results", () => {
  it("keep explicit empty values distinct from unset", () => {
    expect("data" in Reply.rpc()).toBe(false)
    expect(Reply.rpc({ data: "" }).data).toBe("")
    expect(Reply.connect({ user: "", data: {} }).data).toEqual({})
  })
  it("isRejection recognises only error and disconnect replies", () => {
    expect(Reply.isRejection(Reply.error(400, "x"))).toBe(true)
    expect(Reply.isRejection(Reply.disconnect(4000, "x"))).toBe(true)
    expect(Reply.isRejection(Reply.rpc())).toBe(false)
    // A look-alike from client JSON is not a rejection: the brand is a symbol.
    expect(Reply.isRejection({ _tag: "ErrorReply", code: 400, message: "x", temporary: false })).toBe(false)
  })
})

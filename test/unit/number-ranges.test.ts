// Numbers on the wire keep the ranges of their protobuf types on both transports: uint64 versions, int64 scores and
// expire_at times. gRPC gets them from its varints; the HTTP codec, reading and writing JSON text, must check them.
import { describe, expect, it } from "vitest"
import * as HttpCodec from "../../src/http/codec/index.ts"
import { isBadBody } from "../../src/http/json.ts"
import { Reply } from "../../src/index.ts"
import * as ProtoCodec from "../../src/grpc/codec/index.ts"
import { thrown } from "../support/thrown.ts"

const poll = (version: string) =>
  Buffer.from(`{"channel":"p","items":[{"key":"k","version":${version}}]}`)

describe("request numbers over HTTP: a shared-poll version is a uint64", () => {
  it("accepts 0 .. 2^64-1 exactly", () => {
    for (const version of ["0", "1", "18446744073709551615"]) {
      expect(HttpCodec.decodeSharedPollRefresh(poll(version), {}).items[0]!.version).toBe(BigInt(version))
    }
  })

  it("refuses what Go cannot read into a uint64 (2^64, 1e400, fractions, exponents, negatives) with a 400 naming it", () => {
    for (const version of ["18446744073709551616", "1e400", "-1e400", "1.5", "1e3", "1.0", "-1", "-0", "99999999999999999999999"]) {
      const error = thrown(() => HttpCodec.decodeSharedPollRefresh(poll(version), {}))
      expect({ version, bad: isBadBody(error) }).toEqual({ version, bad: true })
      expect((error as { message: string }).message).toBe("items[0].version must be an integer in 0..2^64-1")
    }
  })
})

const encoders = [
  { transport: "HTTP", codec: HttpCodec },
  { transport: "gRPC", codec: ProtoCodec }
] as const

describe.each(encoders)("reply numbers over $transport: the protobuf ranges", ({ codec }) => {
  const refused = (f: () => unknown) => {
    const error = thrown(f)
    return error instanceof TypeError ? error.message : `not refused: ${String(error)}`
  }

  it("expire_at is an int64 of seconds: 0 .. 2^63-1", () => {
    expect(() => codec.encodeRefresh(Reply.refresh({ expireAt: 2 ** 53 - 1 }))).not.toThrow()
    for (const expireAt of [2 ** 63, 1e300, Number.MAX_VALUE]) {
      expect(refused(() => codec.encodeRefresh(Reply.refresh({ expireAt })))).toMatch(/expireAt must be a Unix time/)
      expect(refused(() => codec.encodeConnect(Reply.connect({ user: "u", subs: { c: { expireAt } } })))).toMatch(
        /subs\[c\]\.expireAt must be a Unix time/
      )
    }
  })

  it("a map publication's score is an int64: -2^63 .. 2^63-1, integers only", () => {
    for (const score of [-(2n ** 63n), 2n ** 63n - 1n, 5]) {
      expect(() => codec.encodeMapPublish(Reply.mapPublish({ score }))).not.toThrow()
    }
    for (const score of [2n ** 63n, -(2n ** 63n) - 1n, 1.5, 2 ** 63, Number.NaN]) {
      expect(refused(() => codec.encodeMapPublish(Reply.mapPublish({ score })))).toMatch(/score must be a 64-bit integer/)
    }
  })

  it("versions are uint64: 0 .. 2^64-1, integers only", () => {
    expect(() => codec.encodePublish(Reply.publish({ version: 2n ** 64n - 1n }))).not.toThrow()
    for (const version of [2n ** 64n, -1n, -1, 1.5, 2 ** 64]) {
      expect(refused(() => codec.encodePublish(Reply.publish({ version })))).toMatch(/version must be an integer in 0..2\^64-1/)
      expect(refused(() => codec.encodeSharedPollRefresh(Reply.sharedPollRefresh({ items: [{ key: "k", version }] }))))
        .toMatch(/items\[0\]\.version must be an integer/)
    }
  })
})

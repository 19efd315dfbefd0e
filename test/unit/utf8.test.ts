// utf8Length: the byte count of TextEncoder's output, for every UTF-16 code unit alone and for surrogate pairs.
import { describe, expect, it } from "@effect/vitest"
import { utf8Length } from "../../src/internal/utf8.ts"

const encoder = new TextEncoder()
const encoded = (text: string) => encoder.encode(text).length

describe("utf8Length", () => {
  it("counts every code unit alone as TextEncoder does (lone surrogates become U+FFFD, 3 bytes)", () => {
    const wrong: Array<number> = []
    for (let unit = 0; unit <= 0xffff; unit++) {
      const text = String.fromCharCode(unit)
      if (utf8Length(text) !== encoded(text)) wrong.push(unit)
    }
    expect(wrong).toEqual([])
    expect([utf8Length("a"), utf8Length("é"), utf8Length("€"), utf8Length("\ud800")]).toEqual([1, 2, 3, 3])
  })

  it("counts a surrogate pair as one 4-byte code point, and mixed text as the sum", () => {
    for (const text of ["😀", "a😀b", "\ud83d\ud83d\ude00", "\ude00\ud83d", "x\ud83d", "€😀é\u0000", "𝄞".repeat(70)]) {
      expect([text, utf8Length(text)]).toEqual([text, encoded(text)])
    }
    expect(utf8Length("😀")).toBe(4)
    expect(utf8Length("")).toBe(0)
  })
})

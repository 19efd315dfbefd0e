// `centrifugo checkconfig --strict` as the CLI and the testing kit run it (one helper, src/internal/checkconfig.ts).
import { describe, expect, it } from "vitest"
import { checkconfig } from "../../src/internal/checkconfig.ts"
import { Centrifugo } from "../../src/testing/index.ts"
import { centrifugoBin } from "../support/e2e.ts"

const valid = { http_server: { port: 8000 }, client: { allowed_origins: ["*"] } }
// Strict mode refuses keys Centrifugo does not know.
const invalid = { http_server: { port: 8000 }, no_such_option: true }

describe("checkconfig", () => {
  it("passes a valid config and returns Centrifugo's complaint about an invalid one", async () => {
    expect(await checkconfig(centrifugoBin(), valid)).toMatchObject({ passed: true })
    const refused = await checkconfig(centrifugoBin(), invalid)
    expect(refused.passed).toBe(false)
    expect(refused.output).toContain("no_such_option")
  })

  it("a binary that cannot start fails the check with its error", async () => {
    const outcome = await checkconfig("/nonexistent/centrifugo", valid)
    expect(outcome).toMatchObject({ passed: false })
    expect(outcome.output).toContain("ENOENT")
  })

  it("Centrifugo.checkWithBinary resolves with the output or rejects with the complaint", async () => {
    await expect(Centrifugo.checkWithBinary(centrifugoBin(), valid)).resolves.toBeTypeOf("string")
    await expect(Centrifugo.checkWithBinary(centrifugoBin(), invalid)).rejects.toThrow(/checkconfig failed: .*no_such_option/s)
  })
})

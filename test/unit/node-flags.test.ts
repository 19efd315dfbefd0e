// The V8 flags Workers gives its worker processes by default, unless the user sets the same flag.
import { describe, expect, it } from "vitest"
import { withDefaultFlags, WORKER_NODE_FLAGS } from "../../src/internal/nodeFlags.ts"

describe("withDefaultFlags", () => {
  it("adds the default semi-space cap to the process's own flags", () => {
    expect(WORKER_NODE_FLAGS).toEqual(["--max-semi-space-size=1"])
    expect(withDefaultFlags([])).toEqual(["--max-semi-space-size=1"])
    expect(withDefaultFlags(["--conditions=x"], "--enable-source-maps")).toEqual(["--conditions=x", "--max-semi-space-size=1"])
  })

  it("a semi-space size the user gives wins, in execArgv or NODE_OPTIONS, with dashes or underscores", () => {
    expect(withDefaultFlags(["--max-semi-space-size=16"])).toEqual(["--max-semi-space-size=16"])
    expect(withDefaultFlags([], "--max-semi-space-size=8")).toEqual([])
    expect(withDefaultFlags(["--max_semi_space_size=4"])).toEqual(["--max_semi_space_size=4"])
  })
})

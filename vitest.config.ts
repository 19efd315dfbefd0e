import { defineConfig } from "vitest/config"

// Examples and tests import the library by its package name; this condition resolves it to src/ (no build step),
// as `node --conditions=effect-centrifugo-source` does for the example scripts.
const conditions = ["effect-centrifugo-source", "import", "module", "node", "default"]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    // End-to-end files each start their own Centrifugo; two cores run two files at a time comfortably.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})

/**
 * `centrifugo checkconfig --strict` on a config: Centrifugo's own check, run by the CLI's `config` command and the
 * testing kit's `Centrifugo.checkWithBinary`.
 *
 * @since 0.1.0
 */
import { execFile } from "node:child_process"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** Whether the check passed, and what Centrifugo printed (on failure: its complaint, else the exit error). */
export interface CheckconfigOutcome {
  readonly passed: boolean
  readonly output: string
}

/** Runs the binary `bin` on `config`; rejects only when the config cannot be written. */
export const checkconfig = async (bin: string, config: unknown): Promise<CheckconfigOutcome> => {
  // A directory of its own: Centrifugo reads `.env` from its working directory.
  const dir = await mkdtemp(join(tmpdir(), "centrifugo-check-"))
  try {
    const file = join(dir, "config.json")
    await writeFile(file, JSON.stringify(config, null, 2))
    return await new Promise((resolve) =>
      execFile(bin, ["checkconfig", "--strict", "--config", file], { cwd: dir }, (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`
        // A binary that did not start prints nothing: its error (spawn ... ENOENT) is the output.
        resolve(error === null ? { passed: true, output } : { passed: false, output: output.trim() || error.message })
      })
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

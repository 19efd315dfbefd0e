/**
 * What every benchmarked server answers, so the variants differ only in how they are built.
 * - noop: Connect -> { user: "u" }, Subscribe -> {}, RPC -> {}
 * - realistic Connect: parse `data` JSON, check it has a string `token`, look the token up (a service call), answer
 *   the user with two channels and JSON data.
 */
export const TOKENS: ReadonlyMap<string, string> = new Map([["t1", "alice"], ["t2", "bob"]])

export const realisticChannels = (user: string) => [`user-${user}`, "public"]

export const port = (): number => Number(process.env.PORT ?? "0")

export const ready = (port: number) => console.log(`ready ${port}`)

/**
 * The V8 flags a worker process gets by default. `--max-semi-space-size=1` (MiB) caps V8's young generation: the
 * benchmarks measured ~40-50 MiB less RSS under sustained load for this library and for a bare grpc-js server
 * alike, at no throughput cost (`npm run bench -- --only-flags`, `--only-soak`). A flag of the same name the user
 * already gives (in the process's own flags or NODE_OPTIONS) wins.
 *
 * @since 0.2.0
 */
export const WORKER_NODE_FLAGS: ReadonlyArray<string> = ["--max-semi-space-size=1"]

/** `execArgv` plus each default flag whose name appears neither in it nor in `nodeOptions`. */
export const withDefaultFlags = (execArgv: ReadonlyArray<string>, nodeOptions = ""): Array<string> => {
  const given = `${execArgv.join(" ")} ${nodeOptions}`.replaceAll("_", "-")
  return [...execArgv, ...WORKER_NODE_FLAGS.filter((flag) => !given.includes(flag.split("=")[0]!))]
}

/**
 * The `layerConfig` of both servers: options as `Config.Wrap` (each option a `Config`, or the whole options one
 * `Config`, as `NodeHttpServer.layerConfig` takes them), over defaults read from the environment, with one
 * `ConfigError` naming every bad variable.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as EnvConfig from "../internal/envConfig.ts"
import * as Pipeline from "../internal/pipeline.ts"
import * as Credentials from "./credentials.ts"

/**
 * The options: `options` itself when it is one `Config`; otherwise each option of `options`, or else of `fromEnv`.
 */
export const read = <O extends object>(
  options: Config.Wrap<O>,
  fromEnv: Config.Wrap<O>
): Effect.Effect<O, Config.ConfigError> =>
  EnvConfig.unwrap<O>(
    Config.isConfig(options) ? options : { ...(fromEnv as object), ...(options as object) } as Config.Wrap<O>
  )

/** An optional variable: `undefined` when it is not set. */
export const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  config.pipe(Config.option, Config.map(Option.getOrUndefined))

/** What a server reads from the environment for the options both servers have. */
export interface CommonOptions {
  readonly host?: string
  readonly port?: number
  readonly timeout?: Duration.Input
  readonly shutdownTimeout?: Duration.Input
  readonly drainDelay?: Duration.Input
  readonly requireCredentials?: Credentials.RequiredCredentials
  readonly centrifugoConfig?: string
}

/**
 * The variables of the options both servers have: `${prefix}HOST`, `${prefix}PORT`, `${prefix}TIMEOUT`,
 * `${prefix}SHUTDOWN_TIMEOUT` (`PROXY_` for gRPC, `PROXY_HTTP_` for HTTP), the credentials' (`Defaults`), and the
 * shared `PROXY_DRAIN_DELAY` and `PROXY_CENTRIFUGO_CONFIG`.
 */
export const common = (
  prefix: string,
  defaults: { readonly host: string; readonly port: number; readonly credentialsEnv: Credentials.CredentialsEnv }
): Config.Wrap<CommonOptions> => ({
  host: Config.String(`${prefix}HOST`).pipe(Config.withDefault(defaults.host)),
  // Config.Int, not Config.Port: port 0 (any free port) is allowed; the server checks the range.
  port: Config.Int(`${prefix}PORT`).pipe(Config.withDefault(defaults.port)),
  timeout: Config.Duration(`${prefix}TIMEOUT`).pipe(Config.withDefault(Pipeline.DEFAULT_TIMEOUT)),
  shutdownTimeout: Config.Duration(`${prefix}SHUTDOWN_TIMEOUT`).pipe(Config.withDefault(Duration.seconds(10))),
  // One variable for both transports: a pod leaves its load balancers once, whichever it serves.
  drainDelay: Config.Duration("PROXY_DRAIN_DELAY").pipe(Config.withDefault(Duration.zero)),
  requireCredentials: Credentials.fromEnv(defaults.credentialsEnv),
  centrifugoConfig: optional(Config.String("PROXY_CENTRIFUGO_CONFIG"))
})

/**
 * The Centrifugo v6 config that matches a handler set, and the check of a given config against one: what the CLI's
 * `config` and `config --check` print, for code that writes or checks the config itself.
 *
 * `generate(set.description, options)` enables the proxies of exactly the events handled, the namespaces of the
 * typed channels a `ChannelRouter` serves (with their options) and the RPC settings of the methods; `checkConfig`
 * lists where a config and a handler set disagree, and `formatMismatch` prints one finding as a line.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { CentrifugoConfig, HandlerSet, Reply } from "effect-centrifugo"
 *
 * const App = HandlerSet.layer({ connect: () => Effect.succeed(Reply.connect({ user: "alice" })) })
 * const { config } = CentrifugoConfig.generate(App.description, { transport: "grpc", endpoint: "127.0.0.1:10001" })
 * const problems = CentrifugoConfig.checkConfig(config, App.description).map(CentrifugoConfig.formatMismatch)
 * ```
 *
 * @since 0.1.0
 */
export {
  checkConfig,
  formatMismatch,
  type GenerateOptions,
  type Generated,
  generate,
  type Mismatch,
  type ProxyExtras
} from "./internal/centrifugoConfig.ts"

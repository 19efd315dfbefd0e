/**
 * The log format and level of a deployed backend: `LOG_FORMAT` = `json` (one JSON object per line, for log
 * collectors), `logfmt`, or `pretty` (the default, for people), and `LOG_LEVEL` (`trace` .. `fatal`, or `none`, in any case;
 * default `info`). Lines come from Effect's own formatters (`Logger.formatJson` / `formatLogFmt` /
 * `consolePretty`); the only addition is the trace: a line written inside a span carries `traceId` and `spanId`
 * annotations, so a log line leads to its trace. Every call's lines already carry `event`, `client`, `user` and
 * `channel`/`method` (escaped client text); secrets (proxy credentials, tokens, API keys) are never logged.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Formatter from "effect/Formatter"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import { escaping } from "./logEscape.ts"

export { escaping } from "./logEscape.ts"

const LogLevelNames = LogLevel.values

/**
 * The log line formats: one JSON object per line, logfmt, or Effect's pretty output.
 *
 * @since 0.1.0
 * @category models
 */
export type Format = "json" | "logfmt" | "pretty"

/** The current span's ids, when the line is written inside one. */
const traceOf = (fiber: { readonly context: Context.Context<never> }) => {
  const span = Context.getOrUndefined(fiber.context, Tracer.ParentSpan)
  return span === undefined ? undefined : { traceId: span.traceId, spanId: span.spanId }
}

/**
 * One JSON object per line: Effect's structured form, with `traceId`/`spanId` among the annotations.
 *
 * @since 0.1.0
 * @category loggers
 */
export const formatJson: Logger.Logger<unknown, string> = Logger.make((options) => {
  const structured = Logger.formatStructured.log(options)
  const trace = traceOf(options.fiber)
  return Formatter.formatJson(
    trace === undefined ? structured : { ...structured, annotations: { ...structured.annotations, ...trace } }
  )
})

/**
 * logfmt: Effect's line, then `traceId=... spanId=...` inside a span.
 *
 * @since 0.1.0
 * @category loggers
 */
export const formatLogFmt: Logger.Logger<unknown, string> = Logger.make((options) => {
  const line = Logger.formatLogFmt.log(options)
  const trace = traceOf(options.fiber)
  return trace === undefined ? line : `${line} traceId=${trace.traceId} spanId=${trace.spanId}`
})

/**
 * Options of `Logging.layer`: the line format, the minimum level, and where lines are written.
 *
 * @since 0.1.0
 * @category models
 */
export interface LoggingOptions {
  readonly format?: Format
  readonly level?: LogLevel.LogLevel
  /** Where the lines go. Default: the console (stdout; Effect's console logger). */
  readonly write?: (line: string) => void
}

/**
 * Replaces the default logger with one in `format`, and sets the minimum level.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: LoggingOptions = {}): Layer.Layer<never> => {
  const format = options.format ?? "pretty"
  const write = options.write
  // Every format is fed escaped text (logEscape.ts): no client text can forge a line or send terminal escapes.
  const logger: Logger.Logger<unknown, unknown> = format === "pretty"
    ? write === undefined ? escaping(Logger.consolePretty()) : Logger.map(escaping(Logger.formatLogFmt), write)
    : write === undefined
    ? Logger.withConsoleLog(escaping(format === "json" ? formatJson : formatLogFmt))
    : Logger.map(escaping(format === "json" ? formatJson : formatLogFmt), write)
  return Layer.merge(
    Logger.layer([logger]),
    Layer.succeed(References.MinimumLogLevel, options.level ?? "Info")
  )
}

/** `debug`, `DEBUG`, `warning` ... as Effect's level names (`Debug`, `Warn`); anything else is left as it is. */
const canonicalLevel = (text: string): string => {
  const lower = text.trim().toLowerCase()
  const alias = lower === "warning" ? "warn" : lower
  return LogLevelNames.find((level) => level.toLowerCase() === alias) ?? text
}

/** `LOG_LEVEL` in any case; an unknown name fails with `Config.LogLevel`'s own error. */
const levelConfig = Config.String("LOG_LEVEL").pipe(
  Config.withDefault("Info"),
  Config.mapEffect((text) => Config.LogLevel("LOG_LEVEL").parse(ConfigProvider.fromEnv({ env: { LOG_LEVEL: canonicalLevel(text) } })))
)

/**
 * `layer` from `LOG_FORMAT` (default `pretty`) and `LOG_LEVEL` (default `Info`; any case, `warning` = `Warn`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (): Layer.Layer<never, Config.ConfigError> =>
  Layer.unwrap(Effect.map(
    Config.all({
      format: Config.Literals(["json", "logfmt", "pretty"], "LOG_FORMAT").pipe(Config.withDefault("pretty" as const)),
      level: levelConfig
    }),
    layer
  ))

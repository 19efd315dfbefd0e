/**
 * How the library decodes client data with a Schema and words what does not fit: shared by the server's handlers
 * and the browser entry (this module imports only `effect`).
 *
 * @since 0.1.0
 */
import * as SchemaIssue from "effect/SchemaIssue"

/** All problems (the message lists the first few); fields the Schema does not name are ignored, not refused. */
export const decodeOptions = { errors: "all", onExcessProperty: "ignore" } as const

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** At most this many problems are listed in a message; the reader needs the first, not a dump. */
const MAX_LISTED_ISSUES = 3

// A `Schema.Number` in its JSON form (RpcProxy's payloads) also takes these three strings (JSON has no other spelling
// for them); a value that is neither a number nor one of them is reported with the strings alone, which reads as if
// no number would do.
const NON_FINITE_NUMBER = 'Expected "Infinity" | "-Infinity" | "NaN"'

/** A readable one-line account of why data does not fit: `title: Expected string, got 1; body: Missing key`. */
export const describeIssue = (issue: SchemaIssue.Issue): string => {
  const issues = formatter(issue).issues
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((i) => {
    const path = (i.path ?? []).map((p) => (typeof p === "object" && p !== null && "key" in p ? p.key : p)).join(".")
    const message = i.message === NON_FINITE_NUMBER ? "Expected number" : i.message
    return path === "" ? message : `${path}: ${message}`
  })
  const more = issues.length > MAX_LISTED_ISSUES ? ` (and ${issues.length - MAX_LISTED_ISSUES} more)` : ""
  return `${listed.join("; ")}${more}`
}

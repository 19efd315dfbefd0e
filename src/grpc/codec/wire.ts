/**
 * The protobuf mechanics under the gRPC codec: reading a message without the generated reader's per-field copies,
 * and one reused writer whose bytes are copied out into Node's pool. Decoding throws `DecodeFailure` for bytes that
 * are not the message.
 *
 * @since 0.1.0
 */
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire"

const DecodeFailureTypeId: unique symbol = Symbol.for("effect-centrifugo/DecodeFailure")

/** The request bytes are not a valid protobuf message of the method's request type. */
export interface DecodeFailure {
  readonly [DecodeFailureTypeId]: true
  readonly message: string
}

export const isDecodeFailure = (value: unknown): value is DecodeFailure =>
  typeof value === "object" && value !== null && DecodeFailureTypeId in value

export const decodeFailure = (message: string): DecodeFailure => ({ [DecodeFailureTypeId]: true, message })

export const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * What Centrifugo sends as a connection's transport, protocol and encoding: a request's bytes that spell one of
 * these are read as the constant, not as a new string on every call.
 */
const KNOWN_STRINGS = [
  "websocket", "http_stream", "sse", "uni_websocket", "uni_sse", "uni_http_stream", "uni_grpc", "webtransport",
  "json", "protobuf", "binary"
]
const knownByLength: Array<Array<readonly [string, Buffer]> | undefined> = []
for (const text of KNOWN_STRINGS) (knownByLength[text.length] ??= []).push([text, Buffer.from(text)])

const knownString = (buffer: Buffer, start: number, end: number): string | undefined => {
  const candidates = knownByLength[end - start]
  if (candidates === undefined) return undefined
  for (let c = 0; c < candidates.length; c++) {
    const [text, bytes] = candidates[c]!
    let i = 0
    while (i < bytes.length && buffer[start + i] === bytes[i]) i++
    if (i === bytes.length) return text
  }
  return undefined
}

/**
 * A reader's `string()` that slices straight out of the request's bytes. The library's builds short strings from an
 * array of char codes and longer ones from a subarray through TextDecoder: two or three allocations per field on
 * every call. Buffer's decoder gives the same text (invalid UTF-8 becomes U+FFFD, a BOM is kept). One function for
 * every reader (it reads `this`), not a closure per call.
 */
function readString(this: BinaryReader): string {
  const length = this.uint32()
  const start = this.pos
  const end = start + length
  if (end > this.len) throw new RangeError("premature EOF")
  this.pos = end
  // `buf` is private in the typings; readerOf always hands the reader a Buffer.
  const buffer = (this as unknown as { readonly buf: Buffer }).buf
  return knownString(buffer, start, end) ?? buffer.toString("utf8", start, end)
}

const readerOf = (bytes: Uint8Array): BinaryReader => {
  const reader = new BinaryReader(Buffer.isBuffer(bytes) ? bytes : toBuffer(bytes))
  reader.string = readString
  return reader
}

export const decodeMessage = <T>(fns: { decode(input: BinaryReader): T }, name: string, bytes: Uint8Array): T => {
  try {
    return fns.decode(readerOf(bytes))
  } catch (error) {
    throw decodeFailure(`undecodable ${name}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/**
 * One writer for every response: encoding is synchronous, so no two messages ever share it at once, and its
 * buffer, grown once, is reused instead of allocated per call. `finish` copies the bytes out and resets it; an
 * encode that threw half-way leaves it dirty, which the next `writer()` notices and resets.
 */
const sharedWriter = new BinaryWriter()
let writerInUse = false
export const writer = (): BinaryWriter => {
  if (writerInUse) sharedWriter.finish()
  writerInUse = true
  return sharedWriter
}
/**
 * The writer's own fields, read to copy a message out into a Buffer from Node's pool: `finish()` allocates a fresh
 * ArrayBuffer per message and a view over it. Checked once at load, so a @bufbuild version that renames them falls
 * back to `finish()`.
 */
const writerState = sharedWriter as unknown as { buffer: Uint8Array; pos: number; stackPos: Array<number> }
const canCopyOut = writerState.buffer instanceof Uint8Array && typeof writerState.pos === "number" &&
  Array.isArray(writerState.stackPos)
let writerBytes: Uint8Array | undefined
let writerView: Buffer = Buffer.alloc(0)

export const finish = (used: BinaryWriter): Buffer => {
  writerInUse = false
  if (!canCopyOut || used !== sharedWriter || writerState.stackPos.length !== 0) return toBuffer(used.finish())
  // The writer replaces its buffer when it grows: one view per buffer, not per message.
  if (writerState.buffer !== writerBytes) {
    writerBytes = writerState.buffer
    writerView = toBuffer(writerBytes)
  }
  const out = Buffer.allocUnsafe(writerState.pos)
  writerView.copy(out, 0, 0, writerState.pos)
  writerState.pos = 0
  return out
}


/**
 * The HTTP codec: Centrifugo's JSON proxy bodies <-> domain requests and replies, for the nine events Centrifugo
 * v6.9.1 proxies over HTTP.
 *
 * Centrifugo does not use protojson here: it marshals its generated Go structs with `encoding/json`, so the wire
 * form is theirs, and this module writes exactly it:
 * - field names are the snake_case proto names (`expire_at`, `b64data`, `skip_history`, ...);
 * - `data`, `info`, `meta` (and `stream_data`, `prev_data`) are embedded raw JSON values, never base64 strings;
 *   binary payloads travel base64-encoded in the `b64*` twin fields (a proxy with `binary_encoding`);
 * - int64/uint64 (`expire_at`, `version`, `score`) are plain JSON numbers, written from BigInt without rounding;
 * - zero values are left out (Go's `omitempty`), so a result with nothing set is `{}`; BoolValue overrides are
 *   objects (`"override":{"presence":{"value":true}}`, `{}` for false);
 * - a reply is `{"result":...}`, `{"error":...}` or `{"disconnect":...}`.
 * The conventions on top (payloads, expire_at in seconds, override booleans) are the protobuf codec's
 * (`src/grpc/codec/`), so both transports answer the same thing. A contract test checks every field name and
 * kind here against the json tags of Centrifugo's own `internal/proxyproto/proxy.pb.go`.
 *
 * Decoding throws `BadBody` (not a request of the event: HTTP 400) or `InvalidJson` (a payload that is not JSON,
 * or nested too deeply: error 107); encoding throws a TypeError for a reply that cannot be sent.
 *
 * @since 0.1.0
 */
export * from "./replies.ts"
export * from "./requests.ts"

#!/usr/bin/env bash
# Builds the real Centrifugo server that the end-to-end tests, the demo and the benchmarks run against.
# It is built once from the Go module proxy into the project's ignored cache; later calls return at once.
# CENTRIFUGO_BIN=/path/to/centrifugo skips the build and uses that binary instead.
# Prints the binary's path on stdout (everything else goes to stderr).
set -euo pipefail

CENTRIFUGO_VERSION="v6.9.1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ -n "${CENTRIFUGO_BIN:-}" ]]; then
  if [[ ! -x "$CENTRIFUGO_BIN" ]]; then
    echo "CENTRIFUGO_BIN=$CENTRIFUGO_BIN is not an executable file" >&2
    exit 1
  fi
  echo "$CENTRIFUGO_BIN"
  exit 0
fi

bin_dir="$root/.cache/centrifugo/$CENTRIFUGO_VERSION"
bin="$bin_dir/centrifugo"
if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
Go is not installed, so Centrifugo $CENTRIFUGO_VERSION cannot be built.
Install Go (https://go.dev/dl/, 1.24 or newer), or point CENTRIFUGO_BIN at a centrifugo $CENTRIFUGO_VERSION binary.
MSG
  exit 1
fi

mkdir -p "$bin_dir"
echo "building centrifugo $CENTRIFUGO_VERSION with $(go version) (once; cached in $bin_dir)" >&2
# CGO off: a static binary, no C toolchain needed. The version is stamped as the release build does, so
# `centrifugo version` says 6.9.1 and the server does not warn about a development build.
GOBIN="$bin_dir" CGO_ENABLED=0 go install \
  -ldflags "-X github.com/centrifugal/centrifugo/v6/internal/build.Version=${CENTRIFUGO_VERSION#v}" \
  "github.com/centrifugal/centrifugo/v6@$CENTRIFUGO_VERSION" >&2
"$bin" version >&2
echo "$bin"

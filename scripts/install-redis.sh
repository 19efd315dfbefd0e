#!/usr/bin/env bash
# Installs the Redis server that the Centrifugo cluster tests use as the shared engine (test/e2e/scale.test.ts,
# src/testing/CentrifugoCluster.ts): Debian's `redis-server`, when it is not on PATH.
# REDIS_URL=redis://host:port skips the install: the tests use that Redis instead of starting their own.
# Prints the redis-server path (or the REDIS_URL) on stdout, everything else on stderr; exits non-zero with a clear
# message when it cannot install.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt-install.sh"

if [[ -n "${REDIS_URL:-}" ]]; then
  echo "$REDIS_URL"
  exit 0
fi

if bin="$(command -v redis-server)"; then
  echo "$bin"
  exit 0
fi

cannot() {
  # Builtins only: this must print even where PATH is broken.
  printf '%s\n' \
    "redis-server is not installed and could not be installed: $1" \
    "The Centrifugo cluster tests (test/e2e/scale.test.ts) will be skipped." \
    "Install Debian's package yourself (apt-get install redis-server), or set REDIS_URL=redis://host:port to a Redis" \
    "the tests may use (they delete nothing; their keys have a prefix of their own)." >&2
  exit 1
}

# The package's service is not started here: the tests run their own redis-server on a free port.
apt_install redis-server
bin="$(command -v redis-server)" || cannot "the redis-server package did not put redis-server on PATH"
"$bin" --version >&2 || true
echo "$bin"

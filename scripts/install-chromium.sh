#!/usr/bin/env bash
# Installs the headless browser that the browser demo's test drives (test/e2e/browser-demo.test.ts): Debian's
# `chromium`, when /usr/bin/chromium is missing. Playwright's own browser downloads are not used (they need a host
# this project does not reach); playwright-core drives the system Chromium instead.
# CHROMIUM_BIN=/path/to/chromium skips the install and uses that binary instead.
# Prints the binary's path on stdout (everything else goes to stderr); exits non-zero when it cannot install.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt-install.sh"

if [[ -n "${CHROMIUM_BIN:-}" ]]; then
  if [[ ! -x "$CHROMIUM_BIN" ]]; then
    echo "CHROMIUM_BIN=$CHROMIUM_BIN is not an executable file" >&2
    exit 1
  fi
  echo "$CHROMIUM_BIN"
  exit 0
fi

bin="/usr/bin/chromium"
if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

cannot() {
  cat >&2 <<MSG
Chromium is not installed and could not be installed: $1
The browser demo's test (test/e2e/browser-demo.test.ts) will be skipped.
Install Debian's package yourself (apt-get install chromium), or point CHROMIUM_BIN at a Chromium binary.
MSG
  exit 1
}

apt_install chromium
[[ -x "$bin" ]] || cannot "the chromium package did not provide $bin"
"$bin" --version >&2 || true
echo "$bin"

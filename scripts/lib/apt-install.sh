# Sourced by the scripts that install a Debian package a test needs (install-chromium.sh, install-redis.sh).
# apt_install PACKAGE: installs it as root, or with passwordless sudo. The caller defines `cannot REASON`, which says
# what the missing package means for the tests and how to provide it, and exits.
apt_install() {
  local package="$1"
  command -v apt-get >/dev/null 2>&1 || cannot "apt-get is not available (not a Debian-based system)"
  local sudo=()
  if [[ "$(id -u)" != "0" ]]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || cannot "not root and no passwordless sudo"
    sudo=(sudo -n)
  fi
  echo "installing Debian's $package (once)" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update >&2 || cannot "apt-get update failed"
  "${sudo[@]}" apt-get install -y --no-install-recommends "$package" >&2 || cannot "apt-get install $package failed"
}

#!/usr/bin/env bash
# Installs what the live app needs besides Python packages, and only what is missing:
#   - the Solara page's frontend (npm packages, into .venv/solara-assets) so it works offline;
#   - with --browser: Debian's chromium at /usr/bin/chromium, for the browser tests.
# Run after scripts/env.sh with the "app" extra (scripts/test.sh does both). As root it
# installs missing Debian packages itself (apt-get); otherwise it says what to install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
APT_UPDATED=0

apt_install() {  # apt_install PACKAGE...: as root with apt-get, else explain and fail
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing: $*; install it (Debian/Ubuntu: sudo apt-get install -y $*) and retry" >&2
    exit 5
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    echo "apt-get update (for: $*)" >&2
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  echo "apt-get install $*" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
if ! "$PY" -c 'import sys; from sim.app import assets; sys.exit(1 if assets.missing() else 0)'; then
  command -v npm >/dev/null 2>&1 || apt_install npm
  "$PY" -m sim.app.assets
fi

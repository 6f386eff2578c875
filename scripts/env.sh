#!/usr/bin/env bash
# Sourced by the other scripts: finds a Python >= 3.12 and makes the project's .venv with it.
# Usage: source scripts/env.sh "<pip extras>"   (e.g. "test" or "test,app")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

ok_python() {  # prints the interpreter if it runs and is >= 3.12
  "$@" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
  for cand in python3.13 python3.12 python3; do
    if command -v "$cand" >/dev/null 2>&1 && ok_python "$cand"; then
      command -v "$cand"; return 0
    fi
  done
  # pyenv: the bare shims may fail, so ask pyenv for an installed 3.12+ directly
  if command -v pyenv >/dev/null 2>&1; then
    local root v
    root="$(pyenv root)"
    for v in $(ls "$root/versions" 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])' | sort -rV); do
      if ok_python "$root/versions/$v/bin/python"; then
        echo "$root/versions/$v/bin/python"; return 0
      fi
    done
  fi
  return 1
}

if [ ! -x "$VENV/bin/python" ] || ! ok_python "$VENV/bin/python"; then
  if ! PY="$(find_python)"; then
    echo "goedeburen needs Python >= 3.12 (Mesa 3.4+ requires it)." >&2
    echo "None was found on PATH or in pyenv. Install one (e.g. 'pyenv install 3.12') and retry." >&2
    exit 3
  fi
  echo "creating .venv with $PY ($("$PY" --version))" >&2
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
EXTRAS="${1:-}"
if [ -n "$EXTRAS" ]; then SPEC=".[$EXTRAS]"; else SPEC="."; fi
echo "installing goedeburen${EXTRAS:+ [$EXTRAS]} into .venv (log: .venv/pip-install.log)" >&2
if ! "$VENV/bin/python" -m pip install --quiet -e "$ROOT/$SPEC" >"$VENV/pip-install.log" 2>&1; then
  cat "$VENV/pip-install.log" >&2
  echo "installing goedeburen failed (see above)" >&2
  exit 4
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"

#!/usr/bin/env bash
# Installs goedeburen with its test, app and Dask (dist) dependencies (and, for the app's
# browser tests, the offline frontend and Debian's chromium where missing), checks the style,
# then runs the whole test suite.
# pytest's exit code 5 ("no tests collected") counts as a failure.
source "$(dirname "$0")/env.sh" "test,app,dist"
bash "$ROOT/scripts/solara_assets.sh" --browser
# Style: lint (rule set in pyproject.toml) and formatting are part of the build.
echo "checking style (ruff check, ruff format --check) ..." >&2
if ! ruff check sim tests benchmarks scripts || ! ruff format --check --quiet sim tests benchmarks scripts; then
  echo "style check failed: run 'ruff check --fix' and 'ruff format' on the files above" >&2
  exit 1
fi
set +e
python -m pytest -q "$@"
code=$?
if [ "$code" -eq 5 ]; then
  echo "pytest collected no tests: treating as failure" >&2
  exit 1
fi
# Security: audit the installed dependencies for known vulnerabilities (pip-audit). A found
# vulnerability fails the build; no network (or no answer from the service) only warns.
echo "checking dependencies for known vulnerabilities (pip-audit) ..." >&2
python "$ROOT/scripts/audit.py"
audit=$?
if [ "$code" -eq 0 ]; then code="$audit"; fi
exit "$code"

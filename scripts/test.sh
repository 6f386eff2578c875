#!/usr/bin/env bash
# Installs goedeburen with its test dependencies and runs the whole test suite.
# pytest's exit code 5 ("no tests collected") counts as a failure.
source "$(dirname "$0")/env.sh" "test"
set +e
python -m pytest -q "$@"
code=$?
if [ "$code" -eq 5 ]; then
  echo "pytest collected no tests: treating as failure" >&2
  exit 1
fi
exit "$code"

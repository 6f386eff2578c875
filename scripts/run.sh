#!/usr/bin/env bash
# Installs goedeburen and runs the main job: the shipped interventions experiment
# (experiments/interventions.toml: the problem flat, each intervention and the combined
# package, paired by seed) on its first 5 seeds, then the policy report on it. The file
# itself has 20 seeds: `goedeburen sweep experiments/interventions.toml` runs them all, and
# reuses the 5 done here. Extra arguments go to `goedeburen sweep` (try --help).
source "$(dirname "$0")/env.sh" ""
out=results/interventions
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --out) out="${args[i + 1]:-$out}" ;;
    --out=*) out="${args[i]#--out=}" ;;
  esac
done
status=0
goedeburen sweep experiments/interventions.toml --seeds 5 "$@" || status=$?
# the report also shows runs that failed (exit status 1), so build it all the same
if [ "$status" -le 1 ]; then goedeburen report "$out"; fi
exit "$status"

#!/usr/bin/env bash
# Installs goedeburen and runs the main job on the shipped defaults: every shipped scenario
# over 5 common seeds, written to results/comparison/ (report.md, summary.csv, plots).
# Extra arguments go to `goedeburen compare` (try --help).
source "$(dirname "$0")/env.sh" ""
goedeburen compare --seeds 5 "$@"

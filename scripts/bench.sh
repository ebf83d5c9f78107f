#!/usr/bin/env bash
# `make bench`: parallel failover at scale (seeds/000) against the OneFS floor and two baselines.
# Prints ONE JSON object on stdout (progress on stderr); see docs/benchmarks.md.
#
# Needs only the project venv (`make venv`: ansible-core + the simulator's `onefs-sim`); the
# benchmark starts and stops its own simulators. Extra options go to the benchmark, e.g.
#   scripts/bench.sh --skip-baselines --job-seconds 0.5
# Variables: VENV (default .venv), BENCH_ARGS (extra options, same as the arguments).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
venv=${VENV:-.venv}
case "$venv" in /*) ;; *) venv=$root/$venv ;; esac
if [ ! -x "$venv/bin/python" ] || [ ! -x "$venv/bin/onefs-sim" ]; then
  echo "bench: no venv with the simulator at $venv; run 'make venv' (make bench does)" >&2
  exit 1
fi
export PATH=$venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=$root/.build/collections
# shellcheck disable=SC2086  # BENCH_ARGS is a list of options
exec "$venv/bin/python" benchmarks/bench_failover.py ${BENCH_ARGS:-} "$@"

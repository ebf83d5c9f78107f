#!/usr/bin/env bash
# `make rehearse TWIN=<file>`: a DR rehearsal on a digital twin (docs/rehearsal.md).
#
#   1. serve the twin with the OneFS simulator, each SyncIQ job taking the median duration of
#      its policy's jobs in the twin's history and share writes the twin's service time
#      (`onefs-sim serve --scenario TWIN --job-seconds-from-history [--time-scale S]`);
#   2. run readiness -> failover -> failback with the collection's playbooks against it (a phase
#      runs only when the one before it succeeded);
#   3. playbooks/rehearse.yml: capture the end state, compare it with the twin on what a failback
#      must restore, hold the outcome against EXPECT and write REPORT_DIR/rehearsal.json.
# Exit 0 when the outcome is the expected one, 1 otherwise (2: bad input).
#
# Variables (make variables or environment):
#   TWIN        the twin: a scenario file (playbooks/capture_twin.yml) or a builtin scenario name
#   INVENTORY   the failover units' inventory (default: inventories/<TWIN> for a builtin name)
#   EXPECT      optional YAML file holding onefs_dr_rehearsal_expect (default: every phase passes
#               and the end state equals the twin)
#   REPORT_DIR  where the reports go (default: reports/rehearsal-<UTC time>)
#   TIME_SCALE  divide the twin's durations by this (default: the twin's timing, else 1)
#   JOB_SECONDS duration of a job without history (default: the twin's timing, else 1)
#   PHASES      default "readiness failover failback"
#   VENV        default .venv
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
venv=${VENV:-.venv}
case "$venv" in /*) ;; *) venv=$root/$venv ;; esac
py=$venv/bin/python
abspath() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

twin=${TWIN:-}
if [ -z "$twin" ]; then
  echo "rehearse: give TWIN=<twin file> (playbooks/capture_twin.yml writes one), e.g. make rehearse TWIN=twin/site.json" >&2
  exit 2
fi
inventory=${INVENTORY:-}
if [ -f "$twin" ]; then
  twin=$(abspath "$twin")
elif [ -d "inventories/$twin" ] && [ -z "$inventory" ]; then
  inventory=inventories/$twin      # a builtin scenario (demo, scale) and its inventory
fi
if [ -z "$inventory" ] || [ ! -e "$inventory" ]; then
  echo "rehearse: INVENTORY=<the failover units' inventory> is required (got '${inventory}')" >&2
  exit 2
fi
inventory=$(abspath "$inventory")
expect=${EXPECT:-}
if [ -n "$expect" ]; then
  [ -f "$expect" ] || { echo "rehearse: EXPECT=$expect is not a file" >&2; exit 2; }
  expect=$(abspath "$expect")
fi
report_dir=$(abspath "${REPORT_DIR:-$root/reports/rehearsal-$(date -u +%Y%m%dT%H%M%SZ)}")
mkdir -p "$report_dir/reports"

export PATH=$venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$root/.build/collections}
export ANSIBLE_PYTHON_INTERPRETER=$py
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=1
export PYTHONUNBUFFERED=1
# The rehearsal's own reports, unit states and limiter: never the real runs' ones.
export ONEFS_DR_REPORT_DIR=$report_dir/reports
export ONEFS_DR_STATE_DIR=$report_dir/state
export ONEFS_LIMITER_DIR=$report_dir/state/limiter

# --- 1. serve the twin ------------------------------------------------------------------------
sim_args=(--scenario "$twin" --port 0 --job-seconds-from-history)
[ -n "${TIME_SCALE:-}" ] && sim_args+=(--time-scale "$TIME_SCALE")
[ -n "${JOB_SECONDS:-}" ] && sim_args+=(--job-seconds "$JOB_SECONDS")
"$venv/bin/onefs-sim" serve "${sim_args[@]}" >"$report_dir/simulator.out" 2>"$report_dir/simulator.log" &
sim_pid=$!
stop_sim() {
  if kill -0 "$sim_pid" 2>/dev/null; then
    kill -TERM "$sim_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$sim_pid" 2>/dev/null || true
  fi
  wait "$sim_pid" 2>/dev/null || true
}
trap stop_sim EXIT
trap 'exit 130' INT TERM
"$py" scripts/sim_inventory.py --ready "$report_dir/simulator.out" --wait 120 \
  --out "$report_dir/connection.yml" >/dev/null || { cat "$report_dir/simulator.log" >&2; exit 1; }
export ONEFS_DR_CONNECTION_VARS=$report_dir/connection.yml
echo "rehearse: twin $twin served (log: $report_dir/simulator.log)"

# The twin's AD forest has the simulator's administrator (a twin holds no password), and the
# simulated jobs are short: poll them often.
extra=(-e onefs_dr_spn_ad_user=administrator -e onefs_dr_spn_ad_password=AdPass1! -e onefs_dr_job_poll_interval=1)

# --- 2. the phases ----------------------------------------------------------------------------
phases_json=$report_dir/phases.json
echo "[]" >"$phases_json"
record() {  # name playbook rc seconds
  "$py" - "$phases_json" "$@" "$ONEFS_DR_REPORT_DIR" <<'PY'
import glob, json, os, sys
path, name, playbook, rc, seconds, reports = sys.argv[1:7]
phases = json.load(open(path))
seen = {p.get("report") for p in phases}
newest = sorted((p for p in glob.glob(os.path.join(reports, "*.json")) if p not in seen), key=os.path.getmtime)
phases.append({"name": name, "playbook": playbook, "rc": int(rc), "seconds": float(seconds),
               "report": newest[-1] if newest else None})
json.dump(phases, open(path, "w"), indent=2)
PY
}
for phase in ${PHASES:-readiness failover failback}; do
  echo "rehearse: $phase (ansible-playbook -i $inventory playbooks/$phase.yml)"
  start=$(date +%s.%N)
  rc=0
  ansible-playbook -i "$inventory" "playbooks/$phase.yml" "${extra[@]}" >"$report_dir/$phase.log" 2>&1 || rc=$?
  seconds=$("$py" -c "import sys; print(round($(date +%s.%N) - float(sys.argv[1]), 2))" "$start")
  record "$phase" "playbooks/$phase.yml" "$rc" "$seconds"
  echo "rehearse: $phase rc=$rc in ${seconds}s (log: $report_dir/$phase.log)"
  [ "$rc" -eq 0 ] || break
done

# --- 3. end state, outcome, report ------------------------------------------------------------
check=(-e "onefs_dr_twin_file=$twin" -e "onefs_dr_rehearsal_dir=$report_dir")
[ -n "$expect" ] && check+=(-e "@$expect")
rc=0
if [ -f "$twin" ]; then
  ansible-playbook -i "$inventory" playbooks/rehearse.yml "${check[@]}" >"$report_dir/rehearse.log" 2>&1 || rc=$?
  grep -E '"msg"' "$report_dir/rehearse.log" | tail -n 3 || true
else
  echo "rehearse: TWIN=$twin is a builtin scenario: no end-state check (capture a twin file for one)"
  rc=$("$py" -c "import json,sys; print(max([p['rc'] for p in json.load(open(sys.argv[1]))] + [0]))" "$phases_json")
fi
echo "rehearse: report $report_dir/rehearsal.json"
exit "$rc"

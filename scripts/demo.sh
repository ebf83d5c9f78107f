#!/usr/bin/env bash
# `make demo`: start the OneFS simulator (scenario "demo": clusters alpha -> beta), run the
# demo against it, always stop it, and say where the report is.
#
# What runs, first match wins:
#   1. playbooks/demo.yml (readiness, failover, failback rehearsal), with
#        -i inventories/<scenario>              (when that inventory exists)
#        ONEFS_DR_CONNECTION_VARS=<report dir>/connection.yml  (written by scripts/sim_inventory.py
#                                                 from the simulator's ready line)
#        -e @<report dir>/sim-vars.json          var `onefs_sim`: the ready line itself
#        -e onefs_report_dir=<report dir>
#      and ONEFS_* set for the first (source) cluster;
#   2. a readiness report: `ansible localhost -m onefs.dr.onefs_info` once per cluster;
#   3. a readiness report from the simulator's control API (its state, summarised).
#
# Variables: VENV (default .venv), DEMO_SCENARIO (default demo), REPORT_DIR.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
venv=${VENV:-.venv}
case "$venv" in /*) ;; *) venv=$root/$venv ;; esac
py=$venv/bin/python
scenario=${DEMO_SCENARIO:-demo}
report_dir=${REPORT_DIR:-$root/reports/demo-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$report_dir"

export PATH=$venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$root/.build/collections}
# Modules run on localhost with the venv's Python (it has the runtime requirements).
export ANSIBLE_PYTHON_INTERPRETER=$py
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export PYTHONUNBUFFERED=1

if ! command -v onefs-sim >/dev/null 2>&1; then
  echo "demo: the simulator (onefs-sim) is not installed in $venv; run 'make venv' once simulator/ exists" >&2
  exit 1
fi

# --- start the simulator and wait for its ready line --------------------------------------
sim_out=$report_dir/simulator.out
sim_log=$report_dir/simulator.log
onefs-sim serve --scenario "$scenario" --port 0 >"$sim_out" 2>"$sim_log" &
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

ready=$report_dir/simulator.json
for _ in $(seq 600); do    # up to 60 s
  if head -n1 "$sim_out" 2>/dev/null | "$py" -c 'import json, sys; json.loads(sys.stdin.readline())["clusters"]' 2>/dev/null; then
    head -n1 "$sim_out" >"$ready"
    break
  fi
  if ! kill -0 "$sim_pid" 2>/dev/null; then
    echo "demo: the simulator exited before it was ready; its log:" >&2
    cat "$sim_log" >&2
    exit 1
  fi
  sleep 0.1
done
[ -s "$ready" ] || { echo "demo: no ready line from the simulator after 60 s; its log: $sim_log" >&2; exit 1; }

# Variables for the first cluster in the scenario (the source side), plus the whole ready line.
eval "$("$py" - "$ready" "$report_dir/sim-vars.json" <<'PY'
import json, shlex, sys
ready = json.load(open(sys.argv[1]))
json.dump({"onefs_sim": ready}, open(sys.argv[2], "w"), indent=2)
name, c = next(iter(ready["clusters"].items()))
env = {
    "ONEFS_HOST": c["host"], "ONEFS_PORT": c["port"],
    "ONEFS_USERNAME": c["username"], "ONEFS_PASSWORD": c["password"],
    "ONEFS_VALIDATE_CERTS": "true" if c.get("ca") else "false",
    "ONEFS_CA_PATH": c.get("ca") or "",
    "ONEFS_SIM_CONTROL": ready["control"], "ONEFS_SIM_READY": sys.argv[1],
    "DEMO_CLUSTERS": " ".join(ready["clusters"]),
}
for k, v in env.items():
    print("export %s=%s" % (k, shlex.quote(str(v))))
PY
)"
echo "demo: simulator up (scenario $scenario: clusters ${DEMO_CLUSTERS// /, }; control $ONEFS_SIM_CONTROL)"

# --- 1. the playbook --------------------------------------------------------------------------
if [ -f playbooks/demo.yml ]; then
  inventory=()
  [ -d "inventories/$scenario" ] && inventory=(-i "inventories/$scenario")
  if [ -f scripts/sim_inventory.py ]; then
    "$py" scripts/sim_inventory.py --ready "$ready" --out "$report_dir/connection.yml" >/dev/null
    export ONEFS_DR_CONNECTION_VARS=$report_dir/connection.yml
  fi
  # The playbooks' own reports: reports/ of this checkout (their default is outside the
  # collection, ~/.local/state/onefs_dr/reports).
  export ONEFS_DR_REPORT_DIR=${ONEFS_DR_REPORT_DIR:-$root/reports}
  echo "demo: ansible-playbook ${inventory[*]} playbooks/demo.yml"
  ansible-playbook "${inventory[@]}" playbooks/demo.yml -e "@$report_dir/sim-vars.json" \
    -e "onefs_report_dir=$report_dir" 2>&1 | tee "$report_dir/demo.log"
  echo
  echo "demo: done -- log in ${report_dir#"$root"/}/demo.log; the playbook's own reports are named above"
  exit 0
fi

# --- 2. readiness report through the collection's info module --------------------------------
if [ -f plugins/modules/onefs_info.py ]; then
  for name in $DEMO_CLUSTERS; do
    eval "$("$py" - "$ready" "$name" <<'PY'
import json, shlex, sys
c = json.load(open(sys.argv[1]))["clusters"][sys.argv[2]]
for k, v in {"ONEFS_HOST": c["host"], "ONEFS_PORT": c["port"], "ONEFS_USERNAME": c["username"],
             "ONEFS_PASSWORD": c["password"], "ONEFS_VALIDATE_CERTS": "true" if c.get("ca") else "false",
             "ONEFS_CA_PATH": c.get("ca") or ""}.items():
    print("export %s=%s" % (k, shlex.quote(str(v))))
PY
)"
    echo "demo: onefs.dr.onefs_info against $name ($ONEFS_HOST:$ONEFS_PORT)"
    ANSIBLE_STDOUT_CALLBACK=minimal ansible localhost -i localhost, -c local -m onefs.dr.onefs_info \
      >"$report_dir/$name.raw" 2>"$report_dir/$name.err" || {
        echo "demo: onefs_info failed on $name:" >&2; cat "$report_dir/$name.raw" "$report_dir/$name.err" >&2; exit 1; }
  done
  # shellcheck disable=SC2086  # one argument per cluster name
  "$py" - "$report_dir" $DEMO_CLUSTERS <<'PY'
import json, os, sys
out, report = sys.argv[1], {}
for name in sys.argv[2:]:
    text = open(os.path.join(out, name + ".raw")).read()
    result = json.loads(text[text.index("{"):])      # "localhost | SUCCESS => {...}"
    for k in ("invocation", "_ansible_no_log"):
        result.pop(k, None)
    report[name] = result
path = os.path.join(out, "readiness.json")
json.dump(report, open(path, "w"), indent=2, sort_keys=True)
for name, r in report.items():
    cluster = r.get("cluster") or {}
    version = (cluster.get("onefs_version") or {}).get("release", "?")
    counts = ", ".join("%s=%d" % (k, len(v)) for k, v in sorted(r.items())
                       if isinstance(v, list) and k != "gathered_subsets")
    print("  %-8s OneFS %s  %s" % (name, version, counts or "(no facts)"))
PY
  echo "demo: readiness report (onefs_info) in ${report_dir#"$root"/}/readiness.json"
  exit 0
fi

# --- 3. readiness report from the simulator's control API ------------------------------------
"$py" - "$ONEFS_SIM_CONTROL" "$report_dir/readiness.json" <<'PY'
import json, sys, urllib.request
control, path = sys.argv[1], sys.argv[2]
get = lambda p: json.load(urllib.request.urlopen(control + p, timeout=30))
report = {}
for name, info in get("/sim/v1/clusters")["clusters"].items():
    state = get("/sim/v1/clusters/%s/state" % name)
    counts = {k: len(v) for k, v in state.items() if isinstance(v, (list, dict))}
    report[name] = {"url": info.get("url"), "down": info.get("down"), "counts": counts}
    print("  %-8s %s  %s" % (name, info.get("url"), ", ".join("%s=%d" % kv for kv in sorted(counts.items()))))
json.dump({"source": "simulator control API", "clusters": report}, open(path, "w"), indent=2, sort_keys=True)
PY
echo "demo: readiness report (simulator state) in ${report_dir#"$root"/}/readiness.json"

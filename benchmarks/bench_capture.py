#!/usr/bin/env python3
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Digital-twin capture at scale (issue 19): playbooks/capture_twin.yml against a simulated pair.

Prints ONE JSON object on stdout (progress on stderr). The pair: a generated DR pair (the
simulator's `scale` generator) with ``--zones`` x ``--shares-per-zone`` SMB shares on the source
(default 10 x 500 = 5,000) and the same shares on the target (configuration already
replicated), one SyncIQ policy per zone with ``--history`` finished jobs each. The capture writes
``--format`` (json or yaml); the time is the whole ``ansible-playbook`` run, wall clock, and the
served check (the twin loaded by a second simulator) is timed apart. Target: under a minute.

Usage: ``python benchmarks/bench_capture.py [--zones 10] [--shares-per-zone 500] [--format json]``;
``make bench-capture`` runs it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "simulator"))
sys.path.insert(0, str(REPO / "scripts"))

import sim_inventory  # noqa: E402

from onefs_sim import Simulator  # noqa: E402
from onefs_sim.scenario import generate_scenario  # noqa: E402


def log(msg):
    sys.stderr.write("bench-capture: %s\n" % msg)
    sys.stderr.flush()


def history(scenario, jobs):
    """``jobs`` finished runs per policy in the source's reports (durations 60..)."""
    src = scenario["clusters"]["alpha"]
    reports, job_id = [], 1
    now = int(time.time())
    for pol in src["policies"]:
        for i in range(jobs):
            start = now - 86400 * (jobs - i)
            duration = 60 + 10 * i
            reports.append({"id": "%d-%s" % (job_id, pol["name"]), "job_id": job_id, "policy_name": pol["name"],
                            "action": "run", "state": "finished", "start_time": start, "end_time": start + duration,
                            "duration": duration, "total_bytes": 1 << 30, "bytes_transferred": 1 << 28})
            job_id += 1
    src["reports"] = reports


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--zones", type=int, default=10)
    p.add_argument("--shares-per-zone", type=int, default=500)
    p.add_argument("--history", type=int, default=10, help="finished jobs per policy in the history")
    p.add_argument("--format", choices=("json", "yaml"), default="json")
    args = p.parse_args(argv)

    scenario = generate_scenario(zones=args.zones, shares_per_zone=args.shares_per_zone)
    history(scenario, args.history)
    shares = args.zones * args.shares_per_zone
    log("starting a pair with %d shares per cluster" % shares)
    with tempfile.TemporaryDirectory(prefix="bench-capture-") as tmp, \
            Simulator.from_scenario(scenario, share_write_service_ms=2, job_seconds=0.05) as sim:
        conn = Path(tmp) / "connection.yml"
        conn.write_text(sim_inventory.to_yaml(sim_inventory.connection_vars(sim.ready_line())))
        out = Path(tmp) / ("twin." + args.format)
        env = dict(os.environ)
        env.update({"ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build" / "collections"),
                    "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_LOCALHOST_WARNING": "false",
                    "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false", "ANSIBLE_NOCOLOR": "1"})
        counters_before = json.load(urllib.request.urlopen(sim.control_url + "/sim/v1/clusters/alpha/counters"))
        cmd = [str(Path(sys.executable).parent / "ansible-playbook"), str(REPO / "playbooks" / "capture_twin.yml"),
               "-e", "onefs_dr_connection_vars_file=%s" % conn, "-e", "onefs_dr_twin_output=%s" % out]
        log("capturing (%s)" % " ".join(cmd[1:2]))
        started = time.monotonic()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=str(REPO))
        seconds = time.monotonic() - started
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
            return 1
        counters = json.load(urllib.request.urlopen(sim.control_url + "/sim/v1/clusters/alpha/counters"))
        size = out.stat().st_size
        log("served check: loading the twin in a second simulator")
        started = time.monotonic()
        twin = Simulator.from_scenario(str(out), tls=False)
        load_seconds = time.monotonic() - started
        twin_shares = sum(len(v) for v in twin.world.clusters["alpha"].s["shares"].values())
    result = {
        "shares_per_cluster": shares, "clusters": 2, "history_jobs_per_policy": args.history,
        "format": args.format, "capture_seconds": round(seconds, 2), "under_a_minute": seconds < 60,
        "twin_bytes": size, "twin_load_seconds": round(load_seconds, 2), "twin_shares_alpha": twin_shares,
        "alpha_requests": counters["requests"] - counters_before["requests"],
        "alpha_writes": counters["writes"] - counters_before["writes"],
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the benchmark: a simulator process, its control API, ansible-playbook runs.

Nothing here is shipped in the collection. The OneFS calls of the baselines go through the
collection's own client (plugins/module_utils/client.py), imported the way Ansible does.
"""

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from onefs_sim.control_client import Control

REPO = Path(__file__).resolve().parents[1]
COLLECTIONS = REPO / ".build" / "collections"
BIN = Path(sys.executable).parent
DENY_EVERYONE = {"permission": "full", "permission_type": "deny", "trustee": {"id": "SID:S-1-1-0"}}


def link_collection():
    """``.build/collections/ansible_collections/onefs/dr`` -> this checkout (``make collection`` does the same)."""
    link = COLLECTIONS / "ansible_collections" / "onefs" / "dr"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink() and not link.exists():
        link.symlink_to(REPO)
    if str(COLLECTIONS) not in sys.path:
        sys.path.insert(0, str(COLLECTIONS))
    return COLLECTIONS


class SimProcess:
    """``onefs-sim serve`` in its own process (its CPU use is not the benchmark's)."""

    def __init__(self, workdir, scenario="scale", job_seconds=0.5, service_ms=30.0, capacity=10):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        exe = BIN / "onefs-sim"
        cmd = [str(exe) if exe.exists() else "onefs-sim", "serve", "--scenario", scenario, "--port", "0",
               "--job-seconds", str(job_seconds), "--service-ms", str(service_ms), "--capacity", str(capacity)]
        self.log = open(self.workdir / "simulator.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError("simulator did not start; see %s" % (self.workdir / "simulator.log"))
        self.ready = json.loads(line)
        self.control = Control(self.ready["control"])
        self.clusters = sorted(self.ready["clusters"])

    def connection(self, name):
        """OneFSClient keyword arguments for a cluster."""
        c = self.ready["clusters"][name]
        return dict(host=c["host"], port=c["port"], username=c["username"], password=c["password"],
                    ca_path=c.get("ca"), validate_certs=bool(c.get("ca")))

    def connection_vars_file(self, path):
        """The vars file the playbooks load (scripts/sim_inventory.py's format)."""
        clusters = {}
        for name in self.clusters:
            conn = self.connection(name)
            entry = {k: conn[k] for k in ("host", "port", "username", "password", "validate_certs")}
            if conn["ca_path"]:
                entry["ca_path"] = conn["ca_path"]
            clusters[name] = entry
        data = {"onefs_dr_clusters": clusters, "onefs_dr_sim_control_url": self.ready["control"]}
        Path(path).write_text("---\n" + "".join("%s: %s\n" % (k, json.dumps(v, sort_keys=True)) for k, v in data.items()))
        os.chmod(path, 0o600)
        return Path(path)

    def counters(self):
        return {c: self.control.counters(c) for c in self.clusters}

    def reset_counters(self):
        for c in self.clusters:
            self.control.reset_counters(c)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


def summarize_counters(counters):
    """Totals over clusters, without the per-endpoint detail (kept separately when needed)."""
    out = {"requests": 0, "writes": 0, "share_writes": 0, "conflicts_409": 0, "max_concurrent_share_writes": 0,
           "logins": 0, "logouts": 0, "latest_gets": 0, "share_write_conflicts": 0, "bookkeeping_requests": 0}
    for c in counters.values():
        for key in ("requests", "writes", "share_writes", "conflicts_409", "bookkeeping_requests"):
            out[key] += c.get(key, 0)
        out["max_concurrent_share_writes"] = max(out["max_concurrent_share_writes"], c.get("max_concurrent_share_writes", 0))
        by = c.get("by_endpoint", {})
        out["logins"] += by.get("POST /session/1/session", 0)
        out["logouts"] += by.get("DELETE /session/1/session", 0)
        out["latest_gets"] += by.get("GET /platform/latest", 0)
    return out


def share_acls(state, zones):
    """{(zone, share): [normalized ACEs]} of a state dump."""
    out = {}
    for zone in zones:
        for share in state["shares"].get(zone, []):
            out[(zone, share["name"])] = [
                (a["trustee"]["id"].upper(), a["permission"], a["permission_type"]) for a in share.get("permissions", [])
            ]
    return out


def jobs_per_policy(states):
    """How many SyncIQ jobs each base policy ran (reports on every cluster; '_mirror' folded in)."""
    count = {}
    for state in states:
        for report in state.get("reports", []):
            name = re.sub(r"_mirror$", "", report.get("policy_name", ""))
            count[name] = count.get(name, 0) + 1
    return count


def ansible_env(workdir, conn_file, forks, timings=None, extra=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_FORKS": str(forks),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_PIPELINING": "1",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ONEFS_DR_CONNECTION_VARS": str(conn_file),
        "ONEFS_DR_STATE_DIR": str(Path(workdir) / "state"),
        "ONEFS_LIMITER_DIR": str(Path(workdir) / "limiter"),
        "ANSIBLE_CALLBACK_PLUGINS": str(Path(__file__).resolve().parent / "callback_plugins"),
        "ANSIBLE_CALLBACKS_ENABLED": "bench_timer",
    })
    if timings:
        env["ONEFS_BENCH_TIMINGS"] = str(timings)
    else:
        env.pop("ONEFS_BENCH_TIMINGS", None)
    env.update(extra or {})
    return env


def run_ansible(cmd, env, cwd, log_path, timeout=3600):
    """Run an ansible command; returns rc, wall seconds, CPU seconds (its process tree), recap."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.run(cmd, env=env, cwd=str(cwd), stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = Path(log_path).read_text(errors="replace")
    recap = {}
    for m in re.finditer(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", text, re.M):
        recap[m.group(1)] = {"ok": int(m.group(2)), "changed": int(m.group(3)), "failed": int(m.group(5)),
                             "skipped": int(m.group(6))}
    return {"rc": proc.returncode, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "recap": recap}

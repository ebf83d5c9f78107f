"""Helpers of the fault suite: small generated scenarios, unit inventories, playbook runs, end state.

The playbooks run with ansible-playbook against an in-process simulator, exactly as an operator
runs them (docs/orchestration.md, "Running against the simulator").
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml
from support import kill_run

REPO = Path(__file__).resolve().parents[2]
WRITES_ON = ("writes_enabled", "creating_resync_policy", "resync_policy_created")
EVERYONE = "SID:S-1-1-0"


def scenario(zones=2, shares=20, replicated=True):
    """A generated DR pair (the simulator's `scale` generator, smaller)."""
    return {"description": "fault suite: %d zones x %d shares" % (zones, shares),
            "generate": {"zones": zones, "shares_per_zone": shares, "policies_per_zone": 1,
                         "release": "9.10", "replicated": replicated}}


def zone_names(count):
    return ["zone%02d" % i for i in range(1, count + 1)]


def connection_vars(sim, path, **per_cluster):
    """The vars file the playbooks load (scripts/sim_inventory.py's format); extra keys per cluster."""
    clusters = {}
    for name, c in sim.clusters.items():
        entry = {"host": c.host, "port": c.port, "username": c.username, "password": c.password}
        if c.ca:
            entry.update(ca_path=c.ca, validate_certs=True)
        else:
            entry["validate_certs"] = False
        entry.update(per_cluster.get(name, {}))
        clusters[name] = entry
    Path(path).write_text(yaml.safe_dump({"onefs_dr_clusters": clusters, "onefs_dr_sim_control_url": sim.control_url}))
    os.chmod(path, 0o600)
    return Path(path)


def inventory(path, units, **group_vars):
    """A zone-mode inventory: ``units`` is a list of zone names or {host: vars} dicts."""
    hosts = {}
    for unit in units:
        if isinstance(unit, dict):
            hosts.update(unit)
        else:
            hosts[unit] = {"onefs_dr_zone": unit}
    gvars = {
        "onefs_dr_mode": "zone",
        "onefs_dr_source": "alpha",
        "onefs_dr_target": "beta",
        "onefs_dr_smartconnect_enabled": False,
        "onefs_dr_readiness_ignore": ["smb_oplocks"],
        "onefs_dr_job_poll_interval": 1,
        "onefs_dr_batch_size": 10,
    }
    gvars.update(group_vars)
    data = {"all": {"children": {"onefs_dr_units": {"hosts": hosts, "vars": gvars}},
                    "vars": {"ansible_connection": "local",
                             "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}
    Path(path).write_text(yaml.safe_dump(data, sort_keys=False))
    return Path(path)


class Playbooks:
    """Runs the collection's playbooks; one state directory and limiter directory per test."""

    def __init__(self, collections_root, workdir, conn_file, inventory_path, limiter_dir=None):
        self.workdir = Path(workdir)
        self.inventory = inventory_path
        self.reports = self.workdir / "reports"
        self.env = dict(os.environ)
        self.env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(collections_root),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_PIPELINING": "1",
            "ANSIBLE_FORKS": "10",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ONEFS_DR_CONNECTION_VARS": str(conn_file),
            "ONEFS_DR_STATE_DIR": str(self.workdir / "state"),
            "ONEFS_LIMITER_DIR": str(limiter_dir or (self.workdir / "limiter")),
        })

    def command(self, playbook, *extra):
        return [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(self.inventory),
                str(REPO / "playbooks" / playbook), "-e", "onefs_dr_report_dir=%s" % self.reports, *extra]

    def run(self, playbook, *extra, timeout=600):
        return subprocess.run(self.command(playbook, *extra), env=self.env, capture_output=True, text=True,
                              timeout=timeout, cwd=str(REPO))

    def start(self, playbook, *extra):
        """Start a run in a session of its own (kill() then takes every process it started)."""
        path = self.workdir / ("run-%d.log" % time.monotonic_ns())
        with open(path, "w") as log:
            proc = subprocess.Popen(self.command(playbook, *extra), env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT, cwd=str(REPO), start_new_session=True)
        proc.log_path = str(path)
        return proc

    @staticmethod
    def kill(proc):
        kill_run(proc)

    def last_report(self, kind="failover"):
        files = sorted(self.reports.glob("%s-*.json" % kind))
        return json.loads(files[-1].read_text()) if files else None

    @staticmethod
    def recap(text):
        out = {}
        for m in re.finditer(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", text, re.M):
            out[m.group(1)] = {"changed": int(m.group(3)), "failed": int(m.group(5))}
        return out


def ok(proc):
    assert proc.returncode == 0, "rc=%s\n%s\n%s" % (proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:])


def acls(state, zones):
    """{(zone, share): [(trustee id, permission, type), ...]} of a state dump."""
    return {(z, s["name"]): [(a["trustee"]["id"].upper(), a["permission"], a["permission_type"])
                             for a in s.get("permissions", [])]
            for z in zones for s in state["shares"].get(z, [])}


def locked(state, zones):
    """Shares whose ACL carries a deny-Everyone entry."""
    return sorted("%s/%s" % key for key, acl in acls(state, zones).items()
                  if any(t == EVERYONE and p == "full" and kind == "deny" for t, p, kind in acl))


def assert_failed_over(control, zones, original_acls):
    """End state of a completed failover alpha -> beta of the given zone units."""
    a, b = control.state("alpha"), control.state("beta")
    tps = {t["name"]: t for t in b["target_policies"]}
    apol = {p["name"]: p for p in a["policies"]}
    bpol = {p["name"]: p for p in b["policies"]}
    for zone in zones:
        policy = "%s_policy" % zone
        assert tps[policy]["failover_failback_state"] in WRITES_ON, (policy, tps[policy])
        assert apol[policy]["enabled"] is False, (policy, "still enabled on alpha")
        assert bpol[policy + "_mirror"]["enabled"] is True, (policy, "mirror not enabled on beta")
        path = "/ifs/%s" % zone
        assert b["writable"][path] is True and a["writable"][path] is False, (zone, b["writable"], a["writable"])
    assert locked(a, zones) == [] and locked(b, zones) == [], (locked(a, zones)[:5], locked(b, zones)[:5])
    for name, state in (("alpha", a), ("beta", b)):
        got = acls(state, zones)
        want = original_acls[name]
        assert got == want, (name, sorted(k for k in want if got.get(k) != want[k])[:5])
    # Each share exists once per zone and cluster (no duplicate from a retried create).
    for state in (a, b):
        for zone in zones:
            names = [s["name"].lower() for s in state["shares"].get(zone, [])]
            assert len(names) == len(set(names)), (state["name"], zone)

"""Failover and failback of the simulator's demo scenario through the playbooks.

Runs playbooks/failover.yml and failback.yml with ansible-playbook against an in-process
simulator, re-runs each (idempotence: changed=0 for every unit), and checks the end state
through the simulator's control API: SyncIQ roles, shares and ACLs, exports, quotas,
SmartConnect names, SPNs and each path's data generation. While the playbooks run, a sampler
probes SMB write access to one share per unit on both clusters: never both at once.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from support import Control

REPO = Path(__file__).resolve().parents[2]
INVENTORY = REPO / "inventories" / "demo"

# unit -> (mode, policies, zone of its shares, data paths)
UNITS = {
    "home": ("policy", ["home_policy"], "System", ["/ifs/home"]),
    "finance": ("zone", ["finance_policy"], "finance", ["/ifs/finance"]),
    "eng": ("zone", ["eng_src_policy", "eng_builds_policy"], "eng", ["/ifs/eng/src", "/ifs/eng/builds"]),
}
# One share per unit and a user who may write to it, for the "never writable twice" sampler.
PROBES = [
    ("System", "home", "S-1-5-21-1004-1104"),
    ("finance", "ledger", "S-1-5-21-1004-1101"),
]
MOVED_NAMES = ["finance.example.com", "fin.example.com", "eng.example.com", "build.example.com", "src.example.com"]
WRITES_ON = ("writes_enabled", "creating_resync_policy", "resync_policy_created")
PREFIX = "dr-"


def _sim_inventory():
    spec = importlib.util.spec_from_file_location("sim_inventory", REPO / "scripts" / "sim_inventory.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _connection_file(sim, path):
    ready = {"clusters": {n: {"url": c.url, "ca": c.ca, "username": c.username, "password": c.password,
                              "host": c.host, "port": c.port} for n, c in sim.clusters.items()},
             "control": sim.control_url}
    tool = _sim_inventory()
    path.write_text(tool.to_yaml(tool.connection_vars(ready)))
    return path


class Runner:
    def __init__(self, collections_root, tmp_path, conn_file):
        self.env = dict(os.environ)
        self.env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(collections_root),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_PIPELINING": "1",
            "ANSIBLE_FORKS": "10",
            "ONEFS_DR_CONNECTION_VARS": str(conn_file),
            "ONEFS_DR_STATE_DIR": str(tmp_path / "state"),
            "ONEFS_LIMITER_DIR": str(tmp_path / "limiter"),
        })
        self.reports = tmp_path / "reports"

    def playbook(self, name, *extra):
        cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(INVENTORY),
               str(REPO / "playbooks" / name), "-e", "onefs_dr_batch_size=3",
               "-e", "onefs_dr_report_dir=%s" % self.reports, *extra]
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=900, cwd=str(REPO))
        return proc

    @staticmethod
    def recap(proc):
        out = {}
        for m in re.finditer(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", proc.stdout, re.M):
            out[m.group(1)] = {"changed": int(m.group(3)), "failed": int(m.group(5))}
        return out


def _nothing_changed(recap):
    """A re-run is a resume: changed=0 on every unit and on localhost (molecule's idempotence rule)."""
    assert set(UNITS) <= set(recap), recap
    assert {h: r["changed"] for h, r in recap.items()} == {h: 0 for h in recap}, recap


def _ok(proc):
    assert proc.returncode == 0, "rc=%s\n%s\n%s" % (proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:])


class Sampler(threading.Thread):
    """Probes SMB write access on both clusters while a playbook runs."""

    def __init__(self, control):
        super().__init__(daemon=True)
        self.control = control
        self.stop = threading.Event()
        self.violations = []
        self.samples = 0

    def run(self):
        while not self.stop.is_set():
            for zone, share, sid in PROBES:
                can = []
                for cluster in ("alpha", "beta"):
                    try:
                        res = self.control.probe(name=cluster, share=share, zone=zone, sid=sid)
                    except Exception:  # a share not yet created on the target: no access
                        res = {"can_write": False}
                    can.append(res.get("can_write"))
                if all(can):
                    self.violations.append((time.time(), zone, share))
            self.samples += 1
            time.sleep(0.2)


def _norm_acl(acl):
    return [(a["trustee"]["id"].upper(), a["permission"], a["permission_type"]) for a in acl]


def _shares(state, zone, paths):
    return {s["name"]: s for s in state["shares"].get(zone, [])
            if any(s["path"] == p or s["path"].startswith(p.rstrip("/") + "/") for p in paths)}


def _under(path, paths):
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in paths)


def _sc_names(state):
    names = []
    for pool in state["pools"]:
        if pool.get("sc_dns_zone"):
            names.append(pool["sc_dns_zone"].lower())
        names.extend(a.lower() for a in pool.get("sc_dns_zone_aliases", []))
    return names


def _spns(state, account):
    return {s.lower() for s in state["forest"]["machine_accounts"][account]["spns"]}


def _check_direction(control, original, active, passive, gens):
    """End state after a failover to `active` (beta) or a failback to it (alpha)."""
    a, p = control.state(active), control.state(passive)
    back = active == "alpha"
    for unit, (_mode, policies, zone, paths) in UNITS.items():
        for pol in policies:
            sending = pol + "_mirror" if back else pol
            receiving = pol if back else pol + "_mirror"
            tp = {t["name"]: t for t in a["target_policies"]}[sending]
            assert tp["failover_failback_state"] in WRITES_ON, (unit, tp)
            assert {x["name"]: x for x in p["policies"]}[sending]["enabled"] is False, (unit, sending)
            assert {x["name"]: x for x in a["policies"]}[receiving]["enabled"] is True, (unit, receiving)
        # Shares on both sides: the original ACLs, no deny we added (archive keeps its own deny).
        want = {n: _norm_acl(s["permissions"]) for n, s in _shares(original, zone, paths).items()}
        assert want, unit
        for st in (a, p):
            got = {n: _norm_acl(s["permissions"]) for n, s in _shares(st, zone, paths).items()}
            assert got == want, (unit, st["name"], got, want)
        # Exports follow (same path sets).
        src_exports = sorted(sorted(e["paths"]) for e in original["exports"] if all(_under(x, paths) for x in e["paths"]))
        got_exports = sorted(sorted(e["paths"]) for e in a["exports"] if all(_under(x, paths) for x in e["paths"]))
        assert got_exports == src_exports, unit
        # Quotas moved: on the active side, none left on the passive side (its paths are SyncIQ targets).
        want_q = sorted((q["type"], q["path"]) for q in original["quotas"] if _under(q["path"], paths) and not q.get("linked"))
        assert sorted((q["type"], q["path"]) for q in a["quotas"] if _under(q["path"], paths)) == want_q, unit
        assert [q for q in p["quotas"] if _under(q["path"], paths)] == [], unit
        # Data: the active copy has the generation written before the final sync; one writable copy.
        for path in paths:
            assert a["generations"].get(path) == gens[path], (unit, path, a["generations"], gens)
            assert a["writable"][path] is True and p["writable"][path] is False, (unit, path)
    # SmartConnect names and SPNs: on the active side only, never on both.
    a_names, p_names = _sc_names(a), _sc_names(p)
    for name in MOVED_NAMES:
        if back:
            assert name in p_names or name in a_names
            assert name in a_names and name not in p_names, name
        else:
            assert name in a_names and name not in p_names, name
            assert PREFIX + name in p_names, name
    active_acct, passive_acct = ("ALPHA$", "BETA$") if back else ("BETA$", "ALPHA$")
    for name in MOVED_NAMES:
        spns = {"host/" + name.split(".")[0], "host/" + name}
        assert spns & _spns(a, passive_acct) == set(), name
    for name in ("finance.example.com", "eng.example.com"):
        assert "host/" + name in _spns(a, active_acct), name


@pytest.mark.timeout(1800)
def test_failover_failback_demo(sim_factory, collections_root, tmp_path):
    sim = sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    runner = Runner(collections_root, tmp_path, _connection_file(sim, tmp_path / "connection.yml"))
    original = control.state("alpha")
    paths = [p for u in UNITS.values() for p in u[3]]

    # Data written on the source before the failover must be on the target after it.
    gens = {p: control.write_data("alpha", p)["generation"] for p in paths}
    sampler = Sampler(control)
    sampler.start()
    t0 = time.monotonic()
    proc = runner.playbook("failover.yml")
    failover_s = time.monotonic() - t0
    _ok(proc)
    _check_direction(control, original, "beta", "alpha", gens)
    report = json.loads(sorted(runner.reports.glob("failover-*.json"))[-1].read_text())
    assert set(report["units"]) == set(UNITS) and all(u["status"] == "ok" for u in report["units"].values())
    assert all("retries" in s and "conflicts_409" in s for u in report["units"].values() for s in u["steps"])

    again = runner.playbook("failover.yml")
    _ok(again)
    _nothing_changed(runner.recap(again))

    # Failback: data written on the DR side must come home.
    gens = {p: control.write_data("beta", p)["generation"] for p in paths}
    proc = runner.playbook("failback.yml")
    _ok(proc)
    _check_direction(control, original, "alpha", "beta", gens)
    again = runner.playbook("failback.yml")
    _ok(again)
    _nothing_changed(runner.recap(again))
    sampler.stop.set()
    sampler.join(5)
    assert sampler.samples > 10 and sampler.violations == [], sampler.violations[:5]
    print("failover %.1f s" % failover_s)


def test_check_mode_plan_of_the_failover_writes_nothing(sim_factory, collections_root, tmp_path):
    """`failover.yml --check` plans every unit to the end (no unit fails on what an earlier
    step would have created, such as the mirror policies) and writes nothing anywhere."""
    sim = sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    runner = Runner(collections_root, tmp_path, _connection_file(sim, tmp_path / "connection.yml"))
    before = {c: control.state(c) for c in ("alpha", "beta")}
    for cluster in ("alpha", "beta"):
        control.reset_counters(cluster)
    proc = runner.playbook("failover.yml", "--check")
    _ok(proc)
    for cluster in ("alpha", "beta"):
        assert control.counters(cluster)["writes"] == 0, cluster
        after = control.state(cluster)
        assert after["shares"] == before[cluster]["shares"], cluster
        assert after["policies"] == before[cluster]["policies"], cluster
    recap = Runner.recap(proc)
    assert recap and all(r["failed"] == 0 for r in recap.values()), recap
    assert any(r["changed"] > 0 for h, r in recap.items() if h != "localhost"), recap  # the plan shows the work


def test_readiness_blocks_before_any_write(sim_factory, collections_root, tmp_path):
    """Block on warnings is on by default: the demo's open files stop the failover, nothing written."""
    sim = sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    runner = Runner(collections_root, tmp_path, _connection_file(sim, tmp_path / "connection.yml"))
    for cluster in ("alpha", "beta"):
        control.reset_counters(cluster)
    proc = runner.playbook("failover.yml", "--limit", "finance", "-e", '{"onefs_dr_readiness_ignore": []}')
    assert proc.returncode != 0
    assert "Readiness blocks unit finance" in proc.stdout
    for cluster in ("alpha", "beta"):
        assert control.counters(cluster)["writes"] == 0, cluster
    report = json.loads(sorted(runner.reports.glob("failover-*.json"))[-1].read_text())
    unit = report["units"]["finance"]
    assert unit["status"] == "blocked" and unit["stopped_at"] == "r02_readiness"
    assert any(c["check"] == "smb_open_files" and c["status"] == "WARNING" for c in unit["readiness"])


def test_failure_before_point_of_no_return_rolls_back(sim_factory, collections_root, tmp_path):
    """The final sync fails (injected 500): the unit is rolled back, the other unit goes on."""
    sim = sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    runner = Runner(collections_root, tmp_path, _connection_file(sim, tmp_path / "connection.yml"))
    original = control.state("alpha")
    # Only finance_policy's job start fails; home goes through.
    control.faults("alpha", [{"method": "POST", "path": "/sync/jobs$", "status": 500, "code": "AEC_EXCEPTION",
                              "message": "injected: job start refused", "count": 1}])
    proc = runner.playbook("failover.yml", "--limit", "finance,home", "-e", "onefs_dr_batch_size=1")
    assert proc.returncode != 0
    report = json.loads(sorted(runner.reports.glob("failover-*.json"))[-1].read_text())
    units = report["units"]
    failed = [u for u in ("home", "finance") if units[u]["status"] != "ok"]
    assert len(failed) == 1, {u: units[u]["status"] for u in units}
    unit = failed[0]
    other = "home" if unit == "finance" else "finance"
    assert units[unit]["status"] == "rolled_back" and units[unit]["stopped_at"] == "r06_final_sync"
    assert units[other]["status"] == "ok"
    after = control.state("alpha")
    zone, paths = UNITS[unit][2], UNITS[unit][3]
    # Shares unlocked (original ACLs), schedule back, policy still the active one.
    want = {n: _norm_acl(s["permissions"]) for n, s in _shares(original, zone, paths).items()}
    got = {n: _norm_acl(s["permissions"]) for n, s in _shares(after, zone, paths).items()}
    assert got == want
    for pol in UNITS[unit][1]:
        before = {p["name"]: p for p in original["policies"]}[pol]
        now = {p["name"]: p for p in after["policies"]}[pol]
        assert now["enabled"] is True and now["schedule"] == before["schedule"], (before["schedule"], now["schedule"])
    assert not any(path.startswith("/ifs/.onefs_dr/suspend/%s" % unit) for path in after["files"])
    # A rerun after the fault is gone completes the unit.
    proc = runner.playbook("failover.yml", "--limit", unit)
    _ok(proc)

"""playbooks/rollback.yml run on its own (issue 6), against the simulator's demo scenario.

A failover (or failback) is stopped before its point of no return by running only its first
steps (--tags, docs/orchestration.md), then rollback.yml undoes it. The end state is read
through the simulator's control API: share ACLs, SyncIQ schedules, suspend markers,
SmartConnect names, SPNs, and the clusters' write counters. Also: a unit that never started
(nothing written), a unit past the point of no return (refused, nothing written) and the
rollback of a failback (-e onefs_dr_rollback_of=failback).
"""

import json

import pytest
from support import Control
from test_orchestration import UNITS, Runner, _connection_file, _norm_acl, _ok, _sc_names, _shares, _spns

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient

# The first steps of a unit, all before the point of no return (allow_write, step 7).
LOCK_STEPS = "r03_smb_lockout,r04_cache_schedules,r05_suspend_config_sync"
DENY_EVERYONE = ("SID:S-1-1-0", "full", "deny")
# finance's SmartConnect names (zone pool-finance) and their SPNs on alpha's account.
MOVED = ["finance.example.com", "fin.example.com"]
MOVED_SPNS = {"host/finance", "host/finance.example.com", "host/fin", "host/fin.example.com"}
CLUSTERS = ("alpha", "beta")


def _start(sim_factory, collections_root, tmp_path):
    sim = sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    return sim, control, Runner(collections_root, tmp_path, _connection_file(sim, tmp_path / "connection.yml"))


def _acls(state, unit):
    _mode, _policies, zone, paths = UNITS[unit]
    return {name: _norm_acl(share["permissions"]) for name, share in _shares(state, zone, paths).items()}


def _schedules(state):
    """name -> (enabled, schedule) of the cluster's SyncIQ policies."""
    return {p["name"]: (p["enabled"], p["schedule"]) for p in state["policies"]}


def _target_states(state):
    return {t["name"]: t["failover_failback_state"] for t in state["target_policies"]}


def _suspended(state):
    prefix = "/ifs/.onefs_dr/suspend/"
    return {f[len(prefix):-len(".json")] for f in state["files"] if f.startswith(prefix) and f.endswith(".json")}


def _pools(state):
    return {p["id"]: (p.get("sc_dns_zone"), sorted(p.get("sc_dns_zone_aliases", []))) for p in state["pools"]}


def _reset(control):
    for cluster in CLUSTERS:
        control.reset_counters(cluster)


def _writes(control):
    return {cluster: control.counters(cluster)["writes"] for cluster in CLUSTERS}


def _write_detail(control):
    """Which writes were made (non-GET requests by endpoint), for an assertion's message."""
    return {c: {k: v for k, v in control.counters(c)["by_endpoint"].items() if not k.startswith("GET")} for c in CLUSTERS}


def _report(runner, kind):
    return json.loads(sorted(runner.reports.glob("%s-*.json" % kind))[-1].read_text())["units"]


def _changed(runner, proc):
    return {unit: r["changed"] for unit, r in runner.recap(proc).items() if unit in UNITS}


def _set_schedule(sim, policy, schedule, limiter_dir):
    alpha = sim.clusters["alpha"]
    client = OneFSClient(alpha.host, alpha.port, alpha.username, alpha.password, ca_path=alpha.ca,
                         limiter_dir=str(limiter_dir))
    try:
        client.put(client.api("sync/policies", policy), {"schedule": schedule})
    finally:
        client.close()


def test_rollback_of_a_unit_that_never_started_writes_nothing(sim_factory, collections_root, tmp_path):
    _sim, control, runner = _start(sim_factory, collections_root, tmp_path)
    before = {c: control.state(c) for c in CLUSTERS}
    _reset(control)
    proc = runner.playbook("rollback.yml")
    _ok(proc)
    # Not one write on either cluster: no share, policy, marker, SmartConnect name or SPN. The demo's
    # eng aliases have no SPN on alpha's account; a rollback must not add them (the names never moved).
    assert _writes(control) == {"alpha": 0, "beta": 0}, _write_detail(control)
    after = {c: control.state(c) for c in CLUSTERS}
    assert _spns(after["alpha"], "ALPHA$") == _spns(before["alpha"], "ALPHA$")
    for cluster in CLUSTERS:
        assert _schedules(after[cluster]) == _schedules(before[cluster])
        assert _pools(after[cluster]) == _pools(before[cluster])
    assert all(_acls(after["alpha"], u) == _acls(before["alpha"], u) for u in UNITS)
    assert {u: r["status"] for u, r in _report(runner, "rollback").items()} == {u: "rolled_back" for u in UNITS}


def test_rollback_of_a_failover_stopped_before_the_point_of_no_return(sim_factory, collections_root, tmp_path):
    """Stopped after the first steps (lockout, schedules, suspension): rollback, then again (no change).
    Stopped a second time after the names and SPNs moved: a rollback that fails at the SPNs, then its re-run."""
    sim, control, runner = _start(sim_factory, collections_root, tmp_path)
    original = {c: control.state(c) for c in CLUSTERS}
    units = ("home", "finance")  # policy mode; zone mode with the demo's pre-denied share (audit)
    limit = ("--limit", ",".join(units))
    policies = {u: UNITS[u][1] for u in units}

    # The failover stops after lockout, schedule cache and configuration-sync suspension.
    _ok(runner.playbook("failover.yml", "--tags", LOCK_STEPS, *limit))
    stopped = control.state("alpha")
    for unit in units:
        for name, acl in _acls(stopped, unit).items():
            assert DENY_EVERYONE in acl, (unit, name, acl)
        for pol in policies[unit]:
            assert _schedules(stopped)[pol] == (True, ""), pol
    assert _suspended(stopped) == set(units)
    assert _target_states(control.state("beta")) == _target_states(original["beta"])

    _reset(control)
    _ok(runner.playbook("rollback.yml", *limit))
    assert _writes(control)["beta"] == 0, "the target must not be touched"
    alpha, beta = control.state("alpha"), control.state("beta")
    for unit in units:
        assert _acls(alpha, unit) == _acls(original["alpha"], unit), unit
        for pol in policies[unit]:
            assert _schedules(alpha)[pol] == _schedules(original["alpha"])[pol], pol
    # The demo's pre-denied share keeps its own Deny Everyone (it was there before the lockout).
    assert DENY_EVERYONE in _acls(alpha, "finance")["audit"]
    assert not any(DENY_EVERYONE in acl for name, acl in _acls(alpha, "finance").items() if name != "audit")
    assert _suspended(alpha) == set()
    assert _schedules(beta) == _schedules(original["beta"])
    assert _target_states(beta) == _target_states(original["beta"])
    assert beta["shares"] == original["beta"]["shares"]
    report = _report(runner, "rollback")
    assert {u: r["status"] for u, r in report.items()} == {u: "rolled_back" for u in units}
    for unit in units:
        done = {s["step"]: s["status"] for s in report[unit]["steps"]}
        assert done["r12_restore_permissions_rollback"] == done["r04_cache_schedules_restore"] == "changed", done
        assert done["r17_resume_config_sync"] == "changed", done

    # Idempotent: a second rollback changes nothing and writes nothing.
    _reset(control)
    again = runner.playbook("rollback.yml", *limit)
    _ok(again)
    assert _changed(runner, again) == {u: 0 for u in units}
    assert _writes(control) == {"alpha": 0, "beta": 0}, _write_detail(control)

    # A second stop, later in the steps, on the same clusters: finance's schedule was changed since
    # the first rollback, and its SmartConnect names and SPNs moved to beta.
    _set_schedule(sim, "finance_policy", "every 2 hours", tmp_path / "limiter")
    _ok(runner.playbook("failover.yml", "--tags", "r04_cache_schedules,r09_smartconnect,r10_spn", "--limit", "finance"))
    alpha, beta = control.state("alpha"), control.state("beta")
    assert _schedules(alpha)["finance_policy"] == (True, "")
    assert all(name not in _sc_names(alpha) and "dr-" + name in _sc_names(alpha) for name in MOVED)
    assert all(name in _sc_names(beta) for name in MOVED)
    assert _spns(beta, "BETA$") >= MOVED_SPNS and not MOVED_SPNS & _spns(beta, "ALPHA$")

    # The rollback takes the names back but fails at the SPN step (beta's AD provider refuses the write).
    control.faults("beta", [{"method": "PUT", "path": "/auth/providers/ads", "status": 500, "code": "AEC_EXCEPTION",
                             "message": "injected: AD provider unavailable"}])
    proc = runner.playbook("rollback.yml", "--limit", "finance")
    assert proc.returncode != 0
    unit = _report(runner, "rollback")["finance"]
    assert unit["status"] == "failed" and unit["stopped_at"] == "r10_spn", unit
    assert unit["where_it_stands"].startswith("rollback incomplete"), unit
    alpha, beta = control.state("alpha"), control.state("beta")
    # The schedule changed on the cluster is back, not the one cached by the first stop (forgotten
    # by the first rollback).
    assert _schedules(alpha)["finance_policy"] == (True, "every 2 hours")
    assert _pools(alpha) == _pools(original["alpha"]) and _pools(beta) == _pools(original["beta"])
    assert _spns(beta, "BETA$") >= MOVED_SPNS

    # Run again once AD answers: the SPNs go back too, although the names no longer say they moved.
    control.clear_faults("beta")
    _ok(runner.playbook("rollback.yml", "--limit", "finance"))
    forest = control.state("alpha")
    assert _spns(forest, "BETA$") == _spns(original["beta"], "BETA$")
    assert _spns(forest, "ALPHA$") == _spns(original["alpha"], "ALPHA$")
    unit = _report(runner, "rollback")["finance"]
    assert unit["status"] == "rolled_back", unit
    assert any(s["step"] == "r10_spn" and s["status"] == "changed" for s in unit["steps"]), unit["steps"]


@pytest.fixture(scope="module")
def failed_over(collections_root, tmp_path_factory):
    """The demo with unit home failed over completely (shared by the tests below)."""
    from onefs_sim import Simulator

    sim = Simulator.from_scenario("demo", share_write_service_ms=2, job_seconds=0.2)
    sim.start()
    try:
        tmp = tmp_path_factory.mktemp("failed-over")
        control = Control(sim.control_url)
        runner = Runner(collections_root, tmp, _connection_file(sim, tmp / "connection.yml"))
        original = control.state("alpha")
        _ok(runner.playbook("failover.yml", "--limit", "home"))
        yield control, runner, original
    finally:
        sim.stop()


def test_rollback_past_the_point_of_no_return_is_refused(failed_over):
    control, runner, _original = failed_over
    _reset(control)
    proc = runner.playbook("rollback.yml", "--limit", "home")
    assert proc.returncode != 0
    assert "home is past the point of no return (writes allowed on beta for home_policy)" in proc.stdout
    assert "Run playbooks/failover.yml again to finish" in proc.stdout
    assert _writes(control) == {"alpha": 0, "beta": 0}, _write_detail(control)
    unit = _report(runner, "rollback")["home"]
    assert unit["status"] == "failed" and unit["past_point_of_no_return"] is True
    assert unit["where_it_stands"] == "past the point of no return: not rolled back"


def test_rollback_of_a_failback_stopped_before_the_point_of_no_return(failed_over):
    control, runner, original = failed_over
    before = {c: control.state(c) for c in CLUSTERS}
    # After the failover beta serves home with the original ACLs and runs the mirror.
    assert _acls(before["beta"], "home") == _acls(original, "home")
    assert _schedules(before["beta"])["home_policy_mirror"] == (True, _schedules(original)["home_policy"][1])

    _ok(runner.playbook("failback.yml", "--tags", LOCK_STEPS, "--limit", "home"))
    beta = control.state("beta")
    assert all(DENY_EVERYONE in acl for acl in _acls(beta, "home").values())
    assert _schedules(beta)["home_policy_mirror"] == (True, "")
    assert "home" in _suspended(beta)

    _reset(control)
    _ok(runner.playbook("rollback.yml", "--limit", "home", "-e", "onefs_dr_rollback_of=failback"))
    assert _writes(control)["alpha"] == 0, "the failback's receiving side must not be touched"
    beta = control.state("beta")
    assert _acls(beta, "home") == _acls(before["beta"], "home")
    assert _schedules(beta) == _schedules(before["beta"])
    assert _suspended(beta) == _suspended(before["beta"])
    unit = _report(runner, "rollback")["home"]
    assert unit["status"] == "rolled_back" and unit["from"] == "beta" and unit["to"] == "alpha"


def test_spns_a_failed_move_left_on_no_account_are_put_back_by_rollback(sim_factory, collections_root, tmp_path):
    """Issue 14 point 2. The SPN step of finance's failover fails after its SPNs left alpha's
    account (beta's AD refuses the add), and alpha's AD refuses the two writes that would put them
    back (the module's undo, the unit's own rollback): the SPNs are on no account. rollback.yml
    used to skip the SPNs then (the names were back already, beta held none) and report
    rolled_back. It must put exactly those SPNs back on alpha's account; then the failover's SPN
    move completes."""
    _sim, control, runner = _start(sim_factory, collections_root, tmp_path)
    original = {c: control.state(c) for c in CLUSTERS}
    control.faults("beta", [{"method": "PUT", "path": "/auth/providers/ads", "status": 500, "code": "AEC_EXCEPTION",
                             "message": "injected: beta's AD refuses", "count": 1}])
    control.faults("alpha", [{"method": "PUT", "path": "/auth/providers/ads", "status": 500, "code": "AEC_EXCEPTION",
                              "message": "injected: alpha's AD refuses", "skip": 1, "count": 2}])
    proc = runner.playbook("failover.yml", "--tags", "r09_smartconnect,r10_spn", "--limit", "finance")
    assert proc.returncode != 0
    unit = _report(runner, "failover")["finance"]
    assert unit["status"] == "failed" and unit["stopped_at"] == "r10_spn", unit
    assert "run playbooks/rollback.yml" in unit["where_it_stands"], unit
    forest = control.state("alpha")
    assert not MOVED_SPNS & (_spns(forest, "ALPHA$") | _spns(forest, "BETA$")), "the injected faults did not strand them"

    control.clear_faults("alpha")
    control.clear_faults("beta")
    _ok(runner.playbook("rollback.yml", "--limit", "finance"))
    forest = control.state("alpha")
    assert _spns(forest, "ALPHA$") == _spns(original["alpha"], "ALPHA$")
    assert _spns(forest, "BETA$") == _spns(original["beta"], "BETA$")
    unit = _report(runner, "rollback")["finance"]
    assert unit["status"] == "rolled_back", unit
    assert any(s["step"] == "r10_spn" and s["status"] == "changed" for s in unit["steps"]), [
        (s["step"], s["status"], s["note"]) for s in unit["steps"]]
    assert _pools(control.state("alpha")) == _pools(original["alpha"])

    # The same steps again, with AD answering: the SPNs move to beta, none left on alpha.
    _ok(runner.playbook("failover.yml", "--tags", "r09_smartconnect,r10_spn", "--limit", "finance"))
    forest = control.state("alpha")
    assert _spns(forest, "BETA$") >= MOVED_SPNS and not MOVED_SPNS & _spns(forest, "ALPHA$")

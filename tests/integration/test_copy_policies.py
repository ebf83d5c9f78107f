"""SyncIQ copy policies in a zone unit (issue 14 point 4), through the playbooks.

OneFS fails a copy policy over (allow-write) but not back (Dell: "Failback is not supported for
copy policies") unless it sets allow_copy_fb; the simulator refuses its resync-prep. The demo's
eng zone holds eng_src_policy (sync) and eng_builds_policy (copy); here the copy policy does
not set allow_copy_fb, as on a cluster where nobody changed the default.
"""

import json

from support import Control
from test_orchestration import Runner, _connection_file, _ok

from onefs_sim.scenario import load_scenario

COPY, SYNC = "eng_builds_policy", "eng_src_policy"
IGNORE = ["smb_open_files", "smb_oplocks", "spns"]


def _scenario():
    data = load_scenario("demo")
    for p in data["clusters"]["alpha"]["policies"]:
        if p["name"] == COPY:
            p["allow_copy_fb"] = False
    return data


def _site(sim_factory, collections_root, tmp_path):
    sim = sim_factory(_scenario(), share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    return control, Runner(collections_root, tmp_path, _connection_file(sim, tmp_path / "connection.yml"))


def _ignore(*checks):
    return json.dumps({"onefs_dr_readiness_ignore": IGNORE + list(checks)})


def _report(runner, kind):
    return json.loads(sorted(runner.reports.glob("%s-*.json" % kind))[-1].read_text())


def _by_name(items, name):
    return {x["name"]: x for x in items}.get(name)


def _checks(unit):
    return {c["check"]: c for c in unit["readiness"]}


def _jobs(state, policy):
    return sorted(r["action"] for r in state["reports"] if r.get("policy_name") == policy)


def test_zone_unit_with_a_copy_policy_fails_over_without_resync_prep(sim_factory, collections_root, tmp_path):
    control, runner = _site(sim_factory, collections_root, tmp_path)
    alpha0 = control.state("alpha")

    # Readiness says what the failover does with the copy policy, and blocks until it is accepted.
    proc = runner.playbook("readiness.yml", "--limit", "eng", "-e", _ignore())
    assert proc.returncode != 0
    check = _checks(_report(runner, "readiness")["units"]["eng"])["copy_policy_" + COPY]
    assert check["status"] == "WARNING", check
    for words in ("allows writes on beta", "no resync-prep", "failback leaves this policy on beta",
                  "onefs_dr_exclude_policies", "onefs_dr_readiness_ignore: [copy_policy_eng_builds_policy]"):
        assert words in check["detail"], (words, check["detail"])

    # Accepted: the failover runs the final sync and allow-write for both, resync-prep for the sync policy only.
    for cluster in ("alpha", "beta"):
        control.reset_counters(cluster)
    proc = runner.playbook("failover.yml", "--limit", "eng", "-e", _ignore("copy_policy_" + COPY))
    _ok(proc)
    unit = _report(runner, "failover")["units"]["eng"]
    assert unit["status"] == "ok", unit
    assert control.counters("alpha")["conflicts_409"] == 0  # no refused resync-prep
    alpha, beta = control.state("alpha"), control.state("beta")
    assert _jobs(alpha, COPY) == sorted(_jobs(alpha0, COPY) + ["run"])  # final sync, no resync_prep
    assert "resync_prep" in _jobs(alpha, SYNC)
    assert _by_name(beta["target_policies"], COPY)["failover_failback_state"] == "writes_enabled"
    assert _by_name(beta["policies"], COPY + "_mirror") is None
    assert _by_name(beta["policies"], SYNC + "_mirror")["enabled"] is True
    assert _by_name(alpha["policies"], SYNC)["enabled"] is False
    assert beta["writable"]["/ifs/eng/builds"] is True and beta["writable"]["/ifs/eng/src"] is True
    s08 = {s["step"]: s for s in unit["steps"]}["r13_resync_prep"]
    assert "no resync-prep for %s" % COPY in s08["note"], s08

    # Re-run is resume: nothing to do.
    again = runner.playbook("failover.yml", "--limit", "eng", "-e", _ignore("copy_policy_" + COPY))
    _ok(again)
    assert runner.recap(again)["eng"]["changed"] == 0

    # Failback: the sync policy comes home, the copy policy stays failed over (OneFS cannot fail it
    # back) and readiness says so and how to bring it back by hand.
    proc = runner.playbook("readiness.yml", "--limit", "eng", "-e", "onefs_dr_readiness_direction=failback", "-e", _ignore())
    assert proc.returncode != 0
    check = _checks(_report(runner, "readiness")["units"]["eng"])["copy_policy_" + COPY]
    assert check["status"] == "WARNING" and "stays failed over" in check["detail"], check
    assert "allow_write_revert of %s on beta" % COPY in check["detail"], check
    proc = runner.playbook("failback.yml", "--limit", "eng", "-e", _ignore("copy_policy_" + COPY))
    _ok(proc)
    unit = _report(runner, "failback")["units"]["eng"]
    assert unit["status"] == "ok" and unit["policies"] == [SYNC + "_mirror"], unit
    alpha, beta = control.state("alpha"), control.state("beta")
    assert _by_name(alpha["policies"], SYNC)["enabled"] is True
    assert _by_name(beta["target_policies"], COPY)["failover_failback_state"] == "writes_enabled"


def test_a_zone_unit_leaves_out_excluded_policies(sim_factory, collections_root, tmp_path):
    control, runner = _site(sim_factory, collections_root, tmp_path)
    alpha0 = control.state("alpha")
    for cluster in ("alpha", "beta"):
        control.reset_counters(cluster)

    # A name that is not a policy of the zone stops the unit before any write, naming the field.
    bad = json.dumps({"onefs_dr_exclude_policies": ["home_policy"], "onefs_dr_readiness_ignore": IGNORE})
    proc = runner.playbook("failover.yml", "--limit", "eng", "-e", bad)
    assert proc.returncode != 0
    assert "onefs_dr_exclude_policies: home_policy is not a policy of zone eng" in proc.stdout, proc.stdout[-3000:]
    for cluster in ("alpha", "beta"):
        assert control.counters(cluster)["writes"] == 0, cluster

    # Left out: the copy policy is neither run nor failed over; readiness names it.
    good = json.dumps({"onefs_dr_exclude_policies": [COPY], "onefs_dr_readiness_ignore": IGNORE})
    proc = runner.playbook("failover.yml", "--limit", "eng", "-e", good)
    _ok(proc)
    unit = _report(runner, "failover")["units"]["eng"]
    assert unit["status"] == "ok" and unit["policies"] == [SYNC], unit
    checks = _checks(unit)
    assert "copy_policy_" + COPY not in checks
    assert checks["excluded_policies"]["status"] == "OK" and COPY in checks["excluded_policies"]["detail"]
    alpha, beta = control.state("alpha"), control.state("beta")
    assert _jobs(alpha, COPY) == _jobs(alpha0, COPY)  # no job of the left-out policy
    assert _by_name(alpha["policies"], COPY) == _by_name(alpha0["policies"], COPY)
    assert _by_name(beta["target_policies"], COPY)["failover_failback_state"] == "writes_disabled"
    assert _by_name(beta["policies"], SYNC + "_mirror")["enabled"] is True

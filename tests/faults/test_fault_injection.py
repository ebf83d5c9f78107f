"""Failover through injected OneFS faults: 409 storms, 503 bursts, connections dropped after a write.

Each test fails over a small generated DR pair (2 zones x 20 SMB shares, one SyncIQ policy per
zone) with playbooks/failover.yml while the simulator injects faults, then checks the end state
through the control API: SyncIQ roles, every share's ACL on both clusters (the originals, no
lockout left behind), one copy of every share.
"""

import pytest
from _fault_helpers import (
    Playbooks,
    acls,
    assert_failed_over,
    connection_vars,
    inventory,
    locked,
    ok,
    scenario,
    zone_names,
)
from support import Control

ZONES = zone_names(2)
SHARES = 20


def _setup(sim_factory, collections_root, tmp_path, replicated=True):
    sim = sim_factory(scenario(len(ZONES), SHARES, replicated), share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    conn = connection_vars(sim, tmp_path / "connection.yml")
    books = Playbooks(collections_root, tmp_path, conn, inventory(tmp_path / "hosts.yml", ZONES))
    original = {c: acls(control.state(c), ZONES) for c in ("alpha", "beta")}
    return sim, control, books, original


def _fired(control, cluster):
    return [r.get("fired", 0) for r in control.call("GET", "/sim/v1/clusters/%s/faults" % cluster)["rules"]]


@pytest.mark.timeout(600)
def test_409_storm_on_share_writes_zero_failures(sim_factory, collections_root, tmp_path):
    """30 % of share writes answered 409 AEC_CONFLICT on both clusters: retried, none fails."""
    sim, control, books, original = _setup(sim_factory, collections_root, tmp_path)
    rule = {"method": "PUT", "path": r"^/protocols/smb/shares/", "status": 409, "code": "AEC_CONFLICT", "rate": 0.3}
    for cluster in ("alpha", "beta"):
        control.faults(cluster, [rule])
        control.reset_counters(cluster)
    proc = books.run("failover.yml")
    ok(proc)
    assert_failed_over(control, ZONES, original)
    fired = sum(_fired(control, "alpha"))
    # 40 lockouts + 40 unlocks on alpha at 30 %: the storm really happened, and was retried.
    assert fired >= 5, fired
    report = books.last_report()
    units = report["units"]
    assert all(u["status"] == "ok" for u in units.values()), units
    assert sum(u["conflicts_409"] for u in units.values()) >= fired
    assert sum(u["retries"] for u in units.values()) >= fired
    # Every lockout/unlock write eventually applied once: share writes = attempts (refused ones too).
    counters = control.counters("alpha")
    assert counters["conflicts_409"] == fired


@pytest.mark.timeout(600)
def test_503_bursts_on_sync_jobs_are_retried(sim_factory, collections_root, tmp_path):
    """Bursts of 503 on SyncIQ job starts and job polls (both clusters): retried, the run completes."""
    sim, control, books, original = _setup(sim_factory, collections_root, tmp_path)
    rules = [
        {"method": "POST", "path": r"^/sync/jobs$", "status": 503, "code": "AEC_SERVICE_UNAVAILABLE",
         "message": "SyncIQ service busy", "count": 3},
        {"method": "GET", "path": r"^/sync/jobs/", "status": 503, "code": "AEC_SERVICE_UNAVAILABLE",
         "message": "SyncIQ service busy", "rate": 0.5, "count": 6},
    ]
    for cluster in ("alpha", "beta"):
        control.faults(cluster, rules)
    proc = books.run("failover.yml")
    ok(proc)
    assert_failed_over(control, ZONES, original)
    for cluster in ("alpha", "beta"):
        fired = _fired(control, cluster)
        assert fired[0] == 3, (cluster, fired)  # every job-start burst fired in full and was retried
    report = books.last_report()
    assert all(u["status"] == "ok" for u in report["units"].values())
    assert sum(u["retries"] for u in report["units"].values()) >= 6


@pytest.mark.timeout(600)
def test_dropped_after_apply_no_duplicate_and_converges(sim_factory, collections_root, tmp_path):
    """Connections dropped after the cluster applied the write: share ACL writes (alpha) and share
    creates of the configuration sync (beta has no shares yet). The run converges in one go and
    no share exists twice."""
    sim, control, books, original = _setup(sim_factory, collections_root, tmp_path, replicated=False)
    assert original["beta"] == {}
    control.faults("alpha", [{"method": "PUT", "path": r"^/protocols/smb/shares/", "drop_after_apply": True,
                              "count": 4}])
    control.faults("beta", [{"method": "POST", "path": r"^/protocols/smb/shares$", "drop_after_apply": True,
                             "count": 4},
                            {"method": "PUT", "path": r"^/protocols/smb/shares/", "drop_after_apply": True,
                             "count": 2}])
    proc = books.run("failover.yml")
    ok(proc)
    # Configuration sync copied every share (with its original ACL) to beta.
    assert_failed_over(control, ZONES, {"alpha": original["alpha"], "beta": original["alpha"]})
    assert _fired(control, "alpha") == [4]
    assert _fired(control, "beta")[0] == 4
    beta = control.counters("beta")["by_endpoint"]
    creates = beta.get("POST /platform/protocols/smb/shares", 0)
    # Every dropped create was verified by a read, never sent again: one POST per share.
    assert creates == len(ZONES) * SHARES, creates


@pytest.mark.timeout(600)
def test_dropped_job_start_stops_cleanly_and_rerun_converges(sim_factory, collections_root, tmp_path):
    """The final sync's POST /sync/jobs is applied but its answer lost. The unit must not start a
    second job of the policy while one runs, must leave no share locked, and a re-run converges."""
    sim, control, books, original = _setup(sim_factory, collections_root, tmp_path)
    control.faults("alpha", [{"method": "POST", "path": r"^/sync/jobs$", "drop_after_apply": True, "count": 1}])
    first = books.run("failover.yml")
    alpha = control.state("alpha")
    if first.returncode != 0:
        # Stopped before the point of no return: rolled back, nothing left locked.
        assert locked(alpha, ZONES) == [], locked(alpha, ZONES)[:5]
        report = books.last_report()
        assert any(u["status"] in ("rolled_back", "failed") for u in report["units"].values())
        again = books.run("failover.yml")
        ok(again)
    assert_failed_over(control, ZONES, original)
    # Never two jobs of one policy at once (the simulator refuses the second with 409 anyway):
    # no 409 was answered to a job start.
    by = control.counters("alpha")["by_endpoint"]
    assert control.counters("alpha")["conflicts_409"] == 0, {k: v for k, v in by.items() if "sync/jobs" in k}

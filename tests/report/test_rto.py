# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/_rto.py and its filters: the RTO estimate (issue 19 point 3). Pure functions."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.onefs.dr.plugins.filter.rto_estimate import rto_compare, rto_estimate, rto_run, rto_summary
from ansible_collections.onefs.dr.plugins.module_utils import _rto


def rep(policy, action, start, seconds, state="finished", moved=0, total=0):
    """A report as OneFS returns it (isilon_sdk SyncReport fields)."""
    return {"policy_name": policy, "action": action, "state": state, "start_time": start,
            "end_time": start + seconds, "duration": int(seconds), "bytes_transferred": moved,
            "total_data_bytes": total}


def test_history_takes_the_median_of_the_newest_finished_jobs_per_action():
    reports = [rep("p", "run", 100 * i, 10 + i) for i in range(1, 8)]          # 11..17 s, newest last
    reports += [rep("p", "run", 900, 500, state="failed"), rep("q", "run", 50, 99)]
    reports += [rep("p", "allow_write", 1000, 4), rep("p", "allow_write", 1100, 6)]
    hist = _rto.policy_history(reports, "p")
    assert hist["durations"]["run"] == [17, 16, 15, 14, 13]   # newest five, the failed one left out
    assert hist["durations"]["allow_write"] == [6, 4]
    assert _rto._job_seconds(hist, "run", 60) == (15, "median of 5 recent runs")
    assert _rto._job_seconds(hist, "allow_write", 60)[0] == 5
    # No resync_prep history: as long as the recent runs. No history at all: the default.
    assert _rto._job_seconds(hist, "resync_prep", 60) == (15, "no resync_prep history: as long as its recent runs")
    assert _rto._job_seconds(_rto.policy_history(reports, "none"), "run", 42.0) == (42.0, "no history: default")


def test_a_newer_assessment_gives_changed_data_over_recent_throughput():
    reports = [rep("p", "run", 100, 10, moved=1000), rep("p", "run", 200, 20, moved=4000),   # 100 and 200 B/s
               rep("p", "test", 300, 2, total=3000)]
    hist = _rto.policy_history(reports, "p")
    assert hist["throughput_bps"] == 150 and hist["changed_bytes"] == 3000
    assert _rto._job_seconds(hist, "run", 60) == (20, "changed data / recent throughput")
    # A run after the assessment has moved that data already: back to the recent runs.
    hist = _rto.policy_history(reports + [rep("p", "run", 400, 30, moved=3000)], "p")
    assert hist["changed_bytes"] is None
    assert _rto._job_seconds(hist, "run", 60)[0] == 20


def test_unit_estimate_per_step():
    reports = [rep("a", "run", 100, 10), rep("b", "run", 100, 30), rep("a", "allow_write", 200, 5),
               rep("b", "allow_write", 200, 7), rep("a_mirror", "run", 300, 2)]
    unit = {"name": "u", "cluster": "alpha", "policies": ["a", "b"], "shares": 100}
    est = rto_estimate(unit, reports, service_ms=30, in_flight=10, overheads={"final_sync": 1, "allow_writes": 0,
                                                                               "run_mirror": 0, "smb_lockout": 0})
    steps = est["steps"]
    assert steps["final_sync"] == 1 + 30               # parallel: the longest policy, plus the overhead
    assert steps["allow_writes"] == 5 + 7              # one policy at a time: the sum
    assert steps["run_mirror"] == 30                   # b_mirror has no history: as long as b's runs
    assert steps["smb_lockout"] == pytest.approx(100 * 0.030 / 10)
    assert est["share_s"] == pytest.approx(3 * 0.3)
    assert est["total_s"] == pytest.approx(sum(steps.values()), abs=0.01)
    assert "longest of" in est["basis"]["final_sync"] and "b 30.0 s" in est["basis"]["final_sync"]
    # Failback: the unit's policies are the mirrors; the mirror's run is the original policy.
    back = rto_estimate(dict(unit, policies=["a_mirror"]), reports, direction="failback", overheads={"run_mirror": 0})
    assert back["steps"]["run_mirror"] == 10


@pytest.mark.parametrize("unit,kwargs,field", [
    ({"policies": "p"}, {}, "unit.policies"),
    ({"policies": [], "shares": "many"}, {}, "unit.shares"),
    ({"policies": []}, {"service_ms": -1}, "service_ms"),
    ({"policies": []}, {"in_flight": 0}, "in_flight"),
    ({"policies": []}, {"overheads": {"final_sync": "x"}}, "overheads.final_sync"),
])
def test_bad_input_names_the_field(unit, kwargs, field):
    with pytest.raises(AnsibleFilterError, match="rto_estimate: %s" % field.replace(".", r"\.")):
        rto_estimate(unit, [], **kwargs)


def test_run_in_batches_and_the_shared_share_store():
    a = {"name": "a", "cluster": "alpha", "total_s": 100.0, "share_s": 10.0}
    b = {"name": "b", "cluster": "alpha", "total_s": 50.0, "share_s": 45.0}
    c = {"name": "c", "cluster": "alpha", "total_s": 20.0, "share_s": 0.0}
    # One batch: the longest unit (100) or the store: 10 + 45 + the shortest rest (5) = 60 -> 100.
    assert rto_run([a, b], 2)["total_s"] == 100
    # A store-bound batch: 45 + 45 + 5 = 95 > 50.
    assert rto_run([b, dict(b, name="b2")], 2)["total_s"] == 95
    run = rto_run([a, b, c], 2)
    assert run["total_s"] == 120 and [x["units"] for x in run["batches"]] == [["a", "b"], ["c"]]
    with pytest.raises(AnsibleFilterError, match="batch_size"):
        rto_run([a], 0)


def test_compare_and_summary_follow_the_step_records():
    est = {"steps": {"final_sync": 5.0, "smb_lockout": 1.0}, "total_s": 6.0, "share_s": 0.0}
    steps = [{"step": "s04_final_sync", "duration_s": 6.5, "started": 10.0, "ended": 16.5},
             {"step": "s01a_smb_lockout", "duration_s": 0.5, "started": 9.5, "ended": 10.0},
             {"step": "s99_something_new", "duration_s": 1.0, "started": 16.5, "ended": 17.5}]
    out = rto_compare(steps, est)
    assert [(s["estimate_s"], s["error_s"]) for s in out] == [(5.0, 1.5), (1.0, -0.5), (0.0, 1.0)]
    assert out[0]["step"] == "s04_final_sync" and "estimate_s" not in steps[0]
    summary = rto_summary({"u": {"estimate": est, "steps": steps}}, 2)
    assert summary == {"estimate_s": 6.0, "actual_s": 8.0, "error_s": 2.0, "error_pct": 25.0}
    assert rto_summary({"u": {"estimate": {}, "steps": steps}}) == {}


def test_overheads_scale_with_the_units_per_controller_core():
    unit = {"name": "u", "policies": [], "shares": 0}
    bench = rto_estimate(unit, [], units_per_core=5)
    assert bench["load_factor"] == 1 and bench["steps"]["quotas"] == _rto.OVERHEAD_S["quotas"]
    assert rto_estimate(unit, [], units_per_core=10)["steps"]["quotas"] == 2 * _rto.OVERHEAD_S["quotas"]
    alone = rto_estimate(unit, [], units_per_core=0.5)
    assert alone["load_factor"] == _rto.LOAD_FLOOR
    assert alone["total_s"] == pytest.approx(
        _rto.LOAD_FLOOR * sum(_rto.OVERHEAD_S[k] for k in _rto.STEP_ORDER if k != "dfs_rename"), abs=0.01)
    # Given overheads are the caller's own measure: not scaled.
    assert rto_estimate(unit, [], units_per_core=10, overheads={"quotas": 1})["steps"]["quotas"] == 1
    with pytest.raises(AnsibleFilterError, match="units_per_core"):
        rto_estimate(unit, [], units_per_core="many")


def test_steps_the_unit_does_not_run_are_left_out():
    unit = {"name": "u", "policies": [], "shares": 10}
    full = rto_estimate(unit, [], skip_steps=[])
    est = rto_estimate(unit, [])  # by default no DFS hook
    assert "dfs_rename" in full["steps"] and "dfs_rename" not in est["steps"]
    lean = rto_estimate(unit, [], skip_steps=["s14_smartconnect", "spn", "smb_lockout"])
    assert not {"smartconnect", "spn", "smb_lockout"} & set(lean["steps"])
    assert lean["share_s"] == pytest.approx(2 * full["share_s"] / 3)
    with pytest.raises(AnsibleFilterError, match="skip_steps: unknown step dns"):
        rto_estimate(unit, [], skip_steps=["dns"])
    with pytest.raises(AnsibleFilterError, match="skip_steps must be a list"):
        rto_estimate(unit, [], skip_steps="spn")

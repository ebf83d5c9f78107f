# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_synciq_job: the exact PAPI exchanges (tests/unit/_calls.py) of a sync started without
waiting, allow-write in check mode, started, and not needed, and a run refused for a missing
policy. OneFS 9.10 (latest 21): policies on handler 18, jobs on handler 20."""

from _calls import Call, connect

MODULE = "onefs_synciq_job"
POLICIES = "/platform/18/sync/policies"
TARGET = "/platform/18/sync/target/policies"
JOBS = "/platform/20/sync/jobs"


def policy(**changes):
    pol = {"id": "2faa779d905d415bbb21bfb6b711df04", "name": "p1", "action": "sync", "enabled": True,
           "source_root_path": "/ifs/data/p1", "target_host": "beta", "target_path": "/ifs/data/p1",
           "schedule": "", "last_job_state": "finished", "has_sync_state": True}
    pol.update(changes)
    return pol


def target(state):
    return Call("GET", TARGET + "/p1").reply({"policies": [{"id": "2faa779d905d415bbb21bfb6b711df04", "name": "p1",
                                                            "failover_failback_state": state}]})


def running(action):
    return Call("GET", JOBS + "/p1").reply({"jobs": [{"id": "p1", "policy_name": "p1", "action": action,
                                                     "state": "running", "job_id": 7}]})


def test_run_without_wait_starts_one_job(papi):
    result = papi(MODULE, {"name": "p1", "job": "run", "wait": False}, [
        *connect(21),
        Call("GET", POLICIES + "/p1").reply({"policies": [policy()]}),
        Call("POST", JOBS).json({"id": "p1"}).reply({"id": "p1"}, 201),
        running("run"),
        Call("GET", POLICIES + "/p1").reply({"policies": [policy(last_job_state="running")]}),
    ])
    assert result["changed"] is True and result["policy"]["last_job_state"] == "running"
    assert result["job"]["started"] is True and result["job"]["waited"] is False and result["job"]["state"] == "running"


def test_allow_write_check_mode_starts_nothing(papi):
    result = papi(MODULE, {"name": "p1", "job": "allow_write"}, [
        *connect(21),
        target("writes_disabled"),
        Call("GET", JOBS + "/p1").error(404, "AEC_NOT_FOUND", "Job p1 not found"),
    ], check_mode=True)
    assert result["changed"] is True and result["job"]["started"] is False
    assert result["diff"] == {"before": {"failover_failback_state": "writes_disabled"},
                              "after": {"failover_failback_state": "writes_enabled"}}


def test_allow_write_starts_the_job(papi):
    result = papi(MODULE, {"name": "p1", "job": "allow_write", "wait": False}, [
        *connect(21),
        target("writes_disabled"),
        Call("POST", JOBS).json({"id": "p1", "action": "allow_write"}).reply({"id": "p1"}, 201),
        running("allow_write"),
        target("enabling_writes"),
    ])
    assert result["changed"] is True and result["job"]["started"] is True
    assert result["target_policy"]["failover_failback_state"] == "enabling_writes"


def test_allow_write_again_is_a_no_op(papi):
    result = papi(MODULE, {"name": "p1", "job": "allow_write"}, [*connect(21), target("writes_enabled")])
    assert result["changed"] is False and result["job"]["skipped_reason"] == "target policy is already writes_enabled"


def test_run_of_a_missing_policy_fails_before_any_write(papi):
    result = papi(MODULE, {"name": "p1", "job": "run"}, [
        *connect(21),
        Call("GET", POLICIES + "/p1").error(404, "AEC_NOT_FOUND", "Policy 'p1' not found"),
    ])
    assert result["failed"] is True and "policy 'p1' does not exist" in result["msg"]


def test_job_is_required(papi):
    result = papi(MODULE, {"name": "p1"}, [])
    assert result["failed"] is True and "missing required arguments: job" in result["msg"]

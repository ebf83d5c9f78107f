# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_synciq_policy: the exact PAPI exchanges (tests/unit/_calls.py) of a policy created in
check mode and for real, a no-op, a schedule change, a job refused (onefs_synciq_job runs them)
and an error envelope. OneFS 9.10 (latest 21): policies on handler 18."""

from _calls import Call, connect

MODULE = "onefs_synciq_policy"
POLICIES = "/platform/18/sync/policies"
ARGS = {"name": "p_new", "action": "sync", "source_root_path": "/ifs/data/new", "target_host": "beta",
        "target_path": "/ifs/data/new", "schedule": ""}
BODY = {"action": "sync", "source_root_path": "/ifs/data/new", "target_host": "beta",
        "target_path": "/ifs/data/new", "schedule": "", "name": "p_new"}


def policy(**changes):
    pol = {"id": "2faa779d905d415bbb21bfb6b711df04", "name": "p_new", "action": "sync", "enabled": True,
           "source_root_path": "/ifs/data/new", "target_host": "beta", "target_path": "/ifs/data/new",
           "schedule": "", "description": "", "last_job_state": None, "has_sync_state": False}
    pol.update(changes)
    return pol


def read(answer):
    call = Call("GET", POLICIES + "/p_new")
    if answer is None:
        return call.error(404, "AEC_NOT_FOUND", "Policy 'p_new' not found")
    return call.reply({"policies": [answer]})


def test_check_mode_reads_and_writes_nothing(papi):
    result = papi(MODULE, ARGS, [*connect(21), read(None)], check_mode=True)
    assert result["changed"] is True
    assert result["diff"] == {"before": {}, "after": BODY}


def test_create_posts_the_policy_and_reads_it_back(papi):
    result = papi(MODULE, ARGS, [
        *connect(21),
        read(None),
        Call("POST", POLICIES).json(BODY).reply({"id": "2faa779d905d415bbb21bfb6b711df04"}, 201),
        read(policy()),
    ])
    assert result["changed"] is True and result["policy"]["id"] == "2faa779d905d415bbb21bfb6b711df04"


def test_no_op_sends_no_write(papi):
    result = papi(MODULE, ARGS, [*connect(21), read(policy())])
    assert result["changed"] is False and result["previous_schedule"] == ""


def test_manual_schedule_puts_only_the_schedule_and_returns_the_old_one(papi):
    """Failover step 1b: the policy goes manual; the schedule it had is in the result."""
    result = papi(MODULE, {"name": "p_new", "schedule": ""}, [
        *connect(21),
        read(policy(schedule="every 1 days at 10:00 PM")),
        Call("PUT", POLICIES + "/p_new").json({"schedule": ""}).reply(),
    ])
    assert result["changed"] is True and result["previous_schedule"] == "every 1 days at 10:00 PM"
    assert result["diff"] == {"before": {"schedule": "every 1 days at 10:00 PM"}, "after": {"schedule": ""}}


def test_job_is_not_an_option_any_more(papi):
    """Jobs are onefs_synciq_job's (test_calls_onefs_synciq_job.py): refused before any call."""
    result = papi(MODULE, {"name": "p_new", "job": "run"}, [])
    assert result["failed"] is True and "Unsupported parameters" in result["msg"] and "job" in result["msg"]


def test_error_envelope_fails_with_the_onefs_message(papi):
    result = papi(MODULE, ARGS, [
        *connect(21),
        read(None),
        Call("POST", POLICIES).json(BODY).error(400, "AEC_BAD_REQUEST", "Source root path /ifs/data/new does not exist",
                                                field="source_root_path"),
    ])
    assert result["failed"] is True
    assert result["onefs_error"] == {
        "status": 400, "code": "AEC_BAD_REQUEST", "message": "Source root path /ifs/data/new does not exist",
        "field": "source_root_path", "method": "POST", "url": "https://cluster.example.com:8080" + POLICIES,
    }

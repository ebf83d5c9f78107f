"""onefs_synciq_policy against the simulator, called the way Ansible calls it (jobs: test_onefs_synciq_job.py)."""

from _synciq_helpers import (
    by_name,
    start_pair,
    writes,
)
from support import connection

MODULE = "onefs_synciq_policy"
FAST = {"poll_interval": 0.05, "wait_timeout": 60}


def _pol(control, cluster, name):
    return by_name(control.state(cluster)["policies"], name)


def _tpol(control, cluster, name):
    return by_name(control.state(cluster)["target_policies"], name)


def _names(items):
    return sorted(i["name"] for i in items)


def test_create_check_apply_idempotent(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    alpha = sim.clusters["alpha"]
    args = connection(
        alpha,
        name="p_new",
        action="sync",
        source_root_path="/ifs/data/new/",
        target_host="beta",
        target_path="/ifs/data/new",
        schedule="every 1 days at 11:00 PM",
        enabled=True,
        description="created by test",
        source_exclude_directories=["/ifs/data/new/tmp", "/ifs/data/new/cache"],
        workers_per_node=2,
        target_snapshot_archive=True,
        policy_password="Secr3t!",
    )
    check, apply, again = ansible.idempotence(MODULE, args)
    assert check["changed"] is True and not check.get("failed"), check
    assert apply["changed"] is True and not apply.get("failed"), apply
    assert again["changed"] is False and not again.get("failed"), again
    assert apply["diff"]["before"] == {}
    assert apply["diff"]["after"]["source_root_path"] == "/ifs/data/new"
    assert "password" not in apply["diff"]["after"]
    assert apply["previous_schedule"] is None
    assert again["previous_schedule"] == "every 1 days at 11:00 PM"
    # Exactly one write: check mode and the re-run wrote nothing.
    counters = control.counters("alpha")
    assert counters["writes"] == 1, counters["by_endpoint"]
    assert counters["by_endpoint"].get("POST /platform/sync/policies") == 1
    pol = _pol(control, "alpha", "p_new")
    assert pol["source_root_path"] == "/ifs/data/new"
    assert pol["schedule"] == "every 1 days at 11:00 PM"
    assert sorted(pol["source_exclude_directories"]) == ["/ifs/data/new/cache", "/ifs/data/new/tmp"]
    assert pol["workers_per_node"] == 2 and pol["target_snapshot_archive"] is True
    assert pol["password_set"] is True
    assert "Secr3t!" not in str(apply) and "Secr3t!" not in str(again)


def test_update_schedule_previous_and_delete(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    alpha = sim.clusters["alpha"]
    manual = connection(alpha, name="p1", schedule="", description="failing over",
                        source_exclude_directories=["/ifs/zone1/p1/skip"])
    restore = connection(sim.clusters["alpha"], name="p1", schedule="Every 1 days at 10:00 pm")
    absent = connection(alpha, name="p2", state="absent")
    results = ansible.tasks([
        {"module": MODULE, "args": manual, "check": True},
        {"module": MODULE, "args": manual},
        {"module": MODULE, "args": manual},
        {"module": MODULE, "args": restore},
        {"module": MODULE, "args": restore},
        {"module": MODULE, "args": absent, "check": True},
        {"module": MODULE, "args": absent},
        {"module": MODULE, "args": absent},
    ])
    for r in results:
        assert not r.get("failed"), r
    check, apply, again, back, back_again, del_check, delete, del_again = results
    assert [r["changed"] for r in results] == [True, True, False, True, False, True, True, False]
    assert check["previous_schedule"] == "every 1 days at 10:00 PM"
    assert apply["previous_schedule"] == "every 1 days at 10:00 PM"
    assert apply["diff"] == {
        "before": {"schedule": "every 1 days at 10:00 PM", "description": "", "source_exclude_directories": []},
        "after": {"schedule": "", "description": "failing over", "source_exclude_directories": ["/ifs/zone1/p1/skip"]},
    }
    assert again["previous_schedule"] == ""
    assert back["previous_schedule"] == "" and back["policy"]["schedule"] == "Every 1 days at 10:00 pm"
    # Case and spacing differences are not a change.
    assert back_again["changed"] is False
    assert delete["diff"]["before"]["name"] == "p2" and delete["diff"]["after"] == {}
    state = control.state("alpha")
    assert _names(state["policies"]) == ["p1", "p3"]
    assert by_name(state["policies"], "p1")["description"] == "failing over"
    counters = control.counters("alpha")["by_endpoint"]
    assert counters.get("PUT /platform/sync/policies/p1") == 2
    assert counters.get("DELETE /platform/sync/policies/p2") == 1


def test_bad_input_fails_before_any_write(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    alpha = sim.clusters["alpha"]
    cases = [
        (dict(name="p1", schedule="every banana"), "'banana' is not a OneFS date-pattern word"),
        (dict(name="p_rel", action="sync", source_root_path="data/rel", target_host="beta",
              target_path="/ifs/data/rel"), "source_root_path must be an absolute path under /ifs"),
        (dict(name="p1", target_path="ifs/zone1/p1"), "target_path must be an absolute path"),
        (dict(name="p1", source_include_directories=["/ifs/elsewhere"]), "is not under source_root_path"),
        (dict(name="p_half", action="sync", source_root_path="/ifs/data/half"), "to create it give target_host, target_path"),
        # Jobs are onefs_synciq_job's now.
        (dict(name="p1", job="run"), "Unsupported parameters"),
    ]
    results = ansible.tasks([{"module": MODULE, "args": connection(alpha, **a)} for a, _ in cases])
    for (args, expected), result in zip(cases, results, strict=True):
        assert result.get("failed") is True, (args, result)
        assert expected in result["msg"], (expected, result["msg"])
        assert result["changed"] is False
    assert writes(control, "alpha", "beta") == 0
    assert _pol(control, "alpha", "p1")["description"] == ""

"""onefs_synciq_job against the simulator, called the way Ansible calls it: the jobs of a
failover and a failback, check -> apply -> again, waits, failures and quirks."""

from _synciq_helpers import (
    by_name,
    endpoint_count,
    jobs_created,
    resume_when_polled,
    set_job_state,
    start_pair,
    writes,
)
from support import connection

MODULE = "onefs_synciq_job"
POLICY = "onefs_synciq_policy"
FAST = {"poll_interval": 0.05, "wait_timeout": 60}


def _pol(control, cluster, name):
    return by_name(control.state(cluster)["policies"], name)


def _tpol(control, cluster, name):
    return by_name(control.state(cluster)["target_policies"], name)


def test_bad_input_fails_before_any_write(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    alpha = sim.clusters["alpha"]
    to_alpha = {"host": alpha.host, "port": alpha.port, "ca_path": alpha.ca}
    cases = [
        (dict(name="nope", job="run"), "policy 'nope' does not exist"),
        # alpha holds no target policy p1: refused before any write.
        (dict(name="p1", job="allow_write", partner=to_alpha), "target policy 'p1' does not exist"),
        (dict(name="p1", job="run", wait_timeout=-5), "wait_timeout must be 0 or more seconds"),
        (dict(name="p1", job="run", poll_interval=0), "poll_interval must be more than 0 seconds"),
        (dict(name="p1", job="walk"), "value of job must be one of"),
        (dict(name="p1", job="run", description="x"), "Unsupported parameters"),
    ]
    jobs_before = jobs_created(control, "alpha")
    results = ansible.tasks([{"module": MODULE, "args": connection(alpha, **a)} for a, _ in cases] + [
        # A disabled policy cannot run (the policy module disables it first).
        {"module": POLICY, "args": connection(alpha, name="p1", enabled=False)},
        {"module": MODULE, "args": connection(alpha, name="p1", job="run", **FAST)},
    ])
    for (args, expected), result in zip(cases, results[:len(cases)], strict=True):
        assert result.get("failed") is True, (args, result)
        assert expected in result["msg"], (expected, result["msg"])
        assert result.get("changed", False) is False
    disable, disabled_run = results[len(cases):]
    assert disable["changed"] is True, disable
    assert disabled_run.get("failed") is True and "policy 'p1' is disabled" in disabled_run["msg"], disabled_run
    assert writes(control, "alpha", "beta") == 1  # the disable only
    assert jobs_created(control, "alpha") == jobs_before


def test_failover_and_failback_sequence(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    alpha, beta = sim.clusters["alpha"], sim.clusters["beta"]
    to_beta = {"host": beta.host, "port": beta.port, "ca_path": beta.ca}
    to_alpha = {"host": alpha.host, "port": alpha.port, "ca_path": alpha.ca}

    # ---- failover of p1: final sync, allow writes on beta, resync-prep on alpha
    run = connection(alpha, name="p1", job="run", **FAST)
    allow = connection(alpha, name="p1", job="allow_write", partner=to_beta, **FAST)
    prep = connection(alpha, name="p1", job="resync_prep", partner=to_beta, **FAST)
    results = ansible.tasks([
        {"module": MODULE, "args": run},
        {"module": MODULE, "args": allow, "check": True},
        {"module": MODULE, "args": allow},
        {"module": MODULE, "args": allow},
        {"module": MODULE, "args": prep, "check": True},
        {"module": MODULE, "args": prep},
        {"module": MODULE, "args": prep},
        {"module": MODULE, "args": allow},
    ])
    for r in results:
        assert not r.get("failed"), r
    r_run, a_check, a_apply, a_again, p_check, p_apply, p_again, a_late = results
    assert [r["changed"] for r in results] == [True, True, True, False, True, True, False, False]
    assert r_run["job"]["state"] == "finished" and r_run["job"]["started"] is True
    assert r_run["job"]["report"]["action"] == "run" and r_run["job"]["report"]["state"] == "finished"
    assert a_check["job"]["started"] is False
    assert a_apply["diff"] == {"before": {"failover_failback_state": "writes_disabled"},
                               "after": {"failover_failback_state": "writes_enabled"}}
    assert a_apply["target_policy"]["failover_failback_state"] == "writes_enabled"
    assert a_again["job"]["skipped_reason"] == "target policy is already writes_enabled"
    assert p_apply["policy"]["enabled"] is False
    assert p_apply["mirror_policy"]["name"] == "p1_mirror"
    assert p_apply["target_policy"]["failover_failback_state"] == "resync_policy_created"
    assert "p1_mirror" in p_again["job"]["skipped_reason"]
    assert a_late["job"]["skipped_reason"] == "target policy is already resync_policy_created"

    a_state, b_state = control.state("alpha"), control.state("beta")
    assert by_name(a_state["policies"], "p1")["enabled"] is False
    assert by_name(b_state["policies"], "p1_mirror")["enabled"] is True
    assert by_name(b_state["target_policies"], "p1")["failover_failback_state"] == "resync_policy_created"
    assert by_name(a_state["target_policies"], "p1_mirror")["failover_failback_state"] == "writes_disabled"
    assert endpoint_count(control, "alpha", "POST /platform/sync/jobs") == 2  # run + resync_prep
    assert endpoint_count(control, "beta", "POST /platform/sync/jobs") == 1  # allow_write

    # ---- failback: mirror sync on beta, allow writes on alpha, resync-prep of the mirror on beta
    mrun = connection(beta, name="p1_mirror", job="run", **FAST)
    mallow = connection(beta, name="p1_mirror", job="allow_write", partner=to_alpha, **FAST)
    mprep = connection(beta, name="p1_mirror", job="resync_prep", partner=to_alpha, **FAST)
    again_run = connection(alpha, name="p1", job="run", **FAST)
    results = ansible.tasks([
        {"module": MODULE, "args": mrun},
        {"module": MODULE, "args": mallow},
        {"module": MODULE, "args": mallow},
        {"module": MODULE, "args": mprep},
        {"module": MODULE, "args": mprep},
        {"module": MODULE, "args": again_run},
    ])
    for r in results:
        assert not r.get("failed"), r
    m_run, m_allow, m_allow2, m_prep, m_prep2, final_run = results
    assert [r["changed"] for r in results] == [True, True, False, True, False, True]
    assert m_run["job"]["state"] == "finished"
    assert m_allow["target_policy"]["failover_failback_state"] == "writes_enabled"
    assert m_prep["policy"]["enabled"] is False and m_prep["mirror_policy"]["name"] == "p1"
    assert m_prep["mirror_policy"]["enabled"] is True
    assert "'p1' exists on the partner" in m_prep2["job"]["skipped_reason"]
    assert final_run["job"]["state"] == "finished"

    a_state, b_state = control.state("alpha"), control.state("beta")
    assert by_name(a_state["policies"], "p1")["enabled"] is True
    assert by_name(a_state["policies"], "p1")["last_job_state"] == "finished"
    assert by_name(b_state["policies"], "p1_mirror")["enabled"] is False
    assert by_name(b_state["target_policies"], "p1")["failover_failback_state"] == "writes_disabled"
    assert by_name(a_state["target_policies"], "p1_mirror")["failover_failback_state"] == "resync_policy_created"
    assert a_state["jobs"] == [] and b_state["jobs"] == []


def test_allow_write_revert_without_partner(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    beta = sim.clusters["beta"]
    allow = connection(beta, name="p2", job="allow_write", **FAST)
    revert = connection(beta, name="p2", job="allow_write_revert", **FAST)
    results = ansible.tasks([
        {"module": MODULE, "args": revert},
        {"module": MODULE, "args": allow},
        {"module": MODULE, "args": revert, "check": True},
        {"module": MODULE, "args": revert},
        {"module": MODULE, "args": revert},
    ])
    for r in results:
        assert not r.get("failed"), r
    assert [r["changed"] for r in results] == [False, True, True, True, False]
    assert results[3]["target_policy"]["failover_failback_state"] == "writes_disabled"
    assert by_name(control.state("beta")["target_policies"], "p2")["failover_failback_state"] == "writes_disabled"
    assert endpoint_count(control, "beta", "POST /platform/sync/jobs") == 2
    assert writes(control, "alpha") == 0


def test_failed_job_fails_with_its_errors(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    alpha, beta = sim.clusters["alpha"], sim.clusters["beta"]
    control.faults("alpha", [{"method": "JOB", "path": "^p1$", "message": "Injected: target unreachable"}])
    control.faults("beta", [{"method": "JOB", "path": "^p2$", "message": "Injected: domain mark failed"}])
    run, allow = ansible.tasks([
        {"module": MODULE, "args": connection(alpha, name="p1", job="run", **FAST)},
        {"module": MODULE, "args": connection(beta, name="p2", job="allow_write", **FAST)},
    ])
    assert run.get("failed") is True, run
    assert "SyncIQ job run of policy 'p1'" in run["msg"] and "ended failed" in run["msg"]
    assert "Injected: target unreachable" in run["msg"]
    assert run["job"]["errors"] == ["Injected: target unreachable"]
    assert run["job"]["report"]["state"] == "failed" and run["job"]["report"]["action"] == "run"
    assert _pol(control, "alpha", "p1")["last_job_state"] == "failed"
    assert allow.get("failed") is True, allow
    assert "SyncIQ job allow_write of policy 'p2'" in allow["msg"] and "Injected: domain mark failed" in allow["msg"]
    assert allow["job"]["report"]["action"] == "allow_write"
    assert _tpol(control, "beta", "p2")["failover_failback_state"] == "writes_disabled"


def test_running_job_is_waited_for_never_doubled(sim_factory, ansible):
    # The job cannot end before it is paused, however slow the machine (an hour of simulated
    # time); setting job_seconds to 0.2 s then applies to it too: paused, it is re-checked every
    # 0.2 s, and it ends 0.2 s after it is resumed.
    sim, control = start_pair(sim_factory, job_seconds=3600)
    alpha = sim.clusters["alpha"]
    start = connection(alpha, name="p3", job="run", wait=False)
    short = connection(alpha, name="p3", job="run", wait_timeout=0, poll_interval=0.05)
    waited = connection(alpha, name="p3", job="run", **FAST)
    jobs_before = jobs_created(control, "alpha")
    first = ansible.run(MODULE, start)
    assert first["changed"] is True and first["job"]["started"] is True and first["job"]["state"] == "running"
    set_job_state(alpha, "p3", "paused")  # keeps the job active, whatever the machine's speed
    control.settings("alpha", job_seconds=0.2)
    check, timeout = ansible.tasks([
        {"module": MODULE, "args": start, "check": True},
        {"module": MODULE, "args": short},
    ])
    assert check["changed"] is False and "already paused" in check["job"]["skipped_reason"], check
    assert timeout.get("failed") is True and "is still paused after 0 s" in timeout["msg"], timeout
    watcher = resume_when_polled(control, alpha, "alpha", "p3")
    wait = ansible.run(MODULE, waited)
    watcher.join(5)
    assert not wait.get("failed"), wait
    assert wait["changed"] is False and wait["job"]["waited"] is True and wait["job"]["state"] == "finished"
    assert "already running; waited for it" in wait["job"]["skipped_reason"]
    # The later tasks' starts were refused with 409 (a job is running): one job in all.
    assert jobs_created(control, "alpha") == jobs_before + 1
    assert _pol(control, "alpha", "p3")["last_job_state"] == "finished"


def test_action_quirk_during_resync_prep(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    alpha, beta = sim.clusters["alpha"], sim.clusters["beta"]
    to_beta = {"host": beta.host, "port": beta.port, "ca_path": beta.ca}
    allowed = ansible.run(MODULE, connection(alpha, name="p2", job="allow_write", partner=to_beta, **FAST))
    assert allowed["changed"] is True, allowed
    control.settings("alpha", job_seconds=3600)  # the resync-prep job cannot end before it is paused
    jobs_before = jobs_created(control, "alpha")
    started = ansible.run(MODULE, connection(alpha, name="p2", job="resync_prep", partner=to_beta, wait=False))
    assert started["changed"] is True and started["job"]["state"] == "running", started
    set_job_state(alpha, "p2", "paused")
    control.settings("alpha", job_seconds=0.2)
    config = connection(alpha, name="p2", action="copy", description="changed during resync-prep")
    during = ansible.run(POLICY, config)
    # OneFS shows the recovery action as the policy's action while the job exists.
    assert not during.get("failed"), during
    assert during["policy"]["action"] == "resync_prep"
    assert during["changed"] is True and during["diff"]["after"] == {"description": "changed during resync-prep"}
    assert any("action is not compared" in str(w) for w in during.get("warnings", [])), during.get("warnings")
    watcher = resume_when_polled(control, alpha, "alpha", "p2")
    done = ansible.run(MODULE, connection(alpha, name="p2", job="resync_prep", partner=to_beta, **FAST))
    watcher.join(5)
    assert not done.get("failed"), done
    assert done["changed"] is False and done["job"]["waited"] is True
    assert done["policy"]["action"] == "copy" and done["policy"]["enabled"] is False
    state = control.state("alpha")
    assert by_name(state["policies"], "p2")["description"] == "changed during resync-prep"
    assert by_name(control.state("beta")["policies"], "p2_mirror")["enabled"] is True
    assert jobs_created(control, "alpha") == jobs_before + 1


def test_job_report_false_judges_from_what_it_reads(sim_factory, ansible):
    """job_report=false: a finished job is judged from the policy / target policy, with no report
    read; a failed job still reads its report and fails with its errors."""
    sim, control = start_pair(sim_factory)
    alpha, beta = sim.clusters["alpha"], sim.clusters["beta"]
    to_beta = {"host": beta.host, "port": beta.port, "ca_path": beta.ca}
    # Jobs last 0.2 s; the first poll comes 0.5 s after the start and finds the job gone.
    quiet = dict(FAST, poll_interval=0.5, job_report=False)
    run, allow, prep = ansible.tasks([
        {"module": MODULE, "args": connection(alpha, name="p1", job="run", **quiet)},
        {"module": MODULE, "args": connection(alpha, name="p2", job="allow_write", partner=to_beta, **quiet)},
        {"module": MODULE, "args": connection(alpha, name="p2", job="resync_prep", partner=to_beta, **quiet)},
    ])
    for result in (run, allow, prep):
        assert not result.get("failed"), result
        assert result["changed"] is True and result["job"]["state"] == "finished", result
        assert result["job"]["report"] is None, result
    assert run["policy"]["last_job_state"] == "finished"
    assert allow["target_policy"]["failover_failback_state"] == "writes_enabled"
    assert prep["policy"]["enabled"] is False and prep["mirror_policy"]["name"] == "p2_mirror"
    for cluster in ("alpha", "beta"):
        assert endpoint_count(control, cluster, "GET /platform/sync/reports") == 0
    # The run was watched through the policy: read before the start and once after poll_interval
    # (the poll is the result); the job itself was never read.
    assert endpoint_count(control, "alpha", "GET /platform/sync/jobs/p1") == 0
    assert endpoint_count(control, "alpha", "GET /platform/sync/policies/p1") == 2

    control.faults("alpha", [{"method": "JOB", "path": "^p1$", "message": "Injected: target unreachable"}])
    failed = ansible.run(MODULE, connection(alpha, name="p1", job="run", **quiet))
    assert failed.get("failed") is True and "Injected: target unreachable" in failed["msg"], failed
    assert failed["job"]["report"]["state"] == "failed"


def test_first_job_poll_comes_after_poll_interval(sim_factory, ansible):
    """With the report read (job_report default), the job is polled one poll_interval after its
    start, not at once: a 0.2 s job with poll_interval 0.5 is read once."""
    sim, control = start_pair(sim_factory)
    alpha = sim.clusters["alpha"]
    run = ansible.run(MODULE, connection(alpha, name="p1", job="run", poll_interval=0.5, wait_timeout=60))
    assert not run.get("failed") and run["job"]["state"] == "finished", run
    assert run["job"]["report"]["state"] == "finished"
    assert endpoint_count(control, "alpha", "GET /platform/sync/jobs/p1") == 1

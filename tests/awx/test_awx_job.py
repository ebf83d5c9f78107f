"""The demo failover and failback as AWX runs them: ansible-runner from a private data dir,
the clusters injected by the collection's credential type (awx/credential_type.yml), a HOME
of the job's own (a new execution-environment container) and no state directory given.

Then every artifact (job events, stdout, the runner's command and env records, the fact
cache), every file left in the private data dir and in the job's HOME (state, caches,
reports), and the failover's -vvv output are searched for each cluster password, the AD
password and every session id and CSRF token the clusters handed out: none may appear. The
one place allowed to hold a live session is the controller's session cache (HOME's
onefs_dr cache, ``sessions/``, 0600, safe to lose), which exists to hold one.
"""

import sys
from pathlib import Path

import pytest
from _awx_helpers import grep_tree, inject, record_sessions, runner_job, sim_inputs, stats_artifacts
from support import Control

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from test_orchestration import UNITS, _check_direction  # noqa: E402


def _job_ok(job):
    assert job.status == "successful", "%s rc=%s\n%s" % (job.status, job.rc, job.stdout.read()[-6000:])


@pytest.mark.timeout(1800)
def test_demo_failover_failback_under_runner_leaks_no_secret(sim_factory, collections_root, tmp_path):
    sim = sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    issued = record_sessions(sim)
    inputs = sim_inputs(sim)
    # AWX writes the credential's file outside the project and removes it after the job.
    env, extra, cred_file = inject(inputs, tmp_path / "awx-credential")
    home = tmp_path / "job-home"
    home.mkdir()
    # A new container: its own HOME, no state or report folder given (empty = not set).
    env = dict(env, HOME=str(home), ONEFS_DR_STATE_DIR="", ONEFS_DR_REPORT_DIR="", XDG_STATE_HOME="",
               XDG_CACHE_HOME="")
    pdd = tmp_path / "private_data_dir"
    pdd.mkdir()
    original = control.state("alpha")
    paths = [p for u in UNITS.values() for p in u[3]]
    gens = {p: control.write_data("alpha", p)["generation"] for p in paths}

    failover = runner_job(pdd, "failover.yml", env, extra, verbosity=3, ident="failover",
                          collections_root=collections_root)
    _job_ok(failover)
    _check_direction(control, original, "beta", "alpha", gens)
    gens = {p: control.write_data("beta", p)["generation"] for p in paths}
    failback = runner_job(pdd, "failback.yml", env, extra, ident="failback", collections_root=collections_root)
    _job_ok(failback)
    _check_direction(control, original, "alpha", "beta", gens)

    # The job's artifacts carry the run's summary (set_stats), so a workflow can branch on it.
    for job, kind in ((failover, "failover"), (failback, "failback")):
        stats = stats_artifacts(job)
        summary = stats.get("onefs_dr_summary")
        assert summary, stats
        assert summary["playbook"] == kind and summary["status"] == "ok", summary
        assert set(summary["units"]) == set(UNITS), summary
        for unit in summary["units"].values():
            assert unit["status"] == "ok" and unit["stopped_at"] == "" and unit["duration_s"] > 0, unit
        assert stats["onefs_dr_summaries"][kind]["run_id"] == summary["run_id"]

    secrets = [inputs["source_password"], inputs["target_password"], inputs["spn_ad_password"]]
    assert len(issued) >= 4, issued  # sessions and CSRF tokens of both clusters
    secrets += issued
    assert inputs["source_password"] in cred_file.read_text()  # what is searched for is what was injected
    # Everything the jobs left: the private data dir, HOME (state, caches, async files,
    # reports) and any other file of this test's folder, but the credential file AWX removes.
    assert grep_tree(cred_file.parent, secrets)  # the search finds what is there
    hits = grep_tree(tmp_path, secrets, skip=("sessions", cred_file.parent.name))
    assert hits == [], hits
    assert list(home.glob(".cache/*/sessions/*.json"))  # the session cache was where it is skipped
    # -vvv output, as a person would see it.
    vvv = (pdd / "artifacts" / "failover" / "stdout").read_text()
    assert "ESTABLISH LOCAL CONNECTION" in vvv  # it is -vvv
    for secret in secrets:
        assert secret not in vvv
    # SyncIQ waits (eng runs two policies in parallel) say what they wait for, never
    # "FAILED - RETRYING" (the async_status until loops printed one per poll).
    for job in (failover, failback):
        out = (pdd / "artifacts" / job.config.ident / "stdout").read_text()
        assert "FAILED - RETRYING" not in out
        assert "Step 4 | Wait for every final sync" in out
    # Reports land in the documented default under the job's HOME (not in the collection).
    reports = list(home.glob(".local/state/onefs_dr/reports/failover-*.json"))
    assert reports, sorted(str(p) for p in home.rglob("*.json"))[:20]

"""Ctrl-C and kill -9 during a large lockout, then rollback, re-run and failback (issue: shares
stranded with Deny Everyone after Ctrl-C; two failovers of one unit at once).

The defects these tests pin down, as found on a realistic estate:
- SIGINT to the playbook's process group ended the playbook, but the lockout module (in its
  worker's own session) went on and locked every share; an immediate rollback then ran while it
  was still writing, marked entries restored that the lockout re-locked, and the next failback
  copied the still-denied ACLs to the other side.
- two failovers of one unit ran at once and both wrote.

What must hold now: a module whose playbook is gone stops writing; no two runs work on one
unit (the unit lease on the clusters); the journal never says restored for a denied share; and
after interrupt -> rollback -> failover -> failback no deny entry we added is left anywhere.
"""

import os
import signal
import time

import pytest
from _fault_helpers import Playbooks, acls, connection_vars, inventory, locked, ok, scenario
from support import Control

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient
from ansible_collections.onefs.dr.plugins.module_utils.journal import read_json

ZONE = "zone01"
SHARES = 80


def _setup(sim_factory, collections_root, tmp_path):
    sim = sim_factory(scenario(1, SHARES), share_write_service_ms=25, job_seconds=0.3)
    control = Control(sim.control_url)
    books = Playbooks(collections_root, tmp_path, connection_vars(sim, tmp_path / "connection.yml"),
                      inventory(tmp_path / "hosts.yml", [ZONE]))
    original = {c: acls(control.state(c), [ZONE]) for c in ("alpha", "beta")}
    return control, books, original, sim.clusters["alpha"]


def _wait_for_share_writes(control, proc, cluster, at_least, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, _read(proc)[-4000:]
        if control.counters(cluster)["share_writes"] >= at_least:
            return
        time.sleep(0.05)
    raise AssertionError("no lockout in progress after %d s" % timeout)


def _read(proc):
    with open(proc.log_path) as handle:
        return handle.read()


def _wait_exit(proc, timeout=120):
    proc.wait(timeout)
    return _read(proc)


def _no_deny_anywhere(control, original):
    for cluster in ("alpha", "beta"):
        state = control.state(cluster)
        assert locked(state, [ZONE]) == [], (cluster, locked(state, [ZONE])[:5])
        got = acls(state, [ZONE])
        if original[cluster]:
            assert got == original[cluster], (cluster, sorted(k for k in got if got[k] != original[cluster].get(k))[:5])


def _journal_restored_entries_are_unlocked(control, cluster):
    """No journal entry says restored for a share that carries the deny."""
    state = control.state("alpha")
    shares = {s["name"]: s for s in state["shares"].get(ZONE, [])}
    with OneFSClient(cluster.host, cluster.port, cluster.username, cluster.password, ca_path=cluster.ca) as client:
        doc = read_json(client, "/ifs/.onefs_dr/journal/%s.json" % ZONE)
    if doc is None:
        return
    for name, entry in doc.get("entries", {}).items():
        if entry.get("state") == "restored":
            acl = [(a["trustee"]["id"].upper(), a["permission"], a["permission_type"]) for a in shares[name]["permissions"]]
            assert ("SID:S-1-1-0", "full", "deny") not in acl or entry.get("had_deny"), name


@pytest.mark.timeout(900)
def test_ctrl_c_during_lockout_stops_writes_then_rollback_rerun_failback_leave_no_deny(sim_factory, collections_root, tmp_path):
    control, books, original, alpha = _setup(sim_factory, collections_root, tmp_path)
    proc = books.start("failover.yml")
    _wait_for_share_writes(control, proc, "alpha", 20)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends to the playbook's group
    log = _wait_exit(proc)
    at_exit = control.counters("alpha")["share_writes"]
    time.sleep(3)
    later = control.counters("alpha")["share_writes"]
    # The writes in flight when the playbook went may finish (at most share_write_limit); nothing after.
    assert later - at_exit <= 10, "the lockout went on writing after the playbook was interrupted: %d more" % (later - at_exit)
    assert later < SHARES, "every share was locked: the module did not stop"
    # The keeper said where the run stood and how to continue.
    deadline = time.monotonic() + 10
    while "To continue" not in log and time.monotonic() < deadline:
        time.sleep(0.2)
        log = _read(proc)
    assert "was interrupted while unit %s" % ZONE in log and "rollback.yml --limit %s" % ZONE in log, log[-3000:]
    _journal_restored_entries_are_unlocked(control, alpha)

    back = books.run("rollback.yml")  # waits for the interrupted run's lease to expire
    ok(back)
    _journal_restored_entries_are_unlocked(control, alpha)
    _no_deny_anywhere(control, original)

    ok(books.run("failover.yml"))
    assert locked(control.state("alpha"), [ZONE]) == [] and locked(control.state("beta"), [ZONE]) == []
    ok(books.run("failback.yml"))
    _no_deny_anywhere(control, original)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("kill_after", [30, 110])
def test_kill_9_then_rollback_or_rerun_then_failback_leave_no_deny(kill_after, sim_factory, collections_root, tmp_path):
    """SIGKILL of the whole run during the lockout (30 writes) or during the unlock at its end
    (lockout 80 + 30 unlock writes); then rollback (refused past the point of no return: then
    the re-run finishes the failover), then failback."""
    control, books, original, _alpha = _setup(sim_factory, collections_root, tmp_path)
    proc = books.start("failover.yml")
    _wait_for_share_writes(control, proc, "alpha", kill_after)
    books.kill(proc)
    back = books.run("rollback.yml")
    if back.returncode == 0:
        _no_deny_anywhere(control, original)
        ok(books.run("failover.yml"))
    else:
        assert "past the point of no return" in back.stdout, back.stdout[-4000:]
        ok(books.run("failover.yml"))
    assert locked(control.state("alpha"), [ZONE]) == [] and locked(control.state("beta"), [ZONE]) == []
    ok(books.run("failback.yml"))
    _no_deny_anywhere(control, original)


@pytest.mark.timeout(900)
def test_second_failover_of_a_unit_is_refused_before_any_write_naming_the_holder(sim_factory, collections_root, tmp_path):
    control, books, _original, _alpha = _setup(sim_factory, collections_root, tmp_path)
    first = books.start("failover.yml")
    _wait_for_share_writes(control, first, "alpha", 10)
    second = books.run("failover.yml", "-e", "onefs_dr_lease_wait=0")
    assert second.returncode != 0
    assert "is in use by another run" in second.stdout and "run failover-" in second.stdout, second.stdout[-4000:]
    report = books.last_report()
    log = _wait_exit(first, timeout=600)
    assert first.returncode == 0, log[-6000:]
    assert report is not None and report["units"][ZONE]["status"] != "ok"
    assert "nothing was written" in report["units"][ZONE]["where_it_stands"]
    # The first run's end state is a clean failover: nothing of the second run interfered.
    a, b = control.state("alpha"), control.state("beta")
    assert locked(a, [ZONE]) == [] and locked(b, [ZONE]) == []
    tp = {t["name"]: t for t in b["target_policies"]}["%s_policy" % ZONE]
    assert tp["failover_failback_state"] in ("writes_enabled", "creating_resync_policy", "resync_policy_created")
    # No lease is left after the clean run.
    assert not [p for p in a.get("files", {}) if p.startswith("/ifs/.onefs_dr/leases/") and p.endswith(".lease")]

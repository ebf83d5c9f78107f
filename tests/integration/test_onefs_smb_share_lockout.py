"""onefs_smb_share_lockout: the data-integrity lockout, its journal and the post-failover restore,
check -> apply -> again against the simulator. Shares are prepared with onefs_smb_share_acl (ACL)."""

import copy
from pathlib import Path

from _smb_helpers import LOCKOUT, acls, conn, journal, popen_playbook, start, writes

ZONE = "zone01"
MODULE = "onefs_smb_share_lockout"
ACL = "onefs_smb_share_acl"
FAULT_409 = {
    "method": "PUT",
    "path": r"^/protocols/smb/shares/",
    "status": 409,
    "code": "AEC_CONFLICT",
    "message": "Conflict updating share(s): File exists",
    "rate": 0.3,
}


def _ids(acl):
    return [(a["permission_type"], a["permission"], a["trustee"]["id"]) for a in acl]


def _outcomes(result):
    counts = {}
    for share in result["shares"]:
        counts[share["outcome"]] = counts.get(share["outcome"], 0) + 1
    return counts


def test_bad_input_fails_before_any_write(sim_factory, ansible):
    sim, control = start(sim_factory, zones=1, shares=2)
    base = dict(conn(sim, "alpha"), zone=ZONE)
    cases = [
        # Declared in the argument spec.
        ({"shares": ["zone01_share001"]}, "one of the following is required: lockout, restore_from"),
        ({"shares": ["zone01_share001"], "restore_from": "journal", "lockout": "locked"}, "mutually exclusive: lockout|restore_from"),
        ({"lockout": "locked"}, "lockout is locked but any of the following are missing: shares, path"),
        ({"shares": ["zone01_share001"], "path": "/ifs/zone01", "lockout": "locked"}, "mutually exclusive: shares|path"),
        ({"path": "/ifs/zone01", "lockout": "locked", "journal_zone": "z"}, "mutually exclusive: lockout|journal_zone"),
        ({"shares": ["zone01_share001"], "lockout": "locked", "state": "present"}, "Unsupported parameters"),
        # Checked by the module, before any write.
        ({"path": "zone01", "lockout": "locked"}, "path must be an absolute path under /ifs"),
        ({"path": "/ifs/zone01", "lockout": "locked", "parallel": 11}, "parallel must be between 1 and"),
        ({"restore_from": "journal", "journal_source": "../x"}, "journal_source must be a plain name"),
    ]
    control.reset_counters("alpha")
    tasks = [{"module": MODULE, "args": dict(base, **extra)} for extra, _ in cases]
    # Restoring where nothing was ever locked is not an error: nothing to restore, said loudly.
    tasks.append({"module": MODULE, "args": dict(base, restore_from="journal")})
    results = ansible.tasks(tasks)
    for (extra, words), result in zip(cases, results[:-1], strict=True):
        assert result.get("failed"), (extra, result)
        assert words in result["msg"], (extra, result["msg"])
    no_journal = results[-1]
    assert not no_journal.get("failed") and not no_journal["changed"], no_journal
    assert any("no lockout journal for zone zone01 found" in w for w in no_journal.get("warnings", [])), no_journal
    assert writes(control, "alpha") == 0


def test_lockout_100_shares_30pct_409_then_unlock(sim_factory, ansible):
    """Acceptance: 100 shares, 30% 409 on share writes, 0 failed, every ACL back as it was."""
    sim, control = start(sim_factory, zones=1, shares=100)
    base = dict(conn(sim, "alpha"), zone=ZONE)
    partner = conn(sim, "beta")
    # A share that already denied Everyone before the lockout.
    pre = ansible.run(ACL, dict(base, shares=["zone01_share007"], state="present", aces=[LOCKOUT]))
    assert pre["changed"], pre
    original = acls(control, "alpha", ZONE)
    assert len(original) == 100 and _ids(original["zone01_share007"])[0] == ("deny", "full", "SID:S-1-1-0")

    control.faults("alpha", [FAULT_409])
    lock = dict(base, path="/ifs/zone01", lockout="locked", partner=partner, parallel=4)
    unlock = dict(base, lockout="unlocked", partner=partner)

    control.reset_counters("alpha")
    (check,) = ansible.tasks([{"module": MODULE, "args": lock, "check": True}])
    assert check["changed"] and _outcomes(check) == {"changed": 99, "unchanged": 1}, _outcomes(check)
    assert writes(control, "alpha") == 0 and journal(sim.clusters["alpha"], ZONE) is None
    assert acls(control, "alpha", ZONE) == original

    control.reset_counters("alpha")
    (locked,) = ansible.tasks([{"module": MODULE, "args": lock}])
    assert not locked.get("failed") and locked["failed_shares"] == [], locked.get("msg")
    assert _outcomes(locked) == {"changed": 99, "unchanged": 1}
    assert sum(s["conflicts_409"] for s in locked["shares"]) > 0  # the faults did fire
    assert sum(s["retries"] for s in locked["shares"]) >= sum(s["conflicts_409"] for s in locked["shares"])
    counters = control.counters("alpha")
    assert counters["conflicts_409"] > 0 and counters["max_concurrent_share_writes"] <= 4
    now = acls(control, "alpha", ZONE)
    for name, acl in now.items():
        if name == "zone01_share007":
            assert acl == original[name]
        else:
            assert acl[0] == LOCKOUT and acl[1:] == original[name], name
    doc = journal(sim.clusters["alpha"], ZONE)
    assert doc == locked["journal"]
    assert doc["zone"] == ZONE and doc["cluster"]["name"] == "alpha" and len(doc["entries"]) == 100
    assert all(e["state"] == "locked" for e in doc["entries"].values())
    assert doc["entries"]["zone01_share007"]["had_deny"] is True
    assert sum(1 for e in doc["entries"].values() if e["had_deny"]) == 1
    assert doc["entries"]["zone01_share001"]["original_permissions"] == original["zone01_share001"]
    assert locked["partner_copy"]["status"] == "copied"
    assert journal(sim.clusters["beta"], ZONE, source="alpha") == doc

    control.reset_counters("alpha")
    control.reset_counters("beta")
    again, unlock_check = ansible.tasks([{"module": MODULE, "args": lock}, {"module": MODULE, "args": unlock, "check": True}])
    assert not again["changed"] and _outcomes(again) == {"unchanged": 100}, _outcomes(again)
    assert again["partner_copy"]["status"] == "unchanged"
    assert unlock_check["changed"] and _outcomes(unlock_check) == {"changed": 99, "unchanged": 1}
    assert writes(control, "alpha") == 0 and writes(control, "beta") == 0

    control.reset_counters("alpha")
    (unlocked,) = ansible.tasks([{"module": MODULE, "args": unlock}])
    assert not unlocked.get("failed") and unlocked["failed_shares"] == [], unlocked.get("msg")
    assert _outcomes(unlocked) == {"changed": 99, "unchanged": 1}
    assert sum(s["conflicts_409"] for s in unlocked["shares"]) > 0
    assert acls(control, "alpha", ZONE) == original  # every ACL identical; share007 still denied
    doc = journal(sim.clusters["alpha"], ZONE)
    assert all(e["state"] == "restored" for e in doc["entries"].values())
    assert journal(sim.clusters["beta"], ZONE, source="alpha") == doc

    control.reset_counters("alpha")
    (unlock_again,) = ansible.tasks([{"module": MODULE, "args": unlock}])
    assert not unlock_again["changed"] and unlock_again["failed_shares"] == []
    assert writes(control, "alpha") == 0
    assert acls(control, "alpha", ZONE) == original


def test_restore_from_journal_on_target_with_source_down(sim_factory, ansible):
    sim, control = start(sim_factory, zones=2, shares=6)
    alpha = conn(sim, "alpha")
    beta = conn(sim, "beta")
    prep = [
        # zone01_share002 denied Everyone before the lockout (on both sides, as replicated)
        {"module": ACL, "args": dict(alpha, zone="zone01", shares=["zone01_share002"], state="present", aces=[LOCKOUT])},
        {"module": ACL, "args": dict(beta, zone="zone01", shares=["zone01_share002"], state="present", aces=[LOCKOUT])},
        # zone01 journal copied to beta; zone02 journal only on alpha
        {"module": MODULE, "args": dict(alpha, zone="zone01", path="/ifs/zone01", lockout="locked", partner=beta)},
        {"module": MODULE, "args": dict(alpha, zone="zone02", path="/ifs/zone02", lockout="locked")},
        # what the configuration sync does during failover: the target's shares get the locked ACLs
        {"module": ACL, "args": dict(beta, zone="zone01", path="/ifs/zone01", state="present", aces=[LOCKOUT])},
        {"module": ACL, "args": dict(beta, zone="zone02", path="/ifs/zone02", state="present", aces=[LOCKOUT])},
    ]
    results = ansible.tasks(prep)
    assert not any(r.get("failed") for r in results), [r.get("msg") for r in results]
    originals = {z: journal(sim.clusters["alpha"], z)["entries"] for z in ("zone01", "zone02")}
    assert journal(sim.clusters["beta"], "zone02", source="alpha") is None

    # zone02: beta has no copy, alpha is up -> read from the partner
    restore2 = dict(beta, zone="zone02", restore_from="journal", partner=alpha)
    control.reset_counters("beta")
    check, apply, again = ansible.idempotence(MODULE, restore2)
    assert check["changed"] and apply["changed"] and not again["changed"], (check.get("msg"), apply.get("msg"))
    assert apply["journal_path"].endswith(":/ifs/.onefs_dr/journal/zone02.json")
    assert _outcomes(apply) == {"changed": 6}
    assert writes(control, "beta") == 6
    state = acls(control, "beta", "zone02")
    for name, entry in originals["zone02"].items():
        assert state[name] == entry["original_permissions"], name

    # zone01: alpha is down -> beta's own copy, found without naming the source
    control.down("alpha")
    control.reset_counters("beta")
    restore1 = dict(beta, zone="zone01", restore_from="journal", partner=alpha)
    check, apply, again = ansible.idempotence(MODULE, restore1)
    assert apply["changed"] and not apply.get("failed"), apply.get("msg")
    assert apply["journal_path"] == "/ifs/.onefs_dr/journal/alpha/zone01.json"
    assert check["changed"] and not again["changed"]
    assert _outcomes(apply) == {"changed": 5, "unchanged": 1}
    assert writes(control, "beta") == 5
    state = acls(control, "beta", "zone01")
    for name, entry in originals["zone01"].items():
        assert state[name] == entry["original_permissions"], name
    assert _ids(state["zone01_share002"])[0] == ("deny", "full", "SID:S-1-1-0")  # denied before: stays denied
    # the source keeps its lockout
    control.down("alpha", False)
    assert all(acl[0] == LOCKOUT for acl in acls(control, "alpha", "zone01").values())


def test_partner_down_warns_then_copies(sim_factory, ansible):
    sim, control = start(sim_factory, zones=1, shares=3)
    lock = dict(conn(sim, "alpha"), zone=ZONE, path="/ifs/zone01", lockout="locked", partner=conn(sim, "beta"))
    control.down("beta")
    (first,) = ansible.tasks([{"module": MODULE, "args": lock}])
    assert first["changed"] and not first.get("failed"), first.get("msg")
    assert first["partner_copy"]["status"] == "failed"
    assert any("not copied to partner" in w for w in first.get("warnings", []))
    control.down("beta", False)
    second, third = ansible.tasks([{"module": MODULE, "args": lock}, {"module": MODULE, "args": lock}])
    assert second["changed"] and second["partner_copy"]["status"] == "copied"
    assert not third["changed"] and third["partner_copy"]["status"] == "unchanged"
    assert journal(sim.clusters["beta"], ZONE, source="alpha") == journal(sim.clusters["alpha"], ZONE)


def test_partial_failure_keeps_journal_consistent_and_rerun_finishes(sim_factory, ansible):
    sim, control = start(sim_factory, zones=1, shares=8)
    original = acls(control, "alpha", ZONE)
    lock = dict(conn(sim, "alpha"), zone=ZONE, path="/ifs/zone01", lockout="locked")
    control.faults(
        "alpha",
        [{"method": "PUT", "path": r"^/protocols/smb/shares/zone01_share005$", "status": 500, "code": "AEC_SYSTEM_INTERNAL_ERROR", "message": "injected"}],
    )
    (failed,) = ansible.tasks([{"module": MODULE, "args": lock}])
    assert failed.get("failed") and failed["failed_shares"] == ["zone01_share005"], failed
    assert "zone01_share005" in failed["msg"] and _outcomes(failed) == {"changed": 7, "failed": 1}
    doc = journal(sim.clusters["alpha"], ZONE)
    assert doc["entries"]["zone01_share005"]["state"] == "locking"
    assert doc["entries"]["zone01_share005"]["original_permissions"] == original["zone01_share005"]
    assert sum(1 for e in doc["entries"].values() if e["state"] == "locked") == 7
    assert acls(control, "alpha", ZONE)["zone01_share005"] == original["zone01_share005"]

    control.clear_faults("alpha")
    rerun, unlock = ansible.tasks([{"module": MODULE, "args": lock}, {"module": MODULE, "args": dict(lock, lockout="unlocked", path=None)}])
    assert rerun["changed"] and _outcomes(rerun) == {"changed": 1, "unchanged": 7}, _outcomes(rerun)
    assert not unlock.get("failed") and _outcomes(unlock) == {"changed": 8}
    assert acls(control, "alpha", ZONE) == original


def test_concurrent_runs_on_one_zone_keep_every_entry(sim_factory, ansible):
    sim, control = start(sim_factory, zones=1, shares=24, share_write_service_ms=15)
    base = dict(conn(sim, "alpha"), zone=ZONE, lockout="locked")
    names = sorted(acls(control, "alpha", ZONE))
    procs = [popen_playbook(ansible, [{"module": MODULE, "args": dict(base, shares=part)}]) for part in (names[0::2], names[1::2])]
    for proc in procs:
        proc.wait(timeout=300)
        proc.log_file.close()
        assert proc.returncode == 0, Path(proc.log_path).read_text(errors="replace")[-3000:]
    doc = journal(sim.clusters["alpha"], ZONE)
    assert sorted(doc["entries"]) == names
    assert all(e["state"] == "locked" for e in doc["entries"].values())
    assert all(acl[0] == LOCKOUT for acl in acls(control, "alpha", ZONE).values())
    original = {n: e["original_permissions"] for n, e in doc["entries"].items()}
    assert all(copy.deepcopy(acl[1:]) == original[n] for n, acl in acls(control, "alpha", ZONE).items())


def test_summary_results_keep_counts_and_drop_acls(sim_factory, ansible):
    """The failover roles' short result: outcomes per share, no ACL copies, no journal body."""
    sim, control = start(sim_factory, zones=1, shares=12)
    args = dict(conn(sim, "alpha"), zone=ZONE, path="/ifs/zone01", lockout="locked", summary=True, parallel=4)
    original = acls(control, "alpha", ZONE)
    control.reset_counters("alpha")
    check, first, again = ansible.idempotence(MODULE, args)
    assert check["changed"] and first["changed"] and not again["changed"], (first, again)
    keys = {"name", "outcome", "retries", "conflicts_409", "message"}
    assert len(first["shares"]) == 12 and all(set(s) == keys for s in first["shares"]), first["shares"][0]
    assert sum(s["outcome"] == "changed" for s in first["shares"]) == control.counters("alpha")["share_writes"] == 12
    assert first["journal"] is None and first["journal_path"]
    assert set(first["diff"]["after"]["shares"]) == set(original)  # asked for (--diff)
    (quiet,) = ansible.tasks([{"module": MODULE, "args": dict(args, lockout="unlocked"), "diff": False}])
    assert quiet["changed"] and "diff" not in quiet
    assert acls(control, "alpha", ZONE) == original

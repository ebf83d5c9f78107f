"""The lockout journal survives a killed run: SIGKILL the module after N share writes, then
unlock, and every share has its original ACL again (issue 5, "How we will know")."""

from _smb_helpers import LOCKOUT, acls, conn, journal, kill_after_share_writes, popen_playbook, start

ZONE = "zone01"
SHARES = 60
MODULE = "onefs_smb_share_lockout"


def _locked(control):
    return sum(1 for acl in acls(control, "alpha", ZONE).values() if acl and acl[0] == LOCKOUT)


def test_kill_during_lockout_or_unlock_then_unlock_restores_every_acl(sim_factory, ansible):
    # Slow share writes a little so the kill lands in the middle of the run.
    sim, control = start(sim_factory, zones=1, shares=SHARES, share_write_service_ms=8)
    base = dict(conn(sim, "alpha"), zone=ZONE)
    lock = dict(base, path="/ifs/zone01", lockout="locked")
    unlock = dict(base, lockout="unlocked")
    pre = ansible.run("onefs_smb_share_acl", dict(base, shares=["zone01_share042"], state="present", aces=[LOCKOUT]))
    assert pre["changed"], pre
    original = acls(control, "alpha", ZONE)

    # 1. killed while locking, after N share writes: unlock restores every ACL.
    # The last kill point leaves a few writes: the killer polls the counters while writes go on.
    for count in (1, 23, SHARES - 6):
        control.reset_counters("alpha")
        proc = popen_playbook(ansible, [{"module": MODULE, "args": lock}])
        kill_after_share_writes(proc, control, "alpha", count)
        locked = _locked(control)
        assert count <= locked < SHARES, (count, locked)  # really stopped half-way (share042 counts as locked)
        doc = journal(sim.clusters["alpha"], ZONE)
        assert any(e["state"] == "locking" for e in doc["entries"].values()), "killed after the final journal update"
        (result,) = ansible.tasks([{"module": MODULE, "args": unlock}])
        assert not result.get("failed") and result["failed_shares"] == [], result.get("msg")
        assert acls(control, "alpha", ZONE) == original, "N=%d" % count
        doc = journal(sim.clusters["alpha"], ZONE)
        assert all(e["state"] == "restored" for e in doc["entries"].values())

    # 2. killed while locking, then locking again finishes the lockout, and unlock restores.
    proc = popen_playbook(ansible, [{"module": MODULE, "args": lock}])
    kill_after_share_writes(proc, control, "alpha", SHARES // 2)
    relock, again = ansible.tasks([{"module": MODULE, "args": lock}, {"module": MODULE, "args": lock}])
    assert relock["changed"] and relock["failed_shares"] == [] and not again["changed"], relock.get("msg")
    assert _locked(control) == SHARES
    doc = journal(sim.clusters["alpha"], ZONE)
    assert all(e["state"] == "locked" for e in doc["entries"].values())
    assert {n: e["original_permissions"] for n, e in doc["entries"].items()} == original

    # 3. killed while unlocking, after N share writes: unlocking again finishes the restore.
    for count in (1, SHARES // 2 + 5):
        control.reset_counters("alpha")
        proc = popen_playbook(ansible, [{"module": MODULE, "args": unlock}])
        kill_after_share_writes(proc, control, "alpha", count)
        assert 1 < _locked(control) <= SHARES - count + 1, (count, _locked(control))
        (result,) = ansible.tasks([{"module": MODULE, "args": unlock}])
        assert not result.get("failed") and result["failed_shares"] == [], result.get("msg")
        assert acls(control, "alpha", ZONE) == original, "unlock N=%d" % count
        assert acls(control, "alpha", ZONE)["zone01_share042"][0] == LOCKOUT  # denied before: still denied
        if count == 1:
            (result,) = ansible.tasks([{"module": MODULE, "args": lock}])
            assert result["changed"] and _locked(control) == SHARES

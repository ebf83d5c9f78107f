"""onefs_config_sync against the simulator: alpha (source) -> beta (target), unit /ifs/eng/proj.

Covers the issue's acceptance: a second run changes nothing, one change on the source changes
exactly that object on the target, prune, collisions and unmappable paths, path and zone
translation of every object type, lockout-aware ACL replication, the suspend marker, check
mode and bad input (zero writes on both clusters).
"""

import pytest
from _config_sync_helpers import (
    EVERYONE,
    GROUP,
    LOCKOUT,
    ace,
    acl_ids,
    aliases,
    client,
    exports,
    reset,
    schedules,
    shares,
    start,
    sync_args,
    writes,
)

MODULE = "onefs_config_sync"
SYNCED = ["eng_docs", "eng_locked", "eng_src"]
EMPTY = {"smb_shares": [], "nfs_exports": [], "nfs_aliases": [], "snapshot_schedules": [], "dedupe": []}


@pytest.fixture
def env(sim_factory):
    return start(sim_factory)


def only(**changes):
    out = dict((k, list(v)) for k, v in EMPTY.items())
    out.update(changes)
    return out


def test_check_apply_idempotent_and_one_source_change(env, ansible):
    sim, control = env
    args = sync_args(sim)
    reset(control, "alpha", "beta")
    check = ansible.run(MODULE, args, check=True)
    assert writes(control, "alpha", "beta") == 0, "check mode wrote"
    assert check["changed"] is True, check
    assert sorted(check["created"]["smb_shares"]) == SYNCED
    assert shares(control, "beta") == {}

    apply, again = ansible.tasks([{"module": MODULE, "args": args}, {"module": MODULE, "args": args}])
    # The plan of check mode is exactly what was applied.
    for key in ("created", "updated", "deleted"):
        assert {k: sorted(v) for k, v in apply[key].items()} == {k: sorted(v) for k, v in check[key].items()}
    assert apply["created"] == only(
        smb_shares=apply["created"]["smb_shares"],
        nfs_exports=["/ifs/eng/proj/docs"],
        nfs_aliases=["/docs"],
        snapshot_schedules=["eng_hourly"],
        dedupe=["paths:/ifs/eng/proj/src", "assess_paths:/ifs/eng/proj/docs"],
    )
    assert apply["conflicts"] == [] and apply["errors"] == []
    assert again["changed"] is False, again
    assert again["created"] == again["updated"] == again["deleted"] == EMPTY
    # Apply wrote 3 shares + 1 export + 1 alias + 1 schedule + 1 dedupe PUT; the re-run nothing.
    assert control.counters("beta")["writes"] == 7, control.counters("beta")["by_endpoint"]
    assert control.counters("alpha")["writes"] == 0

    src, dst = shares(control, "alpha"), shares(control, "beta")
    assert sorted(dst) == SYNCED
    for name in SYNCED:
        for field in ("path", "description", "oplocks", "continuously_available", "host_acl", "browsable"):
            assert dst[name][field] == src[name][field], (name, field)
        assert acl_ids(dst[name]["permissions"]) == acl_ids(src[name]["permissions"])
    assert dst["eng_src"]["oplocks"] is False and dst["eng_src"]["host_acl"] == ["allow:10.0.0.0/8", "deny:ALL"]
    (export,) = exports(control, "beta")
    assert export["paths"] == ["/ifs/eng/proj/docs"]
    assert export["clients"] == ["10.1.0.0/16"] and export["root_clients"] == ["build01.example.com"]
    assert export["read_only"] is True and export["description"] == "docs export"
    assert {n: a["path"] for n, a in aliases(control, "beta").items()} == {"/docs": "/ifs/eng/proj/docs"}
    sched = schedules(control, "beta")
    assert sorted(sched) == ["eng_hourly"]
    assert (sched["eng_hourly"]["path"], sched["eng_hourly"]["schedule"], sched["eng_hourly"]["duration"]) == (
        "/ifs/eng/proj", "every 1 hours", 86400)
    dedupe = control.state("beta")["dedupe"]
    assert dedupe["paths"] == ["/ifs/beta_own", "/ifs/eng/proj/src"]
    assert dedupe["assess_paths"] == ["/ifs/eng/proj/docs"]

    # One share changes on the source: the third run changes exactly that share on the target.
    with client(sim.clusters["alpha"]) as alpha:
        alpha.put(alpha.api("protocols/smb/shares", "eng_src"), {"description": "moved to git"}, query={"zone": "eng"})
    reset(control, "alpha", "beta")
    third = ansible.run(MODULE, args)
    assert third["changed"] is True
    assert third["updated"] == only(smb_shares=["eng_src"]), third["updated"]
    assert third["created"] == third["deleted"] == EMPTY
    assert third["diff"]["after"] == {"smb_shares": {"eng_src": {"description": "moved to git"}}}
    assert third["diff"]["before"] == {"smb_shares": {"eng_src": {"description": "sources"}}}
    assert control.counters("beta")["writes"] == 1
    assert shares(control, "beta")["eng_src"]["description"] == "moved to git"
    assert third["api_stats"]["share_writes"] == 1


def _conflicting(data):
    beta = data["clusters"]["beta"]
    beta["shares"] = [
        # Collision: same name as a source share, path outside the target path.
        {"zone": "eng", "name": "eng_docs", "path": "/ifs/eng/elsewhere"},
        # Target-only objects under the target path: prune removes them.
        {"zone": "eng", "name": "eng_stale", "path": "/ifs/eng/proj/stale"},
        # Target-only, outside the target path: never touched.
        {"zone": "eng", "name": "beta_only", "path": "/ifs/eng/beta"},
    ]
    beta["exports"] = [{"zone": "eng", "paths": ["/ifs/eng/proj/stale"], "clients": ["10.7.0.0/16"]}]
    beta["aliases"] = [{"zone": "eng", "name": "/stale", "path": "/ifs/eng/proj/stale"}]
    beta["snapshot_schedules"] = [{"name": "stale_hourly", "path": "/ifs/eng/proj/stale", "pattern": "x_%Y",
                                   "schedule": "every 1 hours"}]
    beta["dedupe"] = {"paths": ["/ifs/beta_own", "/ifs/eng/proj/stale"]}
    # Unmappable: an export of the source with one path in the unit and one outside it.
    data["clusters"]["alpha"]["exports"].append(
        {"zone": "eng", "paths": ["/ifs/eng/proj/src", "/ifs/eng/other/data"], "clients": ["10.8.0.0/16"]})


def test_prune_collision_and_unmappable(sim_factory, ansible):
    sim, control = start(sim_factory, _conflicting)
    keep, prune, prune_warn = ansible.tasks(
        [
            {"module": MODULE, "args": sync_args(sim, on_conflict="warn")},
            {"module": MODULE, "args": sync_args(sim, prune=True)},
            {"module": MODULE, "args": sync_args(sim, prune=True, on_conflict="warn")},
        ]
    )
    # Without prune target-only objects stay; conflicts are warnings with on_conflict=warn.
    assert keep.get("failed") is not True, keep
    assert keep["deleted"] == EMPTY
    assert any("eng_docs" in w for w in keep["warnings"]), keep.get("warnings")
    conflicts = {(c["type"], c["name"]) for c in keep["conflicts"]}
    assert conflicts == {("smb_shares", "eng_docs"), ("nfs_exports", "/ifs/eng/proj/src,/ifs/eng/other/data")}
    assert sorted(keep["created"]["smb_shares"]) == ["eng_locked", "eng_src"]

    # With prune (and the default on_conflict=fail): every other object synced, then the task fails.
    assert prune["failed"] is True
    assert "2 conflict(s)" in prune["msg"] and "eng_docs" in prune["msg"], prune["msg"]
    assert prune["deleted"] == only(
        smb_shares=["eng_stale"],
        nfs_exports=["/ifs/eng/proj/stale#id1"],
        nfs_aliases=["/stale"],
        snapshot_schedules=["stale_hourly"],
        dedupe=["paths:/ifs/eng/proj/stale"],
    ), prune["deleted"]
    assert prune_warn["changed"] is False and prune_warn.get("failed") is not True

    dst = shares(control, "beta")
    assert sorted(dst) == ["beta_only", "eng_docs", "eng_locked", "eng_src"]
    assert dst["eng_docs"]["path"] == "/ifs/eng/elsewhere", "a colliding target share must be left alone"
    assert [e["paths"] for e in exports(control, "beta")] == [["/ifs/eng/proj/docs"]]
    assert sorted(aliases(control, "beta")) == ["/docs"]
    assert sorted(schedules(control, "beta")) == ["eng_hourly"]
    assert control.state("beta")["dedupe"]["paths"] == ["/ifs/beta_own", "/ifs/eng/proj/src"]


def test_zone_and_path_translation(env, ansible):
    sim, control = env
    # Share creates on the target meet OneFS's share-write contention: two 409 AEC_CONFLICT
    # answers (retried), then an answer lost after the create was applied (verified, not repeated).
    control.faults("beta", [
        {"method": "POST", "path": "protocols/smb/shares$", "status": 409, "code": "AEC_CONFLICT", "count": 2},
        {"method": "POST", "path": "protocols/smb/shares$", "drop_after_apply": True, "count": 1},
    ])
    args = sync_args(sim, target_zone="engdr", target_path="/ifs/engdr/proj")
    first, again = ansible.tasks([{"module": MODULE, "args": args}, {"module": MODULE, "args": args}])
    assert first["changed"] is True and first["target_zone"] == "engdr", first
    assert first["errors"] == [] and first["api_stats"]["conflicts_409"] == 2, first["api_stats"]
    assert sorted(first["created"]["smb_shares"]) == SYNCED
    assert [r["fired"] for r in control.call("GET", "/sim/v1/clusters/beta/faults")["rules"]] == [2, 1]
    assert again["changed"] is False, again
    assert shares(control, "beta", "eng") == {}
    dst = shares(control, "beta", "engdr")
    assert {n: s["path"] for n, s in dst.items()} == {
        "eng_docs": "/ifs/engdr/proj/docs", "eng_locked": "/ifs/engdr/proj/locked", "eng_src": "/ifs/engdr/proj/src"}
    assert [e["paths"] for e in exports(control, "beta", "engdr")] == [["/ifs/engdr/proj/docs"]]
    assert {n: a["path"] for n, a in aliases(control, "beta", "engdr").items()} == {"/docs": "/ifs/engdr/proj/docs"}
    assert schedules(control, "beta")["eng_hourly"]["path"] == "/ifs/engdr/proj"
    dedupe = control.state("beta")["dedupe"]
    assert dedupe["paths"] == ["/ifs/beta_own", "/ifs/engdr/proj/src"]
    assert dedupe["assess_paths"] == ["/ifs/engdr/proj/docs"]


def test_lockout_aware_replicates_the_original_acl(env, ansible):
    sim, control = env
    original = [ace("change", GROUP), ace("read", EVERYONE)]
    denied_before = [LOCKOUT, ace("full", GROUP)]
    with client(sim.clusters["alpha"]) as alpha:
        # eng_src: had Deny Everyone before the lockout (the journal says had_deny): copied as is.
        alpha.put(alpha.api("protocols/smb/shares", "eng_src"), {"permissions": denied_before}, query={"zone": "eng"})
        # eng_docs: a Deny Everyone that no journal entry explains: copied as is, with a warning.
        alpha.put(alpha.api("protocols/smb/shares", "eng_docs"), {"permissions": [LOCKOUT] + original},
                  query={"zone": "eng"})
    # The data-integrity lockout of eng_locked and eng_src, by the collection's own module
    # (it journals the original ACLs in /ifs/.onefs_dr/journal/eng.json on alpha).
    lock = dict(sync_args(sim), shares=["eng_locked", "eng_src"], lockout="locked", zone="eng")
    unlock = dict(lock, lockout="unlocked")
    for key in ("target", "source_zone", "source_path"):
        lock.pop(key)
        unlock.pop(key)
    shares_only = {"objects": ["smb_shares"]}
    locked, aware, again, blind, unlocked, after_unlock = ansible.tasks(
        [
            {"module": "onefs_smb_share_lockout", "args": lock},
            {"module": MODULE, "args": sync_args(sim, **shares_only)},
            {"module": MODULE, "args": sync_args(sim, **shares_only)},
            {"module": MODULE, "args": sync_args(sim, lockout_aware=False, **shares_only)},
            {"module": "onefs_smb_share_lockout", "args": unlock},
            {"module": MODULE, "args": sync_args(sim, **shares_only)},
        ]
    )
    assert locked["changed"] is True and locked.get("failed") is not True, locked
    assert aware["lockout_restored"] == ["eng_locked"], aware
    assert any("eng_docs" in w and "Deny Everyone" in w for w in aware["warnings"]), aware.get("warnings")
    created = aware["diff"]["after"]["smb_shares"]
    assert acl_ids(created["eng_locked"]["permissions"]) == acl_ids(original)
    assert acl_ids(created["eng_src"]["permissions"]) == acl_ids(denied_before)
    assert acl_ids(created["eng_docs"]["permissions"]) == acl_ids([LOCKOUT] + original)
    assert again["changed"] is False, again
    # lockout_aware=false copies the lockout ACE too: exactly the locked share changes.
    assert blind["updated"] == {"smb_shares": ["eng_locked"]}, blind
    assert acl_ids(blind["diff"]["after"]["smb_shares"]["eng_locked"]["permissions"]) == acl_ids([LOCKOUT] + original)
    # Once unlocked on the source (journal entry restored), the share's own ACL is copied.
    assert unlocked["changed"] is True, unlocked
    assert after_unlock["lockout_restored"] == []
    assert after_unlock["updated"] == {"smb_shares": ["eng_locked"]}, after_unlock
    dst = shares(control, "beta")
    assert acl_ids(dst["eng_locked"]["permissions"]) == acl_ids(original)
    assert acl_ids(dst["eng_src"]["permissions"]) == acl_ids(denied_before)
    assert acl_ids(dst["eng_docs"]["permissions"]) == acl_ids([LOCKOUT] + original)


def test_known_zone_paths_skip_the_zone_reads(env, ansible):
    """source_zone_path / target_zone_path (what the roles read in step 2): no zone GET; the
    paths are still checked against them; a zone that does not exist fails before any write."""
    sim, control = env
    args = sync_args(sim, target_zone="engdr", target_path="/ifs/engdr/proj",
                     source_zone_path="/ifs/eng", target_zone_path="/ifs/engdr")
    reset(control, "alpha", "beta")
    plan = ansible.run(MODULE, args, check=True)
    assert not plan.get("failed") and plan["changed"] is True, plan
    assert sorted(plan["created"]["smb_shares"]) == SYNCED
    for cluster in ("alpha", "beta"):
        zone_reads = [k for k in control.counters(cluster)["by_endpoint"] if k.startswith("GET /platform/zones/")]
        assert zone_reads == [], (cluster, zone_reads)
    outside = ansible.run(MODULE, dict(args, target_zone_path="/ifs/elsewhere"), check=True)
    assert outside.get("failed") and "outside /ifs/elsewhere, the base path of target_zone" in outside["msg"], outside
    missing = ansible.run(MODULE, dict(args, source_zone="nozone"))
    assert missing.get("failed") is True and "nozone" in missing["msg"], missing
    assert writes(control, "alpha", "beta") == 0


def test_suspend_marker(env, ansible):
    sim, control = env
    base = sync_args(sim, unit="eng_proj", objects=["nfs_aliases"])
    marker = dict((k, v) for k, v in base.items() if k not in ("target", "source_zone", "source_path", "objects"))
    results = ansible.tasks(
        [
            {"module": MODULE, "args": dict(marker, suspend=True, suspend_reason="failover 42"), "check": True},
            {"module": MODULE, "args": dict(marker, suspend=True, suspend_reason="failover 42")},
            {"module": MODULE, "args": dict(marker, suspend=True)},
            {"module": MODULE, "args": base},
            {"module": MODULE, "args": dict(base, ignore_suspend=True)},
            {"module": MODULE, "args": dict(marker, suspend=False)},
            {"module": MODULE, "args": dict(marker, suspend=False)},
            {"module": MODULE, "args": dict(base, source_path="/ifs/eng")},
        ]
    )
    check, set_, set_again, skipped, forced, clear, clear_again, resumed = results
    assert check["changed"] is True and set_["changed"] is True and set_again["changed"] is False
    assert set_["suspend_marker"]["reason"] == "failover 42"
    assert skipped["skipped"] is True and skipped["changed"] is False
    assert "suspended" in skipped["reason"] and "failover 42" in skipped["reason"]
    assert skipped["suspend_marker"]["unit"] == "eng_proj"
    assert "created" not in skipped
    assert forced["created"]["nfs_aliases"] == ["/docs"]
    assert clear["changed"] is True and clear_again["changed"] is False
    assert resumed["created"]["nfs_aliases"] == ["/other"], resumed
    files = control.state("alpha")["files"]
    assert "/ifs/.onefs_dr/suspend/eng_proj.json" not in files
    assert "/ifs/.onefs_dr/suspend" in files


BAD = [
    ({"source_path": "/data/proj"}, "outside /ifs"),
    ({"source_zone": "nozone"}, "source_zone nozone does not exist"),
    ({"source_path": "/ifs/other"}, "outside /ifs/eng, the base path of source_zone"),
    ({"target_zone": "engdr"}, "outside /ifs/engdr, the base path of target_zone"),
    ({"unit": "../etc"}, "not a valid unit name"),
    ({"target": None}, "target is required"),
    ({"suspend": True, "unit": None}, "suspend needs unit"),
]


def test_bad_input_fails_clearly_without_writes(env, ansible):
    sim, control = env
    reset(control, "alpha", "beta")
    tasks = []
    for extra, _ in BAD:
        args = sync_args(sim, **extra)
        tasks.append({"module": MODULE, "args": dict((k, v) for k, v in args.items() if v is not None)})
    results = ansible.tasks(tasks)
    for (extra, needle), result in zip(BAD, results, strict=True):
        assert result.get("failed") is True, (extra, result)
        assert needle in result["msg"], (extra, result["msg"])
    assert writes(control, "alpha", "beta") == 0

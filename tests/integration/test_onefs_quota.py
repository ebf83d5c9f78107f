"""onefs_quota against the simulator: check mode, apply, idempotence, exact thresholds, bad input,
recreate, and the failover copy with delete_source (end state on both clusters, convergence)."""

import pytest
from _failover_names_helpers import GiB, client, conn, partner, quotas, reset, start, writes

MODULE = "onefs_quota"


@pytest.fixture
def pair(sim_factory, limiter_dir):
    sim, control = start(sim_factory)
    alpha = client(sim, "alpha", limiter_dir)
    beta = client(sim, "beta", limiter_dir)
    yield sim, control, alpha, beta
    alpha.close()
    beta.close()


def quota_gets(control, name):
    return sum(n for key, n in control.counters(name)["by_endpoint"].items() if key.startswith("GET ") and "/quota/quotas" in key)


def test_create_check_apply_idempotent(pair, ansible):
    sim, control, alpha, _ = pair
    args = conn(sim, "alpha", path="/ifs/data/finance/archive", type="directory", enforced=True,
                thresholds={"hard": "2G", "soft": "1.5G", "soft_grace": "7d"})
    reset(control, "alpha")
    check, apply, again = ansible.idempotence(MODULE, args)
    assert check["changed"] is True and not check.get("failed"), check
    assert apply["changed"] is True and not apply.get("failed"), apply
    assert again["changed"] is False and not again.get("failed"), again
    # Only the apply wrote, and each run read the quotas with one list call.
    assert writes(control, "alpha") == 1
    assert quota_gets(control, "alpha") == 3
    assert [c["path"] for c in check["created"]] == ["/ifs/data/finance/archive"]
    assert apply["diff"]["after"]["target directory quota on /ifs/data/finance/archive"]["thresholds"]["hard"] == 2 * GiB
    q = quotas(alpha)[("directory", "/ifs/data/finance/archive", None)]
    assert q["thresholds"]["hard"] == 2 * GiB
    assert q["thresholds"]["soft"] == int(1.5 * GiB)
    assert q["thresholds"]["soft_grace"] == 7 * 86400
    assert q["enforced"] is True and q["include_snapshots"] is False
    assert again["quotas"][0]["action"] == "unchanged"


def test_list_updates_thresholds_exactly_with_one_read(pair, ansible):
    sim, control, alpha, _ = pair
    args = conn(sim, "alpha", enforced=True, quotas=[
        # The advisory threshold is not listed, so it is removed.
        {"path": "/ifs/data/finance", "type": "directory", "thresholds": {"hard": "12G"}},
        {"path": "/ifs/data/finance", "type": "user", "persona": "UID:2000", "thresholds": {"hard": 3 * GiB}},
        {"path": "/ifs/data/finance/projects", "type": "group", "persona": "GID:3000",
         "thresholds": {"hard": "1G", "percent_advisory": 80}},
        # Already as wanted.
        {"path": "/ifs/data/hr", "type": "directory", "thresholds": {"hard": 3 * GiB}},
    ])
    reset(control, "alpha")
    first, second = ansible.tasks([{"module": MODULE, "args": args}, {"module": MODULE, "args": args}])
    assert first["changed"] is True and not first.get("failed"), first
    assert sorted(u["path"] + " " + u["type"] for u in first["updated"]) == [
        "/ifs/data/finance directory", "/ifs/data/finance user"]
    assert [(c["type"], c["persona"]) for c in first["created"]] == [("group", "GID:3000")]
    assert first["deleted"] == []
    assert second["changed"] is False, second
    assert writes(control, "alpha") == 3
    assert quota_gets(control, "alpha") == 2  # one paged list per run
    current = quotas(alpha)
    finance = current[("directory", "/ifs/data/finance", None)]
    assert finance["thresholds"]["hard"] == 12 * GiB
    assert finance["thresholds"]["advisory"] is None
    assert current[("user", "/ifs/data/finance", "UID:2000")]["thresholds"]["hard"] == 3 * GiB
    assert current[("group", "/ifs/data/finance/projects", "GID:3000")]["thresholds"]["percent_advisory"] == 80
    # The diff holds only what changed.
    key = "target directory quota on /ifs/data/finance"
    assert set(first["diff"]["before"][key]) == {"thresholds"}
    assert first["diff"]["before"][key]["thresholds"]["advisory"] == 8 * GiB


def test_bad_input_fails_before_any_write(pair, ansible):
    sim, control, alpha, _ = pair
    base = conn(sim, "alpha")
    cases = [
        (dict(base, path="/ifs/data/finance", thresholds={"hard": -5}), "thresholds.hard: a threshold cannot be negative"),
        (dict(base, path="/ifs/data/finance", thresholds={"hard": "10G", "soft": "5G"}), "needs soft_grace"),
        (dict(base, path="/ifs/data/finance", thresholds={"hard": "ten gigs"}), "cannot read 'ten gigs' as a size"),
        (dict(base, quotas=[{"path": "/ifs/data/hr", "thresholds": {"hard": "1G"}},
                            {"path": "/ifs/data/hr", "type": "tree"}]), "quotas[1].type: unknown quota type 'tree'"),
        (dict(base, path="/ifs/data/finance", type="user"), "persona is required for a user quota"),
        (dict(base, path="/ifs/data/finance", persona="jdoe"), "persona is only valid for user and group quotas"),
        (dict(base, path="data/finance"), "absolute path under /ifs"),
        (dict(base, path="/ifs/data/hr", include_snapshots=True), "include_snapshots cannot be changed in place"),
        (dict(base, mode="copy", source_path="/ifs/data/finance"), "mode is copy but all of the following are missing: partner"),
    ]
    reset(control, "alpha")
    results = ansible.tasks([{"module": MODULE, "args": args} for args, _ in cases])
    for (_, expected), result in zip(cases, results, strict=True):
        assert result.get("failed") is True, result
        assert expected in result["msg"], (expected, result["msg"])
    assert writes(control, "alpha") == 0
    assert quotas(alpha)[("directory", "/ifs/data/hr", None)]["include_snapshots"] is False


def test_recreate_and_absent(pair, ansible):
    sim, control, alpha, _ = pair
    recreate = conn(sim, "alpha", path="/ifs/data/hr", include_snapshots=True, recreate=True, thresholds={"hard": "3G"})
    absent = conn(sim, "alpha", path="/ifs/data/finance/projects", state="absent")
    reset(control, "alpha")
    results = ansible.tasks([
        {"module": MODULE, "args": recreate},
        {"module": MODULE, "args": recreate},
        {"module": MODULE, "args": absent, "check": True},
        {"module": MODULE, "args": absent},
        {"module": MODULE, "args": absent},
    ])
    made, made_again, check_absent, gone, gone_again = results
    assert made["changed"] is True and [d["path"] for d in made["deleted"]] == ["/ifs/data/hr"]
    assert [c["include_snapshots"] for c in made["created"]] == [True]
    assert made_again["changed"] is False
    assert check_absent["changed"] is True and gone["changed"] is True
    assert gone_again["changed"] is False and gone_again["quotas"][0]["action"] == "absent"
    assert writes(control, "alpha") == 3  # delete + create, then one delete
    current = quotas(alpha)
    assert current[("directory", "/ifs/data/hr", None)]["include_snapshots"] is True
    assert ("directory", "/ifs/data/finance/projects", None) not in current


def _settings(q):
    keep = ("enforced", "container", "include_snapshots", "description")
    out = {k: q.get(k) for k in keep}
    out["thresholds"] = {k: (q.get("thresholds") or {}).get(k) for k in ("hard", "soft", "advisory", "soft_grace")}
    return out


def test_copy_with_delete_source_end_state_and_rerun(pair, ansible):
    sim, control, alpha, beta = pair
    source_before = {k: v for k, v in quotas(alpha, "/ifs/data/finance").items()}
    assert len(source_before) == 4
    args = conn(sim, "beta", mode="copy", partner=partner(sim, "alpha"), source_path="/ifs/data/finance",
                target_path="/ifs/dr/finance", delete_source=True)
    reset(control, "alpha", "beta")
    check = ansible.run(MODULE, args, check=True)
    assert check["changed"] is True and not check.get("failed"), check
    assert writes(control, "alpha") == 0 and writes(control, "beta") == 0
    assert len(check["created"]) == 4 and len(check["deleted"]) == 4
    apply, again = ansible.tasks([{"module": MODULE, "args": args}, {"module": MODULE, "args": args}])
    assert apply["changed"] is True and not apply.get("failed"), apply
    assert again["changed"] is False and not again.get("failed"), again
    assert writes(control, "beta") == 4 and writes(control, "alpha") == 4
    assert {d["cluster"] for d in apply["deleted"]} == {"source"}
    assert {c["cluster"] for c in apply["created"]} == {"target"}
    # Target: every source quota, with the path translated and the same settings.
    target = quotas(beta, "/ifs/dr")
    assert len(target) == 4
    for (qtype, path, persona), q in source_before.items():
        copied = target[(qtype, path.replace("/ifs/data/finance", "/ifs/dr/finance", 1), persona)]
        assert _settings(copied) == _settings(q)
    # Source: nothing left under the failed-over path; other quotas untouched.
    source_after = quotas(alpha)
    assert not [k for k in source_after if k[1].startswith("/ifs/data/finance")]
    assert ("directory", "/ifs/data/hr", None) in source_after
    # The target's own quota outside the copied tree is untouched.
    assert ("directory", "/ifs/data/hr", None) in quotas(beta)


def test_copy_converges_after_a_partial_run(pair, ansible):
    sim, control, alpha, beta = pair
    args = conn(sim, "beta", mode="copy", partner=partner(sim, "alpha"), source_path="/ifs/data/finance",
                delete_source=True)
    # The first delete on the source fails: the target then has every quota and the source still too.
    control.faults("alpha", [{"method": "DELETE", "path": "^/quota/quotas/", "status": 500,
                              "code": "AEC_SYSTEM_INTERNAL_ERROR", "message": "injected", "count": 1}])
    first = ansible.run(MODULE, args)
    assert first.get("failed") is True and "injected" in first["msg"], first
    assert len(quotas(beta, "/ifs/data/finance")) == 4
    assert len(quotas(alpha, "/ifs/data/finance")) == 4
    control.clear_faults("alpha")
    reset(control, "alpha", "beta")
    second, third = ansible.tasks([{"module": MODULE, "args": args}, {"module": MODULE, "args": args}])
    assert second["changed"] is True and not second.get("failed"), second
    assert second["created"] == [] and len(second["deleted"]) == 4
    assert third["changed"] is False, third
    assert writes(control, "beta") == 0
    assert quotas(alpha, "/ifs/data/finance") == {}
    assert len(quotas(beta, "/ifs/data/finance")) == 4

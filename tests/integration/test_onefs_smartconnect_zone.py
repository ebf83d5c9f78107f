"""onefs_smartconnect_zone against the simulator: check mode, apply, idempotence, declarative aliases
(exact removes), rename then restore round trip, source names as aliases on the target, bad input."""

import pytest
from _failover_names_helpers import client, conn, pools, reset, start, writes

MODULE = "onefs_smartconnect_zone"
FIN = "groupnet0.subnet0.fin"
FIN2 = "groupnet0.subnet0.fin2"


@pytest.fixture
def pair(sim_factory, limiter_dir):
    sim, control = start(sim_factory)
    alpha = client(sim, "alpha", limiter_dir)
    beta = client(sim, "beta", limiter_dir)
    yield sim, control, alpha, beta
    alpha.close()
    beta.close()


def names_of(pool):
    return [pool["sc_dns_zone"]] + list(pool["sc_dns_zone_aliases"])


def test_aliases_present_check_apply_idempotent(pair, ansible):
    sim, control, alpha, _ = pair
    args = conn(sim, "alpha", pool=FIN, aliases=["ledger.example.com", "FIN.example.com"], aliases_state="present")
    reset(control, "alpha")
    check, apply, again = ansible.idempotence(MODULE, args)
    assert check["changed"] is True and not check.get("failed"), check
    assert apply["changed"] is True and again["changed"] is False, (apply, again)
    assert writes(control, "alpha") == 1
    # Added at the end; the existing alias given in other case is not added twice.
    assert pools(alpha)[FIN]["sc_dns_zone_aliases"] == ["fin.example.com", "accounts.example.com", "ledger.example.com"]
    assert apply["diff"]["before"][FIN] == {"sc_dns_zone_aliases": ["fin.example.com", "accounts.example.com"]}
    assert apply["pools"][0]["after"]["sc_dns_zone"] == "data.example.com"


def test_exact_removes_other_aliases_and_absent_removes(pair, ansible):
    sim, control, alpha, _ = pair
    exact = conn(sim, "alpha", pool=FIN, sc_dns_zone="data.example.com", aliases=["accounts.example.com", "new.example.com"],
                 aliases_state="exact")
    absent = conn(sim, "alpha", pool=FIN, aliases=["new.example.com", "never-there.example.com"], aliases_state="absent")
    clear = conn(sim, "alpha", pool=FIN, aliases=[], aliases_state="exact")
    reset(control, "alpha")
    results = ansible.tasks([
        {"module": MODULE, "args": exact},
        {"module": MODULE, "args": exact},
        {"module": MODULE, "args": absent},
        {"module": MODULE, "args": absent},
        {"module": MODULE, "args": clear},
    ])
    for result in results:
        assert not result.get("failed"), result
    assert [r["changed"] for r in results] == [True, False, True, False, True]
    assert results[0]["pools"][0]["after"]["sc_dns_zone_aliases"] == ["accounts.example.com", "new.example.com"]
    assert results[2]["pools"][0]["after"]["sc_dns_zone_aliases"] == ["accounts.example.com"]
    assert pools(alpha)[FIN]["sc_dns_zone_aliases"] == []
    assert pools(alpha)[FIN]["sc_dns_zone"] == "data.example.com"
    assert writes(control, "alpha") == 3


def test_rename_restore_round_trip_and_target_aliases(pair, ansible):
    sim, control, alpha, beta = pair
    original = {pid: names_of(p) for pid, p in pools(alpha).items()}
    rename = conn(sim, "alpha", access_zone="finance", state="renamed", rename_prefix="dr-old-")
    restore = conn(sim, "alpha", access_zone="finance", state="restored", rename_prefix="dr-old-")
    add_names = original[FIN] + original[FIN2]
    add = conn(sim, "beta", pool=FIN, aliases=add_names, aliases_state="present")
    drop = conn(sim, "beta", pool=FIN, aliases=add_names, aliases_state="absent")
    reset(control, "alpha", "beta")
    check, renamed, renamed_again, added, added_again = ansible.tasks([
        {"module": MODULE, "args": rename, "check": True},
        {"module": MODULE, "args": rename},
        {"module": MODULE, "args": rename},
        # On the target: the source's names become aliases of the target pool.
        {"module": MODULE, "args": add},
        {"module": MODULE, "args": add},
    ])
    assert check["changed"] is True and renamed["changed"] is True and renamed_again["changed"] is False
    assert added["changed"] is True and added_again["changed"] is False, added_again
    assert writes(control, "alpha") == 2 and writes(control, "beta") == 1  # check mode wrote nothing
    # Both pools of the zone are renamed, the others are not.
    after = pools(alpha)
    for pid in (FIN, FIN2):
        assert names_of(after[pid]) == ["dr-old-" + n for n in original[pid]]
    assert names_of(after["groupnet0.subnet0.hr"]) == original["groupnet0.subnet0.hr"]
    # The original names are reported, by the re-run too, for the alias and SPN steps.
    assert renamed["names"] == add_names and renamed_again["names"] == add_names
    assert sorted(p["id"] for p in renamed["pools"]) == [FIN, FIN2]
    assert pools(beta)[FIN]["sc_dns_zone_aliases"] == add_names
    assert pools(beta)[FIN]["sc_dns_zone"] == "data-dr.example.com"

    # Failback: the names leave the target, the source gets them back exactly.
    dropped, restored, restored_again = ansible.tasks([
        {"module": MODULE, "args": drop},
        {"module": MODULE, "args": restore},
        {"module": MODULE, "args": restore},
    ])
    assert dropped["changed"] is True and pools(beta)[FIN]["sc_dns_zone_aliases"] == []
    assert restored["changed"] is True and restored_again["changed"] is False
    assert {pid: names_of(p) for pid, p in pools(alpha).items()} == original
    assert restored["names"] == add_names
    assert writes(control, "alpha") == 4 and writes(control, "beta") == 2


def test_bad_input_fails_before_any_write(pair, ansible):
    sim, control, alpha, _ = pair
    before = pools(alpha)
    base = conn(sim, "alpha")
    cases = [
        (dict(base, access_zone="finance", sc_dns_zone="x.example.com"), "has 2 pools"),
        (dict(base, access_zone="finance", aliases=["x.example.com"]), "give pool"),
        (dict(base, access_zone="nosuchzone", aliases=["x.example.com"], aliases_state="absent"), "has no IP pool"),
        (dict(base, pool="groupnet0.subnet0.nosuch", aliases=["x.example.com"]), "does not exist"),
        (dict(base, pool="pool0", aliases=["x.example.com"]), "expected groupnet.subnet.pool"),
        (dict(base, pool=FIN, aliases=["bad name!.example.com"]), "is not a DNS name"),
        (dict(base, pool=FIN, state="renamed"), "state is renamed but all of the following are missing: rename_prefix"),
        (dict(base, pool=FIN, state="renamed", rename_prefix="old."), "rename_prefix"),
        (dict(base, pool=FIN, state="restored", rename_prefix="dr-old-", aliases=["x.example.com"]), "state: present"),
        (dict(base, pool=FIN), "state is present but any of the following are missing: sc_dns_zone, aliases"),
        # OneFS refuses a name another pool of the cluster holds; the error carries its code.
        (dict(base, pool=FIN2, aliases=["hr.example.com"]), "AEC_CONFLICT"),
    ]
    reset(control, "alpha")
    results = ansible.tasks([{"module": MODULE, "args": args} for args, _ in cases])
    for (_, expected), result in zip(cases, results, strict=True):
        assert result.get("failed") is True, result
        assert expected in result["msg"], (expected, result["msg"])
    assert writes(control, "alpha") == 0
    assert pools(alpha) == before

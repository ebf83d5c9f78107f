"""onefs_spn against the simulator: check mode, apply, idempotence, state=check (missing and
unexpected from the cluster's recommendation, no writes), duplicate refusal with zero writes,
and the failover move source -> target with no duplicate SPN at any point."""

import pytest
from _failover_names_helpers import AD_PASSWORD, AD_USER, PROVIDER, client, conn, partner, pools, reset, spns, start, writes
from support import onefs_env

MODULE = "onefs_spn"
CREDS = {"ad_user": AD_USER, "ad_password": AD_PASSWORD}


@pytest.fixture
def pair(sim_factory, limiter_dir):
    sim, control = start(sim_factory)
    alpha = client(sim, "alpha", limiter_dir)
    beta = client(sim, "beta", limiter_dir)
    yield sim, control, alpha, beta
    alpha.close()
    beta.close()


def ads_puts(control, name):
    return sum(n for key, n in control.counters(name)["by_endpoint"].items()
               if key.startswith("PUT ") and "/auth/providers/ads" in key)


def forest_holders(control):
    """{spn: [machine accounts]} over the whole forest, from the simulator's state dump."""
    holders = {}
    for account, entry in control.state("alpha")["forest"]["machine_accounts"].items():
        for spn in entry["spns"]:
            holders.setdefault(spn.lower(), []).append(account)
    return holders


def no_duplicates(control):
    dups = {spn: accounts for spn, accounts in forest_holders(control).items() if len(accounts) > 1}
    assert not dups, "SPNs on several machine accounts: %s" % dups


def test_present_check_apply_idempotent_and_absent(pair, ansible):
    sim, control, _, beta = pair
    present = conn(sim, "beta", provider=PROVIDER, names=["data-dr.example.com"], **CREDS)
    absent = dict(present, state="absent")
    reset(control, "beta")
    check, apply, again = ansible.idempotence(MODULE, present)
    assert check["changed"] is True and not check.get("failed"), check
    assert check["added"] == ["HOST/data-dr", "HOST/data-dr.example.com"]
    assert apply["changed"] is True and again["changed"] is False, (apply, again)
    assert again["added"] == [] and again["machine_account"] == "BETA$"
    assert writes(control, "beta") == 1
    assert {"host/data-dr", "host/data-dr.example.com"} <= set(spns(beta))
    assert apply["diff"]["after"]["BETA$"][-2:] == ["HOST/data-dr", "HOST/data-dr.example.com"]
    # The password never shows up in the result.
    assert AD_PASSWORD not in repr(apply)
    removed, removed_again = ansible.tasks([{"module": MODULE, "args": absent}, {"module": MODULE, "args": absent}])
    assert removed["changed"] is True and removed["removed"] == ["HOST/data-dr", "HOST/data-dr.example.com"]
    assert removed_again["changed"] is False
    assert not {"host/data-dr", "host/data-dr.example.com"} & set(spns(beta))
    assert writes(control, "beta") == 2


def test_check_reports_missing_and_unexpected_without_writing(pair, ansible):
    sim, control, alpha, _ = pair
    prov = alpha.item(alpha.api("auth/providers/ads", PROVIDER), "ads")
    have = {s.lower() for s in prov["spns"]}
    expected = {s.lower() for s in prov["recommended_spns"]}
    # What the cluster recommends follows its SmartConnect names.
    for pool in pools(alpha).values():
        for name in [pool["sc_dns_zone"]] + pool["sc_dns_zone_aliases"]:
            if name:
                assert "host/" + name.lower() in expected
    reset(control, "alpha")
    # Ad-hoc style: the connection comes from the ONEFS_* environment, no AD credentials.
    result = ansible.run(MODULE, {"provider": PROVIDER, "state": "check", "names": ["extra.example.com"]},
                         env=onefs_env(sim.clusters["alpha"]))
    assert result["changed"] is False and not result.get("failed"), result
    expected |= {"host/extra", "host/extra.example.com"}
    assert {s.lower() for s in result["missing"]} == expected - have
    assert {s.lower() for s in result["unexpected"]} == have - expected
    assert "host/retired.example.com" in {s.lower() for s in result["unexpected"]}
    assert "host/extra.example.com" in {s.lower() for s in result["missing"]}
    assert writes(control, "alpha") == 0


def test_refuses_duplicates_with_zero_writes(pair, ansible):
    sim, control, alpha, beta = pair
    before = {"alpha": spns(alpha), "beta": spns(beta)}
    tasks = [
        # Held by a machine account of another computer in the forest: OneFS refuses the write.
        {"module": MODULE, "args": conn(sim, "beta", provider=PROVIDER, names=["legacy.example.com"], **CREDS)},
        # Held by the partner: refused before any write unless remove_from_partner is set.
        {"module": MODULE, "args": conn(sim, "beta", provider=PROVIDER, names=["data.example.com"],
                                        partner=partner(sim, "alpha"), **CREDS)},
        # Bad input.
        {"module": MODULE, "args": conn(sim, "beta", provider=PROVIDER, names=["new.example.com"])},
        {"module": MODULE, "args": conn(sim, "beta", provider=PROVIDER, **CREDS)},
        {"module": MODULE, "args": conn(sim, "beta", provider=PROVIDER, names=["new.example.com"],
                                        remove_from_partner=True, **CREDS)},
        {"module": MODULE, "args": conn(sim, "beta", provider="NOPE.EXAMPLE.COM", names=["new.example.com"], **CREDS)},
        {"module": MODULE, "args": conn(sim, "beta", provider=PROVIDER, names=["not a name"], **CREDS)},
    ]
    reset(control, "alpha", "beta")
    results = ansible.tasks(tasks)
    for result in results:
        assert result.get("failed") is True, result
    legacy, partner_held, no_creds, no_names, no_partner, no_provider, bad_name = results
    # AD's refusal names no account (error 8467); the message says how to find it.
    assert "not unique forest-wide" in legacy["msg"] and "Kerberos" in legacy["msg"], legacy["msg"]
    assert "setspn -Q" in legacy["msg"]
    assert legacy["onefs_error"]["code"] == "AEC_CONFLICT"
    assert "ALPHA$" in partner_held["msg"] and "remove_from_partner" in partner_held["msg"], partner_held["msg"]
    assert "Kerberos" in partner_held["msg"]
    # Declared in the argument spec: Ansible's own messages.
    assert "ad_user and ad_password" in no_creds["msg"]
    assert "state is present but any of the following are missing: names, spns" in no_names["msg"]
    assert "remove_from_partner is True but all of the following are missing: partner" in no_partner["msg"]
    assert "NOPE.EXAMPLE.COM does not exist" in no_provider["msg"]
    assert "not a DNS name" in bad_name["msg"]
    assert writes(control, "alpha") == 0 and writes(control, "beta") == 0
    # Only the forest-level refusal reached a PUT; the partner case never tried.
    assert ads_puts(control, "alpha") == 0 and ads_puts(control, "beta") == 1
    assert {"alpha": spns(alpha), "beta": spns(beta)} == before


def test_move_from_source_to_target_never_duplicates(pair, ansible):
    sim, control, alpha, beta = pair
    fin = {"host/fin", "host/fin.example.com"}
    data = {"host/data", "host/data.example.com"}
    holders = forest_holders(control)
    assert all(holders[spn] == ["ALPHA$"] for spn in fin | data)
    no_duplicates(control)

    def move(*names):
        return conn(sim, "beta", provider=PROVIDER, names=list(names), remove_from_partner=True,
                    partner=partner(sim, "alpha"), **CREDS)

    # One call: off the source's account, then onto the target's.
    reset(control, "alpha", "beta")
    check, moved, moved_again = ansible.tasks([
        {"module": MODULE, "args": move("fin.example.com"), "check": True},
        {"module": MODULE, "args": move("fin.example.com")},
        {"module": MODULE, "args": move("fin.example.com")},
    ])
    assert check["changed"] is True and {s.lower() for s in check["removed_from_partner"]} == fin
    assert {s.lower() for s in moved["removed_from_partner"]} == fin and {s.lower() for s in moved["added"]} == fin
    assert moved_again["changed"] is False, moved_again
    assert writes(control, "alpha") == 1 and writes(control, "beta") == 1  # check mode wrote nothing
    holders = forest_holders(control)
    assert all(holders[spn] == ["BETA$"] for spn in fin)
    assert "HOST/fin" in moved["diff"]["before"]["ALPHA$"] and "HOST/fin" not in moved["diff"]["after"]["ALPHA$"]
    no_duplicates(control)

    # The add on the target fails once, after the SPNs left the source (never on two accounts):
    # the module puts back exactly what the source had (issue 14 point 2: no SPN left on no
    # account). The re-run converges.
    alpha_before = alpha.item(alpha.api("auth/providers/ads", PROVIDER), "ads")["spns"]
    control.faults("beta", [{"method": "PUT", "path": "^/auth/providers/ads/", "status": 500,
                             "code": "AEC_SYSTEM_INTERNAL_ERROR", "message": "injected", "count": 1}])
    reset(control, "alpha", "beta")
    failed = ansible.run(MODULE, move("data.example.com"))
    assert failed.get("failed") is True and "injected" in failed["msg"], failed
    assert "The move was undone" in failed["msg"] and failed["stranded"] == [], failed["msg"]
    assert writes(control, "alpha") == 2 and writes(control, "beta") == 0  # removed, then put back
    assert alpha.item(alpha.api("auth/providers/ads", PROVIDER), "ads")["spns"] == alpha_before
    holders = forest_holders(control)
    assert all(holders[spn] == ["ALPHA$"] for spn in data)
    no_duplicates(control)

    control.clear_faults("beta")
    again, settled = ansible.tasks([{"module": MODULE, "args": move("data.example.com")},
                                    {"module": MODULE, "args": move("data.example.com")}])
    assert again["changed"] is True and {s.lower() for s in again["removed_from_partner"]} == data, again
    assert {s.lower() for s in again["added"]} == data
    assert settled["changed"] is False, settled
    holders = forest_holders(control)
    assert all(holders[spn] == ["BETA$"] for spn in fin | data)
    assert spns(alpha) == ["host/alpha", "host/alpha.ad.example.com", "host/retired.example.com"]
    assert set(spns(beta)) >= fin | data
    no_duplicates(control)


# ---- issue 14 point 2: no SPN ends up on no account -------------------------------------------
def set_account(control, account, spns_list):
    """Out of band, as setspn would (no uniqueness check): the way a forest gets duplicates."""
    control.call("PUT", "/sim/v1/forest/machine_accounts/%s" % account.replace("$", "%24"), {"spns": spns_list})


def account_spns(control, account):
    return control.state("alpha")["forest"]["machine_accounts"][account]["spns"]


def move_args(sim, *names):
    return conn(sim, "beta", provider=PROVIDER, names=list(names), remove_from_partner=True,
                partner=partner(sim, "alpha"), **CREDS)


def test_move_refuses_an_spn_a_third_account_also_holds(pair, ansible):
    """HOST/fin is on ALPHA$ and on a retired filer's account: AD would refuse it on BETA$ and
    refuse to put it back on ALPHA$. Refused before any write (it used to be removed from
    ALPHA$ first, then lost)."""
    sim, control, _, _ = pair
    set_account(control, "LEGACY01$", ["HOST/legacy", "HOST/legacy.example.com", "HOST/fin"])
    alpha_before = account_spns(control, "ALPHA$")
    reset(control, "alpha", "beta")
    result = ansible.run(MODULE, move_args(sim, "fin.example.com"))
    assert result.get("failed") is True, result
    assert "refusing to move HOST/fin from ALPHA$" in result["msg"], result["msg"]
    assert "another account of the forest" in result["msg"] and "Nothing was changed" in result["msg"]
    assert writes(control, "alpha") == 0 and writes(control, "beta") == 0
    assert account_spns(control, "ALPHA$") == alpha_before


def test_move_adds_first_what_the_source_does_not_hold(pair, ansible):
    """ALPHA$ holds HOST/acct, a retired filer holds HOST/acct.example.com: the add of the form no
    account we see holds goes first and is refused, so nothing leaves ALPHA$ (it used to be
    removed from ALPHA$ first, then the add failed: HOST/acct on no account)."""
    sim, control, _, _ = pair
    set_account(control, "ALPHA$", account_spns(control, "ALPHA$") + ["HOST/acct"])
    set_account(control, "LEGACY01$", ["HOST/legacy", "HOST/legacy.example.com", "HOST/acct.example.com"])
    alpha_before = account_spns(control, "ALPHA$")
    reset(control, "alpha", "beta")
    result = ansible.run(MODULE, move_args(sim, "acct.example.com"))
    assert result.get("failed") is True, result
    assert result["onefs_error"]["code"] == "AEC_CONFLICT" and "HOST/acct.example.com" in result["msg"], result["msg"]
    assert writes(control, "alpha") == 0 and writes(control, "beta") == 0
    assert account_spns(control, "ALPHA$") == alpha_before
    assert forest_holders(control)["host/acct"] == ["ALPHA$"]


def test_a_conflict_after_the_removal_restores_the_source_exactly(pair, ansible):
    """The target's add is refused (409) after the SPNs left the source: both accounts get back
    exactly what they had, and the task says so."""
    sim, control, _, beta = pair
    alpha_before, beta_before = account_spns(control, "ALPHA$"), account_spns(control, "BETA$")
    control.faults("beta", [{"method": "PUT", "path": "^/auth/providers/ads/", "status": 409, "code": "AEC_CONFLICT",
                             "message": "not unique forest-wide", "count": 1}])
    reset(control, "alpha", "beta")
    result = ansible.run(MODULE, move_args(sim, "fin.example.com"))
    assert result.get("failed") is True and "The move was undone" in result["msg"], result
    assert result["stranded"] == [] and result["changed"] is False
    assert account_spns(control, "ALPHA$") == alpha_before and account_spns(control, "BETA$") == beta_before
    no_duplicates(control)


def test_another_zones_stale_duplicate_does_not_block_this_move(pair, ansible):
    """ALPHA$ carries HOST/legacy, which LEGACY01$ holds too (a stale duplicate of another zone):
    moving fin's SPNs writes ALPHA$'s list with it and must not fail on it (AD checks only the
    SPNs a write adds)."""
    sim, control, _, _ = pair
    set_account(control, "ALPHA$", account_spns(control, "ALPHA$") + ["HOST/legacy"])
    result = ansible.run(MODULE, move_args(sim, "fin.example.com"))
    assert not result.get("failed"), result
    holders = forest_holders(control)
    assert holders["host/fin"] == ["BETA$"] and holders["host/fin.example.com"] == ["BETA$"]
    assert sorted(holders["host/legacy"]) == ["ALPHA$", "LEGACY01$"]  # not this unit's to fix


def test_exact_spns_option(pair, ansible):
    """spns: exactly these SPNs (what a rollback puts back), not both forms of a name; bad input
    is refused naming the element, before any write."""
    sim, control, _, beta = pair
    reset(control, "beta")
    added, bad = ansible.tasks([
        {"module": MODULE, "args": conn(sim, "beta", provider=PROVIDER, spns=["HOST/exact.example.com"], **CREDS)},
        {"module": MODULE, "args": conn(sim, "beta", provider=PROVIDER, spns=["HOST/ok", "no-service"], **CREDS)},
    ])
    assert added["changed"] is True and added["added"] == ["HOST/exact.example.com"], added
    assert "host/exact" not in spns(beta) and "host/exact.example.com" in spns(beta)
    assert bad.get("failed") is True and "spns[1]" in bad["msg"], bad
    assert writes(control, "beta") == 1

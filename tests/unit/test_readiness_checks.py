# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The readiness_checks filter (runbook steps 1, 3, 3a) on a read of the demo scenario's
finance zone (tests/unit/data/readiness_finance.json: onefs_info of alpha and beta, and the
unit as r01_unit resolves it), changed one fact at a time.

The orchestration tests run the filter through r02_readiness against the simulator.
"""

import copy
import json
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.onefs.dr.plugins.filter.readiness_checks import readiness_checks, readiness_share_paths

DATA = json.loads((Path(__file__).parent / "data" / "readiness_finance.json").read_text())


@pytest.fixture()
def read():
    return copy.deepcopy(DATA["from"]), copy.deepcopy(DATA["to"]), copy.deepcopy(DATA["unit"])


def by_check(checks):
    return {c["check"]: (c["status"], c["detail"]) for c in checks}


def test_the_demo_finance_zone(read):
    checks = readiness_checks(*read)
    assert [c["check"] for c in checks] == [
        "reachable_alpha", "reachable_beta", "releases", "identity", "policy_finance_policy", "jobs_running", "share_writes",
        "smb_open_files", "smb_oplocks", "protocols_alpha", "synciq_alpha", "target_policy_finance_policy",
        "synciq_beta", "zone_finance", "target_path_finance_policy", "smartconnect", "spns"]
    c = by_check(checks)
    assert c["share_writes"] == ("OK", "8 SMB shares, about 24 share writes (lockout, target restore, source unlock): "
                                       "~1.0 s of serialized share-store time at 40 ms a write, at most 10 in flight")
    assert c["smb_open_files"] == ("WARNING", "open files (runbook step 1): /ifs/finance/ledger/q3.xlsx (AD\\alice)")
    assert c["smartconnect"] == ("OK", "source names finance.example.com, fin.example.com")
    assert c["identity"] == ("OK", "alpha (alpha) -> beta (beta): the policies name these clusters")
    assert [x["status"] for x in checks].count("OK") == 16


def test_unreachable_sides_and_releases(read):
    f, t, u = read
    c = by_check(readiness_checks({"msg": "connection refused"}, t, u))
    assert c["reachable_alpha"] == ("ERROR", "connection refused")
    assert "releases" not in c and "policy_finance_policy" not in c  # nothing of alpha is judged
    t["cluster"]["onefs_version"]["release"] = "9.5.0.1"
    c = by_check(readiness_checks(f, t, u))
    assert c["releases"] == ("WARNING", "alpha 9.10, beta 9.5")
    c = by_check(readiness_checks(f, {}, u))
    assert c["reachable_beta"] == ("ERROR", "no answer") and "zone_finance" not in c


def test_uncontrolled_checks_only_the_receiving_side(read):
    _, t, u = read
    u["uncontrolled"] = True
    checks = readiness_checks({}, t, u)
    assert checks[0] == {"check": "uncontrolled", "status": "WARNING",
                         "detail": "uncontrolled failover: alpha is not checked; fence it before it returns"}
    c = by_check(checks)
    assert c["zone_finance"][1].endswith("auth providers not compared: alpha is not read (uncontrolled failover)")
    assert "smb_open_files" not in c


@pytest.mark.parametrize("change, check, status, words", [
    (lambda f, t, u: f["sync_policies"][0].update(enabled=False), "policy_finance_policy", "ERROR", "is disabled on alpha"),
    (lambda f, t, u: f["sync_policies"][0].update(last_job_state="failed"), "policy_finance_policy", "WARNING",
     "last job of finance_policy: failed"),
    (lambda f, t, u: f.update(sync_policies=[]), "policy_finance_policy", "ERROR", "does not exist on alpha"),
    (lambda f, t, u: f.update(sync_jobs=[{"policy_name": "finance_policy"}]), "jobs_running", "WARNING", "running: finance_policy"),
    (lambda f, t, u: u.update(share_write_ms=40000), "share_writes", "WARNING", "~960.0 s"),
    # ledger holds q3.xlsx, open for writing by alice.
    (lambda f, t, u: f["smb_shares"][4].update(oplocks_risk=True), "smb_oplocks", "WARNING",
     "files open now on 1 of them (1 for writing): finance:ledger: /ifs/finance/ledger/q3.xlsx (AD\\alice, write)"),
    (lambda f, t, u: f["protocol_settings"]["synciq"].update(service="paused"), "synciq_alpha", "ERROR", "SyncIQ service paused"),
    (lambda f, t, u: t["sync_target_policies"][0].update(failover_failback_state="writes_enabled"),
     "target_policy_finance_policy", "ERROR", "finance_policy is writes_enabled on beta"),
    (lambda f, t, u: t.update(sync_target_policies=[]), "target_policy_finance_policy", "ERROR", "has the policy ever run?"),
    (lambda f, t, u: t.update(zones=[]), "zone_finance", "ERROR", "zone finance does not exist on beta"),
    (lambda f, t, u: u["scopes"][0].update(to_path="/ifs/elsewhere"), "zone_finance", "ERROR", "NOT inside base path /ifs/finance"),
    (lambda f, t, u: [z.update(auth_providers=["lsa-activedirectory-provider:OTHER.COM"]) for z in t["zones"]],
     "zone_finance", "WARNING", "differ: lsa-activedirectory-provider:AD.EXAMPLE.COM vs lsa-activedirectory-provider:OTHER.COM"),
    (lambda f, t, u: u["unit_policies"][0].update(to_path="/ifs/other"), "target_path_finance_policy", "ERROR",
     "wrong onefs_dr_target_zone"),
    (lambda f, t, u: f.update(network_pools=[]), "smartconnect", "ERROR", "no IP pool of zone finance on alpha"),
    (lambda f, t, u: t.update(network_pools=t["network_pools"] * 2), "smartconnect", "ERROR",
     "set onefs_dr_smartconnect_target_pool"),
    (lambda f, t, u: t["network_pools"][0].update(access_zone="finance", sc_dns_zone="FINANCE.example.com"), "smartconnect", "WARNING",
     "already on beta: finance.example.com"),
    (lambda f, t, u: f["ads_providers"][0].update(spns=["HOST/finance"]), "spns", "WARNING", "missing on alpha: host/fin"),
    (lambda f, t, u: t["ads_providers"][0].update(spns=["HOST/Finance"]), "spns", "ERROR",
     "host/finance on ALPHA$ (alpha) and BETA$ (beta)"),
    (lambda f, t, u: [f["ads_providers"][0].update(spns=["HOST/finance"]), t["ads_providers"][0].update(spns=["HOST/fin"])],
     "spns", "WARNING", "already on beta: host/fin"),
])
def test_one_finding_at_a_time(read, change, check, status, words):
    f, t, u = read
    change(f, t, u)
    c = by_check(readiness_checks(f, t, u))
    assert c[check][0] == status and words in c[check][1], c[check]


@pytest.mark.parametrize("prefix", ["dr-", "DR-"])
def test_names_that_carry_the_rename_prefix_need_no_spn(read, prefix):
    """The prefix is a literal start of the name, any case (as onefs_smartconnect_zone compares it)."""
    f, t, u = read
    u["smartconnect_prefix"] = prefix
    f["network_pools"][0]["sc_dns_zone_aliases"] = ["dr-fin.example.com", "drxfin.example.com"]
    f["ads_providers"][0]["spns"] = ["HOST/finance"]
    c = by_check(readiness_checks(f, t, u))
    assert c["spns"] == ("WARNING", "missing on alpha: host/finance.example.com, host/drxfin, host/drxfin.example.com; "
                                    "no duplicate")


def test_past_the_point_of_no_return(read):
    f, t, u = read
    u["past_ponr"] = True
    u["unit_policies"][0].update(writes_on=True, resynced=True)
    f["sync_policies"][0]["enabled"] = False
    t["sync_target_policies"][0]["failover_failback_state"] = "writes_enabled"
    c = by_check(readiness_checks(f, t, u))
    assert c["already_failed_over"] == ("WARNING", "unit already failed over: writes are enabled on beta for finance_policy; "
                                                   "resync-prep done. A failover run continues where it stopped (a no-op when "
                                                   "complete); to go back run the other direction")
    assert c["policy_finance_policy"] == ("OK", "policy finance_policy is disabled on alpha (already failed over)")
    assert c["target_policy_finance_policy"][0] == "OK"


def test_policy_mode_and_smartconnect_off(read):
    f, t, u = read
    u.update(mode="policy", smartconnect_on=False)
    c = by_check(readiness_checks(f, t, u))
    assert "target_path_finance_policy" not in c and "smartconnect" not in c and "spns" not in c


def test_a_bad_unit_is_refused(read):
    f, t, u = read
    with pytest.raises(AnsibleFilterError, match="must be a dict"):
        readiness_checks(f, t, "finance")
    u["share_write_ms"] = "fast"
    with pytest.raises(AnsibleFilterError, match="must be integers"):
        readiness_checks(f, t, u)



# ---- issue 14 point 2: duplicates of every form of the unit's names, across the forest ----------
def test_spns_a_duplicate_of_the_fqdn_form_is_an_error_naming_both_accounts(read):
    f, t, u = read
    t["ads_providers"][0]["spns"] = ["HOST/beta", "HOST/FIN.example.com"]
    c = by_check(readiness_checks(f, t, u))
    assert c["spns"][0] == "ERROR", c["spns"]
    assert "host/fin.example.com on ALPHA$ (alpha) and BETA$ (beta)" in c["spns"][1]


def test_spns_onefs_duplicate_check_finds_an_account_no_cluster_shows(read):
    """A retired filer's machine account holds HOST/fin too: only OneFS's dup_spns shows it."""
    f, t, u = read
    f["ads_providers"][0]["dup_spns"] = ["HOST/fin"]
    c = by_check(readiness_checks(f, t, u))
    assert c["spns"][0] == "ERROR", c["spns"]
    assert "host/fin on ALPHA$ (alpha) and on another account of the forest" in c["spns"][1]
    assert "setspn -Q host/fin" in c["spns"][1]


def test_spns_another_zones_duplicate_is_not_this_units_finding(read):
    f, t, u = read
    f["ads_providers"][0]["dup_spns"] = ["HOST/eng", "HOST/eng.example.com"]
    t["ads_providers"][0]["spns"] = ["HOST/beta", "HOST/eng"]
    c = by_check(readiness_checks(f, t, u))
    assert c["spns"] == ("OK", "no duplicate")


def test_spns_one_cluster_read_twice_is_not_a_duplicate(read):
    f, t, u = read
    t["ads_providers"] = copy.deepcopy(f["ads_providers"])
    c = by_check(readiness_checks(f, t, u))
    assert c["spns"][0] != "ERROR", c["spns"]  # the identity check reports the real problem


# ---- issue 14 point 8: the smb_oplocks finding summarized, and which shares have open files ----
def _many_risky_shares(f, count):
    f["smb_shares"] = [{"name": "share %04d $" % i, "zone": "finance", "path": "/ifs/finance/s%04d" % i, "oplocks_risk": True}
                       for i in range(count)]


def test_oplocks_at_risk_by_default_is_a_short_ok_summary(read):
    f, t, u = read
    _many_risky_shares(f, 1190)
    check = next(c for c in readiness_checks(f, t, u) if c["check"] == "smb_oplocks")
    assert check["status"] == "OK", check["detail"]
    assert len(check["detail"]) < 500, len(check["detail"])
    assert check["detail"].startswith("1190 shares with oplocks on and continuous availability off (OneFS's default")
    assert "finance:share 0000 $, finance:share 0001 $" in check["detail"] and "and 1185 more" in check["detail"]
    assert "JSON report" in check["detail"] and "no file open on any of them now" in check["detail"]
    assert len(check["shares"]) == 1190 and check["shares"][-1] == "finance:share 1189 $"


def test_oplocks_names_the_shares_with_files_open_for_writing(read):
    f, t, u = read
    _many_risky_shares(f, 30)
    f["smb_openfiles"] = [
        {"path": "/ifs/finance/s0007/book.xlsx", "user": "AD\\alice", "permissions": ["read", "write"]},
        {"path": "/ifs/finance/s0009/readme.txt", "user": "AD\\bob", "permissions": ["read"]},
        {"path": "/ifs/elsewhere/x.txt", "user": "AD\\carol", "permissions": ["write"]},
    ]
    f["smb_sessions"] = [{"user": "AD\\alice", "computer": "10.1.0.21", "openfiles": 1},
                         {"user": "AD\\dave", "computer": "10.1.0.22", "openfiles": 3}]
    check = next(c for c in readiness_checks(f, t, u) if c["check"] == "smb_oplocks")
    assert check["status"] == "WARNING", check
    assert "files open now on 2 of them (1 for writing)" in check["detail"]
    assert "finance:share 0007 $: /ifs/finance/s0007/book.xlsx (AD\\alice, write)" in check["detail"]
    assert "SMB sessions holding open files: AD\\alice from 10.1.0.21" in check["detail"]
    assert "dave" not in check["detail"] and "carol" not in check["detail"]
    assert sorted(check["open"]) == ["finance:share 0007 $", "finance:share 0009 $"]
    # Only read handles: reported, not blocking.
    f["smb_openfiles"] = f["smb_openfiles"][1:]
    check = next(c for c in readiness_checks(f, t, u) if c["check"] == "smb_oplocks")
    assert check["status"] == "OK" and "(0 for writing)" in check["detail"], check


# ---- issue 14 point 7: each inventory cluster is the cluster the policies name ----------------
def test_identity_two_inventory_entries_for_one_cluster(read):
    f, t, u = read
    f["cluster"]["guid"] = "005056a1b2c3d4e5f60718293a4b5c6d7e8f"
    t["cluster"] = copy.deepcopy(f["cluster"])
    c = by_check(readiness_checks(f, t, u))
    assert c["identity"] == ("ERROR", "alpha and beta are the same cluster (alpha, GUID 005056a1b2c3d4e5f60718293a4b5c6d7e8f): "
                                      "onefs_dr_clusters.alpha and onefs_dr_clusters.beta must each reach their own cluster; "
                                      "fix the inventory")


def test_identity_target_policy_from_another_source(read):
    f, t, u = read
    f["cluster"]["guid"] = "005056a1b2c3d4e5f60718293a4b5c6d7e8f"
    t["cluster"]["guid"] = "005056f1e2d3c4b5a69788796a5b4c3d2e1f"
    t["sync_target_policies"][0]["source_cluster_guid"] = "0050560000000000000000000000000000ff"
    c = by_check(readiness_checks(f, t, u))
    assert c["identity"][0] == "ERROR"
    assert "target policy finance_policy on beta replicates from the cluster with GUID 0050560000000000000000000000000000ff, " \
           "not alpha" in c["identity"][1]


@pytest.mark.parametrize("host, status", [
    ("192.0.2.125", "OK"),              # an address of beta's finance pool
    ("finance-dr.example.com", "OK"),   # a SmartConnect name of beta
    ("BETA.example.com.", "OK"),        # the cluster name as an FQDN
    ("alpha", "ERROR"),                 # the sending cluster itself
    ("gamma.example.com", "WARNING"),   # not a name of beta, and no target policy proves the pair
])
def test_identity_target_host_by_name_or_address(read, host, status):
    f, t, u = read
    f["sync_policies"][0]["target_host"] = host
    t["sync_target_policies"][0]["source_cluster_guid"] = ""
    c = by_check(readiness_checks(f, t, u))
    assert c["identity"][0] == status, c["identity"]

# ---- share directories on the receiving side (issue 16, point 8) --------------------------------------
def _share_outside_the_policy(f, u):
    """A share of the finance zone that no unit policy replicates (outside finance_policy's root)."""
    u["unit_policies"][0]["from_path"] = "/ifs/finance/ledger"
    f["sync_policies"] = [dict(p, source_root_path="/ifs/finance/ledger") if p["name"] == "finance_policy" else p
                          for p in f["sync_policies"]]
    f["smb_shares"].append({"zone": "finance", "name": "extra", "path": "/ifs/finance/extra"})


def test_share_paths_lists_only_what_the_final_sync_does_not_bring(read):
    f, _, u = read
    # Every share of the demo's finance zone lies under finance_policy: nothing to look for.
    assert readiness_share_paths(f, u["unit_policies"], u["scopes"]) == []
    _share_outside_the_policy(f, u)
    paths = readiness_share_paths(f, u["unit_policies"], u["scopes"])
    assert "/ifs/finance/extra" in paths and "/ifs/finance/ledger" not in paths
    # An excluded directory is not replicated either.
    f, _, u = copy.deepcopy(DATA["from"]), None, copy.deepcopy(DATA["unit"])
    f["sync_policies"] = [dict(p, source_exclude_directories=["/ifs/finance/audit"]) for p in f["sync_policies"]]
    assert readiness_share_paths(f, u["unit_policies"], u["scopes"]) == ["/ifs/finance/audit"]


def test_share_path_missing_on_the_target_is_an_error_naming_share_and_path(read):
    f, t, u = read
    _share_outside_the_policy(f, u)
    paths = readiness_share_paths(f, u["unit_policies"], u["scopes"])
    c = by_check(readiness_checks(f, dict(t, paths={p: p != "/ifs/finance/extra" for p in paths}), u))
    status, detail = c["share_paths"]
    assert status == "ERROR" and "finance:extra (/ifs/finance/extra)" in detail and "beta" in detail
    c = by_check(readiness_checks(f, dict(t, paths={p: True for p in paths}), u))
    assert c["share_paths"][0] == "OK"
    # Without the read (no paths key) the check is not made: the demo's checks stay as they were.
    assert "share_paths" not in by_check(readiness_checks(f, t, u))

"""onefs_info against the simulator, called the way Ansible calls it."""

from _synciq_helpers import by_name, start_pair, writes
from support import connection, onefs_env

MODULE = "onefs_info"


def _names(items, key="name"):
    return sorted(i[key] for i in items)


def _gets(counters, prefix):
    return sum(n for k, n in counters["by_endpoint"].items() if k == "GET " + prefix)


def test_gather_all_matches_cluster_state(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    alpha = sim.clusters["alpha"]
    control.reset_counters("alpha")
    # Ad-hoc style: connection from the ONEFS_* environment; then check mode.
    plain, check = ansible.tasks(
        [{"module": MODULE, "args": {}}, {"module": MODULE, "args": {"gather_subset": ["cluster"]}, "check": True}],
        env=onefs_env(alpha),
    )
    assert not plain.get("failed"), plain
    assert plain["changed"] is False and check["changed"] is False
    assert check["cluster"]["name"] == "alpha" and check["gathered_subsets"] == ["cluster"]
    state = control.state("alpha")
    assert plain["cluster"]["name"] == "alpha"
    assert _names(plain["zones"]) == _names(state["zones"]) == ["System", "zone1"]
    assert _names(plain["sync_policies"]) == _names(state["policies"]) == ["p1", "p2", "p3"]
    assert _names(plain["sync_target_policies"]) == [] and plain["sync_jobs"] == []
    assert _names(plain["smb_shares"]) == sorted(s["name"] for z in state["shares"].values() for s in z)
    assert sorted(e["id"] for e in plain["nfs_exports"]) == sorted(e["id"] for e in state["exports"])
    assert _names(plain["nfs_aliases"]) == ["/p1", "/p2"]
    assert sorted(p["id"] for p in plain["network_pools"]) == sorted(p["id"] for p in state["pools"])
    assert sorted(q["id"] for q in plain["quotas"]) == sorted(q["id"] for q in state["quotas"])
    assert _names(plain["snapshot_schedules"]) == ["p1-daily", "p2-daily"]
    assert plain["dedupe"]["paths"] == state["dedupe"]["paths"]
    assert len(plain["smb_openfiles"]) == 2 and len(plain["smb_sessions"]) == 2
    assert plain["protocol_settings"]["smb"]["service"] is True
    assert plain["protocol_settings"]["synciq"]["service"] == "on"

    # Derived facts.
    shares = plain["smb_shares"]
    assert by_name(shares, "risky")["oplocks_risk"] is True
    assert by_name(shares, "ca")["oplocks_risk"] is False
    assert by_name(shares, "nolocks")["oplocks_risk"] is False
    assert by_name(shares, "risky")["zone"] == "zone1" and by_name(shares, "data")["zone"] == "System"
    assert by_name(plain["sync_policies"], "p1")["zone"] == "zone1"
    assert by_name(plain["sync_policies"], "p2")["zone"] == "System"
    ads = plain["ads_providers"][0]
    configured = {s.lower() for s in ads["spns"]}
    recommended = {s.lower() for s in ads["recommended_spns"]}
    assert {s.lower() for s in ads["missing_spns"]} == recommended - configured
    assert "HOST/alpha.ad.example.com" in ads["missing_spns"]
    assert "HOST/files.example.com" in ads["missing_spns"]  # a SmartConnect alias of pool1
    assert ads["unexpected_spns"] == ["HOST/old.example.com"]
    openfile = plain["smb_openfiles"][0]
    assert openfile["path"] == "/ifs/zone1/p1/risky/a.docx" and openfile["zone"] == "zone1"

    # One paged list per subset (per zone for zone-scoped ones), one item GET per AD provider.
    counters = control.counters("alpha")
    assert counters["writes"] == 0
    assert _gets(counters, "/platform/protocols/smb/shares") == 2
    assert _gets(counters, "/platform/protocols/nfs/exports") == 2
    assert _gets(counters, "/platform/protocols/nfs/aliases") == 2
    assert _gets(counters, "/platform/zones") == 1
    assert _gets(counters, "/platform/sync/policies") == 1
    assert _gets(counters, "/platform/auth/providers/ads/AD.EXAMPLE.COM") == 1
    item_gets = [k for k in counters["by_endpoint"] if k.startswith("GET /platform/protocols/smb/shares/")]
    assert item_gets == []
    # 25 reads for 19 subsets (3 zone-scoped x 2 zones, 3 settings, 1 ADS item), login,
    # logout and at most one /platform/latest.
    assert plain["api_stats"]["api_calls"] <= 28
    assert _gets(counters, "/platform/network/groupnets") == 1 and _gets(counters, "/platform/sync/target/reports") == 1
    assert [g["name"] for g in plain["network_groupnets"]] == [g["name"] for g in state["groupnets"]]
    assert plain["sync_target_reports"] == []


def test_zone_and_path_filters(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    alpha = sim.clusters["alpha"]
    zone, path, both = ansible.tasks([
        {"module": MODULE, "args": connection(alpha, zones=["zone1"])},
        {"module": MODULE, "args": connection(alpha, path="/ifs/data/p2/", gather_subset=[
            "zones", "sync_policies", "smb_shares", "nfs_exports", "nfs_aliases", "quotas",
            "snapshot_schedules", "dedupe", "smb_openfiles", "network_pools"])},
        {"module": MODULE, "args": connection(alpha, zones=["System"], path="/ifs/zone1",
                                              gather_subset=["smb_shares", "sync_policies"])},
    ])
    for r in (zone, path, both):
        assert not r.get("failed"), r
    assert _names(zone["zones"]) == ["zone1"]
    assert _names(zone["smb_shares"]) == ["ca", "risky"]
    # SyncIQ policies are not dropped by the zone filter (issue 14 point 5): each has its zone.
    assert _names(zone["sync_policies"]) == ["p1", "p2", "p3"]
    assert [p["zone"] for p in sorted(zone["sync_policies"], key=lambda p: p["name"])] == ["zone1", "System", "System"]
    assert [e["paths"] for e in zone["nfs_exports"]] == [["/ifs/zone1/p1/nfs"]]
    assert _names(zone["nfs_aliases"]) == ["/p1"]
    assert _names(zone["network_pools"]) == ["pool1"]
    assert zone["ads_providers"] == []  # zone1 uses no AD provider
    assert [q["path"] for q in zone["quotas"]] == ["/ifs/zone1/p1"]
    assert _names(zone["snapshot_schedules"]) == ["p1-daily"]
    assert [f["user"] for f in zone["smb_openfiles"]] == ["AD\\user01"]
    assert len(zone["smb_sessions"]) == 2  # sessions have no path or zone

    assert path["zones"] == []
    assert _names(path["sync_policies"]) == ["p2"]
    assert _names(path["smb_shares"]) == ["nolocks"]
    assert [e["paths"] for e in path["nfs_exports"]] == [["/ifs/data/p2", "/ifs/data/p3"]]
    assert _names(path["nfs_aliases"]) == ["/p2"]
    assert [q["path"] for q in path["quotas"]] == ["/ifs/data/p2"]
    assert _names(path["snapshot_schedules"]) == ["p2-daily"]
    assert path["dedupe"]["paths"] == ["/ifs/data/p2"] and path["dedupe"]["assess_paths"] == []
    assert [f["path"] for f in path["smb_openfiles"]] == ["/ifs/data/p2/b.txt"]
    assert len(path["network_pools"]) == 2  # pools have no path

    # zone1's objects are not in the System zone, whatever the path says (policies: the path alone).
    assert both["smb_shares"] == [] and _names(both["sync_policies"]) == ["p1"]
    assert writes(control, "alpha") == 0


def test_jobs_reports_target_policies_and_query(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    alpha, beta = sim.clusters["alpha"], sim.clusters["beta"]
    run = connection(alpha, name="p1", job="run", poll_interval=0.05)
    query = "sync_policies[?enabled && schedule != ''].{name: name, zone: zone, last: last_job_state}"
    results = ansible.tasks([
        {"module": "onefs_synciq_job", "args": run},
        {"module": MODULE, "args": connection(alpha, gather_subset=["sync_policies", "sync_reports"], query=query)},
        {"module": MODULE, "args": connection(beta, gather_subset=["sync_target_policies"], zones=["zone1"],
                                              query="sync_target_policies[?failover_failback_state=='writes_disabled'].name")},
        {"module": MODULE, "args": connection(alpha, gather_subset=["sync_reports"], path="/ifs/data")},
        {"module": MODULE, "args": connection(alpha, gather_subset=["sync_policies", "zones"], query_only=True,
                                              query="{policies: sync_policies[].name, zones: zones[].name}")},
    ])
    for r in results:
        assert not r.get("failed"), r
    _, src, tgt, data_reports, only = results
    assert src["query_result"] == [
        {"name": "p1", "zone": "zone1", "last": "finished"},
        {"name": "p2", "zone": "System", "last": "finished"},
    ]
    reports = src["sync_reports"]
    assert [(r["policy_name"], r["action"], r["state"], r["zone"]) for r in reports] == [("p1", "run", "finished", "zone1")]
    # Target policies are not dropped by the zone filter (issue 14 point 5).
    assert tgt["query_result"] == ["p1", "p2", "p3"]
    assert by_name(tgt["sync_target_policies"], "p1")["zone"] == "zone1"
    assert data_reports["sync_reports"] == []  # p1's report lives under /ifs/zone1
    # query_only: the projection alone, not the gathered facts.
    assert sorted(only["query_result"]["policies"]) == ["p1", "p2", "p3"] and "zone1" in only["query_result"]["zones"]
    assert "sync_policies" not in only and "zones" not in only and only["gathered_subsets"] == ["zones", "sync_policies"]
    assert writes(control, "beta") == 0


def test_bad_input_is_refused_without_writes(sim_factory, ansible):
    sim, control = start_pair(sim_factory)
    alpha = sim.clusters["alpha"]
    cases = [
        (dict(zones=["zone1", "nozone"]), "zones: nozone not found"),
        (dict(path="ifs/data"), "path must be an absolute path"),
        (dict(query="sync_policies[?"), "query is not a valid JMESPath expression"),
        (dict(gather_subset=["smb_shares", "banana"]), "value of gather_subset must be one or more of"),
        (dict(reports_per_policy=0), "reports_per_policy must be at least 1"),
        (dict(query_only=True), "query_only is True but all of the following are missing: query"),
    ]
    results = ansible.tasks([{"module": MODULE, "args": connection(alpha, **a)} for a, _ in cases])
    for (args, expected), result in zip(cases, results, strict=True):
        assert result.get("failed") is True, (args, result)
        assert expected in result["msg"], (expected, result["msg"])
    assert "existing zones: System, zone1" in results[0]["msg"]
    assert writes(control, "alpha") == 0


def test_zone_filter_keeps_target_policies_whose_path_lies_in_another_zone(sim_factory, ansible):
    """Issue 14 point 5: a target policy whose target path lies outside the zone read is still
    returned (with its own zone), so readiness does not report it missing besides the real
    finding (the target path outside the target zone)."""
    sim, control = start_pair(sim_factory)
    beta = sim.clusters["beta"]
    info = ansible.run(MODULE, connection(beta, gather_subset=["sync_target_policies", "zones"], zones=["zone1"]))
    assert not info.get("failed"), info
    assert _names(info["zones"]) == ["zone1"]
    # p2 and p3 replicate /ifs/data/* into beta's System zone.
    assert _names(info["sync_target_policies"]) == ["p1", "p2", "p3"]
    assert by_name(info["sync_target_policies"], "p1")["zone"] == "zone1"
    assert by_name(info["sync_target_policies"], "p2")["zone"] == "System"


def test_ads_providers_carry_onefs_duplicate_spn_check(sim_factory, ansible):
    """Issue 14 point 2: readiness needs OneFS's duplicate-SPN check (dup_spns, read with
    ?check_duplicates=true): an SPN of ALPHA$ also registered on another account shows there."""
    sim, control = start_pair(sim_factory)
    alpha = sim.clusters["alpha"]
    clean = ansible.run(MODULE, connection(alpha, gather_subset=["ads_providers"]))
    assert not clean.get("failed"), clean
    assert clean["ads_providers"][0]["dup_spns"] == []
    control.call("PUT", "/sim/v1/forest/machine_accounts/RETIRED01%24", {"spns": ["HOST/old.example.com"]})
    dup = ansible.run(MODULE, connection(alpha, gather_subset=["ads_providers"]))
    assert dup["ads_providers"][0]["dup_spns"] == ["HOST/old.example.com"]
    assert writes(control, "alpha") == 0

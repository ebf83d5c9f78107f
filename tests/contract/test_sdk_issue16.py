"""Contract tests for issue 16: the simulator answers what OneFS answers.

isilon-sdk ``v9_5_0``, ``v9_10_0`` and ``v9_12_0`` (each against clusters of its release) read
every resource of the issue's ten points, and write where the SDK can, without a model error;
every answer is also checked for fields the SDK's model of that release does not declare (the
autouse fixture of test_sdk_contract.py, re-used here). Points 8 (paths), 9 (the login answer)
and 10 (collection options and unknown query arguments) are asserted on the wire as well.
"""

import http.client
import json
import ssl
import urllib.parse

import pytest
from test_sdk_contract import Env, _no_unknown_fields, api_error  # noqa: F401 (autouse fixture)

SDKS = {"v9_5_0": "9.5", "v9_10_0": "9.10", "v9_12_0": "9.12"}


@pytest.fixture(scope="module", params=sorted(SDKS), ids=lambda n: "%s-onefs%s" % (n, SDKS[n]))
def env(request):
    e = Env(request.param, SDKS[request.param])
    try:
        yield e
    finally:
        e.close()


def _raw(env, method, path, body=None, cluster="alpha", headers=None):
    """One HTTPS request with Basic auth: (status, headers list, parsed JSON or None)."""
    ep = env.sim.clusters[cluster]
    ctx = ssl.create_default_context(cafile=ep.ca)
    conn = http.client.HTTPSConnection(ep.host, ep.port, context=ctx, timeout=30)
    import base64
    hdrs = {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (ep.username, ep.password)).encode()).decode()}
    hdrs.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        hdrs["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=hdrs)
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    return resp.status, resp.getheaders(), (json.loads(raw) if raw else None)


# ---- 1. zones-summary ------------------------------------------------------------------------------
def test_zones_summary(env):
    zs = env.mod.ZonesSummaryApi(env.alpha)
    summary = zs.get_zones_summary().summary
    assert summary.count == 3 and summary.list == ["System", "finance", "eng"]
    assert zs.get_zones_summary(groupnet="groupnet0").summary.count == 3
    assert zs.get_zones_summary_zone("finance").summary.path == "/ifs/finance"
    assert zs.get_zones_summary_zone("System").summary.path == "/ifs"
    with pytest.raises(env.mod.rest.ApiException) as err:
        zs.get_zones_summary_zone("nowhere")
    assert api_error(env, err)[0] == 404


# ---- 2. identity lookups and 3. providers summary -----------------------------------------------
def test_identity_lookups(env):
    auth = env.api("AuthApi")
    alice = auth.get_auth_user("USER:AD\\alice", zone="finance").users[0]
    assert (alice.name, alice.sid.id, alice.type, alice.enabled, alice.locked) == (
        "AD\\alice", "SID:S-1-5-21-1004-1101", "user", True, False)
    assert alice.uid.id.startswith("UID:") and alice.provider == "lsa-activedirectory-provider:AD.EXAMPLE.COM"
    # The same user by bare name, by SID and by UID; member_of only when asked for.
    assert auth.get_auth_user("alice", zone="finance").users[0].sid.id == alice.sid.id
    assert auth.get_auth_user(alice.sid.id, zone="finance").users[0].name == "AD\\alice"
    assert auth.get_auth_user(alice.uid.id, zone="finance").users[0].name == "AD\\alice"
    assert auth.get_auth_user("USER:AD\\alice", zone="finance").users[0].member_of is None
    groups = auth.get_auth_user("USER:AD\\alice", zone="finance", query_member_of=True).users[0].member_of
    assert "SID:S-1-5-21-1004-2001" in [g.id for g in groups]
    # The provider argument narrows the lookup: the local provider has no alice, but admin.
    with pytest.raises(env.mod.rest.ApiException) as err:
        auth.get_auth_user("USER:AD\\alice", zone="finance", provider="lsa-local-provider:finance")
    assert api_error(env, err)[0] == 404
    admin = auth.get_auth_user("USER:admin", provider="lsa-local-provider:System").users[0]
    assert admin.provider == "lsa-local-provider:System" and admin.uid.id.startswith("UID:")
    group = auth.get_auth_group("GROUP:AD\\finance-users", zone="finance").groups[0]
    assert (group.sid.id, group.type, group.gid.id.startswith("GID:")) == ("SID:S-1-5-21-1004-2001", "group", True)
    with pytest.raises(env.mod.rest.ApiException) as err:
        auth.get_auth_group("GROUP:nobody-here", zone="finance")
    assert api_error(env, err)[0] == 404

    # Lists: zone scope, name filter, paging by resume (no total: the SDK models have none).
    users = auth.list_auth_users(zone="finance").users
    assert {"AD\\alice", "AD\\bob", "admin", "root"} <= {u.name for u in users}
    assert [u.name for u in auth.list_auth_users(zone="finance", filter="AD\\b").users] == ["AD\\bob"]
    page = auth.list_auth_users(zone="finance", limit=2)
    seen = [u.name for u in page.users]
    while page.resume:
        page = auth.list_auth_users(resume=page.resume)
        seen += [u.name for u in page.users]
    assert seen == [u.name for u in users]
    assert "AD\\finance-users" in [g.name for g in auth.list_auth_groups(zone="finance").groups]
    wk = auth.get_auth_wellknowns().wellknowns
    assert ("SID:S-1-1-0", "Everyone") in [(w.id, w.name) for w in wk]
    assert auth.get_auth_wellknown("Everyone").wellknowns[0].id == "SID:S-1-1-0"

    summary = auth.get_providers_summary().provider_instances
    by_id = {p.id: p for p in summary}
    ads = by_id["lsa-activedirectory-provider:AD.EXAMPLE.COM"]
    assert (ads.name, ads.type, ads.status) == ("AD.EXAMPLE.COM", "ads", "online")
    assert by_id["lsa-local-provider:finance"].zone_name == "finance"
    in_eng = {p.id for p in auth.get_providers_summary(zone="eng").provider_instances}
    assert "lsa-local-provider:eng" in in_eng and "lsa-local-provider:finance" not in in_eng


# ---- 4. zone-scoped protocol settings ---------------------------------------------------------------
def test_zone_protocol_settings(env):
    m = env.mod
    proto = env.api("ProtocolsApi")
    export = proto.get_nfs_settings_export(zone="eng").settings
    assert export.zone == "eng" and export.map_root is not None
    nfs_zone = proto.get_nfs_settings_zone(zone="eng").settings
    assert nfs_zone.zone == "eng" and nfs_zone.nfsv4_domain
    share = proto.get_smb_settings_share(zone="finance").settings
    assert share.zone == "finance" and share.oplocks is True

    # Writes are per zone; a new share of the zone starts from the zone's share settings.
    proto.update_smb_settings_share(m.SmbSettingsShareExtended(oplocks=False, ca_timeout=60), zone="finance")
    assert proto.get_smb_settings_share(zone="finance").settings.oplocks is False
    assert proto.get_smb_settings_share(zone="eng").settings.oplocks is True
    proto.create_smb_share(m.SmbShareCreateParams(name="i16_inherit", path="/ifs/finance/i16", create_path=True),
                           zone="finance")
    made = proto.get_smb_share("i16_inherit", zone="finance").shares[0]
    assert (made.oplocks, made.ca_timeout) == (False, 60)
    proto.delete_smb_share("i16_inherit", zone="finance")
    proto.update_smb_settings_share(m.SmbSettingsShareExtended(oplocks=True, ca_timeout=120), zone="finance")
    proto.update_nfs_settings_zone(m.NfsSettingsZoneSettings(nfsv4_domain="example.com"), zone="eng")
    assert proto.get_nfs_settings_zone(zone="eng").settings.nfsv4_domain == "example.com"
    proto.update_nfs_settings_export(m.NfsSettingsExportSettings(read_only=True), zone="eng")
    assert proto.get_nfs_settings_export(zone="eng").settings.read_only is True
    assert proto.get_nfs_settings_export(zone="finance").settings.read_only is False
    proto.update_nfs_settings_export(m.NfsSettingsExportSettings(read_only=False), zone="eng")
    # A zone that does not exist is a 404 naming it, not a silent default.
    with pytest.raises(m.rest.ApiException) as err:
        proto.get_smb_settings_share(zone="nowhere")
    assert api_error(env, err)[0] == 404


# ---- 5. cluster -----------------------------------------------------------------------------------
def test_cluster_nodes_time_external_ips(env):
    m = env.mod
    cluster = env.api("ClusterApi")
    ips = cluster.get_cluster_external_ips()
    assert "192.0.2.10" in ips and len(ips) == len(set(ips))
    nodes = cluster.get_cluster_nodes()
    assert nodes.total == 3 and [n.lnn for n in nodes.nodes] == [1, 2, 3]
    assert all(n.internal_ip_address for n in nodes.nodes)
    assert cluster.get_cluster_node(2).nodes[0].lnn == 2
    with pytest.raises(m.rest.ApiException) as err:
        cluster.get_cluster_node(9)
    assert api_error(env, err)[0] == 404
    t = cluster.get_cluster_time()
    assert t.total == 3 and all(n.time > 1600000000 for n in t.nodes)
    cluster.update_cluster_time(m.ClusterTimeExtended(time=t.nodes[0].time + 3600))
    assert cluster.get_cluster_time().nodes[0].time >= t.nodes[0].time + 3600
    cluster.update_cluster_time(m.ClusterTimeExtended(time=t.nodes[0].time))
    assert cluster.get_cluster_identity().name == "alpha"


# ---- 6. network -----------------------------------------------------------------------------------
def test_network_lists(env):
    m = env.mod
    net = env.api("NetworkApi")
    subnets = net.get_network_subnets()
    assert subnets.total == 1 and subnets.subnets[0].id == "groupnet0.subnet0"
    assert net.get_network_subnets(groupnet="nope").subnets == []
    pools = net.get_network_pools(sort="name", dir="DESC").pools
    assert [p.name for p in pools] == sorted((p.name for p in pools), reverse=True)
    assert net.get_network_rules().rules == []
    ifaces = net.get_network_interfaces()
    assert ifaces.total == len(ifaces.interfaces)
    one = net.get_network_interfaces(lnn=1).interfaces
    ext1 = [i for i in one if i.name == "ext-1"][0]
    owners = {o.pool: o for o in ext1.owners}
    assert owners["pool0"].access_zone == "System" and owners["pool0"].ip_addrs
    assert set(ext1.ip_addrs) == {ip for o in ext1.owners for ip in o.ip_addrs}
    dns = net.get_network_dnscache().settings
    assert dns.cache_entry_limit > 0
    net.update_network_dnscache(m.NetworkDnscacheExtended(ttl_max_other=120))
    assert net.get_network_dnscache().settings.ttl_max_other == 120
    ext = net.get_network_external().settings
    assert ext.default_groupnet == "groupnet0" and 445 in ext.tcp_ports


# ---- 7. SyncIQ: subreports, the job's policy action, settings and license -------------------------------
def test_sync_subreports_job_action_license(env):
    m = env.mod
    sync_a, sync_b = env.api("SyncApi"), env.api("SyncApi", "beta")
    sync_a.create_sync_job(m.SyncJobCreateParams(id="eng_src_policy"))
    env.wait(lambda: sync_a.get_sync_policy("eng_src_policy").policies[0].last_job_state == "finished", what="sync")
    report = sync_a.get_sync_reports(policy_name="eng_src_policy", reports_per_policy=1).reports[0]
    assert report.subreport_count == 1
    reports_api, target_api = env.api("SyncReportsApi"), env.api("SyncTargetApi", "beta")
    subs = reports_api.get_report_subreports(report.id)
    assert subs.total == 1 and subs.subreports[0].policy_name == "eng_src_policy"
    assert reports_api.get_report_subreport("1", report.id).subreports[0].state == "finished"
    trep = sync_b.get_target_reports(policy_name="eng_src_policy").reports[0]
    assert target_api.get_reports_report_subreports(trep.id).subreports[0].policy_name == "eng_src_policy"
    with pytest.raises(m.rest.ApiException) as err:
        reports_api.get_report_subreports("0-none")
    assert api_error(env, err)[0] == 404

    # While an allow_write job runs, GET sync/jobs shows the recovery action as the job policy's action.
    env.control.settings("beta", job_seconds=5.0)
    sync_b.create_sync_job(m.SyncJobCreateParams(id="eng_src_policy", action="allow_write"))
    job = sync_b.get_sync_job("eng_src_policy").jobs[0]
    assert (job.action, job.policy.action) == ("allow_write", "allow_write")
    env.control.settings("beta", job_seconds=0.05)
    env.wait(lambda: not sync_b.list_sync_jobs().jobs, what="allow_write")
    sync_b.create_sync_job(m.SyncJobCreateParams(id="eng_src_policy", action="allow_write_revert"))
    env.wait(lambda: not sync_b.list_sync_jobs().jobs, what="allow_write_revert")

    assert sync_a.get_sync_settings().settings.service == "on"
    lic = sync_a.get_sync_license()
    assert (lic.name, lic.status) == ("SyncIQ", "Licensed")


# ---- 8. paths -----------------------------------------------------------------------------------------
def test_missing_paths_refused(env):
    m = env.mod
    proto, quota, sync_a = env.api("ProtocolsApi"), env.api("QuotaApi"), env.api("SyncApi")
    with pytest.raises(m.rest.ApiException) as err:
        proto.create_smb_share(m.SmbShareCreateParams(name="i16_nopath", path="/ifs/eng/i16/missing"), zone="eng")
    status, error = api_error(env, err)
    assert status == 404 and "/ifs/eng/i16/missing" in error["message"]
    assert "i16_nopath" not in [s["name"] for s in env.state()["shares"]["eng"]]
    proto.create_smb_share(m.SmbShareCreateParams(name="i16_nopath", path="/ifs/eng/i16/missing", create_path=True),
                           zone="eng")
    assert env.control.call("GET", "/sim/v1/clusters/alpha/state")["files"]["/ifs/eng/i16/missing"]
    proto.delete_smb_share("i16_nopath", zone="eng")

    with pytest.raises(m.rest.ApiException) as err:
        proto.create_nfs_export(m.NfsExportCreateParams(paths=["/ifs/eng/i16/none"]), zone="eng")
    status, error = api_error(env, err)
    assert status == 400 and error["field"] == "paths" and "/ifs/eng/i16/none" in error["message"]
    made = proto.create_nfs_export(m.NfsExportCreateParams(paths=["/ifs/eng/i16/none"]), zone="eng",
                                   ignore_bad_paths=True)
    proto.delete_nfs_export(made.id, zone="eng")

    with pytest.raises(m.rest.ApiException) as err:
        quota.create_quota_quota(m.QuotaQuotaCreateParams(type="directory", path="/ifs/eng/i16/noq",
                                                          include_snapshots=False))
    assert api_error(env, err)[0] == 404

    sync_a.create_sync_policy(m.SyncPolicyCreateParams(name="i16_missing_root", action="sync",
                                                       source_root_path="/ifs/eng/i16/gone", target_host="beta",
                                                       target_path="/ifs/eng-i16-gone"))
    sync_a.create_sync_job(m.SyncJobCreateParams(id="i16_missing_root"))
    env.wait(lambda: sync_a.get_sync_policy("i16_missing_root").policies[0].last_job_state == "failed", what="fail")
    rep = sync_a.get_sync_reports(policy_name="i16_missing_root").reports[0]
    assert rep.state == "failed" and "/ifs/eng/i16/gone" in rep.error
    sync_a.delete_sync_policy("i16_missing_root")


# ---- 9. the login answer and the session ----------------------------------------------------------------
def test_login_headers_and_session(env):
    ep = env.sim.clusters["alpha"]
    ctx = ssl.create_default_context(cafile=ep.ca)
    conn = http.client.HTTPSConnection(ep.host, ep.port, context=ctx, timeout=30)
    body = json.dumps({"username": ep.username, "password": ep.password, "services": ["platform"]})
    conn.request("POST", "/session/1/session", body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = json.loads(resp.read())
    names = [k for k, _ in resp.getheaders()]
    assert resp.status == 201 and names[:2] == ["Date", "Server"] and names[-1] == "Content-Type"
    cookies = [v for k, v in resp.getheaders() if k == "Set-Cookie"]
    assert [c.split("=")[0] for c in cookies] == ["isisessid", "isicsrf"]
    assert names.index("Set-Cookie") < names.index("Content-Type")
    assert data == {"services": ["platform"], "timeout_absolute": 14400, "timeout_inactive": 900,
                    "username": ep.username}
    sid = cookies[0].split(";")[0]
    conn.request("GET", "/session/1/session", headers={"Cookie": sid})
    resp = conn.getresponse()
    info = json.loads(resp.read())
    assert resp.status == 200 and info["username"] == ep.username and info["services"] == ["platform"]
    assert 0 < info["timeout_absolute"] <= 14400 and info["timeout_inactive"] == 900
    conn.close()


# ---- 10. collection options and unknown query arguments ------------------------------------------------
def test_collection_options_and_unknown_arguments(env):
    proto, sync_a = env.api("ProtocolsApi"), env.api("SyncApi")
    names = [s.name for s in proto.list_smb_shares(zone="finance").shares]
    desc = proto.list_smb_shares(zone="finance", dir="DESC")
    assert [s.name for s in desc.shares] == list(reversed(names)) and desc.total == len(names)
    by_path = proto.list_smb_shares(zone="finance", sort="path", limit=2)
    seen = [s.path for s in by_path.shares]
    while by_path.resume:
        by_path = proto.list_smb_shares(resume=by_path.resume)
        seen += [s.path for s in by_path.shares]
    assert seen == sorted(seen, key=str.lower) and len(seen) == len(names)
    pols = sync_a.list_sync_policies(sort="name", dir="DESC", limit=2)
    assert pols.total == len(env.state()["policies"]) and len(pols.policies) == 2
    assert [p.name for p in pols.policies] == sorted((p["name"] for p in env.state()["policies"]), reverse=True)[:2]

    latest = env.sim.world.clusters["alpha"].s["latest"]
    for path in ("/platform/%d/protocols/smb/shares?zone=finance&bogus=1" % latest,
                 "/platform/%d/zones?limit=5" % latest,
                 "/platform/%d/sync/policies/home_policy?zone=System" % latest):
        status, _, body = _raw(env, "GET", path)
        arg = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)
        assert status == 400, path
        assert body["errors"][0]["code"] == "AEC_BAD_REQUEST" and body["errors"][0]["field"] in arg
    status, _, body = _raw(env, "GET", "/platform/%d/protocols/smb/shares?zone=finance&dir=UP" % latest)
    assert status == 400 and body["errors"][0]["field"] == "dir"
    status, _, body = _raw(env, "GET", "/platform/%d/protocols/smb/shares?zone=finance&sort=nonesuch" % latest)
    assert status == 400 and body["errors"][0]["field"] == "sort"

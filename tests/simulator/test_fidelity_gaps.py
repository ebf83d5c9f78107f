"""Gaps reported by the module authors: quota personas and percent thresholds, SmartConnect name
uniqueness on pool PUT, duplicate SPNs, SyncIQ namespace replication, ?describe, and the fields
each handler version shows."""
import time

from sim_helpers import Papi

QUOTAS = "/platform/15/quota/quotas"
POOLS = "/platform/16/network/groupnets/groupnet0/subnets/subnet0/pools"
ADS = "/platform/14/auth/providers/ads/AD.EXAMPLE.COM"
GiB = 2 ** 30
AD_ADMIN = {"user": "administrator", "password": "AdPass1!"}


def _error(body):
    return body["errors"][0]


# ---- (a) quota personas ------------------------------------------------------------------------
def test_quota_persona_resolved_from_name_or_id(alpha):
    st, body = alpha.post(QUOTAS, {"type": "user", "path": "/ifs/eng", "include_snapshots": False,
                                   "persona": {"name": "AD\\bob", "type": "user"}, "thresholds": {"hard": GiB}})
    assert st == 201
    qid = body["id"]
    persona = alpha.get(QUOTAS + "/" + qid)[1]["quotas"][0]["persona"]
    assert persona == {"id": "SID:S-1-5-21-1004-1102", "name": "AD\\bob", "type": "user"}
    # The same persona given by SID is the same quota: duplicate.
    st, body = alpha.post(QUOTAS, {"type": "user", "path": "/ifs/eng", "include_snapshots": False,
                                   "persona": {"id": "SID:S-1-5-21-1004-1102"}})
    assert st == 409 and _error(body)["code"] == "AEC_CONFLICT"
    # A group by bare name (without the domain) resolves too.
    st, body = alpha.post(QUOTAS, {"type": "group", "path": "/ifs/eng", "include_snapshots": False,
                                   "persona": {"name": "eng-users", "type": "group"}})
    assert st == 201
    group = alpha.get(QUOTAS + "/" + body["id"])[1]["quotas"][0]["persona"]
    assert group == {"id": "SID:S-1-5-21-1004-2002", "name": "AD\\eng-users", "type": "group"}
    # List filter by persona (name or id).
    st, body = alpha.get(QUOTAS + "?persona=AD%5Cbob")
    assert [q["id"] for q in body["quotas"]] == [qid]
    st, body = alpha.get(QUOTAS + "?persona=SID:S-1-5-21-1004-1102&path=/ifs/eng")
    assert [q["id"] for q in body["quotas"]] == [qid]


def test_quota_persona_errors(alpha):
    st, body = alpha.post(QUOTAS, {"type": "user", "path": "/ifs/eng", "include_snapshots": False,
                                   "persona": {"name": "AD\\nobody-here", "type": "user"}})
    assert st == 400 and _error(body)["field"] == "persona" and "nobody-here" in _error(body)["message"]
    st, body = alpha.post(QUOTAS, {"type": "directory", "path": "/ifs/eng", "include_snapshots": False,
                                   "persona": {"name": "AD\\bob", "type": "user"}})
    assert st == 400 and _error(body)["field"] == "persona"
    st, body = alpha.post(QUOTAS, {"type": "user", "path": "/ifs/eng", "include_snapshots": False})
    assert st == 400 and _error(body)["code"] == "AEC_ARG_REQUIRED"


# ---- (b) percent thresholds ----------------------------------------------------------------------
def test_quota_percent_thresholds_derive_absolute_values(alpha):
    assert alpha.request("PUT", "/namespace/ifs/eng/pct", headers={"x-isi-ifs-target-type": "container"})[0] == 200
    st, body = alpha.post(QUOTAS, {"type": "directory", "path": "/ifs/eng/pct", "include_snapshots": False,
                                   "thresholds": {"hard": 10 * GiB, "percent_soft": 80, "soft_grace": 3600,
                                                  "percent_advisory": 50.5}})
    assert st == 201
    url = QUOTAS + "/" + body["id"]
    th = alpha.get(url)[1]["quotas"][0]["thresholds"]
    assert (th["hard"], th["soft"], th["advisory"]) == (10 * GiB, 8 * GiB, int(10 * GiB * 0.505))
    assert (th["percent_soft"], th["percent_advisory"]) == (80.0, 50.5)
    # Raising hard re-derives both.
    assert alpha.put(url, {"thresholds": {"hard": 20 * GiB}}) == (204, None)
    th = alpha.get(url)[1]["quotas"][0]["thresholds"]
    assert (th["soft"], th["advisory"]) == (16 * GiB, int(20 * GiB * 0.505))
    # An absolute soft replaces the percentage; the advisory percentage stays.
    assert alpha.put(url, {"thresholds": {"soft": 5 * GiB}}) == (204, None)
    th = alpha.get(url)[1]["quotas"][0]["thresholds"]
    assert (th["soft"], th["percent_soft"], th["percent_advisory"]) == (5 * GiB, None, 50.5)
    assert alpha.put(url, {"thresholds": {"hard": 30 * GiB}}) == (204, None)
    th = alpha.get(url)[1]["quotas"][0]["thresholds"]
    assert (th["soft"], th["advisory"]) == (5 * GiB, int(30 * GiB * 0.505))
    # And a percentage replaces an absolute value again.
    assert alpha.put(url, {"thresholds": {"percent_soft": 10}}) == (204, None)
    assert alpha.get(url)[1]["quotas"][0]["thresholds"]["soft"] == 3 * GiB


def test_quota_percent_threshold_errors(alpha):
    base = {"type": "directory", "include_snapshots": False}
    st, body = alpha.post(QUOTAS, dict(base, path="/ifs/eng/p1", thresholds={"percent_soft": 80}))
    assert st == 400 and _error(body)["field"] == "percent_soft" and "hard" in _error(body)["message"]
    st, body = alpha.post(QUOTAS, dict(base, path="/ifs/eng/p2", thresholds={"hard": GiB, "soft": 1,
                                                                            "percent_soft": 80}))
    assert st == 400 and _error(body)["field"] == "percent_soft"
    st, body = alpha.post(QUOTAS, dict(base, path="/ifs/eng/p3", thresholds={"hard": GiB, "percent_advisory": 100}))
    assert st == 400 and _error(body)["field"] == "percent_advisory"
    assert alpha.request("PUT", "/namespace/ifs/eng/p4", headers={"x-isi-ifs-target-type": "container"})[0] == 200
    st, body = alpha.post(QUOTAS, dict(base, path="/ifs/eng/p4", thresholds={"hard": GiB, "percent_soft": 50}))
    assert st == 201
    st, body = alpha.put(QUOTAS + "/" + body["id"], {"thresholds": {"hard": None}})
    assert st == 400 and _error(body)["field"] == "percent_soft"
    st, body = alpha.post(QUOTAS, dict(base, path="/ifs/eng/p5", thresholds={"hard": -1}))
    assert st == 400 and _error(body)["field"] == "hard"


# ---- (c) SmartConnect names unique per cluster ---------------------------------------------------
def test_pool_put_refuses_names_of_another_pool(alpha, beta, control):
    st, body = alpha.put(POOLS + "/pool-eng", {"sc_dns_zone_aliases": ["build.example.com", "FIN.example.com"]})
    assert st == 409 and _error(body)["code"] == "AEC_CONFLICT"
    assert "FIN.example.com" in _error(body)["message"] and "groupnet0.subnet0.pool-finance" in _error(body)["message"]
    assert _error(body)["field"] == "sc_dns_zone_aliases"
    st, body = alpha.put(POOLS + "/pool-eng", {"sc_dns_zone": "alpha.example.com"})
    assert st == 409 and _error(body)["field"] == "sc_dns_zone" and "pool0" in _error(body)["message"]
    # Nothing was written by the refused requests.
    pools = {p["name"]: p for p in control.call("GET", "/sim/v1/clusters/alpha/state")[1]["pools"]}
    assert pools["pool-eng"]["sc_dns_zone"] == "eng.example.com"
    assert pools["pool-eng"]["sc_dns_zone_aliases"] == ["build.example.com", "src.example.com"]
    # Its own names are fine, and so is a name held by a pool of another cluster.
    assert alpha.put(POOLS + "/pool-eng", {"sc_dns_zone": "eng.example.com",
                                           "sc_dns_zone_aliases": ["build.example.com"]}) == (204, None)
    assert alpha.put(POOLS + "/pool-eng", {"sc_dns_zone_aliases": ["build.example.com", "eng-dr.example.com"]}) == (
        204, None)
    # Once released by its pool, a name can move.
    assert alpha.put(POOLS + "/pool-finance", {"sc_dns_zone_aliases": []}) == (204, None)
    assert alpha.put(POOLS + "/pool-eng", {"sc_dns_zone_aliases": ["fin.example.com"]}) == (204, None)


# ---- (d) duplicate SPNs ----------------------------------------------------------------------------
def test_check_duplicates_reports_spns_on_other_machine_accounts(alpha, beta, control):
    assert "dup_spns" not in alpha.get(ADS)[1]["ads"][0]
    assert alpha.get(ADS + "?check_duplicates=true")[1]["ads"][0]["dup_spns"] == []
    # An out-of-band change (setspn) registers two of ALPHA$'s SPNs on BETA$ as well.
    st, acct = control.call("GET", "/sim/v1/forest/machine_accounts/BETA%24")
    assert st == 200
    spns = acct["spns"] + ["HOST/fin.example.com", "host/ENG"]
    assert control.call("PUT", "/sim/v1/forest/machine_accounts/BETA$", {"spns": spns})[0] == 200
    dups = alpha.get(ADS + "?check_duplicates=true")[1]["ads"][0]["dup_spns"]
    assert dups == ["HOST/fin.example.com", "HOST/eng"]
    assert beta.get(ADS + "?check_duplicates=true")[1]["ads"][0]["dup_spns"] == ["HOST/fin.example.com", "host/ENG"]
    assert "dup_spns" not in beta.get(ADS + "?check_duplicates=false")[1]["ads"][0]
    # Removing them from one account clears the report on both sides.
    mine = [s for s in alpha.get(ADS)[1]["ads"][0]["spns"] if s not in ("HOST/fin.example.com", "HOST/eng")]
    assert alpha.put(ADS, dict(AD_ADMIN, spns=mine)) == (204, None)
    assert alpha.get(ADS + "?check_duplicates=true")[1]["ads"][0]["dup_spns"] == []
    assert beta.get(ADS + "?check_duplicates=true")[1]["ads"][0]["dup_spns"] == []


# ---- (e) SyncIQ replicates namespace files ------------------------------------------------------------
def _put_file(c, path, data):
    return c.request("PUT", "/namespace" + path, data.encode(), headers={"x-isi-ifs-target-type": "object"})[0]


def _mkdir(c, path):
    return c.request("PUT", "/namespace" + path, headers={"x-isi-ifs-target-type": "container"})[0]


def _run(c, policy):
    assert c.post("/platform/20/sync/jobs", {"id": policy})[0] == 201
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not any(j["policy_name"] == policy for j in c.get("/platform/20/sync/jobs")[1]["jobs"]):
            return c.get("/platform/20/sync/reports?policy_name=%s&reports_per_policy=1" % policy)[1]["reports"][0]
        time.sleep(0.02)
    raise AssertionError("job did not end")


def test_sync_replicates_namespace_files(alpha, beta):
    assert _mkdir(alpha, "/ifs/eng/src/lib") == 200
    assert _put_file(alpha, "/ifs/eng/src/lib/a.c", "int a;") == 200
    assert _put_file(alpha, "/ifs/eng/src/README", "hello") == 200
    report = _run(alpha, "eng_src_policy")
    assert report["state"] == "finished" and report["files_transferred"] >= 4
    st, raw, _ = beta.request("GET", "/namespace/ifs/eng/src/lib/a.c", raw=True)
    assert st == 200 and raw == b"int a;"
    names = [c["name"] for c in beta.get("/namespace/ifs/eng/src")[1]["children"]]
    assert {"README", "lib"} <= set(names)
    # A sync policy removes on the target what the source no longer has.
    assert alpha.request("DELETE", "/namespace/ifs/eng/src/README")[0] == 204
    assert _put_file(alpha, "/ifs/eng/src/lib/a.c", "int b;") == 200
    _run(alpha, "eng_src_policy")
    assert beta.request("GET", "/namespace/ifs/eng/src/README")[0] == 404
    assert beta.request("GET", "/namespace/ifs/eng/src/lib/a.c", raw=True)[1] == b"int b;"


def test_copy_policy_keeps_target_files_and_exclusions_apply(alpha, beta):
    # eng_builds_policy is a copy policy: deletions on the source are not propagated.
    assert _put_file(alpha, "/ifs/eng/builds/keep.txt", "1") == 200
    _run(alpha, "eng_builds_policy")
    assert alpha.request("DELETE", "/namespace/ifs/eng/builds/keep.txt")[0] == 204
    _run(alpha, "eng_builds_policy")
    assert beta.request("GET", "/namespace/ifs/eng/builds/keep.txt", raw=True)[1] == b"1"
    # source_exclude_directories are not replicated.
    assert alpha.put("/platform/18/sync/policies/eng_builds_policy",
                     {"source_exclude_directories": ["/ifs/eng/builds/tmp"]}) == (204, None)
    assert _mkdir(alpha, "/ifs/eng/builds/tmp") == 200
    assert _put_file(alpha, "/ifs/eng/builds/tmp/scratch", "x") == 200
    assert _put_file(alpha, "/ifs/eng/builds/out.bin", "y") == 200
    _run(alpha, "eng_builds_policy")
    assert beta.request("GET", "/namespace/ifs/eng/builds/out.bin", raw=True)[:2] == (200, b"y")
    assert beta.request("GET", "/namespace/ifs/eng/builds/tmp/scratch")[0] == 404


# ---- (f) ?describe -------------------------------------------------------------------------------------
def test_describe_json_for_shares_and_policies(alpha):
    st, doc = alpha.get("/platform/12/protocols/smb/shares/home?describe&json")
    assert st == 200
    props = doc["PUT_input_schema"]["properties"]
    assert {"permissions", "oplocks", "continuously_available", "name", "path", "host_acl"} <= set(props)
    assert props["oplocks"]["type"] == "boolean" and props["ca_timeout"]["type"] == "integer"
    assert props["change_notify"]["enum"] == ["all", "norecurse", "none"]
    assert props["permissions"]["items"]["properties"]["permission"]["enum"] == ["full", "change", "read"]
    assert "zid" not in props and "id" not in props  # read-only fields are not input
    st, doc = alpha.get("/platform/12/protocols/smb/shares?describe&json")
    assert doc["POST_input_schema"]["required"] == ["name", "path"] and "create_path" in doc[
        "POST_input_schema"]["properties"]
    st, doc = alpha.get("/platform/18/sync/policies/home_policy?describe&json")
    props = doc["PUT_input_schema"]["properties"]
    assert props["action"]["enum"] == ["copy", "sync"] and "source_root_path" in props
    assert "last_job_state" not in props and "password" in props
    st, doc = alpha.get("/platform/18/sync/policies?describe&json")
    assert "target_host" in doc["POST_input_schema"]["required"]
    st, raw, resp = alpha.request("GET", "/platform/12/protocols/smb/shares?describe", raw=True)
    assert st == 200 and resp.getheader("Content-Type") == "text/plain" and b"POST_input_schema" in raw
    st, body = alpha.get("/platform/3/zones?describe&json")
    assert st == 400 and "describe" in _error(body)["message"]


# ---- fields per handler version -------------------------------------------------------------------
def test_fields_follow_the_handler_version(alpha):
    old = alpha.get(POOLS + "/pool-eng")[1]["pools"][0]
    new = alpha.get(POOLS.replace("/16/", "/21/") + "/pool-eng")[1]["pools"][0]
    assert "nfsv3_rroce_only" in old and "sc_auto_unsuspend_delay" in old and "linklayer" not in old
    assert "nfsv3_rroce_only" not in new and "sc_auto_unsuspend_delay" not in new
    assert new["nfs_rroce_only"] is False and new["linklayer"] == "ethernet" and new["external_manager"] == ""
    assert old["firewall_policy"] == new["firewall_policy"] == "default_pools_policy"
    # A renamed field written at a new version is read back at an old one.
    assert alpha.put(POOLS.replace("/16/", "/21/") + "/pool-eng", {"nfs_rroce_only": True}) == (204, None)
    assert alpha.get(POOLS + "/pool-eng")[1]["pools"][0]["nfsv3_rroce_only"] is True
    sub = alpha.get("/platform/21/network/groupnets/groupnet0/subnets/subnet0")[1]["subnets"][0]
    assert sub["firewall_policy"] == "default_subnets_policy" and sub["linklayer"] == "ethernet"
    nfs14 = alpha.get("/platform/14/protocols/nfs/settings/global")[1]["settings"]
    nfs19 = alpha.get("/platform/19/protocols/nfs/settings/global")[1]["settings"]
    assert "nfsv3_rdma_enabled" in nfs14 and "nfs_rdma_enabled" not in nfs14
    assert "nfs_rdma_enabled" in nfs19 and "nfsv3_rdma_enabled" not in nfs19
    cfg3 = alpha.get("/platform/3/cluster/config")[1]
    cfg17 = alpha.get("/platform/17/cluster/config")[1]
    assert "is_powerscale_ve" not in cfg3 and cfg17["is_powerscale_ve"] is False


def test_zones_by_id_and_list_shape(alpha):
    st, body = alpha.get("/platform/3/zones")
    assert "total" not in body and all("force_overlap" not in z for z in body["zones"])
    eng = {z["name"]: z for z in body["zones"]}["eng"]
    assert alpha.get("/platform/3/zones/%d" % eng["zone_id"])[1]["zones"][0]["name"] == "eng"
    assert alpha.put("/platform/3/zones/%d" % eng["zone_id"], {"netbios_name": "ENG2"}) == (204, None)
    assert alpha.get("/platform/3/zones/eng")[1]["zones"][0]["netbios_name"] == "ENG2"
    assert alpha.get("/platform/3/zones/999")[0] == 404


def test_smb_sessions_grouped_per_node(alpha, demo):
    st, body = alpha.get("/platform/11/protocols/smb/sessions")
    assert st == 200 and set(body) == {"nodes", "resume", "total"}
    sessions = [s for n in body["nodes"] for s in n["sessions"]]
    assert body["total"] == len(sessions) > 0 and all(n["lnn"] == n["id"] for n in body["nodes"])
    first = sessions[0]
    assert alpha.delete("/platform/11/protocols/smb/sessions/%d" % first["id"]) == (204, None)
    left = [s["id"] for n in alpha.get("/platform/11/protocols/smb/sessions")[1]["nodes"] for s in n["sessions"]]
    assert first["id"] not in left and len(left) == len(sessions) - 1


def test_readonly_user_may_describe(demo):
    """?describe is a read: the read-only user may call it."""
    ep = demo.clusters["alpha"]
    ro = Papi(ep, ep.readonly_username, ep.readonly_password)
    try:
        assert ro.get("/platform/12/protocols/smb/shares?describe&json")[0] == 200
    finally:
        ro.close()

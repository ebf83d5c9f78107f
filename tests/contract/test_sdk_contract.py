"""Contract tests: the simulator driven by Dell's published OneFS SDK (``isilon-sdk`` 0.7.0).

Each test runs twice: with ``isilon_sdk.v9_5_0`` against a simulator whose clusters run OneFS
9.5, and with ``isilon_sdk.v9_10_0`` against OneFS 9.10 clusters (the demo scenario with the
release overridden). The SDK logs in by itself (session cookie + CSRF), calls the endpoint paths
and versions of its release, and deserializes every answer into its generated models, whose
setters reject missing required fields, out-of-range values and unknown enum values: a model
error fails the test. Beyond that, every answer is checked for fields the SDK's model of that
release does not know (a field the simulator invented or put in the wrong release), and the
tests assert the values they get back, not just the absence of an exception.

One real OneFS quirk is reproduced on purpose and asserted here: while a resync_prep /
allow_write / allow_write_revert job exists, ``GET sync/policies`` reports that action in the
policy's ``action`` field, and the SDK's ``SyncPolicyExtended`` model raises ``ValueError``
(see simulator/README.md, "Real OneFS quirk").
"""

import importlib
import json
import time

import pytest
from support import Control

from onefs_sim import Simulator
from onefs_sim.scenario import load_scenario

# SDK module -> OneFS release of the simulated clusters it is tested against.
RELEASES = {"v9_5_0": "9.5", "v9_10_0": "9.10"}
# The other SDK releases get a read-only sweep (every list/get used above) against their release.
OTHER_RELEASES = {"v9_6_0": "9.6", "v9_7_0": "9.7", "v9_8_0": "9.8", "v9_9_0": "9.9", "v9_11_0": "9.11",
                  "v9_12_0": "9.12"}
AD_ADMIN = {"user": "administrator", "password": "AdPass1!"}
EVERYONE = "SID:S-1-1-0"
ALICE = "SID:S-1-5-21-1004-1101"
FINANCE_USERS = "SID:S-1-5-21-1004-2001"


def _unknown_fields(mod, klass, data, where, out):
    """Collect response keys that the SDK model (recursively) does not declare."""
    if data is None:
        return
    if isinstance(klass, str):
        if klass.startswith("list["):
            for item in data:
                _unknown_fields(mod, klass[5:-1], item, where + "[]", out)
            return
        if klass.startswith("dict(") or klass in ("str", "int", "float", "bool", "object", "date", "datetime"):
            return
        klass = getattr(mod.models, klass)
    if not isinstance(data, dict):
        return
    by_json = {v: k for k, v in klass.attribute_map.items()}
    for key, value in data.items():
        if key not in by_json:
            out.append("%s.%s (model %s)" % (where, key, klass.__name__))
        else:
            _unknown_fields(mod, klass.swagger_types[by_json[key]], value, where + "." + key, out)


class Env:
    """One simulator (two clusters of one release) and SDK clients for it."""

    def __init__(self, sdk_name, release=None):
        self.name = sdk_name
        self.release = release or RELEASES[sdk_name]
        self.mod = importlib.import_module("isilon_sdk." + sdk_name)
        scenario = load_scenario("demo")
        for spec in scenario["clusters"].values():
            spec["release"] = self.release
        self.sim = Simulator.from_scenario(scenario, job_seconds=0.05).start()
        self.control = Control(self.sim.control_url)
        self.responses = []
        self.alpha = self.client("alpha")
        self.beta = self.client("beta")

    def client(self, cluster):
        """An SDK ApiClient configured the documented way; it records what it deserializes."""
        mod, responses = self.mod, self.responses
        ep = self.sim.clusters[cluster]

        class RecordingClient(mod.ApiClient):
            def deserialize(self, response, response_type):
                if response.data and response_type:  # the namespace API's directory create answers no JSON
                    responses.append((response_type, json.loads(response.data)))
                return super().deserialize(response, response_type)

        cfg = mod.Configuration()
        cfg.host = ep.url
        cfg.username = ep.username
        cfg.password = ep.password
        cfg.verify_ssl = True
        cfg.ssl_ca_cert = ep.ca
        return RecordingClient(cfg)

    def api(self, name, cluster="alpha"):
        return getattr(self.mod, name)(getattr(self, cluster))

    def unknown_fields(self):
        out = []
        for rtype, data in self.responses:
            _unknown_fields(self.mod, rtype, data, rtype, out)
        return sorted(set(out))

    def state(self, cluster="alpha"):
        return self.control.state(cluster)

    def mkdir(self, path, cluster="alpha"):
        """Create a directory (and its parents) through the SDK's namespace API: OneFS refuses
        exports, quotas and sync runs on paths that do not exist."""
        self.mod.NamespaceApi(getattr(self, cluster)).create_directory(
            path.lstrip("/"), x_isi_ifs_target_type="container", recursive=True)

    def wait(self, predicate, timeout=10.0, what="condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError("timed out waiting for %s" % what)

    def close(self):
        self.sim.stop()


@pytest.fixture(scope="module", params=sorted(RELEASES), ids=lambda n: "%s-onefs%s" % (n, RELEASES[n]))
def env(request):
    e = Env(request.param)
    try:
        yield e
    finally:
        e.close()


@pytest.fixture(autouse=True)
def _no_unknown_fields(request):
    """After each test: every answer the SDK deserialized used only fields its models know."""
    if "env" not in request.fixturenames:
        yield
        return
    e = request.getfixturevalue("env")
    e.responses.clear()
    yield
    unknown = e.unknown_fields()
    assert not unknown, "fields the SDK models do not know:\n" + "\n".join(unknown)


def api_error(env, excinfo):
    """(status, first error dict) of an SDK ApiException."""
    exc = excinfo.value
    assert isinstance(exc, env.mod.rest.ApiException)
    return exc.status, json.loads(exc.body)["errors"][0]


# ---- session and cluster ---------------------------------------------------------------------
def test_session_login_through_sdk_flow(env):
    before = env.control.counters("alpha")["by_endpoint"].get("POST /session/1/session", 0)
    client = env.client("alpha")
    cluster_api = env.mod.ClusterApi(client)
    config = cluster_api.get_cluster_config()
    assert config.name == "alpha"
    counters = env.control.counters("alpha")["by_endpoint"]
    assert counters["POST /session/1/session"] == before + 1
    # The SDK kept the session cookie and the CSRF token from the two Set-Cookie headers.
    assert client.cookie.startswith("isisessid=") and ";" not in client.cookie
    assert client.x_csrf_token
    # A write carries the cookie and X-CSRF-Token (the simulator checks both) and succeeds.
    ident = env.mod.ClusterIdentityExtended(description="contract %s" % env.name,
                                            logon=env.mod.ClusterIdentityLogonExtended(motd="hello"))
    assert cluster_api.update_cluster_identity(ident) is None
    got = cluster_api.get_cluster_identity()
    assert got.name == "alpha" and got.description == "contract %s" % env.name and got.logon.motd == "hello"
    # Still one login: the SDK reuses its session while it is active.
    assert env.control.counters("alpha")["by_endpoint"]["POST /session/1/session"] == before + 1
    client.logout()
    assert client.cookie is None and client.x_csrf_token is None
    assert env.control.counters("alpha")["by_endpoint"]["DELETE /session/1/session"] >= 1
    # The next call logs in again by itself.
    assert cluster_api.get_cluster_config().guid == config.guid
    assert env.control.counters("alpha")["by_endpoint"]["POST /session/1/session"] == before + 2


def test_cluster_config_and_identity(env):
    config = env.api("ClusterApi").get_cluster_config()
    assert config.guid == env.state()["guid"] and config.name == "alpha"
    assert config.onefs_version.release == env.release + ".0.0"
    assert config.onefs_version.type == "Isilon OneFS"
    assert [d.lnn for d in config.devices] == [1, 2, 3] and all(d.is_up for d in config.devices)
    assert config.has_quorum is True and config.local_lnn == 1
    beta = env.api("ClusterApi", "beta").get_cluster_config()
    assert beta.name == "beta" and beta.guid != config.guid
    assert env.api("ClusterApi").get_cluster_identity().name == "alpha"


# ---- zones ---------------------------------------------------------------------------------
def test_zones_crud(env):
    zones_api = env.api("ZonesApi")
    zones = zones_api.list_zones().zones
    by_name = {z.name: z for z in zones}
    assert {"System", "finance", "eng"} <= set(by_name)
    assert by_name["System"].zone_id == 1 and by_name["System"].path == "/ifs" and by_name["System"].system
    assert by_name["finance"].path == "/ifs/finance"
    assert any(p.startswith("lsa-activedirectory-provider:") for p in by_name["finance"].auth_providers)
    one = zones_api.get_zone("finance").zones[0]
    assert one.zone_id == by_name["finance"].zone_id and one.id == "finance"
    # The SDK types the path parameter as the integer zone id: both spellings work.
    assert zones_api.get_zone(by_name["eng"].zone_id).zones[0].name == "eng"

    made = zones_api.create_zone(env.mod.ZoneCreateParams(name="contract", path="/ifs/contract", create_path=True))
    assert made.id == "contract"
    zones_api.update_zone(env.mod.Zone(netbios_name="CONTRACT", home_directory_umask=18), "contract")
    got = zones_api.get_zone("contract").zones[0]
    assert (got.netbios_name, got.home_directory_umask, got.path) == ("CONTRACT", 18, "/ifs/contract")
    assert got.zone_id > by_name["eng"].zone_id and got.system is False
    with pytest.raises(env.mod.rest.ApiException) as err:
        zones_api.create_zone(env.mod.ZoneCreateParams(name="contract", path="/ifs/contract"))
    assert api_error(env, err)[0] == 409 and api_error(env, err)[1]["code"] == "AEC_CONFLICT"
    zones_api.delete_zone("contract")
    with pytest.raises(env.mod.rest.ApiException) as err:
        zones_api.get_zone("contract")
    assert api_error(env, err)[0] == 404 and api_error(env, err)[1]["code"] == "AEC_NOT_FOUND"
    assert "contract" not in [z["name"] for z in env.state()["zones"]]


# ---- SMB -----------------------------------------------------------------------------------
def test_smb_shares_list_paging(env):
    proto = env.api("ProtocolsApi")
    full = proto.list_smb_shares(zone="finance")
    names = [s.name for s in full.shares]
    assert full.total == len(names) == len(env.state()["shares"]["finance"])
    assert names == sorted(names) and full.resume is None and full.digest
    page = proto.list_smb_shares(zone="finance", limit=3)
    seen = [s.name for s in page.shares]
    while page.resume:
        page = proto.list_smb_shares(resume=page.resume)
        seen += [s.name for s in page.shares]
    assert seen == names
    audit = {s.name: s for s in full.shares}["audit"]
    deny = [p for p in audit.permissions if p.permission_type == "deny"]
    assert deny and deny[0].trustee.id == EVERYONE and deny[0].trustee.type == "wellknown"
    assert all(s.zid == audit.zid for s in full.shares)


def test_smb_share_create_modify_permissions_delete(env):
    m = env.mod
    proto = env.api("ProtocolsApi")
    trustee = m.AuthAccessAccessItemFileGroup
    create = m.SmbShareCreateParams(
        name="contract_share", path="/ifs/finance/contract", create_path=True, description="made by the SDK",
        continuously_available=True, oplocks=False, host_acl=["allow:10.0.0.0/8"],
        permissions=[m.SmbSharePermission(permission="full", permission_type="allow", trustee=trustee(id=ALICE)),
                     m.SmbSharePermission(permission="read", permission_type="allow",
                                          trustee=trustee(name="Everyone", type="wellknown"))])
    assert proto.create_smb_share(create, zone="finance").id == "contract_share"
    share = proto.get_smb_share("contract_share", zone="finance").shares[0]
    assert (share.path, share.description, share.continuously_available, share.oplocks) == (
        "/ifs/finance/contract", "made by the SDK", True, False)
    assert share.host_acl == ["allow:10.0.0.0/8"]
    assert [(p.permission, p.trustee.id, p.trustee.name, p.trustee.type) for p in share.permissions] == [
        ("full", ALICE, "AD\\alice", "user"), ("read", EVERYONE, "Everyone", "wellknown")]

    # Modify: the permissions array is replaced whole; other fields keep their values.
    deny = m.SmbSharePermission(permission="full", permission_type="deny", trustee=trustee(id=EVERYONE))
    group = m.SmbSharePermission(permission="change", permission_type="allow",
                                 trustee=trustee(name="AD\\finance-users", type="group"))
    proto.update_smb_share(m.SmbShare(permissions=[deny, group], access_based_enumeration=True),
                           "contract_share", zone="finance")
    share = proto.get_smb_share("contract_share", zone="finance").shares[0]
    assert [(p.permission_type, p.trustee.id) for p in share.permissions] == [("deny", EVERYONE),
                                                                               ("allow", FINANCE_USERS)]
    assert share.access_based_enumeration is True and share.description == "made by the SDK"
    stored = {x["name"]: x for x in env.state()["shares"]["finance"]}["contract_share"]
    assert stored["permissions"][1]["trustee"] == {"id": FINANCE_USERS, "name": "AD\\finance-users",
                                                   "type": "group"}

    # Rename through PUT name, then delete.
    proto.update_smb_share(m.SmbShare(name="contract_renamed"), "contract_share", zone="finance")
    assert proto.get_smb_share("contract_renamed", zone="finance").shares[0].id == "contract_renamed"
    with pytest.raises(m.rest.ApiException) as err:
        proto.get_smb_share("contract_share", zone="finance")
    assert api_error(env, err)[0] == 404
    with pytest.raises(m.rest.ApiException) as err:
        proto.create_smb_share(m.SmbShareCreateParams(name="contract_renamed", path="/ifs/finance/x"),
                               zone="finance")
    assert api_error(env, err)[1]["code"] == "AEC_CONFLICT"
    proto.delete_smb_share("contract_renamed", zone="finance")
    assert "contract_renamed" not in [x["name"] for x in env.state()["shares"]["finance"]]
    assert "contract_renamed" not in [s.name for s in proto.list_smb_shares(zone="finance").shares]


def test_smb_share_model_validation_on_bad_input(env):
    """The server's 400 for a field outside the zone arrives as an ApiException naming the field."""
    m = env.mod
    with pytest.raises(m.rest.ApiException) as err:
        env.api("ProtocolsApi").create_smb_share(m.SmbShareCreateParams(name="outside", path="/ifs/eng/x"),
                                                 zone="finance")
    status, error = api_error(env, err)
    assert status == 400 and error["field"] == "path"


def test_smb_settings_global(env):
    m = env.mod
    proto = env.api("ProtocolsApi")
    settings = proto.get_smb_settings_global().settings
    assert settings.service is True
    proto.update_smb_settings_global(m.SmbSettingsGlobalExtended(service=False))
    assert proto.get_smb_settings_global().settings.service is False
    assert env.state()["smb_settings"]["service"] is False
    proto.update_smb_settings_global(m.SmbSettingsGlobalExtended(service=True))
    assert proto.get_smb_settings_global().settings.service is True


# ---- NFS -----------------------------------------------------------------------------------
def test_nfs_exports_crud(env):
    m = env.mod
    proto = env.api("ProtocolsApi")
    exports = proto.list_nfs_exports(zone="eng").exports
    state = env.state()
    assert sorted(e.id for e in exports) == sorted(e["id"] for e in state["exports"] if e["zone"] == "eng")
    env.mkdir("/ifs/eng/contract")
    made = proto.create_nfs_export(m.NfsExportCreateParams(paths=["/ifs/eng/contract"], clients=["10.1.1.1"],
                                                           root_clients=["10.1.1.2"], description="sdk",
                                                           read_only=True), zone="eng")
    eid = int(made.id)
    got = proto.get_nfs_export(eid, zone="eng").exports[0]
    assert (got.paths, got.clients, got.root_clients, got.read_only, got.zone) == (
        ["/ifs/eng/contract"], ["10.1.1.1"], ["10.1.1.2"], True, "eng")
    assert got.map_root.enabled is True and got.map_root.user.id == "USER:nobody"
    with pytest.raises(m.rest.ApiException) as err:
        proto.create_nfs_export(m.NfsExportCreateParams(paths=["/ifs/eng/contract"], clients=["10.1.1.1"]),
                                zone="eng")
    assert api_error(env, err)[0] == 409
    proto.update_nfs_export(m.NfsExport(read_only=False, clients=["10.1.1.1", "10.1.1.3"]), eid, zone="eng")
    got = proto.get_nfs_export(eid, zone="eng").exports[0]
    assert got.read_only is False and got.clients == ["10.1.1.1", "10.1.1.3"]
    assert [e.id for e in proto.list_nfs_exports(zone="eng", path="/ifs/eng/contract").exports] == [eid]
    proto.delete_nfs_export(eid, zone="eng")
    assert eid not in [e["id"] for e in env.state()["exports"]]
    with pytest.raises(m.rest.ApiException) as err:
        proto.get_nfs_export(eid, zone="eng")
    assert api_error(env, err)[0] == 404


def test_nfs_aliases_crud(env):
    m = env.mod
    proto = env.api("ProtocolsApi")
    before = proto.list_nfs_aliases(zone="eng").aliases
    assert [a.name for a in before] == sorted(a["name"] for a in env.state()["aliases"]["eng"])
    made = proto.create_nfs_alias(m.NfsAliasCreateParams(name="/contract", path="/ifs/eng/contract"), zone="eng")
    assert made.id == "/contract"
    got = proto.get_nfs_alias("/contract", zone="eng").aliases[0]
    assert (got.name, got.path, got.zone, got.health) == ("/contract", "/ifs/eng/contract", "eng", "healthy")
    proto.update_nfs_alias(m.NfsAlias(path="/ifs/eng/contract2"), "/contract", zone="eng")
    assert proto.get_nfs_alias("/contract", zone="eng").aliases[0].path == "/ifs/eng/contract2"
    assert "/contract" in [a.name for a in proto.list_nfs_aliases(zone="eng").aliases]
    proto.delete_nfs_alias("/contract", zone="eng")
    assert "/contract" not in [a["name"] for a in env.state()["aliases"]["eng"]]


# ---- SyncIQ --------------------------------------------------------------------------------
def test_sync_policies_crud_and_reset(env):
    m = env.mod
    sync = env.api("SyncApi")
    listed = sync.list_sync_policies().policies
    state = env.state()["policies"]
    assert sorted(p.name for p in listed) == sorted(p["name"] for p in state)
    home = {p.name: p for p in listed}["home_policy"]
    assert home.action in ("copy", "sync") and home.source_root_path == "/ifs/home"
    assert home.last_job_state == "finished" and home.enabled is True and len(home.id) == 32
    assert sync.get_sync_policy(home.id).policies[0].name == "home_policy"

    made = sync.create_sync_policy(m.SyncPolicyCreateParams(
        name="contract_pol", action="copy", source_root_path="/ifs/contract_pol", target_host="beta",
        target_path="/ifs/contract_pol", enabled=True, schedule="", description="sdk",
        source_exclude_directories=["/ifs/contract_pol/tmp"]))
    pid = made.id
    got = sync.get_sync_policy("contract_pol").policies[0]
    assert got.id == pid and got.action == "copy" and got.source_exclude_directories == ["/ifs/contract_pol/tmp"]
    assert got.last_job_state is None and got.has_sync_state is False
    sync.update_sync_policy(m.SyncPolicy(description="changed", schedule="every 1 days at 11:00 PM",
                                         action="sync"), "contract_pol")
    got = sync.get_sync_policy(pid).policies[0]
    assert (got.description, got.schedule, got.action) == ("changed", "every 1 days at 11:00 PM", "sync")
    with pytest.raises(m.rest.ApiException) as err:
        sync.create_sync_policy(m.SyncPolicyCreateParams(name="contract_pol", action="copy", source_root_path="/ifs/x",
                                                         target_host="beta", target_path="/ifs/x"))
    assert api_error(env, err)[0] == 409

    reset = env.api("SyncPoliciesApi").create_policy_reset_item(m.Empty(), "home_policy")
    assert reset.id == home.id
    assert sync.get_sync_policy("home_policy").policies[0].has_sync_state is False

    sync.delete_sync_policy("contract_pol")
    with pytest.raises(m.rest.ApiException) as err:
        sync.get_sync_policy("contract_pol")
    assert api_error(env, err)[0] == 404


def _run_and_wait(env, sync, name, cluster="alpha", action=None):
    body = env.mod.SyncJobCreateParams(id=name) if action is None else env.mod.SyncJobCreateParams(id=name,
                                                                                                  action=action)
    job_id = sync.create_sync_job(body).id

    def done():
        jobs = {j.policy_name for j in sync.list_sync_jobs().jobs}
        return name not in jobs
    env.wait(done, what="job %s %s to end" % (name, action or "run"))
    return job_id


def test_sync_jobs_failover_failback_and_quirk(env):
    m = env.mod
    name = "contract_fo"
    sync_a, sync_b = env.api("SyncApi"), env.api("SyncApi", "beta")
    sync_a.create_sync_policy(m.SyncPolicyCreateParams(
        name=name, action="sync", source_root_path="/ifs/%s" % name, target_host="beta",
        target_path="/ifs/%s" % name, enabled=True))
    env.mkdir("/ifs/%s" % name)
    env.control.write_data("alpha", "/ifs/%s" % name)
    env.control.settings("alpha", job_seconds=0.3)

    # Run: the job is visible (list and item) while it runs, then the policy reports finished.
    assert sync_a.create_sync_job(m.SyncJobCreateParams(id=name)).id == name
    job = sync_a.get_sync_job(name).jobs[0]
    assert (job.policy_name, job.action, job.state, job.sync_type) == (name, "run", "running", "initial")
    assert name in [j.policy_name for j in sync_a.list_sync_jobs().jobs]
    with pytest.raises(m.rest.ApiException) as err:
        sync_a.create_sync_job(m.SyncJobCreateParams(id=name))
    assert api_error(env, err)[0] == 409
    env.wait(lambda: sync_a.get_sync_policy(name).policies[0].last_job_state == "finished", what="sync")
    with pytest.raises(m.rest.ApiException) as err:
        sync_a.get_sync_job(name)
    assert api_error(env, err)[0] == 404

    reports = sync_a.get_sync_reports(policy_name=name).reports
    assert [r.state for r in reports] == ["finished"] and reports[0].policy_name == name
    assert sync_a.get_sync_report(reports[0].id).reports[0].job_id == reports[0].job_id
    treports = sync_b.get_target_reports(policy_name=name).reports
    assert treports and treports[0].state == "finished"
    assert sync_b.get_target_report(treports[0].id).reports[0].policy_name == name

    # Target policy on beta: read-only until allow_write.
    tpols = {p.name: p for p in sync_b.get_target_policies().policies}
    assert tpols[name].failover_failback_state == "writes_disabled" and tpols[name].source_host == "alpha"
    assert sync_b.get_target_policy(name).policies[0].target_path == "/ifs/%s" % name
    assert env.control.call("GET", "/sim/v1/data?cluster=beta&path=/ifs/%s" % name)["writable"] is False

    # Failover: allow_write on the target.
    _run_and_wait(env, sync_b, name, action="allow_write")
    assert sync_b.get_target_policy(name).policies[0].failover_failback_state == "writes_enabled"
    assert env.control.call("GET", "/sim/v1/data?cluster=beta&path=/ifs/%s" % name)["writable"] is True

    # resync_prep on the source. While its job exists, alpha reports action=resync_prep for the
    # policy: the real OneFS quirk. The SDK's SyncPolicyExtended model rejects it.
    env.control.settings("alpha", job_seconds=2.0)
    assert sync_a.create_sync_job(m.SyncJobCreateParams(id=name, action="resync_prep")).id == name
    with pytest.raises(ValueError, match="Invalid value for `action` \\(resync_prep\\)"):
        sync_a.list_sync_policies()
    with pytest.raises(ValueError, match="must be one of \\['copy', 'sync'\\]"):
        sync_a.get_sync_policy(name)
    raw = sync_a.get_sync_policy(name, _preload_content=False)
    assert json.loads(raw.data)["policies"][0]["action"] == "resync_prep"
    # The job itself parses: SyncJobExtended allows the recovery actions.
    assert sync_a.get_sync_job(name).jobs[0].action == "resync_prep"
    assert sync_b.get_target_policy(name).policies[0].failover_failback_state == "creating_resync_policy"
    env.control.settings("alpha", job_seconds=0.05)
    env.wait(lambda: name not in [j.policy_name for j in sync_a.list_sync_jobs().jobs], what="resync_prep")
    assert sync_a.get_sync_policy(name).policies[0].action == "sync"  # parses again once the job is gone
    assert sync_a.get_sync_policy(name).policies[0].enabled is False
    assert sync_b.get_target_policy(name).policies[0].failover_failback_state == "resync_policy_created"
    mirror = sync_b.get_sync_policy(name + "_mirror").policies[0]
    assert (mirror.enabled, mirror.source_root_path, mirror.target_host) == (True, "/ifs/%s" % name, "alpha")
    assert sync_a.get_target_policy(name + "_mirror").policies[0].failover_failback_state == "writes_disabled"

    # Failback: run the mirror on beta, allow_write on alpha, resync_prep of the mirror on beta.
    _run_and_wait(env, sync_b, name + "_mirror")
    assert sync_b.get_sync_policy(name + "_mirror").policies[0].last_job_state == "finished"
    _run_and_wait(env, sync_a, name + "_mirror", action="allow_write")
    assert sync_a.get_target_policy(name + "_mirror").policies[0].failover_failback_state == "writes_enabled"
    _run_and_wait(env, sync_b, name + "_mirror", action="resync_prep")
    assert sync_a.get_sync_policy(name).policies[0].enabled is True
    assert sync_b.get_sync_policy(name + "_mirror").policies[0].enabled is False
    assert sync_b.get_target_policy(name).policies[0].failover_failback_state == "writes_disabled"
    assert env.control.call("GET", "/sim/v1/data?cluster=alpha&path=/ifs/%s" % name)["writable"] is True

    # A paused then canceled job, through update_sync_job.
    env.control.settings("alpha", job_seconds=5.0)
    sync_a.create_sync_job(m.SyncJobCreateParams(id=name))
    sync_a.update_sync_job(m.SyncJob(state="paused"), name)
    assert sync_a.get_sync_job(name).jobs[0].state == "paused"
    sync_a.update_sync_job(m.SyncJob(state="canceled"), name)
    env.control.settings("alpha", job_seconds=0.05)
    assert sync_a.get_sync_policy(name).policies[0].last_job_state == "canceled"
    assert [r.state for r in sync_a.get_sync_reports(policy_name=name, reports_per_policy=1).reports] == ["canceled"]


def test_allow_write_revert(env):
    m = env.mod
    sync_a, sync_b = env.api("SyncApi"), env.api("SyncApi", "beta")
    _run_and_wait(env, sync_a, "finance_policy")
    _run_and_wait(env, sync_b, "finance_policy", action="allow_write")
    assert sync_b.get_target_policy("finance_policy").policies[0].failover_failback_state == "writes_enabled"
    _run_and_wait(env, sync_b, "finance_policy", action="allow_write_revert")
    tp = sync_b.get_target_policy("finance_policy").policies[0]
    assert tp.failover_failback_state == "writes_disabled"
    with pytest.raises(m.rest.ApiException) as err:
        sync_a.create_sync_job(m.SyncJobCreateParams(id="finance_policy", action="resync_prep"))
    assert api_error(env, err)[0] == 409  # writes are not enabled on the target any more


# ---- network -------------------------------------------------------------------------------
def test_network_pools_groupnets_subnets(env):
    m = env.mod
    net, groupnets = env.api("NetworkApi"), env.api("NetworkGroupnetsApi")
    pools = net.get_network_pools().pools
    by_zone = {p.access_zone: p for p in pools}
    assert by_zone["finance"].sc_dns_zone == "finance.example.com"
    assert by_zone["finance"].sc_dns_zone_aliases == ["fin.example.com"]
    assert all(p.firewall_policy for p in pools)
    assert [p.name for p in net.get_network_pools(access_zone="eng").pools] == [by_zone["eng"].name]
    gn = net.list_network_groupnets().groupnets
    assert [g.name for g in gn] == ["groupnet0"] and gn[0].subnets == ["subnet0"]
    assert net.get_network_groupnet("groupnet0").groupnets[0].dns_servers == gn[0].dns_servers
    subnets = groupnets.list_groupnet_subnets("groupnet0").subnets
    assert [s.name for s in subnets] == ["subnet0"] and subnets[0].groupnet == "groupnet0"
    sub = groupnets.get_groupnet_subnet("subnet0", "groupnet0").subnets[0]
    assert sorted(sub.pools) == sorted(p.name for p in pools) and sub.prefixlen == subnets[0].prefixlen
    listed = groupnets.list_subnets_subnet_pools("groupnet0", "subnet0").pools
    assert sorted(p.id for p in listed) == sorted(p.id for p in pools)

    eng = by_zone["eng"]
    pool = groupnets.get_subnets_subnet_pool(eng.name, "groupnet0", "subnet0").pools[0]
    assert pool.id == "groupnet0.subnet0.%s" % eng.name and pool.ifaces and pool.ranges
    aliases = pool.sc_dns_zone_aliases + ["contract.example.com"]
    groupnets.update_subnets_subnet_pool(m.SubnetsSubnetPool(sc_dns_zone_aliases=aliases, sc_ttl=5),
                                         eng.name, "groupnet0", "subnet0")
    pool = groupnets.get_subnets_subnet_pool(eng.name, "groupnet0", "subnet0").pools[0]
    assert pool.sc_dns_zone_aliases == aliases and pool.sc_ttl == 5
    # A SmartConnect alias that another pool already answers for is refused, naming it.
    with pytest.raises(m.rest.ApiException) as err:
        groupnets.update_subnets_subnet_pool(m.SubnetsSubnetPool(sc_dns_zone_aliases=["fin.example.com"]),
                                             eng.name, "groupnet0", "subnet0")
    status, error = api_error(env, err)
    assert status == 409 and error["code"] == "AEC_CONFLICT" and "fin.example.com" in error["message"]
    groupnets.update_subnets_subnet_pool(m.SubnetsSubnetPool(sc_dns_zone_aliases=aliases[:-1]),
                                         eng.name, "groupnet0", "subnet0")


# ---- AD provider / SPNs ----------------------------------------------------------------------
def test_ads_providers_and_spns(env):
    m = env.mod
    auth_a, auth_b = env.api("AuthApi"), env.api("AuthApi", "beta")
    listed = auth_a.list_providers_ads().ads
    assert [p.name for p in listed] == ["AD.EXAMPLE.COM"] and listed[0].status == "online"
    item = auth_a.get_providers_ads_by_id("AD.EXAMPLE.COM").ads[0]
    assert item.machine_account == "ALPHA$" and "HOST/fin.example.com" in item.spns
    missing = [s for s in item.recommended_spns if s.lower() not in {x.lower() for x in item.spns}]
    assert "HOST/build.example.com" in missing
    assert auth_a.get_providers_ads_by_id("AD.EXAMPLE.COM", check_duplicates=True).ads[0].dup_spns == []

    # Modifying SPNs needs AD credentials.
    with pytest.raises(m.rest.ApiException) as err:
        auth_a.update_providers_ads_by_id(m.ProvidersAdsIdParams(spns=item.spns + ["HOST/build"]), "AD.EXAMPLE.COM")
    assert api_error(env, err)[0] == 400
    auth_a.update_providers_ads_by_id(m.ProvidersAdsIdParams(spns=item.spns + ["HOST/build"], **AD_ADMIN),
                                      "AD.EXAMPLE.COM")
    assert "HOST/build" in auth_a.get_providers_ads_by_id("AD.EXAMPLE.COM").ads[0].spns
    # An SPN lives on one machine account only.
    beta = auth_b.get_providers_ads_by_id("AD.EXAMPLE.COM").ads[0]
    with pytest.raises(m.rest.ApiException) as err:
        auth_b.update_providers_ads_by_id(m.ProvidersAdsIdParams(spns=beta.spns + ["HOST/build"], **AD_ADMIN),
                                          "AD.EXAMPLE.COM")
    status, error = api_error(env, err)
    assert status == 409 and "not unique forest-wide" in error["message"]  # AD's 8467 names no account
    auth_a.update_providers_ads_by_id(m.ProvidersAdsIdParams(spns=item.spns, **AD_ADMIN), "AD.EXAMPLE.COM")
    assert auth_a.get_providers_ads_by_id("AD.EXAMPLE.COM").ads[0].spns == item.spns


# ---- quotas, snapshot schedules, dedupe ----------------------------------------------------------
def test_quotas_crud(env):
    m = env.mod
    quota = env.api("QuotaApi")
    listed = quota.list_quota_quotas().quotas
    assert sorted(q.id for q in listed) == sorted(q["id"] for q in env.state()["quotas"])
    assert all(len(q.id) == 32 for q in listed)
    assert [q.path for q in quota.list_quota_quotas(path="/ifs/finance").quotas] == ["/ifs/finance"]

    env.mkdir("/ifs/eng/contractq")
    made = quota.create_quota_quota(m.QuotaQuotaCreateParams(
        type="directory", path="/ifs/eng/contractq", include_snapshots=False, enforced=True,
        thresholds=m.QuotaQuotaThresholds(hard=10 * 2**30, percent_soft=80.0, soft_grace=3600)))
    got = quota.get_quota_quota(made.id).quotas[0]
    assert (got.type, got.path, got.enforced, got.thresholds.hard) == ("directory", "/ifs/eng/contractq", True,
                                                                       10 * 2**30)
    assert got.thresholds.percent_soft == 80.0 and got.thresholds.soft == 8 * 2**30  # derived from hard
    quota.update_quota_quota(m.QuotaQuota(thresholds=m.QuotaQuotaThresholds(hard=20 * 2**30)), made.id)
    got = quota.get_quota_quota(made.id).quotas[0]
    assert got.thresholds.hard == 20 * 2**30 and got.thresholds.soft == 16 * 2**30

    user = quota.create_quota_quota(m.QuotaQuotaCreateParams(
        type="user", path="/ifs/eng/contractq", include_snapshots=False,
        persona=m.AuthAccessAccessItemFileGroup(name="AD\\bob", type="user"),
        thresholds=m.QuotaQuotaThresholds(hard=2**30)))
    persona = quota.get_quota_quota(user.id).quotas[0].persona
    assert (persona.id, persona.name, persona.type) == ("SID:S-1-5-21-1004-1102", "AD\\bob", "user")
    with pytest.raises(m.rest.ApiException) as err:
        quota.update_quota_quota(m.QuotaQuota(thresholds=m.QuotaQuotaThresholds(hard=1), linked=False), "nope")
    assert api_error(env, err)[0] == 404
    quota.delete_quota_quota(user.id)
    quota.delete_quota_quota(made.id)
    left = [q["id"] for q in env.state()["quotas"]]
    assert made.id not in left and user.id not in left


def test_snapshot_schedules_crud(env):
    m = env.mod
    snap = env.api("SnapshotApi")
    listed = snap.list_snapshot_schedules().schedules
    assert sorted(s.name for s in listed) == sorted(s["name"] for s in env.state()["snapshot_schedules"])
    made = snap.create_snapshot_schedule(m.SnapshotScheduleCreateParams(
        name="contract_snap", path="/ifs/eng/src", pattern="contract_%Y-%m-%d", schedule="every day at 1:00 AM",
        duration=86400, alias="contract_latest"))
    got = snap.get_snapshot_schedule(made.id).schedules[0]
    assert (got.id, got.name, got.path, got.duration, got.alias) == (made.id, "contract_snap", "/ifs/eng/src", 86400,
                                                                     "contract_latest")
    snap.update_snapshot_schedule(m.SnapshotSchedule(duration=3600), made.id)
    assert snap.get_snapshot_schedule(made.id).schedules[0].duration == 3600
    snap.delete_snapshot_schedule(made.id)
    assert "contract_snap" not in [s.name for s in snap.list_snapshot_schedules().schedules]


def test_dedupe_settings(env):
    m = env.mod
    dedupe = env.api("DedupeApi")
    settings = dedupe.get_dedupe_settings().settings
    assert settings.paths == env.state()["dedupe"]["paths"]
    dedupe.update_dedupe_settings(m.DedupeSettingsExtended(paths=settings.paths + ["/ifs/eng/contract"]))
    assert dedupe.get_dedupe_settings().settings.paths == settings.paths + ["/ifs/eng/contract"]
    dedupe.update_dedupe_settings(m.DedupeSettingsExtended(paths=settings.paths))
    assert dedupe.get_dedupe_settings().settings.paths == settings.paths


# ---- every other SDK release: reads only ----------------------------------------------------------
@pytest.mark.parametrize("sdk_name", sorted(OTHER_RELEASES))
def test_read_sweep_other_releases(sdk_name):
    e = Env(sdk_name, OTHER_RELEASES[sdk_name])
    try:
        m = e.mod
        proto, sync_a, sync_b = e.api("ProtocolsApi"), e.api("SyncApi"), e.api("SyncApi", "beta")
        net, groupnets = e.api("NetworkApi"), e.api("NetworkGroupnetsApi")
        assert e.api("ClusterApi").get_cluster_config().onefs_version.release == OTHER_RELEASES[sdk_name] + ".0.0"
        assert e.api("ClusterApi").get_cluster_identity().name == "alpha"
        assert e.api("ZonesApi").get_zone("eng").zones[0].path == "/ifs/eng"
        assert len(e.api("ZonesApi").list_zones().zones) == 3
        shares = proto.list_smb_shares(zone="finance").shares
        assert proto.get_smb_share(shares[0].name, zone="finance").shares[0].path == shares[0].path
        assert proto.get_smb_settings_global().settings.service is True
        assert proto.get_nfs_settings_global().settings.service is True
        exports = proto.list_nfs_exports(zone="eng").exports
        assert proto.get_nfs_export(exports[0].id, zone="eng").exports[0].paths == exports[0].paths
        assert proto.get_nfs_alias("/src", zone="eng").aliases[0].path.startswith("/ifs/eng")
        assert proto.get_smb_openfiles().openfiles and proto.get_smb_sessions().nodes[0].sessions
        policies = sync_a.list_sync_policies().policies
        assert sync_a.get_sync_policy(policies[0].id).policies[0].name == policies[0].name
        assert sync_a.get_sync_settings().settings.service == "on"
        assert {p.name for p in sync_b.get_target_policies().policies} == {p.name for p in policies}
        assert sync_b.get_target_policy("home_policy").policies[0].failover_failback_state == "writes_disabled"
        sync_a.create_sync_job(m.SyncJobCreateParams(id="home_policy"))
        assert sync_a.list_sync_jobs().jobs[0].policy_name == "home_policy"
        e.wait(lambda: sync_a.get_sync_policy("home_policy").policies[0].last_job_state == "finished", what="sync")
        assert sync_a.get_sync_reports(policy_name="home_policy").reports[0].state == "finished"
        assert sync_b.get_target_reports(policy_name="home_policy").reports[0].state == "finished"
        pools = net.get_network_pools().pools
        assert len(pools) == 3 and all(p.sc_dns_zone for p in pools)
        assert net.get_network_groupnet("groupnet0").groupnets[0].subnets == ["subnet0"]
        assert groupnets.get_groupnet_subnet("subnet0", "groupnet0").subnets[0].groupnet == "groupnet0"
        listed = groupnets.list_subnets_subnet_pools("groupnet0", "subnet0").pools
        assert groupnets.get_subnets_subnet_pool(listed[0].name, "groupnet0", "subnet0").pools[0].id == listed[0].id
        ads = e.api("AuthApi").get_providers_ads_by_id("AD.EXAMPLE.COM", check_duplicates=True).ads[0]
        assert ads.machine_account == "ALPHA$" and ads.dup_spns == []
        assert e.api("AuthApi").list_providers_ads().ads[0].name == "AD.EXAMPLE.COM"
        quotas = e.api("QuotaApi").list_quota_quotas().quotas
        assert e.api("QuotaApi").get_quota_quota(quotas[0].id).quotas[0].path == quotas[0].path
        schedules = e.api("SnapshotApi").list_snapshot_schedules().schedules
        assert e.api("SnapshotApi").get_snapshot_schedule(schedules[0].id).schedules[0].name == schedules[0].name
        assert e.api("DedupeApi").get_dedupe_settings().settings.paths
        unknown = e.unknown_fields()
        assert not unknown, "fields the SDK models do not know:\n" + "\n".join(unknown)
    finally:
        e.close()

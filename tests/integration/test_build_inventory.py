"""playbooks/build_inventory.yml against the simulator (issue 6): the units it writes match the
source's SyncIQ policies and access zones, the file holds no connection details, Ansible reads
it, and the playbooks run against it; wrong input fails clearly and writes nothing."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import Control
from test_orchestration import REPO, Runner, _connection_file, _ok

from onefs_sim.scenario import load_scenario

POLICY_UNITS = {"home_policy", "finance_policy", "eng_src_policy", "eng_builds_policy"}
ZONE_UNITS = {"finance", "eng"}
# Policies of alpha that must never become units: a mirror, a disabled policy, one to another cluster.
EXCLUDED = {"legal_policy_mirror", "hr_policy", "media_policy"}
READINESS_IGNORE = '{"onefs_dr_readiness_ignore": ["smb_open_files", "smb_oplocks", "spns"]}'


def _scenario():
    """The demo, plus zones on alpha whose only policy must be left out."""
    data = load_scenario("demo")
    alpha = data["clusters"]["alpha"]
    extra = {"legal": {"name": "legal_policy_mirror"}, "hr": {"name": "hr_policy", "enabled": False},
             "media": {"name": "media_policy", "target_host": "gamma.example.net"}}
    for zone_id, (zone, policy) in enumerate(extra.items(), start=4):
        alpha["zones"].append({"name": zone, "path": "/ifs/" + zone, "zone_id": zone_id,
                               "auth_providers": ["lsa-local-provider:" + zone]})
        alpha["policies"].append(dict({"source_root_path": "/ifs/" + zone, "target_host": "beta", "target_path": "/ifs/" + zone,
                                       "action": "sync", "schedule": ""}, **policy))
    return data


@pytest.fixture
def site(sim_factory, collections_root, tmp_path):
    sim = sim_factory(_scenario(), share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    conn = _connection_file(sim, tmp_path / "connection.yml")
    return sim, control, conn, Runner(collections_root, tmp_path, conn)


def _bin(tool):
    return str(Path(sys.executable).parent / tool)


def _build(runner, out, *extra, clusters=None):
    cmd = [_bin("ansible-playbook"), str(REPO / "playbooks" / "build_inventory.yml"), "-e", "onefs_dr_build_output=%s" % out]
    if clusters is not None:
        cmd += ["-e", "@%s" % clusters]
    cmd += list(extra)
    return subprocess.run(cmd, env=runner.env, capture_output=True, text=True, timeout=300, cwd=str(REPO))


def _alpha_to_beta(mode, *extra):
    return ("-e", "onefs_dr_build_source=alpha", "-e", "onefs_dr_build_target=beta", "-e", "onefs_dr_build_mode=%s" % mode, *extra)


def _units(path):
    group = yaml.safe_load(path.read_text())["all"]["children"]["onefs_dr_units"]
    assert group["vars"] == {"onefs_dr_source": "alpha", "onefs_dr_target": "beta"}
    return group["hosts"]


def _keys(data):
    """Every mapping key in a YAML document, at any depth."""
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


def test_build_policy_and_zone_inventories(site, tmp_path):
    sim, control, conn, runner = site
    # The scenario really holds the policies that must be left out.
    assert {p["name"] for p in control.state("alpha")["policies"]} >= EXCLUDED
    out = tmp_path / "site"
    files = {"policy": out / "policy.yml", "zone": out / "zone.yml", "zone_system": out / "zone_system.yml"}
    _ok(_build(runner, files["policy"], *_alpha_to_beta("policy"), clusters=conn))
    _ok(_build(runner, files["zone"], *_alpha_to_beta("zone"), clusters=conn))
    _ok(_build(runner, files["zone_system"], *_alpha_to_beta("zone", "-e", "onefs_dr_build_include_system=true"), clusters=conn))

    assert _units(files["policy"]) == {p: {"onefs_dr_mode": "policy", "onefs_dr_policy": p} for p in POLICY_UNITS}
    assert _units(files["zone"]) == {z: {"onefs_dr_mode": "zone", "onefs_dr_zone": z} for z in ZONE_UNITS}
    # The System zone only when asked, and then as its policies (a System zone unit would hold every
    # policy under /ifs and overlap the zone units).
    want = {z: {"onefs_dr_mode": "zone", "onefs_dr_zone": z} for z in ZONE_UNITS}
    want["home_policy"] = {"onefs_dr_mode": "policy", "onefs_dr_policy": "home_policy"}
    assert _units(files["zone_system"]) == want

    # No connection details in the files: they stay in (vaulted) onefs_dr_clusters.
    for path in files.values():
        text = path.read_text()
        for cluster in sim.clusters.values():
            assert cluster.password not in text and str(cluster.port) not in text, path
        assert not _keys(yaml.safe_load(text)) & {"onefs_dr_clusters", "password", "username", "host", "port"}, path

    # Ansible reads them as inventories of failover units.
    for path in files.values():
        proc = subprocess.run([_bin("ansible-inventory"), "-i", str(path), "--list"], env=runner.env,
                              capture_output=True, text=True, timeout=120)
        _ok(proc)
        listed = json.loads(proc.stdout)
        hosts = set(listed["onefs_dr_units"]["hosts"])
        assert hosts == set(_units(path)), (path, hosts)
        assert all(listed["_meta"]["hostvars"][h]["onefs_dr_target"] == "beta" for h in hosts)

    # The playbooks run against it: readiness of every unit (zone units and the System zone's policy).
    cmd = [_bin("ansible-playbook"), "-i", str(files["zone_system"]), str(REPO / "playbooks" / "readiness.yml"),
           "-e", "onefs_dr_report_dir=%s" % runner.reports, "-e", READINESS_IGNORE]
    proc = subprocess.run(cmd, env=runner.env, capture_output=True, text=True, timeout=600, cwd=str(REPO))
    _ok(proc)
    report = json.loads(sorted(runner.reports.glob("readiness-*.json"))[-1].read_text())
    assert {u: r["status"] for u, r in report["units"].items()} == {u: "ok" for u in want}
    assert {u: r["policies"] for u, r in report["units"].items()} == {
        "finance": ["finance_policy"], "eng": ["eng_builds_policy", "eng_src_policy"], "home_policy": ["home_policy"]}


BAD_INPUT = {
    "no clusters": (False, ["-e", "onefs_dr_build_source=alpha", "-e", "onefs_dr_build_target=beta"]),
    "source not a cluster": (True, ["-e", "onefs_dr_build_source=gamma", "-e", "onefs_dr_build_target=beta"]),
    "source is the target": (True, ["-e", "onefs_dr_build_source=beta", "-e", "onefs_dr_build_target=beta"]),
    "bad mode": (True, ["-e", "onefs_dr_build_source=alpha", "-e", "onefs_dr_build_target=beta", "-e", "onefs_dr_build_mode=site"]),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_build_inventory_refuses_bad_input(case, collections_root, tmp_path):
    with_clusters, extra = BAD_INPUT[case]
    # Unreachable clusters: the input check must fail before any connection.
    clusters = tmp_path / "clusters.yml"
    clusters.write_text(yaml.safe_dump({"onefs_dr_clusters": {
        name: {"host": "127.0.0.1", "port": 9, "username": "dr_svc", "password": "not-a-secret", "validate_certs": False}
        for name in ("alpha", "beta")}}))
    runner = Runner(collections_root, tmp_path, clusters)
    out = tmp_path / "site" / "hosts.yml"
    proc = _build(runner, out, *extra, clusters=clusters if with_clusters else None)
    assert proc.returncode != 0
    assert "Give onefs_dr_clusters (-e @clusters.yml), onefs_dr_build_source and onefs_dr_build_target" in proc.stdout, proc.stdout
    assert not out.parent.exists()


def test_build_inventory_without_units_writes_nothing(site, tmp_path):
    """beta is the source of no policy: the build fails and an existing inventory is kept."""
    _sim, _control, conn, runner = site
    out = tmp_path / "site" / "hosts.yml"
    out.parent.mkdir()
    out.write_text("# the inventory in use\n")
    proc = _build(runner, out, "-e", "onefs_dr_build_source=beta", "-e", "onefs_dr_build_target=alpha", clusters=conn)
    assert proc.returncode != 0
    assert "No failover unit: no enabled SyncIQ policy of beta targets alpha" in proc.stdout, proc.stdout
    assert out.read_text() == "# the inventory in use\n"


# Issue 14 point 3: policies that name beta by an address or another form of its names.
# zone -> (policy, target_host); beta (demo scenario): pools 192.0.2.110-139 (pool-finance
# 192.0.2.120-129), SmartConnect service IP 192.0.2.6, names beta.example.com,
# finance-dr.example.com, eng-dr.example.com, cluster name beta.
NAMED_BY = {
    "byaddr": ("byaddr_policy", "192.0.2.125"),          # a node address in a pool's range
    "byssip": ("byssip_policy", "192.0.2.6"),            # the SmartConnect service IP
    "byfqdn": ("byfqdn_policy", "FINANCE-DR.Example.COM."),  # a SmartConnect name, other case, trailing dot
    "byshort": ("byshort_policy", "eng-dr"),             # short form of a SmartConnect name
    "byname": ("byname_policy", "beta.corp.example.net"),  # FQDN of the cluster name
    "bycname": ("bycname_policy", "dr-filer.corp.example.net"),  # a DNS alias beta does not know: its target policy decides
}
BYCNAME_ID = "0c0ffee0000000000000000000000001"


def _named_scenario():
    data = _scenario()
    alpha, beta = data["clusters"]["alpha"], data["clusters"]["beta"]
    for zone_id, (zone, (policy, host)) in enumerate(sorted(NAMED_BY.items()), start=10):
        alpha["zones"].append({"name": zone, "path": "/ifs/" + zone, "zone_id": zone_id,
                               "auth_providers": ["lsa-local-provider:" + zone]})
        spec = {"name": policy, "source_root_path": "/ifs/" + zone, "target_host": host, "target_path": "/ifs/" + zone,
                "action": "sync", "schedule": ""}
        if zone == "bycname":
            spec.update(id=BYCNAME_ID, auto_target_policy=False)
        alpha["policies"].append(spec)
    # The target policy the bycname policy left on beta when it ran (from alpha's GUID).
    beta.setdefault("target_policies", []).append({
        "id": BYCNAME_ID, "name": "bycname_policy", "source_host": "alpha", "source_cluster_guid": alpha["guid"],
        "target_path": "/ifs/bycname"})
    return data


def test_build_places_policies_by_every_name_and_address(sim_factory, collections_root, tmp_path):
    sim = sim_factory(_named_scenario(), share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    conn = _connection_file(sim, tmp_path / "connection.yml")
    runner = Runner(collections_root, tmp_path, conn)
    # The simulator itself takes those names and addresses for beta (the policies' target policies
    # are there); a short name needs DNS search domains, which it does not model.
    beta_tps = {tp["name"] for tp in control.state("beta")["target_policies"]}
    assert {p for z, (p, _h) in NAMED_BY.items() if z != "byshort"} <= beta_tps, beta_tps

    out = tmp_path / "site" / "zone.yml"
    proc = _build(runner, out, *_alpha_to_beta("zone"), clusters=conn)
    _ok(proc)
    want = {z: {"onefs_dr_mode": "zone", "onefs_dr_zone": z} for z in ZONE_UNITS | set(NAMED_BY)}
    assert _units(out) == want

    # Every policy left out is reported with its reason, on the console and in the file.
    text = out.read_text()
    unplaced = dict(re.findall(r"^# unplaced: (\S+) .*?: (.*)$", text, re.M))
    assert set(unplaced) == EXCLUDED | {"home_policy"}, unplaced
    assert unplaced["hr_policy"] == "disabled"
    assert unplaced["legal_policy_mirror"].startswith("a mirror policy")
    assert unplaced["media_policy"].startswith("target_host 'gamma.example.net' is not a name or address of beta")
    assert "IP pool range" in unplaced["media_policy"] and "SmartConnect service IP" in unplaced["media_policy"]
    assert unplaced["home_policy"].startswith("in the System zone")
    for policy, reason in unplaced.items():
        assert policy in proc.stdout and reason in proc.stdout, policy
    # The copy policy placed in eng is noted.
    assert re.search(r"^# note: eng_builds_policy: copy policy", text, re.M), text

    # Policy mode: every policy of alpha that replicates to beta, whatever the form of its target_host.
    out = tmp_path / "site" / "policy.yml"
    _ok(_build(runner, out, *_alpha_to_beta("policy"), clusters=conn))
    assert set(_units(out)) == POLICY_UNITS | {p for p, _h in NAMED_BY.values()}

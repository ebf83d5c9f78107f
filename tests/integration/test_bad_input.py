"""Bad input, everywhere: a clear error naming the field and the fix, before any write.

Module cases run as the tasks of one ansible-playbook run (each task ignore_errors); inventory
cases run as the units of one failover.yml run (each unit fails on its own). After each run the
simulator's write counters are still 0 on both clusters: nothing was written anywhere.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import connection

REPO = Path(__file__).resolve().parents[2]


def _cases(alpha, beta, bad_pw, untrusted):
    """(id, module, args, words the message must contain)."""
    a = connection(alpha)
    partner = {"host": beta.host, "port": beta.port}
    return [
        ("unknown policy", "onefs_synciq_job", dict(a, name="no_such_policy", job="run"),
         ["no_such_policy", "does not exist", "check the name"]),
        ("unknown zone (ACL)", "onefs_smb_share_lockout", dict(a, zone="nozone", path="/ifs/nozone", lockout="locked"),
         ["nozone"]),
        ("target path outside the target zone", "onefs_config_sync",
         dict(a, target=partner, source_zone="finance", target_zone="finance", source_path="/ifs/finance",
              target_path="/ifs/eng"),
         ["target_path", "/ifs/eng", "base path"]),
        ("source path outside the source zone", "onefs_config_sync",
         dict(a, target=partner, source_zone="finance", target_zone="finance", source_path="/ifs/home",
              target_path="/ifs/finance"),
         ["source_path", "fix source_path"]),
        ("unknown target zone", "onefs_config_sync",
         dict(a, target=partner, source_zone="finance", target_zone="nozone", source_path="/ifs/finance",
              target_path="/ifs/finance"),
         ["target_zone", "nozone", "does not exist"]),
        ("wrong credentials", "onefs_info", dict(bad_pw, gather_subset=["cluster"]),
         ["login", "failed", "admin"]),
        ("untrusted certificate", "onefs_info", dict(untrusted, gather_subset=["cluster"]),
         ["tls verification failed", "ca_path"]),
        ("malformed schedule", "onefs_synciq_policy", dict(a, name="home_policy", schedule="every blue moon"),
         ["schedule", "every blue moon", "not valid"]),
        ("negative wait_timeout", "onefs_synciq_job", dict(a, name="home_policy", job="run", wait_timeout=-5),
         ["wait_timeout", "0 or more"]),
        ("zero poll_interval", "onefs_synciq_job", dict(a, name="home_policy", job="run", poll_interval=0),
         ["poll_interval", "more than 0"]),
        ("policy directory outside its root", "onefs_synciq_policy",
         dict(a, name="new_policy", action="sync", source_root_path="/ifs/home", target_host="beta",
              target_path="/ifs/home", source_include_directories=["/ifs/eng"]),
         ["source_include_directories", "/ifs/eng", "source_root_path"]),
        ("quota: negative hard threshold", "onefs_quota",
         dict(a, path="/ifs/home", type="directory", thresholds={"hard": -10}),
         ["thresholds.hard", "negative"]),
        ("quota: soft without grace", "onefs_quota",
         dict(a, path="/ifs/home", type="directory", thresholds={"soft": "10G"}),
         ["soft_grace", "e.g. '7d'"]),
        ("quota: percentage above 100", "onefs_quota",
         dict(a, path="/ifs/home", type="directory", thresholds={"hard": "10G", "percent_soft": 150, "soft_grace": "7d"}),
         ["percent_soft", "at most 100"]),
        ("bad share name", "onefs_smb_share", dict(a, zone="finance", name="bad/name", path="/ifs/finance/x"),
         ["bad/name", "not a valid smb share name"]),
        ("share path outside /ifs", "onefs_smb_share", dict(a, zone="finance", name="ok", path="data/x"),
         ["path", "under /ifs"]),
        ("bad ACE permission", "onefs_smb_share_acl",
         dict(a, zone="finance", shares=["ledger"], state="present",
              aces=[{"trustee": {"id": "SID:S-1-1-0"}, "permission": "write"}]),
         ["permission", "full, change, read"]),
        ("ACE without permission", "onefs_smb_share_acl",
         dict(a, zone="finance", shares=["ledger"], state="present", aces=[{"trustee": {"id": "SID:S-1-1-0"}}]),
         ["permission"]),
        ("shares and path together", "onefs_smb_share_lockout",
         dict(a, zone="finance", shares=["ledger"], path="/ifs/finance", lockout="locked"),
         ["shares|path", "mutually exclusive"]),
        ("lockout and restore together", "onefs_smb_share_lockout",
         dict(a, zone="finance", shares=["ledger"], lockout="locked", restore_from="journal"),
         ["lockout|restore_from", "mutually exclusive"]),
        ("parallel above the limit", "onefs_smb_share_lockout",
         dict(a, zone="finance", path="/ifs/finance", lockout="locked", parallel=50),
         ["parallel", "share_write_limit"]),
        ("share_write_limit 0", "onefs_smb_share_lockout",
         dict(a, zone="finance", path="/ifs/finance", lockout="locked", share_write_limit=0),
         ["share_write_limit", "positive integer"]),
        ("unknown gather subset", "onefs_info", dict(a, gather_subset=["shares_and_more"]),
         ["gather_subset", "shares_and_more"]),
        ("bad JMESPath", "onefs_info", dict(a, gather_subset=["zones"], query="zones[?name=="),
         ["query", "jmespath"]),
        ("relative info path", "onefs_info", dict(a, gather_subset=["smb_shares"], path="ifs/data"),
         ["path", "absolute"]),
        ("export path outside /ifs", "onefs_nfs_export", dict(a, zone="finance", paths=["/data/x"]),
         ["/data/x", "outside /ifs"]),
        ("SmartConnect alias = zone name", "onefs_smartconnect_zone",
         dict(a, pool="groupnet0.subnet0.pool1", sc_dns_zone="alpha.example.com", aliases=["alpha.example.com"]),
         ["aliases", "alpha.example.com", "zone name itself"]),
        ("SPN move without partner", "onefs_spn",
         dict(a, provider="AD.EXAMPLE.COM", names=["finance.example.com"], remove_from_partner=True),
         ["remove_from_partner", "partner"]),
        ("unknown AD provider", "onefs_spn", dict(a, provider="NO.SUCH.DOMAIN", names=["finance.example.com"]),
         ["no.such.domain", "does not exist"]),
        ("ca_path that does not exist", "onefs_info", dict(a, ca_path="/nonexistent/ca.pem", gather_subset=["cluster"]),
         ["ca"]),
    ]


def test_module_bad_input_clear_error_no_write(sim, control, ansible, tmp_path):
    alpha, beta = sim.clusters["alpha"], sim.clusters["beta"]
    bad_pw = connection(alpha, password="wrong-password")
    untrusted = connection(alpha)
    untrusted.pop("ca_path", None)
    untrusted["validate_certs"] = True
    cases = _cases(alpha, beta, bad_pw, untrusted)
    for cluster in ("alpha", "beta"):
        control.reset_counters(cluster)
    results = ansible.tasks([{"module": module, "args": args} for _name, module, args, _words in cases])
    problems = []
    for (name, _module, _args, words), result in zip(cases, results, strict=True):
        msg = str(result.get("msg", ""))
        if not result.get("failed"):
            problems.append("%s: did not fail: %s" % (name, json.dumps(result)[:300]))
            continue
        missing = [w for w in words if w.lower() not in msg.lower()]
        if missing:
            problems.append("%s: message lacks %s: %s" % (name, missing, msg[:400]))
        # No secret in any message.
        if alpha.password in msg or "wrong-password" in msg:
            problems.append("%s: message shows a password" % name)
    for cluster in ("alpha", "beta"):
        counters = control.counters(cluster)
        if counters["writes"] or counters["share_writes"]:
            problems.append("%s: %d writes, %d share writes" % (cluster, counters["writes"], counters["share_writes"]))
    assert len(cases) >= 25
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------- inventory
def _conn_file(sim, path, extra=None):
    clusters = {}
    for name, c in sim.clusters.items():
        clusters[name] = {"host": c.host, "port": c.port, "username": c.username, "password": c.password,
                          "ca_path": c.ca, "validate_certs": True}
    a = sim.clusters["alpha"]
    clusters["alpha_badpw"] = dict(clusters["alpha"], password="wrong-password")
    clusters["alpha_untrusted"] = {"host": a.host, "port": a.port, "username": a.username, "password": a.password,
                                   "validate_certs": True}
    clusters.update(extra or {})
    path.write_text(yaml.safe_dump({"onefs_dr_clusters": clusters}))
    return path


def _run(sim, tmp_path, collections_root, hosts, playbook="failover.yml", extra=()):
    inv = tmp_path / ("hosts-%d.yml" % len(list(tmp_path.glob("hosts-*.yml"))))
    inv.write_text(yaml.safe_dump({"all": {
        "children": {"onefs_dr_units": {"hosts": hosts, "vars": {
            "onefs_dr_source": "alpha", "onefs_dr_target": "beta",
            "onefs_dr_readiness_ignore": ["smb_open_files", "smb_oplocks", "spns"],
            "onefs_dr_spn_ad_user": "administrator", "onefs_dr_spn_ad_password": "AdPass1!",
            "onefs_dr_batch_size": 20}}},
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}))
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(collections_root), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORKS": "20",
        "ANSIBLE_PIPELINING": "1", "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ONEFS_DR_CONNECTION_VARS": str(_conn_file(sim, tmp_path / "connection.yml")),
        "ONEFS_DR_STATE_DIR": str(tmp_path / "state"), "ONEFS_LIMITER_DIR": str(tmp_path / "limiter"),
    })
    reports = tmp_path / "reports"
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inv), str(REPO / "playbooks" / playbook),
           "-e", "onefs_dr_report_dir=%s" % reports, *extra]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, cwd=str(REPO))
    files = sorted(reports.glob("*.json"), key=lambda p: p.stat().st_mtime)
    report = json.loads(files[-1].read_text()) if files else {"units": {}}
    return proc, report


def _why(report, proc, unit):
    entry = report["units"].get(unit)
    if entry is None:
        # A unit that failed before it had a record: its message is in the playbook output.
        block = re.findall(r"(?:fatal|failed): \[%s\].*" % re.escape(unit), proc.stdout)
        return "failed", " ".join(block)
    readiness = " ".join("%s %s %s" % (c["status"], c["check"], c["detail"]) for c in entry.get("readiness", []))
    return entry["status"], "%s %s %s" % (entry.get("error", ""), entry.get("where_it_stands", ""), readiness)


INVENTORY_CASES = {
    # unit: (vars, words the unit's error must contain)
    "no_policy": ({"onefs_dr_mode": "policy", "onefs_dr_policy": "no_such_policy"}, ["no_such_policy", "not found"]),
    "no_zone": ({"onefs_dr_mode": "zone", "onefs_dr_zone": "nozone"}, ["nozone"]),
    "same_clusters": ({"onefs_dr_mode": "policy", "onefs_dr_policy": "home_policy", "onefs_dr_target": "alpha"},
                      ["onefs_dr_target", "different"]),
    "unknown_cluster": ({"onefs_dr_mode": "policy", "onefs_dr_policy": "home_policy", "onefs_dr_source": "gamma"},
                        ["onefs_dr_source", "onefs_dr_clusters"]),
    "no_mode": ({"onefs_dr_mode": "volume", "onefs_dr_policy": "home_policy"}, ["onefs_dr_mode", "policy", "zone"]),
    "missing_policy_name": ({"onefs_dr_mode": "policy"}, ["onefs_dr_policy"]),
    "bad_password": ({"onefs_dr_mode": "policy", "onefs_dr_policy": "home_policy", "onefs_dr_source": "alpha_badpw"},
                     ["login", "failed"]),
    "untrusted_cert": ({"onefs_dr_mode": "policy", "onefs_dr_policy": "home_policy",
                        "onefs_dr_source": "alpha_untrusted"}, ["tls verification failed", "ca_path"]),
}


@pytest.mark.timeout(600)
def test_inventory_bad_input_blocks_each_unit_before_any_write(sim, control, collections_root, tmp_path):
    for cluster in ("alpha", "beta"):
        control.reset_counters(cluster)
    hosts = {unit: dict(vars_) for unit, (vars_, _words) in INVENTORY_CASES.items()}
    proc, report = _run(sim, tmp_path, collections_root, hosts)
    assert proc.returncode != 0
    problems = []
    for unit, (_vars, words) in INVENTORY_CASES.items():
        status, why = _why(report, proc, unit)
        if status == "ok":
            problems.append("%s: status ok" % unit)
        missing = [w for w in words if w.lower() not in why.lower()]
        if missing:
            problems.append("%s: error lacks %s: %s" % (unit, missing, why[:500]))
    for cluster in ("alpha", "beta"):
        counters = control.counters(cluster)
        if counters["writes"]:
            problems.append("%s: %d writes %s" % (cluster, counters["writes"],
                            [k for k in counters["by_endpoint"] if not k.startswith("GET")][:10]))
    assert not problems, "\n".join(problems)


KNOWN_GAP_CASES = {
    # The same policy in two units (a policy-mode unit inside a zone unit) and the same zone as two
    # units (with batches of one they would run in two batches): every unit involved is refused.
    "finance_zone": {"onefs_dr_mode": "zone", "onefs_dr_zone": "finance"},
    "finance_policy": {"onefs_dr_mode": "policy", "onefs_dr_policy": "finance_policy"},
    "eng_a": {"onefs_dr_mode": "zone", "onefs_dr_zone": "eng"},
    "eng_b": {"onefs_dr_mode": "zone", "onefs_dr_zone": "eng"},
    # The policy's target path /ifs/home is not inside the target zone's base path (/ifs/eng).
    "home_to_eng": {"onefs_dr_mode": "zone", "onefs_dr_zone": "System", "onefs_dr_target_zone": "eng"},
    # Negative thresholds and limits.
    "negative": {"onefs_dr_mode": "policy", "onefs_dr_policy": "eng_builds_policy",
                 "onefs_dr_share_write_throttle": -1, "onefs_dr_readiness_max_share_seconds": -60,
                 "onefs_dr_final_sync_timeout": -5, "onefs_dr_allow_writes_timeout": -1},
}


@pytest.mark.timeout(600)
def test_overlapping_units_bad_paths_and_integers_refused_before_any_write(sim, control, collections_root, tmp_path):
    for cluster in ("alpha", "beta"):
        control.reset_counters(cluster)
    proc, report = _run(sim, tmp_path, collections_root, KNOWN_GAP_CASES)
    writes = {c: control.counters(c)["writes"] for c in ("alpha", "beta")}
    assert proc.returncode != 0
    for unit in KNOWN_GAP_CASES:
        status, why = _why(report, proc, unit)
        assert status != "ok", unit
    assert writes == {"alpha": 0, "beta": 0}, writes

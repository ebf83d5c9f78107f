"""onefs_dns_check against the simulator's SmartConnect DNS listeners, onefs_dns_delegation (and the
delegation check) against a real BIND started by the test, bad input, dnspython missing.

One ansible-playbook run (the task file roles/r00_common/tasks/dns_verify.yml, which runs both modules
through Ansible); the module cases run the modules in this process (``run``: real DNS over real
sockets, only Ansible's process boundary is skipped), which costs milliseconds instead of
seconds per task. Every DNS message
the modules send is counted by the simulator's listener, or seen in the zone's SOA serial
(BIND adds one per accepted update)."""

import importlib
import json
import socket
import subprocess
import sys
from pathlib import Path

import dns.message
import dns.query
import pytest
import yaml
from _bind_helpers import Bind, ensure_named
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from support import Control, connection

from onefs_sim import Simulator

ALPHA_FIN = "192.0.2.20-192.0.2.29"
BETA_FIN = "192.0.2.120-192.0.2.129"


@pytest.fixture(scope="module")
def dsim():
    sim = Simulator.from_scenario("demo", dns=True, share_write_service_ms=2, job_seconds=0.2).start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def bind():
    """A fresh BIND per test (about a second): each test knows the zone it starts from."""
    named = ensure_named()
    server = Bind(named)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class _Exit(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


def run(monkeypatch, name, args, check_mode=False):
    """Run plugins/modules/<name>.py in this process; its result (failed: True after fail_json)."""
    def exit_json(module, **result):
        result.setdefault("changed", False)
        raise _Exit(result)

    def fail_json(module, msg, **result):
        result.update(failed=True, msg=msg)
        raise _Exit(result)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    module = importlib.import_module("ansible_collections.onefs.dr.plugins.modules.%s" % name)
    params = dict(args, _ansible_check_mode=check_mode, _ansible_diff=True)
    with patch_module_args(params), pytest.raises(_Exit) as raised:
        module.main()
    return raised.value.result


def pools_of(sim, cluster):
    """The cluster's IP pools as the control API's state dump has them (sc names, ranges)."""
    return Control(sim.control_url).state(cluster)["pools"]


def unused_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dns_of(sim, cluster, **extra):
    ep = sim.clusters[cluster].dns
    args = {"server": ep.host, "port": ep.port}
    args.update(extra)
    return args


def test_check_names_against_the_smartconnect_listener(dsim, monkeypatch):
    alpha_pools = pools_of(dsim, "alpha")
    names = ["finance.example.com", "fin.example.com"]
    closed = unused_port()
    before = dsim.clusters["alpha"].dns.counters
    cases = [
        dns_of(dsim, "alpha", names=names, pools=alpha_pools, queries=3),
        dns_of(dsim, "alpha", names=names, protocol="tcp", expect=[ALPHA_FIN]),
        dns_of(dsim, "alpha", names=["finance.example.com"], expect=[BETA_FIN], fail_on_mismatch=False),
        dns_of(dsim, "alpha", names=["finance-dr.example.com"], expect=[BETA_FIN]),
        dns_of(dsim, "alpha", names=["finance-dr.example.com"], expect_refused=True),
        {"server": "127.0.0.1", "port": closed, "timeout": 0.5, "names": names, "expect": [ALPHA_FIN]},
        {"server": "127.0.0.1", "port": closed, "protocol": "tcp", "names": names, "expect": [ALPHA_FIN]},
    ]
    r = [run(monkeypatch, "onefs_dns_check", args) for args in cases]
    rr, tcp, mismatch, refused, gone, timeout, conn_refused = r
    assert not rr.get("failed") and rr["changed"] is False, rr
    for row in rr["names"]:
        assert row["match"] is True and row["rcode"] == "NOERROR" and row["expected"] == [ALPHA_FIN], row
    # Round robin: three queries of one name see three addresses of the pool; the alias shares the pool.
    assert len(rr["names"][0]["addresses"]) == 3 and len(rr["names"][1]["addresses"]) == 3
    assert rr["queries"] == 6
    assert not tcp.get("failed") and all(row["match"] for row in tcp["names"]), tcp
    assert not mismatch.get("failed") and mismatch["names"][0]["match"] is False, mismatch
    assert "not in %s" % BETA_FIN in mismatch["names"][0]["reason"] and mismatch["mismatches"], mismatch
    assert refused.get("failed") and "finance-dr.example.com: answered REFUSED" in refused["msg"], refused
    assert not gone.get("failed") and gone["names"][0]["rcode"] == "REFUSED" and gone["names"][0]["match"], gone
    assert timeout.get("failed") and timeout["error"]["kind"] == "timeout", timeout
    assert "no answer from 127.0.0.1 port %d (UDP) within 0.5 s" % closed in timeout["msg"]
    assert conn_refused.get("failed") and conn_refused["error"]["kind"] == "network", conn_refused
    assert "connection refused" in conn_refused["msg"]
    after = dsim.clusters["alpha"].dns.counters
    assert after["udp"] - before["udp"] == 6 + 1 + 1 + 1 and after["tcp"] - before["tcp"] == 2
    assert after["refused"] - before["refused"] == 2


def test_delegation_update_check_apply_again_and_refused_key(bind, monkeypatch):
    both = [{"host": "ssip-alpha.example.com", "addresses": ["192.0.2.5"]},
            {"host": "ssip-beta.example.com", "addresses": ["192.0.2.6"]}]
    present = bind.module_args(name="finance.example.com", nameservers=both, ttl=600)
    wrong_secret = bind.module_args(name="finance.example.com", nameservers=both[:1],
                                    key_secret="c2VjcmV0LW5vdC10aGUtc2VydmVycw==")
    wrong_key = dict(wrong_secret, key_name="nobody-knows-me", key_secret=bind.secret)
    check = {"delegation": {"server": "127.0.0.1", "port": bind.port, "names": ["finance.example.com"],
                            "service_addresses": ["192.0.2.5", "192.0.2.6"]}}
    undelegated = {"fail_on_mismatch": False,
                   "delegation": dict(check["delegation"], names=["fin.example.com", "finance.example.com"])}
    absent = bind.module_args(name="finance.example.com", state="absent")
    assert bind.serial() == 1
    dry = run(monkeypatch, "onefs_dns_delegation", present, check_mode=True)
    apply = run(monkeypatch, "onefs_dns_delegation", present)
    again = run(monkeypatch, "onefs_dns_delegation", present)
    dual = run(monkeypatch, "onefs_dns_check", check)
    bad_secret = run(monkeypatch, "onefs_dns_delegation", wrong_secret)
    bad_key = run(monkeypatch, "onefs_dns_delegation", wrong_key)
    partial = run(monkeypatch, "onefs_dns_check", undelegated)
    assert dry["changed"] is True and not dry.get("failed"), dry
    assert dry["update"] == ["replace finance.example.com NS", "replace ssip-beta.example.com A"], dry
    assert dry["diff"]["before"] == {"ns": [], "glue": {}}
    assert dry["diff"]["after"]["glue"] == {"ssip-alpha.example.com": ["192.0.2.5"],
                                            "ssip-beta.example.com": ["192.0.2.6"]}
    assert apply["changed"] is True and not apply.get("failed"), apply
    assert again["changed"] is False and again["update"] == [] and not again.get("failed"), again
    assert not dual.get("failed") and dual["delegation"][0]["match"] is True, dual
    assert dual["delegation"][0]["ns"] == ["ssip-alpha.example.com", "ssip-beta.example.com"]
    for bad, cls in ((bad_secret, "PeerBadSignature"), (bad_key, "PeerBadKey")):
        assert bad.get("failed") and bad["changed"] is False, str(bad)
        assert bad["error"]["kind"] == "tsig" and cls in bad["msg"] and "nothing was changed" in bad["msg"], bad
        assert bind.secret not in str(bad)
    assert bad_secret["update"] == ["replace finance.example.com NS"]
    # Nothing else changed: still both service addresses; fin.example.com was never delegated.
    assert partial["delegation"][1]["match"] is True, partial
    assert partial["delegation"][0]["ns"] == [] and partial["delegation"][0]["missing"] == ["192.0.2.5", "192.0.2.6"]
    assert partial["mismatches"] == ["fin.example.com: not delegated at 127.0.0.1 port %d (UDP) (no NS record)"
                                     % bind.port]
    # One accepted update in all (check mode and the refused ones wrote nothing).
    assert bind.serial() == 2
    resp = dns.query.udp(dns.message.make_query("finance.example.com", "NS"), "127.0.0.1", port=bind.port, timeout=5)
    assert sorted(rd.target.to_text() for rrset in resp.authority + resp.answer for rd in rrset) == [
        "ssip-alpha.example.com.", "ssip-beta.example.com."]

    # A glue change only (NS set unchanged: the update carries it as a prerequisite).
    moved = dict(present, nameservers=[both[0], {"host": "ssip-beta.example.com", "addresses": ["192.0.2.7"]}])
    glue = run(monkeypatch, "onefs_dns_delegation", moved)
    assert glue["changed"] is True and glue["update"] == ["replace ssip-beta.example.com A"], glue
    assert glue["diff"]["before"]["glue"]["ssip-beta.example.com"] == ["192.0.2.6"]
    assert glue["delegation"]["glue"]["ssip-beta.example.com"] == ["192.0.2.7"]
    assert bind.serial() == 3

    gone = run(monkeypatch, "onefs_dns_delegation", absent)
    gone_again = run(monkeypatch, "onefs_dns_delegation", absent)
    assert gone["changed"] is True and gone["diff"]["after"] == {"ns": [], "glue": {}}, gone.get("msg")
    assert gone_again["changed"] is False, gone_again
    assert bind.serial() == 4


def test_bad_input_fails_before_any_query(dsim, monkeypatch):
    """Each error names the field; the server given (the simulator's listener) gets no query."""
    srv = dns_of(dsim, "alpha")
    upd = dict(srv, zone="example.com", name="finance.example.com", key_name="k", key_secret="c2VjcmV0",
               nameservers=[{"host": "ssip-alpha.example.com", "addresses": ["192.0.2.5"]}])
    cases = [
        ("onefs_dns_check", {"names": ["finance.example.com"], "expect": ["192.0.2.1"]}, "server: the DNS server to resolve names at is required"),
        ("onefs_dns_check", dict(srv, server="alpha-ssip", names=["a.example.com"], expect=["192.0.2.1"]),
         "server: 'alpha-ssip' is not an IP address"),
        ("onefs_dns_check", dict(srv, names=["a.example.com"], expect=["192.0.2.300"]), "expect[0]"),
        ("onefs_dns_check", dict(srv, names=["a.example.com"], expect=["192.0.2.9-192.0.2.1"]),
         "expect[0]: '192.0.2.9-192.0.2.1' is not a valid address range"),
        ("onefs_dns_check", dict(srv, names=["a..example.com"], expect=["192.0.2.1"]), "names[0]"),
        ("onefs_dns_check", dict(srv, names=["a.example.com"]), "names[0]: nothing to compare"),
        ("onefs_dns_check", dict(srv, names=["a.example.com"], expect=["192.0.2.1"], queries=0), "queries"),
        ("onefs_dns_check", dict(srv, names=["a.example.com"], expect=["192.0.2.1"], port=70000), "port"),
        ("onefs_dns_check", dict(srv, names=["a.example.com"], expect=["192.0.2.1"],
                                 delegation={"server": "127.0.0.1", "service_addresses": ["x"]}),
         "delegation.service_addresses[0]"),
        ("onefs_dns_delegation", dict(upd, name="finance.example.org"), "name: finance.example.org is not below zone"),
        ("onefs_dns_delegation", dict(upd, nameservers=[{"host": "ns.other.org", "addresses": ["192.0.2.5"]}]),
         "nameservers[0].addresses: ns.other.org is outside zone example.com"),
        ("onefs_dns_delegation", dict(upd, nameservers=[]), "nameservers: at least one NS host"),
        ("onefs_dns_delegation", dict(upd, key_secret="not base64 at all!"), "key_secret: not valid base64"),
        ("onefs_dns_delegation", dict(upd, ttl=-1), "ttl: -1 is out of range"),
    ]
    before = dsim.clusters["alpha"].dns.counters
    results = [run(monkeypatch, m, a) for m, a, _ in cases]
    for (module, _, words), res in zip(cases, results, strict=True):
        assert res.get("failed") and words in res["msg"], (module, words, res)
        assert "c2VjcmV0" not in str(res) and "not base64 at all" not in str(res)
    assert dsim.clusters["alpha"].dns.counters == before


def test_dnspython_missing(dsim, monkeypatch):
    from ansible_collections.onefs.dr.plugins.modules import onefs_dns_check, onefs_dns_delegation
    before = dsim.clusters["alpha"].dns.counters
    for module in (onefs_dns_check, onefs_dns_delegation):
        monkeypatch.setattr(module, "HAS_DNSPYTHON", False)
        monkeypatch.setattr(module, "DNSPYTHON_IMPORT_ERROR", "ImportError: No module named 'dns'")
    check = run(monkeypatch, "onefs_dns_check", dns_of(dsim, "alpha", names=["a.example.com"], expect=["192.0.2.1"]))
    update = run(monkeypatch, "onefs_dns_delegation", dns_of(dsim, "alpha", zone="example.com", name="a.example.com",
                                                              key_name="k", key_secret="c2VjcmV0",
                                                              nameservers=[{"host": "ns.example.com"}]))
    for res in (check, update):
        assert res.get("failed") and "Failed to import the required Python library (dnspython)" in res["msg"], res
    assert dsim.clusters["alpha"].dns.counters == before


TASK_FILE = Path(__file__).resolve().parents[2] / "roles" / "r00_common" / "tasks" / "dns_verify.yml"


def test_dns_verify_task_file_delegate_before_move_after(sim_factory, bind, ansible, tmp_path):
    """The wiring material in one small playbook: delegate (RFC 2136) -> readiness checks -> the
    SmartConnect step's moves (rename on alpha, aliases on beta) -> post-failover checks."""
    dsim = sim_factory("demo", dns=True, share_write_service_ms=2, job_seconds=0.2)   # its own: names move
    dns_cfg = {c: {"server": "127.0.0.1", "port": dsim.clusters[c].dns.port, "ns_host": "ssip-%s.example.com" % c}
               for c in ("alpha", "beta")}
    unit_vars = {
        "onefs_dr_clusters": {c: connection(dsim.clusters[c]) for c in ("alpha", "beta")},
        # The unit value r01_unit builds (the keys the task file reads).
        "onefs_dr_unit": {"name": "finance", "direction": "failover", "uncontrolled": False,
                          "source": "alpha", "target": "beta", "from": "alpha", "to": "beta",
                          "from_zone": "finance", "to_zone": "finance"},
        "onefs_dr_dns": dns_cfg,
        "onefs_dr_dns_delegation": {"server": "127.0.0.1", "port": bind.port, "zone": "example.com",
                                    "key_name": bind.module_args()["key_name"], "key_secret": bind.secret},
    }
    conn = {c: connection(dsim.clusters[c]) for c in ("alpha", "beta")}
    out = tmp_path / "dns_reports.json"
    play = [{"hosts": "finance", "gather_facts": False, "vars": unit_vars, "tasks": [
        {"name": "Delegate", "ansible.builtin.include_tasks": str(TASK_FILE), "vars": {"onefs_dr_dns_phase": "delegate"}},
        {"name": "Keep", "ansible.builtin.set_fact": {"delegate_report": "{{ onefs_dr_dns_report }}"}},
        {"name": "Before", "ansible.builtin.include_tasks": str(TASK_FILE), "vars": {"onefs_dr_dns_phase": "before"}},
        {"name": "Keep", "ansible.builtin.set_fact": {"before_report": "{{ onefs_dr_dns_report }}",
                                                      "before_findings": "{{ onefs_dr_dns_findings }}"}},
        {"name": "Prefix the names on the source", "register": "moved",
         "onefs.dr.onefs_smartconnect_zone": dict(conn["alpha"], access_zone="finance", state="renamed",
                                                  rename_prefix="dr-")},
        {"name": "Add them on the target",
         "onefs.dr.onefs_smartconnect_zone": dict(conn["beta"], access_zone="finance", aliases="{{ moved.names }}",
                                                  aliases_state="present")},
        {"name": "After", "ansible.builtin.include_tasks": str(TASK_FILE),
         "vars": {"onefs_dr_dns_phase": "after", "onefs_dr_smartconnect_moved": "{{ moved.names }}"}},
        {"name": "Save", "ansible.builtin.copy": {
            "dest": str(out), "mode": "0600",
            "content": "{{ {'delegate': delegate_report, 'before': before_report, 'before_findings': before_findings,"
                       " 'after': onefs_dr_dns_report, 'after_findings': onefs_dr_dns_findings} | to_json }}"}},
    ]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": {"finance": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(tmp_path / "hosts.yml"),
                           str(tmp_path / "play.yml")], env=ansible.base_env(), capture_output=True, text=True,
                          timeout=600, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert bind.secret not in proc.stdout
    rep = json.loads(out.read_text())
    names = ["finance.example.com", "fin.example.com"]
    assert rep["delegate"]["names"] == names and rep["delegate"]["delegation_updates"] == names, rep["delegate"]
    assert [d["match"] for d in rep["delegate"]["delegation"]] == [True, True]
    before = rep["before"]
    assert before["holder"] == "alpha" and before["mismatches"] == [] and before["delegation_updates"] == []
    for row in before["resolves"]:
        assert row["match"] and all(a.startswith("192.0.2.2") for a in row["addresses"]), row
    assert [r["rcode"] for r in before["refused_by_other"]] == ["REFUSED", "REFUSED"]
    assert [d["missing"] for d in before["delegation"]] == [[], []]
    assert [(f["check"], f["status"]) for f in rep["before_findings"]] == [("dns_names", "OK"), ("dns_delegation", "OK")]
    after = rep["after"]
    assert after["holder"] == "beta" and after["mismatches"] == [], after
    for row in after["resolves"]:
        assert row["match"] and all(a.startswith("192.0.2.12") for a in row["addresses"]), row
    assert [r["rcode"] for r in after["refused_by_other"]] == ["REFUSED", "REFUSED"]
    assert rep["after_findings"][0]["status"] == "OK" and "(beta)" in rep["after_findings"][0]["detail"]

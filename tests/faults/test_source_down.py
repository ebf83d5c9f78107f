"""Source cluster down at the start of a failover (seed 003, uncontrolled failover).

Readiness must say that the source cannot be reached, and block; a failover without the opt-in
must write nothing; with ``onefs_dr_uncontrolled=true`` the target takes over: writes allowed on
beta for every policy of the units, the target's shares keep (or get back) their original ACLs,
and the report tells the operator to fence the source.
"""

import json

import pytest
from _fault_helpers import WRITES_ON, Playbooks, acls, connection_vars, inventory, locked, scenario, zone_names
from support import Control

ZONES = zone_names(2)


@pytest.mark.timeout(600)
def test_source_down_readiness_blocks(sim_factory, collections_root, tmp_path):
    sim = sim_factory(scenario(len(ZONES), 10), share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    books = Playbooks(collections_root, tmp_path, connection_vars(sim, tmp_path / "connection.yml"),
                      inventory(tmp_path / "hosts.yml", ZONES))
    control.down("alpha", True)
    control.reset_counters("beta")

    # Readiness: non-zero exit, and the report names the unreachable source.
    ready = books.run("readiness.yml")
    assert ready.returncode != 0
    report = books.last_report("readiness")
    alpha = sim.clusters["alpha"]
    for unit in ZONES:
        entry = report["units"][unit]
        assert entry["status"] == "blocked", entry
        text = (entry["error"] + " " + " ".join(c.get("detail", "") for c in entry.get("readiness", []))).lower()
        assert "cannot connect" in text and str(alpha.port) in text, entry["error"]

    # A controlled failover refuses too, before any write.
    refused = books.run("failover.yml")
    assert refused.returncode != 0
    assert control.counters("beta")["writes"] == 0


@pytest.mark.timeout(600)
def test_uncontrolled_failover_when_source_down(sim_factory, collections_root, tmp_path):
    sim = sim_factory(scenario(len(ZONES), 10), share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    books = Playbooks(collections_root, tmp_path, connection_vars(sim, tmp_path / "connection.yml"),
                      inventory(tmp_path / "hosts.yml", ZONES))
    original_beta = acls(control.state("beta"), ZONES)
    control.down("alpha", True)

    # Opted-in uncontrolled failover: the target takes over.
    ignore = {"onefs_dr_readiness_ignore": ["smb_oplocks"]}
    proc = books.run("failover.yml", "-e", "onefs_dr_uncontrolled=true", "-e", json.dumps(ignore))
    assert proc.returncode == 0, proc.stdout[-6000:]
    beta = control.state("beta")
    tps = {t["name"]: t for t in beta["target_policies"]}
    for zone in ZONES:
        assert tps["%s_policy" % zone]["failover_failback_state"] in WRITES_ON, tps["%s_policy" % zone]
        assert beta["writable"]["/ifs/%s" % zone] is True
    assert acls(beta, ZONES) == original_beta
    assert locked(beta, ZONES) == []
    report = books.last_report()
    for unit in ZONES:
        assert report["units"][unit]["status"] == "ok" and report["units"][unit]["uncontrolled"] is True
    assert "FENCE ALPHA" in proc.stdout

    # The source comes back: untouched (still enabled, still writable) -- to be fenced by people.
    control.down("alpha", False)
    alpha_state = control.state("alpha")
    assert all(p["enabled"] for p in alpha_state["policies"] if p["name"] in {"%s_policy" % z for z in ZONES})

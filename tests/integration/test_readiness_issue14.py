"""Readiness findings of issue 14 through playbooks/readiness.yml, against the demo scenario.

Point 8: the smb_oplocks finding is a summary (OneFS's default share settings are not a
warning) that names the shares with files open for writing, the full list in the JSON report.
Point 7: two inventory entries that reach one cluster are one plain identity ERROR.
"""

import copy
import json
from pathlib import Path

import yaml
from support import Control
from test_orchestration import Runner, _connection_file

DEMO = Path(__file__).resolve().parents[2] / "simulator" / "onefs_sim" / "scenarios" / "demo.yaml"
IGNORE_NOTHING = ("-e", '{"onefs_dr_readiness_ignore": []}')


def _demo_with_a_file_open_on_scratch():
    data = yaml.safe_load(DEMO.read_text())
    alpha = data["clusters"]["alpha"]
    alpha["openfiles"] = copy.deepcopy(alpha.get("openfiles", [])) + [
        {"file": "C:\\ifs\\home\\scratch\\notes.txt", "user": "AD\\carol", "permissions": ["read", "write"], "locks": 0}]
    alpha["smb_sessions"] = copy.deepcopy(alpha.get("smb_sessions", [])) + [
        {"computer": "10.1.0.44", "user": "AD\\carol", "openfiles": 1}]
    return data


def _readiness(runner):
    return json.loads(sorted(runner.reports.glob("readiness-*.json"))[-1].read_text())["units"]


def _check(unit, name):
    return next(c for c in unit["readiness"] if c["check"] == name)


def test_oplocks_finding_names_the_shares_with_files_open_for_writing(sim_factory, collections_root, tmp_path):
    sim = sim_factory(_demo_with_a_file_open_on_scratch(), share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    runner = Runner(collections_root, tmp_path, _connection_file(sim, tmp_path / "connection.yml"))
    proc = runner.playbook("readiness.yml", "--limit", "home,eng", *IGNORE_NOTHING)
    units = _readiness(runner)
    assert set(units) == {"home", "eng"}, proc.stdout[-3000:]
    home, eng = _check(units["home"], "smb_oplocks"), _check(units["eng"], "smb_oplocks")
    # home's scratch share (oplocks on, CA off) has a file open for writing: the finding says which.
    assert home["status"] == "WARNING", home
    assert home["detail"].startswith("1 share with oplocks on and continuous availability off (OneFS's default"), home
    assert "System:scratch: /ifs/home/scratch/notes.txt (AD\\carol, write)" in home["detail"]
    assert "SMB sessions holding open files: AD\\carol from 10.1.0.44" in home["detail"]
    assert home["shares"] == ["System:scratch"] and list(home["open"]) == ["System:scratch"]
    # eng's shares at risk have the same default settings and no file open for writing (bob reads
    # main.c on eng-src, not at risk): not a warning any more.
    assert eng["status"] == "OK" and "eng:ci-cache" in eng["detail"] and "no file open" in eng["detail"], eng
    assert "eng:ci-cache" in eng["shares"] and len(eng["shares"]) == int(eng["detail"].split(" ", 1)[0])
    for unit in units.values():
        assert _check(unit, "identity")["status"] == "OK", unit["readiness"]
    assert control.counters("alpha")["writes"] == 0 and control.counters("beta")["writes"] == 0


def test_two_inventory_entries_for_one_cluster_is_one_plain_error(sim_factory, collections_root, tmp_path):
    sim = sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)
    conn = _connection_file(sim, tmp_path / "connection.yml")
    data = yaml.safe_load(conn.read_text())
    data["onefs_dr_clusters"]["beta"] = dict(data["onefs_dr_clusters"]["alpha"])  # a copy-paste slip
    conn.write_text(yaml.safe_dump(data))
    runner = Runner(collections_root, tmp_path, conn)
    proc = runner.playbook("readiness.yml", "--limit", "finance")
    assert proc.returncode != 0
    unit = _readiness(runner)["finance"]
    identity = _check(unit, "identity")
    assert identity["status"] == "ERROR", unit["readiness"]
    assert identity["detail"].startswith("alpha and beta are the same cluster (alpha, GUID "), identity
    assert "onefs_dr_clusters.alpha and onefs_dr_clusters.beta must each reach their own cluster" in identity["detail"]
    assert "alpha and beta are the same cluster" in proc.stdout

"""Readiness finds a share whose directory the target lacks, before any write (issue 16, point 8).

OneFS refuses an SMB share on a directory that does not exist (the simulator does too), so a
share of the unit outside every unit policy (which the final sync will not bring) and missing on
the target would make configuration sync fail after the point of no return. Readiness reads
those directories on the target (onefs_info check_paths) and blocks the unit, naming the share
and its path, with nothing written on either cluster.
"""

import base64
import json
import ssl
import urllib.request

from support import Control
from test_orchestration import Runner, _connection_file


def _post(ep, path, body):
    """One PAPI POST over HTTPS (Basic auth): (status, parsed answer)."""
    req = urllib.request.Request(ep.url + path, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json",
        "Authorization": "Basic " + base64.b64encode(("%s:%s" % (ep.username, ep.password)).encode()).decode()})
    with urllib.request.urlopen(req, context=ssl.create_default_context(cafile=ep.ca)) as resp:
        return resp.status, json.loads(resp.read() or b"null")


def test_readiness_blocks_a_share_whose_directory_the_target_lacks(sim_factory, collections_root, tmp_path):
    sim = sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    # A share of zone eng outside eng_src_policy and eng_builds_policy: its directory exists on
    # alpha only, and no sync of the unit will bring it to beta.
    status, body = _post(sim.clusters["alpha"], "/platform/12/protocols/smb/shares?zone=eng",
                         {"name": "handbook", "path": "/ifs/eng/handbook", "create_path": True})
    assert status == 201, body
    for cluster in ("alpha", "beta"):
        control.reset_counters(cluster)
    runner = Runner(collections_root, tmp_path, _connection_file(sim, tmp_path / "connection.yml"))
    proc = runner.playbook("failover.yml", "--limit", "eng")
    assert proc.returncode != 0
    assert "Readiness blocks unit eng" in proc.stdout
    for cluster in ("alpha", "beta"):
        assert control.counters(cluster)["writes"] == 0, cluster
    report = json.loads(sorted(runner.reports.glob("failover-*.json"))[-1].read_text())
    unit = report["units"]["eng"]
    assert unit["status"] == "blocked" and unit["stopped_at"] == "r02_readiness"
    found = {c["check"]: c for c in unit["readiness"]}
    assert found["share_paths"]["status"] == "ERROR"
    assert "eng:handbook (/ifs/eng/handbook)" in found["share_paths"]["detail"]
    # Readiness asked beta about that one directory only (the replicated shares need no look).
    heads = {k: n for k, n in control.counters("beta")["by_endpoint"].items() if k.startswith("HEAD ")}
    assert heads == {"HEAD /namespace/ifs/eng/handbook": 1}

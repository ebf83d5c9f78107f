"""onefs.dr.job_wait: a unit whose policies run in parallel (eng: two policies, async) waits
for them in one task; a job that fails stops the unit at step 4 with that job's message, and
the unit is rolled back as before."""

import json
import sys
from pathlib import Path

from support import Control

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from test_orchestration import Runner, _connection_file  # noqa: E402


def test_failed_parallel_final_sync_stops_the_unit_with_the_job_message(sim_factory, collections_root, tmp_path):
    sim = sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)
    control = Control(sim.control_url)
    runner = Runner(collections_root, tmp_path, _connection_file(sim, tmp_path / "connection.yml"))
    control.faults("alpha", [{"method": "POST", "path": "/sync/jobs$", "status": 500, "code": "AEC_EXCEPTION",
                              "message": "injected: job start refused", "count": 1}])
    proc = runner.playbook("failover.yml", "--limit", "eng")
    assert proc.returncode != 0
    unit = json.loads(sorted(runner.reports.glob("failover-*.json"))[-1].read_text())["units"]["eng"]
    assert unit["status"] == "rolled_back" and unit["stopped_at"] == "r06_final_sync", unit
    assert "injected: job start refused" in unit["error"], unit["error"]
    assert "FAILED - RETRYING" not in proc.stdout
    # The fault is gone: a re-run completes the unit.
    again = runner.playbook("failover.yml", "--limit", "eng")
    assert again.returncode == 0, again.stdout[-4000:]

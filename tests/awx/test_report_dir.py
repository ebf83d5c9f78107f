"""Reports where AWX users look: onefs_dr_report_dir defaults to $ONEFS_DR_REPORT_DIR (else a
folder under HOME, outside the collection), and a folder that cannot be written stops the
report with an error naming onefs_dr_report_dir."""

import os
import subprocess
import sys
from pathlib import Path

from _awx_helpers import INVENTORY, REPO

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from test_orchestration import _connection_file  # noqa: E402


def _readiness(collections_root, tmp_path, conn_file, **env):
    full = dict(os.environ)
    full.update({"ANSIBLE_COLLECTIONS_PATH": str(collections_root), "ANSIBLE_NOCOLOR": "1",
                 "ONEFS_DR_CONNECTION_VARS": str(conn_file), "HOME": str(tmp_path / "home"),
                 "ONEFS_DR_STATE_DIR": str(tmp_path / "state")})
    full.pop("ONEFS_DR_REPORT_DIR", None)
    full.pop("XDG_STATE_HOME", None)
    full.update(env)
    (tmp_path / "home").mkdir(exist_ok=True)
    return subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(INVENTORY),
                           str(REPO / "playbooks" / "readiness.yml")], env=full, capture_output=True, text=True,
                          timeout=600, cwd=str(tmp_path))


def test_report_dir_from_the_environment_and_a_clear_error(sim_factory, collections_root, tmp_path):
    sim = sim_factory("demo", share_write_service_ms=2, job_seconds=0.2)
    conn_file = _connection_file(sim, tmp_path / "connection.yml")
    proc = _readiness(collections_root, tmp_path, conn_file, ONEFS_DR_REPORT_DIR=str(tmp_path / "reports"))
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert len(list((tmp_path / "reports").glob("readiness-*.json"))) == 1
    # A path that cannot be a folder (its parent is a file): the report names the variable.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    proc = _readiness(collections_root, tmp_path, conn_file, ONEFS_DR_REPORT_DIR=str(blocker / "reports"))
    assert proc.returncode != 0
    errors = [line for line in proc.stdout.splitlines() if "Cannot write the run's report" in line]
    assert errors and "onefs_dr_report_dir" in errors[0] and "onefs_dr_state_dir" not in errors[0], proc.stdout[-3000:]
    # No variable given: a folder under HOME, never inside the collection.
    proc = _readiness(collections_root, tmp_path, conn_file)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert len(list((tmp_path / "home" / ".local" / "state" / "onefs_dr" / "reports").glob("readiness-*.json"))) == 1

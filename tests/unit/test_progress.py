"""module_utils/progress.py: the progress files the onefs.dr.onefs_progress callback shows."""

import json
import os
import subprocess
import sys
from pathlib import Path

from ansible_collections.onefs.dr.plugins.module_utils.progress import Progress, line, read_all


def test_lines_a_person_reads():
    doc = {"label": "alpha", "total": 1000, "done": 340, "what": "share writes", "conflicts_409": 0, "started": 100.0}
    assert line(doc, now=112.4) == "alpha: 340/1000 share writes, 0 x 409, 12 s"
    doc = {"label": "alpha", "message": "waiting for job 12 of policy finance", "started": 100.0}
    assert line(doc, now=140.0) == "alpha: waiting for job 12 of policy finance (40 s)"


def test_writes_at_most_every_interval_and_removes_its_file(tmp_path):
    clock = [1000.0]
    progress = Progress("alpha", total=10, what="share writes", interval=2.0, directory=str(tmp_path),
                        clock=lambda: clock[0])
    progress.update(1, force=True)
    path = progress.path
    assert json.loads(Path(path).read_text())["done"] == 1
    clock[0] += 1.0
    progress.update(5)  # within the interval: not written
    assert json.loads(Path(path).read_text())["done"] == 1
    clock[0] += 1.5
    progress.update(6)
    assert json.loads(Path(path).read_text())["done"] == 6
    assert [d["done"] for d in read_all(str(tmp_path))] == [6]
    progress.close()
    assert not os.path.exists(path) and read_all(str(tmp_path)) == []


def test_a_dead_process_file_is_stale(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({"label": "beta", "pid": int(dead.stdout), "updated": 1e12, "started": 0}))
    assert read_all(str(tmp_path)) == []
    assert not stale.exists()


def test_an_unwritable_folder_turns_progress_off(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    progress = Progress("alpha", total=5, directory=str(blocker / "progress"))
    progress.update(1, force=True)  # no error
    progress.close()
    assert progress.path is None

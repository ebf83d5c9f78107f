"""ansible-playbook killed at random points of a failover; a re-run completes it.

Ten seeds. Each one fails over a fresh DR pair (2 zones x 20 SMB shares), kills the whole
ansible-playbook process group with SIGKILL when a randomly chosen task has started (plus a
random fraction of a second, so modules die mid-call: during the lockout, a SyncIQ job wait, a
journal write ...), then runs the same failover again. The re-run must succeed and leave the
expected end state: SyncIQ roles swapped, every share's original ACL on both clusters, no share
locked, each share once.
"""

import random
import time
from pathlib import Path

import pytest
from _fault_helpers import Playbooks, acls, assert_failed_over, connection_vars, inventory, scenario, zone_names
from support import Control

ZONES = zone_names(2)
SEEDS = range(10)
# A full failover of this inventory starts about 130 tasks; kill points spread over all of them.
FIRST_TASK, LAST_TASK = 3, 125


def _tasks_started(log_path):
    try:
        return Path(log_path).read_text(errors="replace").count("\nTASK [")
    except OSError:
        return 0


@pytest.mark.timeout(900)
@pytest.mark.parametrize("seed", SEEDS)
def test_killed_failover_resumes(seed, sim_factory, collections_root, tmp_path):
    rng = random.Random(seed)
    kill_at = rng.randint(FIRST_TASK, LAST_TASK)
    extra_delay = rng.uniform(0, 0.6)
    sim = sim_factory(scenario(len(ZONES), 20), share_write_service_ms=5, job_seconds=0.3)
    control = Control(sim.control_url)
    books = Playbooks(collections_root, tmp_path, connection_vars(sim, tmp_path / "connection.yml"),
                      inventory(tmp_path / "hosts.yml", ZONES))
    original = {c: acls(control.state(c), ZONES) for c in ("alpha", "beta")}

    proc = books.start("failover.yml")
    killed = False
    deadline = time.monotonic() + 400
    while proc.poll() is None and time.monotonic() < deadline:
        if _tasks_started(proc.log_path) >= kill_at:
            time.sleep(extra_delay)
            books.kill(proc)
            killed = True
            break
        time.sleep(0.05)
    if not killed:
        proc.wait(60)
    print("seed %d: kill at task %d (+%.2f s): %s" % (seed, kill_at, extra_delay,
                                                      "killed" if killed else "finished first"))

    again = books.run("failover.yml")
    assert again.returncode == 0, "seed %d (kill at task %d)\n%s" % (seed, kill_at, again.stdout[-8000:])
    assert_failed_over(control, ZONES, original)
    report = books.last_report()
    assert all(u["status"] == "ok" for u in report["units"].values()), report["units"]

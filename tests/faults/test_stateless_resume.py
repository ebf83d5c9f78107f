"""A failover killed at several points, then re-run as AWX runs it: in a new container.

The re-run gets an empty controller state directory and another HOME (a fresh execution
environment on another node). What a correct resume needs (the cached schedules of step 1b,
the pending mirror runs of step 8) must come from the clusters. The end state, read through
the control API, must equal an uninterrupted run's: the mirror policy carries the policy's
original schedule and has run in the new direction, and no lease is left behind.
"""

import time

import pytest
from _fault_helpers import Playbooks, assert_failed_over, connection_vars, inventory, scenario
from _fault_helpers import acls as acls_of
from support import Control

ZONE = "zone01"
POLICY = "zone01_policy"


def _policy(control, cluster, name):
    return {p["name"]: p for p in control.state(cluster)["policies"]}.get(name)


def _when(predicate, proc, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if predicate():
            return True
        time.sleep(0.05)
    return False


POINTS = {
    # Step 1b set the policy to manual: the cached schedule exists only in the run's state.
    "after_schedule_cached": lambda c: (_policy(c, "alpha", POLICY) or {}).get("schedule") == "",
    # Step 8 made the mirror: the pending mirror run exists only in the run's state.
    "after_resync_prep": lambda c: _policy(c, "beta", POLICY + "_mirror") is not None,
}


@pytest.mark.timeout(900)
@pytest.mark.parametrize("point", sorted(POINTS))
def test_killed_failover_resumes_in_a_new_container(point, sim_factory, collections_root, tmp_path):
    sim = sim_factory(scenario(1, 10), share_write_service_ms=5, job_seconds=0.3)
    control = Control(sim.control_url)
    conn = connection_vars(sim, tmp_path / "connection.yml")
    hosts = inventory(tmp_path / "hosts.yml", [ZONE])
    original_schedule = _policy(control, "alpha", POLICY)["schedule"]
    assert original_schedule
    original = {c: acls_of(control.state(c), [ZONE]) for c in ("alpha", "beta")}

    (tmp_path / "node1").mkdir()
    first = Playbooks(collections_root, tmp_path / "node1", conn, hosts)
    proc = first.start("failover.yml")
    reached = _when(lambda: POINTS[point](control), proc)
    assert reached, "the run ended before %s" % point
    first.kill(proc)

    # A new container: empty state directory, another HOME, nothing of the first run's disk.
    (tmp_path / "node2" / "home").mkdir(parents=True)
    second = Playbooks(collections_root, tmp_path / "node2", conn, hosts)
    second.env["HOME"] = str(tmp_path / "node2" / "home")
    again = second.run("failover.yml")
    assert again.returncode == 0, again.stdout[-6000:]

    assert_failed_over(control, [ZONE], original)
    mirror = _policy(control, "beta", POLICY + "_mirror")
    assert mirror["schedule"] == original_schedule, mirror
    assert mirror.get("last_success") or mirror.get("last_job_state") == "finished", mirror
    files = control.state("alpha")["files"]
    assert not [p for p in files if p.startswith("/ifs/.onefs_dr/leases/") and p.endswith(".lease")]

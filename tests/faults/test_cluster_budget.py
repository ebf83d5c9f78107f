"""The share-write budget held on the cluster, across controllers that share nothing.

Each run gets its own state directory, limiter directory and HOME, as two AWX jobs in two
execution-environment containers on two nodes do: the only thing they share is the cluster.
Before the budget lived on the cluster, two such lockouts of 150 shares each drew 80 and 103
answers 409 AEC_CONFLICT from a cluster of capacity 10.

The simulator's capacity is the real ceiling here (10; a write past it answers 409), so the
counters show both the concurrency (``max_concurrent_share_writes``) and any overflow.
"""

import time
from pathlib import Path

import pytest
from _fault_helpers import Playbooks, acls, assert_failed_over, connection_vars, inventory, scenario, zone_names
from support import Control

ZONES = zone_names(2)
LIMIT = 10


def _controller(collections_root, tmp_path, name, conn, units):
    work = tmp_path / name
    (work / "home").mkdir(parents=True)
    books = Playbooks(collections_root, work, conn, inventory(work / "hosts.yml", units))
    books.env["HOME"] = str(work / "home")
    return books


def _no_lease_left(control):
    for cluster in ("alpha", "beta"):
        files = control.state(cluster)["files"]
        left = [p for p in files if p.startswith("/ifs/.onefs_dr/leases/") and p.endswith(".lease")]
        assert left == [], (cluster, left)


@pytest.mark.timeout(900)
def test_two_controllers_stay_within_the_clusters_budget(sim_factory, collections_root, tmp_path):
    sim = sim_factory(scenario(len(ZONES), 150), share_write_service_ms=10, share_write_capacity=LIMIT, job_seconds=0.2)
    control = Control(sim.control_url)
    conn = connection_vars(sim, tmp_path / "connection.yml")
    original = {c: acls(control.state(c), ZONES) for c in ("alpha", "beta")}
    runs = []
    for index, zone in enumerate(ZONES):
        books = _controller(collections_root, tmp_path, "node%d" % index, conn, [zone])
        runs.append((books, books.start("failover.yml")))
    deadline = time.monotonic() + 800
    for _books, proc in runs:
        proc.wait(max(1, deadline - time.monotonic()))
        assert proc.returncode == 0, Path(proc.log_path).read_text()[-6000:]
    for cluster in ("alpha", "beta"):
        counters = control.counters(cluster)
        assert counters["conflicts_409"] == 0, (cluster, counters["conflicts_409"])
        assert counters["max_concurrent_share_writes"] <= LIMIT, (cluster, counters["max_concurrent_share_writes"])
    assert_failed_over(control, ZONES, original)
    _no_lease_left(control)


@pytest.mark.timeout(900)
def test_a_killed_holder_of_budget_claims_frees_them_at_expiry(sim_factory, collections_root, tmp_path):
    """Run A is killed (SIGKILL) while its lockout holds claims; run B, on another controller,
    waits for the claims to expire and then fails over its own unit with no 409."""
    sim = sim_factory(scenario(len(ZONES), 150), share_write_service_ms=25, share_write_capacity=LIMIT, job_seconds=0.2)
    control = Control(sim.control_url)
    conn = connection_vars(sim, tmp_path / "connection.yml")
    original = {c: acls(control.state(c), ZONES) for c in ("alpha", "beta")}
    first = _controller(collections_root, tmp_path, "node0", conn, [ZONES[0]])
    proc = first.start("failover.yml")
    deadline = time.monotonic() + 300
    while control.counters("alpha")["share_writes"] < 20:
        assert proc.poll() is None and time.monotonic() < deadline, Path(proc.log_path).read_text()[-4000:]
        time.sleep(0.05)
    held = [p for p in control.state("alpha")["files"] if p.startswith("/ifs/.onefs_dr/leases/budget/")]
    first.kill(proc)
    assert held, "the lockout held no budget claim on the cluster"

    second = _controller(collections_root, tmp_path, "node1", conn, [ZONES[1]])
    done = second.run("failover.yml")
    assert done.returncode == 0, done.stdout[-6000:]
    assert control.counters("alpha")["conflicts_409"] == 0
    # The killed run's entries expired and were collected by the second run.
    # Then the first unit is finished by a re-run, and nothing is left behind.
    again = first.run("failover.yml")
    assert again.returncode == 0, again.stdout[-6000:]
    assert_failed_over(control, ZONES, original)
    _no_lease_left(control)

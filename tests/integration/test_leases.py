"""Cluster-held leases (plugins/module_utils/_lease.py) against the simulator over HTTPS.

Every test uses separate clients (as separate controllers would): nothing is shared but the
cluster. Liveness is judged in the cluster's clock, so the tests that need an entry to expire
use a short ttl and wait for it; no assertion compares wall-clock durations.
"""

import json
import threading
import time

import pytest

from ansible_collections.onefs.dr.plugins.module_utils._lease import (
    LEASE_ROOT,
    ClusterLease,
    LeaseBusy,
    LeaseLost,
    Renewer,
    holder_info,
)
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient


def client_for(cluster, tmp_path, name):
    state = tmp_path / name
    state.mkdir(exist_ok=True)
    return OneFSClient(cluster.host, cluster.port, cluster.username, cluster.password, ca_path=cluster.ca,
                       limiter_dir=str(state / "limiter"))


def entries(cluster_files, resource):
    prefix = "%s/%s/" % (LEASE_ROOT, resource.split(".", 1)[0])
    return sorted(p[len(prefix):] for p, e in cluster_files.items() if p.startswith(prefix) and e["type"] == "object")


@pytest.fixture
def alpha(sim):
    return sim.clusters["alpha"]


def files_of(sim, name="alpha"):
    return sim.world.clusters[name].s["files"] if hasattr(sim, "world") else sim.clusters[name].state["files"]


def test_simulator_refuses_create_of_existing_file_with_overwrite_false(alpha, tmp_path):
    c = client_for(alpha, tmp_path, "a")
    c.request("PUT", "/namespace/ifs/.onefs_dr", headers={"x-isi-ifs-target-type": "container"})
    c.request("PUT", "/namespace/ifs/.onefs_dr/x.json", body=b"1", headers={"x-isi-ifs-target-type": "object"},
              query={"overwrite": "false"})
    with pytest.raises(Exception) as err:
        c.request("PUT", "/namespace/ifs/.onefs_dr/x.json", body=b"2", headers={"x-isi-ifs-target-type": "object"},
                  query={"overwrite": "false"})
    assert err.value.status == 403 and err.value.code == "AEC_FORBIDDEN"
    assert "already exists" in err.value.message
    assert c.request("GET", "/namespace/ifs/.onefs_dr/x.json") in (1, b"1")
    # Default overwrite=true replaces; DELETE of a missing file is not an error (OneFS answers 204).
    c.request("PUT", "/namespace/ifs/.onefs_dr/x.json", body=b"3", headers={"x-isi-ifs-target-type": "object"})
    assert c.request("DELETE", "/namespace/ifs/.onefs_dr/x.json") is None
    assert c.request("DELETE", "/namespace/ifs/.onefs_dr/x.json") is None
    listing = c.request("GET", "/namespace/ifs/.onefs_dr", query={"detail": "default"})
    assert listing == {"children": []}


def test_unit_lease_is_exclusive_across_controllers_and_names_the_holder(alpha, tmp_path):
    one = ClusterLease(client_for(alpha, tmp_path, "one"), "unit.finance", holder_info("run-1", "failover"), ttl=30)
    two = ClusterLease(client_for(alpha, tmp_path, "two"), "unit.finance", holder_info("run-2", "rollback"), ttl=30)
    assert one.try_acquire()
    with pytest.raises(LeaseBusy) as busy:
        two.acquire(wait=0)
    assert "run run-1" in str(busy.value) and "unit.finance" in str(busy.value)
    assert busy.value.holders[0]["holder"]["run_id"] == "run-1"
    assert not two.held
    assert one.release()
    assert two.acquire(wait=5)
    two.release()
    listing = one.client.request("GET", "/namespace" + LEASE_ROOT + "/unit")
    assert listing["children"] == []  # nothing left behind by clean holders


def test_two_takers_never_both_win(alpha, tmp_path):
    """Many threads, each a separate client, race for a unit lease many times: at most one
    holds it at any moment (checked with a shared counter while holding)."""
    holding = []
    guard = threading.Lock()
    overlaps = []
    wins = []

    def worker(i):
        lease = ClusterLease(client_for(alpha, tmp_path, "w%d" % i), "unit.race", holder_info("run-%d" % i), ttl=30)
        for _ in range(6):
            if lease.try_acquire():
                with guard:
                    holding.append(i)
                    if len(holding) > 1:
                        overlaps.append(list(holding))
                    wins.append(i)
                time.sleep(0.01)
                with guard:
                    holding.remove(i)
                lease.release()
            time.sleep(0.005 * (i % 3))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []
    assert wins  # somebody won


def test_budget_claims_never_exceed_capacity(alpha, tmp_path):
    a = ClusterLease(client_for(alpha, tmp_path, "a"), "budget", holder_info("a"), capacity=10, claim=6, ttl=30)
    b = ClusterLease(client_for(alpha, tmp_path, "b"), "budget", holder_info("b"), capacity=10, claim=6, ttl=30)
    assert a.try_acquire()
    assert not b.try_acquire()
    # With min_claim the second takes what is free instead of waiting.
    assert b.acquire(wait=5, min_claim=1)
    assert b.claim == 4
    a.release()
    b.release()


def test_dead_holder_expires_in_the_clusters_clock_and_is_collected(alpha, tmp_path):
    dead = ClusterLease(client_for(alpha, tmp_path, "dead"), "unit.eng", holder_info("run-dead"), ttl=3)
    assert dead.try_acquire()
    # The holder "dies": no renewal, no release.
    other = ClusterLease(client_for(alpha, tmp_path, "other"), "unit.eng", holder_info("run-next"), ttl=3)
    with pytest.raises(LeaseBusy):
        other.acquire(wait=0)
    assert other.acquire(wait=30, poll=0.5)  # ttl 3 + grace 2, second resolution
    names = [c["name"] for c in other.client.request("GET", "/namespace" + LEASE_ROOT + "/unit")["children"]
             if c["name"].startswith("unit.eng.")]
    assert names == [other.entry_path.rsplit("/", 1)[1]]  # the dead entry was deleted
    # The dead holder fenced itself: its lease ran out locally and it may not renew.
    assert not dead.valid()
    with pytest.raises(LeaseLost):
        dead.renew()
    other.release()


def test_renewer_keeps_a_lease_alive_past_its_ttl(alpha, tmp_path):
    lease = ClusterLease(client_for(alpha, tmp_path, "r"), "unit.home", holder_info("run-r"), ttl=3)
    assert lease.try_acquire()
    renewer = Renewer([lease]).start()
    try:
        other = ClusterLease(client_for(alpha, tmp_path, "o"), "unit.home", holder_info("run-o"), ttl=3)
        with pytest.raises(LeaseBusy):
            other.acquire(wait=7, poll=0.5)  # longer than ttl + grace: the renewals keep it live
        assert renewer.ok()
    finally:
        renewer.stop()
        lease.release()


def test_lease_entry_holds_no_secret(alpha, tmp_path):
    c = client_for(alpha, tmp_path, "s")
    lease = ClusterLease(c, "unit.sec", holder_info("run-s", "failover"), ttl=30)
    assert lease.try_acquire()
    body = c.request("GET", "/namespace" + lease.entry_path)
    text = json.dumps(body) if not isinstance(body, (bytes, bytearray)) else body.decode()
    assert alpha.password not in text
    assert "run-s" in text
    lease.release()


def test_units_share_one_directory_and_never_block_each_other(alpha, tmp_path):
    """Every unit's entries are in leases/unit/ (made once per cluster); a unit whose name
    starts with another's ("fin" and "fin.eu") is a different resource."""
    fin = ClusterLease(client_for(alpha, tmp_path, "f"), "unit.fin", holder_info("run-f"), ttl=30)
    fin_eu = ClusterLease(client_for(alpha, tmp_path, "e"), "unit.fin.eu", holder_info("run-e"), ttl=30)
    assert fin.try_acquire()
    assert fin_eu.try_acquire()
    assert fin.others == [] and fin_eu.others == []
    again = ClusterLease(client_for(alpha, tmp_path, "g"), "unit.fin", holder_info("run-g"), ttl=30)
    assert not again.try_acquire()  # the same unit is still exclusive
    assert [o["token"] for o in again.others] == [fin.token]
    listing = fin.client.request("GET", "/namespace" + LEASE_ROOT + "/unit")
    assert sorted(c["name"] for c in listing["children"]) == sorted(
        lease.entry_path.rsplit("/", 1)[1] for lease in (fin, fin_eu))
    fin.release()
    fin_eu.release()

"""The controller-wide share-write budget (plugins/module_utils/_budget_broker.py) over HTTPS.

Clients with the same limiter directory are writers of one controller (module processes of
one AWX job); a client with another directory is another controller. Everything is told from
the simulator's counters and files, never from how long something took.
"""

import threading
import time

import pytest
from support import Control

from ansible_collections.onefs.dr.plugins.module_utils._lease import LEASE_ROOT, ClusterLease, holder_info, renew_interval
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient, OneFSError

BUDGET = LEASE_ROOT + "/budget/"
SHARE_ITEM = "protocols/smb/shares"


def client_in(cluster, directory, **kwargs):
    opts = dict(host=cluster.host, port=cluster.port, username=cluster.username, password=cluster.password,
                ca_path=cluster.ca, limiter_dir=str(directory), backoff_base=0.01, backoff_cap=0.2)
    opts.update(kwargs)
    return OneFSClient(**opts)


def budget_entries(control, cluster="alpha"):
    files = control.state(cluster)["files"]
    return sorted(p[len(BUDGET):] for p in files if p.startswith(BUDGET) and p.endswith(".lease"))


def bookkeeping(control, cluster="alpha"):
    return control.counters(cluster)["bookkeeping_requests"]


def test_writers_of_one_controller_share_one_entry_and_hand_it_over(sim, tmp_path):
    control = Control(sim.control_url)
    alpha = sim.clusters["alpha"]
    first = client_in(alpha, tmp_path / "node")
    second = client_in(alpha, tmp_path / "node")
    control.reset_counters("alpha")
    with first.share_budget(10) as claim:
        assert claim == 10
        entries = budget_entries(control)
        assert len(entries) == 1
        taken = bookkeeping(control)
        assert taken >= 2  # create, look (and the lease directory the first time)
        with second.share_budget(10) as joined:
            # The second writer joins the entry: no call, no second entry.
            assert joined == 10
            assert bookkeeping(control) == taken
            assert budget_entries(control) == entries
            assert second.stats["budget_joined"] == 1
        # The second leaves first: the entry stays for the first (no call).
        assert budget_entries(control) == entries
        assert bookkeeping(control) == taken
        # Handed over: a third writer joins while the first still writes, then the first leaves.
        third = client_in(alpha, tmp_path / "node")
        with third.share_budget(10):
            first._release_budget()
            assert budget_entries(control) == entries  # the third still uses it
        assert third.stats["budget_joined"] == 1
        third.close()
    # The last user gave it back: one DELETE, nothing left.
    assert budget_entries(control) == []
    assert bookkeeping(control) == taken + 1
    first.close()
    second.close()


def test_a_remote_holder_is_respected_by_every_writer_of_the_controller(sim_factory, tmp_path):
    """Another controller holds 6 of 10 claims: this controller's writers share the other 4,
    all together never more than 4 writes in flight, and a writer waits (polling the
    cluster) while the other controller holds all 10."""
    slow = sim_factory("demo", share_write_service_ms=10, job_seconds=0.2)
    control = Control(slow.control_url)
    alpha = slow.clusters["alpha"]
    remote = ClusterLease(client_in(alpha, tmp_path / "remote"), "budget", holder_info("remote"), capacity=10, claim=6, ttl=30)
    assert remote.try_acquire()
    share = client_in(alpha, tmp_path / "probe").list(client_in(alpha, tmp_path / "probe").api(SHARE_ITEM), "shares",
                                                      {"zone": "System"})[0]["name"]
    control.reset_counters("alpha")
    failed = []
    claims = {}
    go = threading.Event()

    def writer(name):
        client = client_in(alpha, tmp_path / "node")
        client.latest  # noqa: B018 - the version read before the writes

        def write(index):
            go.wait(30)
            try:
                client.put(client.api(SHARE_ITEM, share), {"description": "%s-%d" % (name, index)}, {"zone": "System"},
                           share_write=True)
            except OneFSError as err:
                failed.append(err)

        with client.share_budget(10) as claim:
            claims[name] = (claim, client.limiter.width)
            if len(claims) == 2:
                go.set()
            client.write_many(range(40), write, parallel=10)
        client.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failed == []
    assert claims == {"a": (4, 4), "b": (4, 4)}
    counters = control.counters("alpha")
    assert counters["share_writes"] == 80
    assert 1 <= counters["max_concurrent_share_writes"] <= 4, counters["max_concurrent_share_writes"]
    assert counters["conflicts_409"] == 0
    assert budget_entries(control) == [remote.entry_path.rsplit("/", 1)[1]]

    # The other controller takes everything: a writer here waits for it, then gets all 10.
    remote.release()
    full = ClusterLease(client_in(alpha, tmp_path / "remote"), "budget", holder_info("remote"), capacity=10, claim=10, ttl=30)
    assert full.try_acquire()
    waiter = client_in(alpha, tmp_path / "node", retry_deadline=120)
    got = []
    thread = threading.Thread(target=lambda: got.append(waiter._take_budget(10)))
    before = bookkeeping(control)
    thread.start()
    for _ in range(600):  # until the waiter has looked at least twice (it polls the cluster)
        if bookkeeping(control) >= before + 4:
            break
        time.sleep(0.05)
    assert not got  # still waiting: the other controller holds every claim
    full.release()
    thread.join(120)
    assert got and got[0].claim == 10
    waiter._budget = got[0]
    waiter.close()
    assert budget_entries(control) == []


def test_an_entry_whose_users_died_runs_out_and_is_replaced(sim, tmp_path):
    """The users of an entry die (no renewal, no release): another controller may count it dead
    after ttl + grace in the cluster's clock, and the next writer of this controller does not
    join it once it ran out but takes a new one (the old users fenced themselves)."""
    control = Control(sim.control_url)
    alpha = sim.clusters["alpha"]
    dead = client_in(alpha, tmp_path / "node")
    dead.lease_ttl = 3
    hold = dead._take_budget(10)
    old = budget_entries(control)
    assert len(old) == 1
    # The process "dies": its renewer stops and its shared lock goes (as with the process).
    hold._stop.set()
    hold._thread.join(10)
    import os

    os.close(hold._users_fd)
    hold._users_fd = None
    for _ in range(400):
        if not hold.valid():
            break
        time.sleep(0.05)
    assert not hold.ok()
    nxt = client_in(alpha, tmp_path / "node")
    nxt.lease_ttl = 3
    with nxt.share_budget(10) as claim:
        assert claim == 10
        now = budget_entries(control)
        assert len(now) == 1 and now != old  # the ran-out entry was deleted, a new one taken
        assert nxt.stats.get("budget_joined", 0) == 0
    assert budget_entries(control) == []
    nxt.close()


@pytest.mark.timeout(120)
def test_shared_renewals_keep_the_entry_live_past_its_ttl(sim, tmp_path):
    """Two writers of one controller hold the entry longer than ttl + grace: the renewals (one per
    interval for both) keep it live, so another controller is refused all along."""
    control = Control(sim.control_url)
    alpha = sim.clusters["alpha"]
    a = client_in(alpha, tmp_path / "node")
    b = client_in(alpha, tmp_path / "node")
    a.lease_ttl = b.lease_ttl = 3
    with a.share_budget(10), b.share_budget(10):
        remote = ClusterLease(client_in(alpha, tmp_path / "remote"), "budget", holder_info("remote"), capacity=10,
                              claim=1, ttl=3)
        before = control.counters("alpha")["by_endpoint"]
        with pytest.raises(Exception) as err:
            remote.acquire(wait=7, poll=0.5)  # longer than ttl + grace
        assert type(err.value).__name__ == "LeaseBusy"
        assert a.stop_reason() is None and b.stop_reason() is None
        after = control.counters("alpha")["by_endpoint"]
        entry = "PUT /namespace" + BUDGET + budget_entries(control)[0]
        renewals = after.get(entry, 0) - before.get(entry, 0)
        # One renewal per interval for the two writers together, not one each (the count is
        # bounded by the number of intervals in the wait, whatever the machine's speed).
        interval = renew_interval(3)
        assert renewals >= 1
        assert renewals <= remote.waited / interval + 2
    assert budget_entries(control) == []
    a.close()
    b.close()


@pytest.mark.timeout(180)
def test_a_waiting_controller_gets_in_while_this_one_keeps_writing(sim, tmp_path):
    """Two writers of this controller take turns that overlap (each joins while the other still
    writes, as bulk writers hand over), so the entry would never be given back; another
    controller that waits for the whole budget says so (a marker of claim 0), this controller's
    broker sees it at its next renewal, lets its entry drain and the waiter in, then takes the
    budget again after it."""
    control = Control(sim.control_url)
    alpha = sim.clusters["alpha"]
    state = {"remote_in": False, "stop": False, "after_remote": 0}
    errors = []

    def writer(delay):
        client = client_in(alpha, tmp_path / "node")
        client.lease_ttl = 3
        time.sleep(delay)
        try:
            for _ in range(300):
                if state["stop"]:
                    break
                client._budget = client._take_budget(10)
                time.sleep(0.2)  # its writes
                client._release_budget()
                if state["remote_in"]:
                    state["after_remote"] += 1
                    if state["after_remote"] >= 4:
                        break
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)
        finally:
            client.close()

    threads = [threading.Thread(target=writer, args=(d,)) for d in (0.0, 0.1)]
    for thread in threads:
        thread.start()
    for _ in range(400):  # the writers' entry exists
        if budget_entries(control):
            break
        time.sleep(0.05)
    remote = ClusterLease(client_in(alpha, tmp_path / "remote"), "budget", holder_info("remote"), capacity=10, claim=10, ttl=3)
    try:
        got = remote.acquire(wait=60, poll=0.5, announce=True)
        state["remote_in"] = got and any(t.is_alive() for t in threads)
        held, mine = budget_entries(control), remote.entry_path.rsplit("/", 1)[1]
        remote.release()
    finally:
        state["stop"] = not state["remote_in"]
        for thread in threads:
            thread.join(120)
    assert errors == []
    assert state["remote_in"], state  # the waiter got in while the writers were still writing
    assert held == [mine]  # the writers' entry was given back, the waiter's marker removed
    assert state["after_remote"] >= 1  # and this controller took the budget again afterwards
    assert budget_entries(control) == []  # markers and entries all gone

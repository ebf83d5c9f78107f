"""The OneFS client against the simulator over HTTPS; the simulator's faults make the faults."""

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from support import Control

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient, OneFSError

SHARE_ITEM = "protocols/smb/shares"


def make_client(cluster, limiter_dir, **kwargs):
    opts = dict(
        host=cluster.host,
        port=cluster.port,
        username=cluster.username,
        password=cluster.password,
        ca_path=cluster.ca,
        limiter_dir=str(limiter_dir),
        backoff_base=0.01,
        backoff_cap=0.2,
    )
    opts.update(kwargs)
    return OneFSClient(**opts)


def first_share(client, zone="System"):
    shares = client.list(client.api(SHARE_ITEM), "shares", {"zone": zone})
    assert shares, "the demo scenario has shares in zone %s" % zone
    return shares[0]


def endpoint_count(counters, method, fragment):
    return sum(n for key, n in counters["by_endpoint"].items() if key.startswith(method + " ") and fragment in key)


@pytest.fixture
def alpha(sim, limiter_dir):
    client = make_client(sim.clusters["alpha"], limiter_dir)
    yield client
    client.close()


def test_private_session_logs_in_and_out(sim, control, limiter_dir):
    control.reset_counters("alpha")
    client = make_client(sim.clusters["alpha"], limiter_dir, auth_mode="private_session")
    share = first_share(client)
    client.put(client.api(SHARE_ITEM, share["name"]), {"description": "touched"}, {"zone": "System"}, share_write=True)
    client.close()
    counters = control.counters("alpha")
    assert endpoint_count(counters, "POST", "/session/1/session") == 1
    assert endpoint_count(counters, "DELETE", "/session/1/session") == 1
    assert client.stats["api_calls"] >= 4


def test_shared_session_is_reused_by_the_next_client(sim, control, limiter_dir, tmp_path):
    control.reset_counters("alpha")
    for _ in range(3):  # three module runs one after the other
        client = make_client(sim.clusters["alpha"], limiter_dir)
        first_share(client)
        client.close()
    counters = control.counters("alpha")
    assert endpoint_count(counters, "POST", "/session/1/session") == 1
    assert endpoint_count(counters, "DELETE", "/session/1/session") == 0
    sessions = tmp_path / "onefs-dr-state" / "sessions"
    assert (sessions.stat().st_mode & 0o777) == 0o700
    files = [f for f in sessions.iterdir() if f.suffix == ".json"]
    assert len(files) == 1
    assert (files[0].stat().st_mode & 0o777) == 0o600
    text = files[0].read_text()
    assert sim.clusters["alpha"].password not in text and sim.clusters["alpha"].password not in files[0].name


def test_cluster_identity_is_read_once_per_shared_session(sim, control, limiter_dir):
    """cluster/config is read once and kept with the shared session; a client that adopts the
    session uses it after its first successful request, and a refused session drops it."""
    control.reset_counters("alpha")
    first = make_client(sim.clusters["alpha"], limiter_dir)
    identity = first.cluster_identity()
    first.close()
    assert identity["name"] == "alpha" and identity["guid"]
    second = make_client(sim.clusters["alpha"], limiter_dir)
    assert second.cluster_identity() == identity  # nothing validated the session yet: read again
    third = make_client(sim.clusters["alpha"], limiter_dir)
    first_share(third)
    assert third.cluster_identity() == identity  # from the session, no read
    assert endpoint_count(control.counters("alpha"), "GET", "/cluster/config") == 2
    control.expire_sessions("alpha")
    fourth = make_client(sim.clusters["alpha"], limiter_dir)
    first_share(fourth)  # 401, a new login: the identity went with the old session
    assert fourth.cluster_identity() == identity
    assert endpoint_count(control.counters("alpha"), "GET", "/cluster/config") == 3
    for client in (second, third, fourth):
        client.close()


def test_shared_session_is_not_used_with_other_credentials(sim, control, limiter_dir):
    good = make_client(sim.clusters["alpha"], limiter_dir)
    first_share(good)
    good.close()
    wrong = make_client(sim.clusters["alpha"], limiter_dir, password="wrong")
    with pytest.raises(OneFSError) as info:
        first_share(wrong)
    assert info.value.status == 401


def test_shared_session_refused_by_onefs_is_replaced(sim, control, limiter_dir):
    first = make_client(sim.clusters["alpha"], limiter_dir)
    first_share(first)
    first.close()
    control.expire_sessions("alpha")
    control.reset_counters("alpha")
    second = make_client(sim.clusters["alpha"], limiter_dir)
    first_share(second)  # the cached session answers 401 once; one new login
    second.close()
    third = make_client(sim.clusters["alpha"], limiter_dir)
    first_share(third)  # the new session is the shared one now
    third.close()
    counters = control.counters("alpha")
    assert endpoint_count(counters, "POST", "/session/1/session") == 1
    assert counters["by_endpoint"].get("DELETE /session/1/session", 0) == 0


def test_shared_session_loser_of_a_login_race_logs_out(sim, control, limiter_dir):
    control.reset_counters("alpha")
    one = make_client(sim.clusters["alpha"], limiter_dir)
    two = make_client(sim.clusters["alpha"], limiter_dir)
    first_share(one)
    two._sessid = None
    two._login()  # a second process logged in at the same moment: its session is now shared
    first_share(two)
    one.close()  # not the shared session any more: logged out
    two.close()  # the shared one: kept
    counters = control.counters("alpha")
    assert endpoint_count(counters, "POST", "/session/1/session") == 2
    assert endpoint_count(counters, "DELETE", "/session/1/session") == 1


def test_basic_auth_needs_no_session(sim, control, limiter_dir):
    control.reset_counters("alpha")
    client = make_client(sim.clusters["alpha"], limiter_dir, auth_mode="basic")
    first_share(client)
    client.close()
    assert endpoint_count(control.counters("alpha"), "POST", "/session/1/session") == 0


def test_wrong_password_is_a_clear_401(sim, limiter_dir):
    client = make_client(sim.clusters["alpha"], limiter_dir, password="wrong")
    with pytest.raises(OneFSError) as info:
        first_share(client)
    assert info.value.status == 401
    assert "login" in str(info.value)
    assert "wrong" not in str(info.value)


def test_untrusted_certificate_is_refused_by_default(sim, limiter_dir):
    client = make_client(sim.clusters["alpha"], limiter_dir, ca_path=None)
    with pytest.raises(OneFSError) as info:
        first_share(client)
    assert "TLS verification failed" in str(info.value)
    assert "ca_path" in str(info.value)


def test_conflict_storm_then_success(sim, control, alpha):
    share = first_share(alpha)
    control.faults(
        "alpha",
        [{"method": "PUT", "path": "protocols/smb/shares", "status": 409, "code": "AEC_CONFLICT",
          "message": "Conflict updating share(s): File exists", "rate": 1.0, "count": 6}],
    )
    control.reset_counters("alpha")
    alpha.put(alpha.api(SHARE_ITEM, share["name"]), {"description": "after storm"}, {"zone": "System"}, share_write=True)
    assert alpha.stats["conflicts_409"] == 6
    assert alpha.stats["retries"] == 6
    again = alpha.item(alpha.api(SHARE_ITEM, share["name"]), "shares", {"zone": "System"})
    assert again["description"] == "after storm"


def test_conflict_past_deadline_names_aec_conflict(sim, control, limiter_dir):
    client = make_client(sim.clusters["alpha"], limiter_dir, retry_deadline=1)
    share = first_share(client)
    control.faults("alpha", [{"method": "PUT", "path": "protocols/smb/shares", "status": 409,
                              "code": "AEC_CONFLICT", "message": "Conflict updating share(s): File exists",
                              "rate": 1.0}])
    with pytest.raises(OneFSError) as info:
        client.put(client.api(SHARE_ITEM, share["name"]), {"description": "x"}, {"zone": "System"}, share_write=True)
    err = info.value
    assert err.code == "AEC_CONFLICT"
    assert err.status == 409
    assert "Conflict updating share(s)" in str(err)
    assert "attempts" in str(err)
    client.close()


def test_503_is_retried_for_any_call(sim, control, alpha):
    control.faults("alpha", [{"method": "GET", "path": "sync/policies", "status": 503,
                              "code": "AEC_SERVICE_UNAVAILABLE", "message": "busy", "rate": 1.0, "count": 3}])
    policies = alpha.list(alpha.api("sync/policies"), "policies")
    assert policies
    assert alpha.stats["retries"] == 3


def test_expired_session_relogs_once(sim, control, alpha):
    first_share(alpha)
    control.reset_counters("alpha")
    control.expire_sessions("alpha")
    first_share(alpha)
    assert endpoint_count(control.counters("alpha"), "POST", "/session/1/session") == 1


def test_dropped_connection_after_applied_write_is_not_repeated(sim, control, alpha):
    share = first_share(alpha)
    control.faults("alpha", [{"method": "PUT", "path": "protocols/smb/shares", "drop_after_apply": True,
                              "rate": 1.0, "count": 1}])
    control.reset_counters("alpha")
    alpha.put(alpha.api(SHARE_ITEM, share["name"]), {"description": "dropped"}, {"zone": "System"}, share_write=True)
    counters = control.counters("alpha")
    assert counters["share_writes"] == 1, counters
    assert alpha.item(alpha.api(SHARE_ITEM, share["name"]), "shares", {"zone": "System"})["description"] == "dropped"


def test_dropped_connection_before_apply_is_repeated(sim, control, alpha):
    share = first_share(alpha)
    control.faults("alpha", [{"method": "PUT", "path": "protocols/smb/shares", "drop_before_apply": True,
                              "rate": 1.0, "count": 1}])
    alpha.put(alpha.api(SHARE_ITEM, share["name"]), {"description": "second try"}, {"zone": "System"}, share_write=True)
    assert alpha.item(alpha.api(SHARE_ITEM, share["name"]), "shares", {"zone": "System"})["description"] == "second try"
    assert alpha.stats["retries"] >= 1


def test_create_dropped_after_apply_is_verified_not_duplicated(sim, control, alpha):
    share = first_share(alpha)
    path = alpha.api(SHARE_ITEM)
    body = {"name": "created_once", "path": share["path"]}
    control.faults("alpha", [{"method": "POST", "path": "protocols/smb/shares", "drop_after_apply": True,
                              "rate": 1.0, "count": 1}])

    def exists():
        return alpha.item(alpha.api(SHARE_ITEM, "created_once"), "shares", {"zone": "System"}) is not None

    alpha.post(path, body, {"zone": "System"}, share_write=True, verify=exists)
    names = [s["name"] for s in alpha.list(path, "shares", {"zone": "System"})]
    assert names.count("created_once") == 1


def test_cluster_down_fails_fast_with_clear_message(sim, control, alpha):
    first_share(alpha)
    control.down("alpha", True)
    try:
        with pytest.raises(OneFSError) as info:
            alpha.get(alpha.api("cluster/config"))
        assert "cannot connect" in str(info.value)
    finally:
        control.down("alpha", False)


def test_version_negotiation_reads_latest_once(sim, control, limiter_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("ONEFS_DR_STATE_DIR", str(tmp_path / "state"))
    control.reset_counters("alpha")
    for _ in range(3):
        client = make_client(sim.clusters["alpha"], limiter_dir)
        client.get(client.api("cluster/config"))
        client.close()
    counters = control.counters("alpha")
    assert endpoint_count(counters, "GET", "/platform/latest") == 1


def test_paging_follows_resume_over_2500_shares(sim_factory, limiter_dir):
    from onefs_sim.scenario import generate_scenario

    big = sim_factory(generate_scenario(zones=1, shares_per_zone=2500, policies_per_zone=1), share_write_service_ms=1)
    client = make_client(big.clusters["alpha"], limiter_dir)
    control = Control(big.control_url)
    control.reset_counters("alpha")
    zone = client.list(client.api("zones"), "zones", limit=None)  # OneFS: GET zones takes no query argument
    zone_name = [z["name"] for z in zone if z["name"] != "System"][0]
    shares = client.list(client.api(SHARE_ITEM), "shares", {"zone": zone_name}, limit=1000)
    assert len(shares) == 2500
    assert len({s["name"] for s in shares}) == 2500
    assert endpoint_count(control.counters("alpha"), "GET", "protocols/smb/shares") == 3
    client.close()


WORKER = textwrap.dedent(
    """
    import sys, threading
    sys.path.insert(0, sys.argv[1])
    from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient
    host, port, user, password, ca, limiter, share = sys.argv[2:9]
    client = OneFSClient(host, int(port), user, password, ca_path=ca, limiter_dir=limiter,
                         share_write_limit=3, backoff_base=0.01, backoff_cap=0.2)
    client.get(client.api("cluster/config"))
    errors = []
    def work(n):
        try:
            for i in range(6):
                client.put(client.api("protocols/smb/shares", share), {"description": "w%d-%d" % (n, i)},
                           {"zone": "System"}, share_write=True)
        except Exception as exc:  # reported through the exit code
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    client.close()
    sys.exit(1 if errors else 0)
    """
)


def test_three_processes_share_a_limiter_of_three(sim_factory, limiter_dir, collections_root):
    slow = sim_factory("demo", share_write_service_ms=20, job_seconds=0.2)
    cluster = slow.clusters["alpha"]
    control = Control(slow.control_url)
    client = make_client(cluster, limiter_dir)
    share = first_share(client)["name"]
    client.close()
    control.reset_counters("alpha")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(collections_root), cluster.host, str(cluster.port),
             cluster.username, cluster.password, cluster.ca, str(limiter_dir), share]
        )
        for _ in range(3)
    ]
    codes = [p.wait(120) for p in procs]
    counters = control.counters("alpha")
    assert codes == [0, 0, 0]
    assert counters["share_writes"] == 3 * 4 * 6
    assert counters["max_concurrent_share_writes"] == 3
    assert counters["conflicts_409"] == 0


def test_threads_of_one_client_share_its_limiter(sim_factory, limiter_dir):
    slow = sim_factory("demo", share_write_service_ms=10, job_seconds=0.2)
    control = Control(slow.control_url)
    client = make_client(slow.clusters["alpha"], limiter_dir, share_write_limit=2)
    share = first_share(client)["name"]
    control.reset_counters("alpha")

    def work():
        for _ in range(5):
            client.put(client.api(SHARE_ITEM, share), {"description": "t"}, {"zone": "System"}, share_write=True)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert control.counters("alpha")["max_concurrent_share_writes"] <= 2
    client.close()


def test_bulk_writers_take_turns_at_full_width(sim_factory, limiter_dir):
    """Two units writing 60 shares each, 10 at a time: one unit's writes, then the other's.

    Told from the order in which the writes start, not from how long each unit took (a busy
    machine stretches both): without turns the two units' writes interleave from the start."""
    slow = sim_factory("demo", share_write_service_ms=15, job_seconds=0.2)
    control = Control(slow.control_url)
    share = first_share(make_client(slow.clusters["alpha"], limiter_dir))["name"]
    control.reset_counters("alpha")
    done = {}
    started = []  # unit name of each write, in the order the writes start
    order_lock = threading.Lock()
    start = threading.Event()

    def unit(name):
        client = make_client(slow.clusters["alpha"], limiter_dir, share_write_limit=10)
        client.latest  # noqa: B018 - the version read happens before both units start
        start.wait()
        failed = []

        def write(index):
            with order_lock:
                started.append(name)
            try:
                client.put(client.api(SHARE_ITEM, share), {"description": "%s-%d" % (name, index)}, {"zone": "System"},
                           share_write=True)
            except OneFSError as err:
                failed.append(err)

        client.write_many(range(60), write, parallel=10)
        done[name] = failed
        client.close()

    threads = [threading.Thread(target=unit, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()
    assert done == {"a": [], "b": []}
    counters = control.counters("alpha")
    assert counters["share_writes"] == 120
    assert counters["max_concurrent_share_writes"] <= 10
    # The turn passes when the holder's last write has started; up to 10 of its writes (popped
    # before that, one per thread) may still record their start after the next unit's first.
    first, second = started[0], started[-1]
    assert first != second and started[:50] == [first] * 50 and started[-50:] == [second] * 50, started


def test_write_many_goes_on_without_the_turn_after_the_deadline(sim, limiter_dir):
    from ansible_collections.onefs.dr.plugins.module_utils._limiter import BulkTurn

    client = make_client(sim.clusters["alpha"], limiter_dir, retry_deadline=1)
    holder = BulkTurn(client.limiter)
    assert holder.acquire(timeout=1)  # another unit holds the turn and never gives it back
    written = []
    waited = client.write_many(range(5), written.append, parallel=3)
    holder.release()
    assert sorted(written) == [0, 1, 2, 3, 4]
    # It waited for the turn until the deadline, then wrote without it (no upper bound: a busy
    # machine may take any time; a write_many that waited for ever is caught by the test timeout).
    assert waited >= 0.9
    client.close()


def test_first_writers_get_the_turn_before_the_others(sim, limiter_dir):
    """A lockout (first=True) that waits is served before an unlock that waited longer; a
    marker left by a dead process does not hold anybody back."""
    from ansible_collections.onefs.dr.plugins.module_utils._limiter import BulkTurn

    client = make_client(sim.clusters["alpha"], limiter_dir)
    holder = BulkTurn(client.limiter)
    assert holder.acquire(timeout=1)
    order = []

    def waiter(name, first):
        turn = BulkTurn(client.limiter)
        assert turn.acquire(timeout=20, first=first)
        order.append(name)
        time.sleep(0.05)
        turn.release()

    def lockout_waiting():
        return any(n.startswith(BulkTurn.PRIORITY_PREFIX) for n in os.listdir(client.limiter.path))

    unlock = threading.Thread(target=waiter, args=("unlock", False))
    unlock.start()
    time.sleep(0.3)  # the unlock (most likely) waits first; the order below holds either way
    lockout = threading.Thread(target=waiter, args=("lockout", True))
    lockout.start()
    # Release only once the lockout has announced itself (its marker), not after a fixed time.
    for _ in range(3000):
        if lockout_waiting():
            break
        time.sleep(0.01)
    assert lockout_waiting()
    holder.release()
    unlock.join(30)
    lockout.join(30)
    assert order == ["lockout", "unlock"], order

    # A marker nobody holds (its process died) is removed; the waiter is not held back.
    stale = os.path.join(client.limiter.path, BulkTurn.PRIORITY_PREFIX + "999999.1")
    open(stale, "w").close()
    turn = BulkTurn(client.limiter)
    # A live marker would keep a non-first waiter out until its timeout, and acquire() would
    # then return False: True means the stale marker did not hold it back (no clock needed).
    assert turn.acquire(timeout=5)
    assert not os.path.exists(stale)
    turn.release()
    client.close()


def test_write_many_raises_what_a_write_raised(sim, limiter_dir):
    client = make_client(sim.clusters["alpha"], limiter_dir)
    done = []

    def write(index):
        if index == 3:
            raise ValueError("boom at 3")
        time.sleep(0.01)  # a write takes a while: the error is seen before the list is drained
        done.append(index)

    with pytest.raises(ValueError, match="boom at 3"):
        client.write_many(range(40), write, parallel=4)
    assert 3 not in done and len(done) < 40
    client.close()

"""Share-configuration contention (seed 000) and fault injection."""
import http.client
import threading
import time

import pytest
from sim_helpers import Control, Papi

from onefs_sim import Simulator
from onefs_sim.scenario import generate_scenario

SHARES = "/platform/12/protocols/smb/shares"
MESSAGE = "Conflict updating share(s): File exists"


@pytest.fixture
def wide():
    sim = Simulator.from_scenario(generate_scenario(zones=1, shares_per_zone=40, replicated=False)).start()
    try:
        yield sim
    finally:
        sim.stop()


def _concurrent_puts(ep, n, rounds=1):
    clients = [Papi(ep) for _ in range(n)]
    for c in clients:
        assert c.get("/platform/latest")[0] == 200  # warm the TLS connection
    barrier = threading.Barrier(n)
    results = []
    lock = threading.Lock()

    def work(i, c):
        barrier.wait()
        for r in range(rounds):
            st, body = c.put(SHARES + "/zone01_share%03d?zone=zone01" % (i + 1), {"description": "r%d" % r})
            with lock:
                results.append((st, body))

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    return results


def test_30_concurrent_share_writes_conflict(wide):
    ep = wide.clusters["alpha"]
    ctl = Control(wide.control_url)
    ctl.call("POST", "/sim/v1/clusters/alpha/counters/reset")
    results = _concurrent_puts(ep, 30)
    conflicts = [b for s, b in results if s == 409]
    assert conflicts, "30 concurrent share writes must overflow the configuration store"
    assert all(b == {"errors": [{"code": "AEC_CONFLICT", "message": MESSAGE}]} for b in conflicts)
    assert all(s in (204, 409) for s, _ in results)
    st, counters = ctl.call("GET", "/sim/v1/clusters/alpha/counters")
    assert counters["share_writes"] == 30
    assert counters["conflicts_409"] == len(conflicts)
    assert counters["max_concurrent_share_writes"] > 10
    assert counters["in_flight_share_writes"] == 0
    puts = sum(v for k, v in counters["by_endpoint"].items() if k.startswith("PUT /platform/protocols/smb/shares/"))
    assert puts == 30
    assert counters["writes"] == 30 - len(conflicts)


def test_10_concurrent_share_writes_never_conflict(wide):
    ep = wide.clusters["alpha"]
    ctl = Control(wide.control_url)
    ctl.call("POST", "/sim/v1/clusters/alpha/counters/reset")
    results = _concurrent_puts(ep, 10, rounds=3)
    assert [s for s, _ in results] == [204] * 30
    counters = ctl.call("GET", "/sim/v1/clusters/alpha/counters")[1]
    assert counters["conflicts_409"] == 0
    assert counters["share_writes"] == 30
    assert counters["max_concurrent_share_writes"] <= 10


def test_queue_grows_response_time(wide):
    ctl = Control(wide.control_url)
    ctl.call("PUT", "/sim/v1/clusters/alpha/settings", {"share_write_service_ms": 50})
    t0 = time.time()
    results = _concurrent_puts(wide.clusters["alpha"], 8)
    elapsed = time.time() - t0
    assert [s for s, _ in results] == [204] * 8
    assert elapsed >= 0.35  # 8 writes x 50 ms, serialized
    # reads never wait for the store
    c = Papi(wide.clusters["alpha"])
    assert c.get(SHARES + "?zone=zone01&limit=5")[0] == 200
    c.close()


def test_fault_rules(demo, control, alpha):
    rules = [{"method": "PUT", "path": r"^/protocols/smb/shares/", "status": 409, "code": "AEC_CONFLICT",
              "message": MESSAGE, "rate": 1.0, "count": 2}]
    assert control.call("PUT", "/sim/v1/clusters/alpha/faults", {"rules": rules})[0] == 200
    assert alpha.put(SHARES + "/home", {"description": "a"})[0] == 409
    assert alpha.put(SHARES + "/home", {"description": "a"})[0] == 409
    assert alpha.put(SHARES + "/home", {"description": "a"})[0] == 204
    assert control.call("GET", "/sim/v1/clusters/alpha/faults")[1]["rules"][0]["fired"] == 2

    control.call("PUT", "/sim/v1/clusters/alpha/faults", {"rules": [
        {"method": "POST", "path": "protocols/smb/shares", "drop_after_apply": True}]})
    with pytest.raises((http.client.HTTPException, ConnectionError, OSError)):
        alpha.post(SHARES + "?zone=eng", {"name": "dropped", "path": "/ifs/eng/dropped", "create_path": True})
    control.call("DELETE", "/sim/v1/clusters/alpha/faults")
    assert alpha.get(SHARES + "/dropped?zone=eng")[0] == 200  # applied although unanswered

    control.call("PUT", "/sim/v1/clusters/alpha/faults", {"rules": [
        {"method": "POST", "path": "protocols/smb/shares", "drop_before_apply": True}]})
    with pytest.raises((http.client.HTTPException, ConnectionError, OSError)):
        alpha.post(SHARES + "?zone=eng", {"name": "never", "path": "/ifs/eng/never", "create_path": True})
    control.call("DELETE", "/sim/v1/clusters/alpha/faults")
    assert alpha.get(SHARES + "/never?zone=eng")[0] == 404

    control.call("PUT", "/sim/v1/clusters/alpha/faults", {"rules": [
        {"method": "GET", "path": "zones", "latency_ms": 200}]})
    t0 = time.time()
    assert alpha.get("/platform/3/zones")[0] == 200
    assert time.time() - t0 >= 0.2

    control.call("PUT", "/sim/v1/clusters/alpha/faults", {"rules": [
        {"method": "*", "path": "cluster/config", "status": 503, "rate": 0.5}]})
    statuses = {alpha.get("/platform/3/cluster/config")[0] for _ in range(60)}
    assert statuses == {200, 503}
    status, body = control.call("PUT", "/sim/v1/clusters/alpha/faults", {"rules": []})
    assert body == {"rules": []}


def test_down_and_up(demo, control):
    ep = demo.clusters["alpha"]
    port = ep.port
    c = Papi(ep)
    assert c.get("/platform/latest")[0] == 200
    assert control.call("PUT", "/sim/v1/clusters/alpha/down", {"down": True}) == (200, {"down": True})
    c.close()
    with pytest.raises(ConnectionRefusedError):
        Papi(ep).get("/platform/latest")
    assert control.call("GET", "/sim/v1/clusters")[1]["clusters"]["alpha"]["down"] is True
    assert control.call("PUT", "/sim/v1/clusters/alpha/down", {"down": False}) == (200, {"down": False})
    assert ep.port == port
    c = Papi(ep)
    assert c.get("/platform/latest")[0] == 200
    c.close()

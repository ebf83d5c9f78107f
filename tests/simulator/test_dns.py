"""The simulator's SmartConnect DNS: real UDP and TCP queries (dnspython) to each cluster's
listener; round robin over the pool's addresses, REFUSED for names the cluster does not hold,
answers that follow a pool change made through PAPI, silence while the cluster is down."""
import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest
from sim_helpers import Control, Papi

from onefs_sim import Simulator

POOL = "/platform/16/network/groupnets/groupnet0/subnets/subnet0/pools/"


@pytest.fixture(scope="module")
def sim():
    s = Simulator.from_scenario("demo", tls=False, dns=True, job_seconds=0.05).start()
    try:
        yield s
    finally:
        s.stop()


def ask(sim, cluster, name, tcp=False, rdtype="A"):
    ep = sim.clusters[cluster].dns
    q = dns.message.make_query(name, rdtype)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(q, ep.host, port=ep.port, timeout=5)


def addresses(resp):
    return [rd.address for rrset in resp.answer for rd in rrset]


def test_off_by_default_and_in_the_ready_line(sim):
    plain = Simulator.from_scenario("demo", tls=False)
    assert plain.dns is False
    on = Simulator.from_scenario({"dns": True, "clusters": {"solo": {}}}, tls=False)
    assert on.dns is True
    line = sim.ready_line()["clusters"]
    assert line["alpha"]["dns"]["host"] == "127.0.0.1"
    assert line["alpha"]["dns"]["port"] != line["beta"]["dns"]["port"]


def test_udp_round_robin_over_the_pool_addresses(sim):
    # finance.example.com and its alias fin.example.com share pool-finance (192.0.2.20-29): one
    # address per answer, in turn, over the pool (the alias continues the same rotation).
    seen = [addresses(ask(sim, "alpha", "finance.example.com")) for _ in range(4)]
    seen.append(addresses(ask(sim, "alpha", "FIN.example.com.")))
    assert all(len(a) == 1 for a in seen), seen
    flat = [a[0] for a in seen]
    start = int(flat[0].rsplit(".", 1)[1])
    assert flat == ["192.0.2.%d" % (20 + (start - 20 + i) % 10) for i in range(5)]
    resp = ask(sim, "alpha", "finance.example.com")
    assert resp.rcode() == dns.rcode.NOERROR and resp.flags & dns.flags.AA
    assert resp.answer[0].ttl == 0        # the pool's sc_ttl


def test_tcp_answers_too(sim):
    before = sim.clusters["beta"].dns.counters
    resp = ask(sim, "beta", "beta.example.com", tcp=True)
    assert resp.rcode() == dns.rcode.NOERROR
    assert addresses(resp)[0].startswith("192.0.2.11")
    after = sim.clusters["beta"].dns.counters
    assert after["tcp"] == before["tcp"] + 1 and after["udp"] == before["udp"]


def test_names_the_cluster_does_not_hold_are_refused(sim):
    before = sim.clusters["alpha"].dns.counters
    for name in ("beta.example.com", "finance-dr.example.com", "nothere.example.org"):
        resp = ask(sim, "alpha", name)
        assert resp.rcode() == dns.rcode.REFUSED and not resp.answer, name
    assert ask(sim, "alpha", "nothere.example.org", tcp=True).rcode() == dns.rcode.REFUSED
    assert sim.clusters["alpha"].dns.counters["refused"] == before["refused"] + 4
    # A held name asked for another type: authoritative, no record.
    resp = ask(sim, "alpha", "finance.example.com", rdtype="AAAA")
    assert resp.rcode() == dns.rcode.NOERROR and not resp.answer


def test_answers_follow_a_pool_change_made_through_papi(sim):
    alpha, beta = Papi(sim.clusters["alpha"]), Papi(sim.clusters["beta"])
    try:
        assert addresses(ask(sim, "alpha", "eng.example.com"))[0].startswith("192.0.2.3")
        assert ask(sim, "beta", "eng.example.com").rcode() == dns.rcode.REFUSED
        # What a failover does: prefix the names on the source, add them on the target.
        st, _ = alpha.put(POOL + "pool-eng", {"sc_dns_zone": "dr-eng.example.com", "sc_dns_zone_aliases": []})
        assert st == 204
        st, body = beta.get(POOL + "pool-eng")
        assert st == 200
        target_aliases = body["pools"][0]["sc_dns_zone_aliases"] + ["eng.example.com"]
        st, _ = beta.put(POOL + "pool-eng", {"sc_dns_zone_aliases": target_aliases,
                                             "ranges": [{"low": "192.0.2.140", "high": "192.0.2.141"}]})
        assert st == 204
        assert ask(sim, "alpha", "eng.example.com").rcode() == dns.rcode.REFUSED
        assert ask(sim, "alpha", "build.example.com").rcode() == dns.rcode.REFUSED
        assert addresses(ask(sim, "alpha", "dr-eng.example.com"))[0].startswith("192.0.2.3")
        got = {addresses(ask(sim, "beta", "eng.example.com", tcp=bool(i % 2)))[0] for i in range(4)}
        assert got == {"192.0.2.140", "192.0.2.141"}
        # A pool without addresses: the name is held, the answer is empty.
        st, _ = beta.put(POOL + "pool-eng", {"ranges": []})
        assert st == 204
        resp = ask(sim, "beta", "eng.example.com")
        assert resp.rcode() == dns.rcode.NOERROR and not resp.answer
    finally:
        alpha.close()
        beta.close()


def test_a_down_cluster_does_not_answer(sim):
    ctl = Control(sim.control_url)
    ctl.call("PUT", "/sim/v1/clusters/alpha/down", {"down": True})
    try:
        with pytest.raises(dns.exception.Timeout):
            dns.query.udp(dns.message.make_query("alpha.example.com", "A"), "127.0.0.1",
                          port=sim.clusters["alpha"].dns.port, timeout=0.5)
    finally:
        ctl.call("PUT", "/sim/v1/clusters/alpha/down", {"down": False})
    assert ask(sim, "alpha", "alpha.example.com").rcode() == dns.rcode.NOERROR


def test_garbage_is_answered_formerr_or_dropped(sim):
    import socket
    ep = sim.clusters["alpha"].dns
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    try:
        s.sendto(b"\x12\x34" + b"\x01\x00" + b"\x00\x01" + b"\x00" * 6 + b"\xff\xff", (ep.host, ep.port))
        data, _ = s.recvfrom(512)
    finally:
        s.close()
    resp = dns.message.from_wire(data)
    assert resp.id == 0x1234 and resp.rcode() == dns.rcode.FORMERR

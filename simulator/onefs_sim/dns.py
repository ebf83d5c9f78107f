"""SmartConnect DNS, as a client sees it: one DNS listener (UDP and TCP) per simulated cluster.

What OneFS does (Dell, "PowerScale: Network Design Considerations", H16463, section
"SmartConnect"): the site DNS server delegates each SmartConnect zone name to the SmartConnect
service IP (SSIP) of the cluster; the node holding the SSIP receives the query, picks one
address of the pool that holds the name by the pool's connection policy (round robin by
default) and answers it, with the pool's ``sc_ttl`` as TTL (isilon_sdk NetworkPool.sc_ttl: "Time
to live value for SmartConnect DNS query responses"). Zone aliases (``sc_dns_zone_aliases``) are
answered like the zone name.

Here the SSIP is a port on 127.0.0.1 (no root needed); every name of every pool of the cluster is
answered on it (OneFS answers on a subnet's SSIP for the pools whose ``sc_subnet`` is that subnet;
the scenarios have one subnet per cluster). Answers are read from the live pool state at every
query, so a PAPI change to ``sc_dns_zone``/``sc_dns_zone_aliases``/``ranges`` changes them at once.

A query for a name the cluster does not hold is answered REFUSED: the SSIP is authoritative for
its SmartConnect names only, and RFC 1035 section 4.1.1 defines REFUSED as the server declining
for policy reasons (Dell documents no other answer). A name held by a pool with no address
range gets an empty answer (NOERROR, no record). Other query types than A for a held name get
an empty answer too (SmartConnect answers IPv4 pools with A records only here).

Wire handling uses dnspython's message API (dns.message), as the issue asks.
"""
import ipaddress
import socketserver
import struct
import threading

import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

# Addresses expanded from one pool's ranges at most (a /24 worth); the rest of a bigger range is
# not handed out (documented in simulator/README.md).
MAX_POOL_ADDRESSES = 256


def pool_addresses(pool):
    """The IPv4 addresses of a pool's ``ranges``, in order."""
    out = []
    for r in pool.get("ranges") or []:
        try:
            low = ipaddress.ip_address(r.get("low"))
            high = ipaddress.ip_address(r.get("high") or r.get("low"))
        except (TypeError, ValueError, AttributeError):
            continue
        if low.version != 4 or high < low:
            continue
        a = low
        while a <= high and len(out) < MAX_POOL_ADDRESSES:
            out.append(str(a))
            a += 1
    return out


class DnsResponder:
    """Answers one cluster's SmartConnect names from the live pool state."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.rr = {}                     # pool id -> next round-robin index (names and aliases share it)
        self.lock = threading.Lock()
        self.counters = {"queries": 0, "udp": 0, "tcp": 0, "answered": 0, "refused": 0, "formerr": 0}

    def lookup(self, name):
        """(pool id or None, addresses, ttl) for a lower-case name without the trailing dot."""
        world = self.cluster.world
        with world.lock:
            for pool in self.cluster.iter_pools():
                names = [pool.get("sc_dns_zone") or ""] + list(pool.get("sc_dns_zone_aliases") or [])
                if name in (n.lower().rstrip(".") for n in names if n):
                    return pool.get("id") or name, pool_addresses(pool), int(pool.get("sc_ttl") or 0)
        return None, [], 0

    def answer(self, wire, transport):
        """The response wire for a query wire, or None to drop it (unparseable header)."""
        with self.lock:
            self.counters["queries"] += 1
            self.counters[transport] += 1
        try:
            query = dns.message.from_wire(wire)
        except dns.message.ShortHeader:
            return None
        except Exception:  # noqa: BLE001 - any malformed message gets FORMERR
            if len(wire) < 12:
                return None
            with self.lock:
                self.counters["formerr"] += 1
            (qid,) = struct.unpack("!H", wire[:2])
            resp = dns.message.Message(id=qid)
            resp.flags = dns.flags.QR
            resp.set_rcode(dns.rcode.FORMERR)
            return resp.to_wire()
        resp = dns.message.make_response(query)
        resp.flags &= ~dns.flags.RA
        if query.opcode() != dns.opcode.QUERY or len(query.question) != 1:
            resp.set_rcode(dns.rcode.NOTIMP if query.opcode() != dns.opcode.QUERY else dns.rcode.FORMERR)
            return resp.to_wire()
        q = query.question[0]
        name = q.name.to_text(omit_final_dot=True).lower()
        pool, addresses, ttl = self.lookup(name)
        if pool is None:
            with self.lock:
                self.counters["refused"] += 1
            resp.set_rcode(dns.rcode.REFUSED)
            return resp.to_wire()
        resp.flags |= dns.flags.AA
        if q.rdclass == dns.rdataclass.IN and q.rdtype in (dns.rdatatype.A, dns.rdatatype.ANY) and addresses:
            with self.lock:
                i = self.rr.get(pool, 0)
                self.rr[pool] = i + 1
                self.counters["answered"] += 1
            resp.answer.append(dns.rrset.from_text(q.name, ttl, "IN", "A", addresses[i % len(addresses)]))
        return resp.to_wire()


class _UdpHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        if self.server.owner.cluster.down:
            return
        out = self.server.owner.answer(data, "udp")
        if out is not None:
            sock.sendto(out, self.client_address)


class _TcpHandler(socketserver.BaseRequestHandler):
    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.request.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def handle(self):
        self.request.settimeout(10)
        try:
            while True:                                  # RFC 7766: several queries per connection
                head = self._read(2)
                if head is None or self.server.owner.cluster.down:
                    return
                (length,) = struct.unpack("!H", head)
                data = self._read(length)
                if data is None:
                    return
                out = self.server.owner.answer(data, "tcp")
                if out is None:
                    return
                self.request.sendall(struct.pack("!H", len(out)) + out)
        except OSError:
            return


class _Udp(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Tcp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False


class DnsEndpoint:
    """The cluster's SmartConnect service address: UDP and TCP on one 127.0.0.1 port."""

    def __init__(self, cluster, port=0, host="127.0.0.1"):
        self.responder = DnsResponder(cluster)
        self.host = host
        self.port = port
        self._servers = []
        self._threads = []

    @property
    def counters(self):
        with self.responder.lock:
            return dict(self.responder.counters)

    def start(self):
        # UDP and TCP on the same port number: take a free UDP port, then TCP on it; retry when
        # another process holds the TCP side.
        for _ in range(20):
            udp = _Udp((self.host, self.port), _UdpHandler)
            port = udp.server_address[1]
            try:
                tcp = _Tcp((self.host, port), _TcpHandler)
            except OSError:
                udp.server_close()
                if self.port:
                    raise
                continue
            break
        else:
            raise OSError("no free port for the DNS listener")
        self.port = port
        for srv in (udp, tcp):
            srv.owner = self.responder
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                                 name="onefs-sim-dns-%s" % self.responder.cluster.name, daemon=True)
            t.start()
            self._servers.append(srv)
            self._threads.append(t)
        return self

    def stop(self):
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
        self._servers, self._threads = [], []

    def to_dict(self):
        return {"host": self.host, "port": self.port}


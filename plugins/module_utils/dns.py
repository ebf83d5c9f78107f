# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""DNS as a client sees it, for onefs_dns_check and onefs_dns_delegation (dnspython).

No OneFS login: these helpers talk DNS to a server (a cluster's SmartConnect service address or
the site's DNS server). ``DnsError.kind`` says what went wrong: ``timeout``, ``refused``,
``network``, ``tsig`` (the server refused or could not verify the TSIG key), ``rcode`` (another
error answer), ``input``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import traceback

try:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdataclass
    import dns.rdatatype
    import dns.tsig
    import dns.tsigkeyring
    import dns.update

    HAS_DNSPYTHON = True
    DNSPYTHON_IMPORT_ERROR = None
except ImportError:
    HAS_DNSPYTHON = False
    DNSPYTHON_IMPORT_ERROR = traceback.format_exc()

PROTOCOLS = ("udp", "tcp")
# TSIG algorithms RFC 8945 section 6 lists as mandatory or recommended (dnspython's names).
TSIG_ALGORITHMS = ("hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha224", "hmac-sha1", "hmac-md5")


class DnsError(Exception):
    def __init__(self, kind, message, **details):
        super(DnsError, self).__init__(message)
        self.kind = kind
        self.message = message
        self.details = details

    def to_dict(self):
        out = {"kind": self.kind, "message": self.message}
        out.update(self.details)
        return out


def normalize_name(name, field="name"):
    """A DNS name as lower-case text without the final dot; DnsError(input) when invalid."""
    if not isinstance(name, str) or not name.strip():
        raise DnsError("input", "%s: a DNS name is required" % field)
    text = name.strip().rstrip(".").lower()
    if not text or " " in text or ".." in text:
        raise DnsError("input", "%s: %r is not a valid DNS name" % (field, name))
    try:
        parsed = dns.name.from_text(text)
    except Exception as exc:  # dns.name.* errors: empty label, label too long, name too long
        raise DnsError("input", "%s: %r is not a valid DNS name (%s)" % (field, name, exc)) from None
    return parsed.to_text(omit_final_dot=True)


def check_address(value, field):
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        raise DnsError("input", "%s: %r is not an IP address" % (field, value)) from None


class AddressSet:
    """Expected addresses: single addresses, ``low-high`` ranges, CIDR networks or OneFS range
    dicts ``{low, high}`` (as a pool's ``ranges`` holds them)."""

    def __init__(self):
        self.ranges = []      # (low, high) ip_address pairs
        self.text = []

    def add(self, item, field):
        if isinstance(item, dict):
            if "low" not in item:
                raise DnsError("input", "%s: a range needs 'low' (and 'high'): %r" % (field, item))
            low, high = item.get("low"), item.get("high") or item.get("low")
            self._add_range(low, high, field, "%s-%s" % (low, high) if high != low else str(low))
            return
        text = str(item).strip()
        if "/" in text:
            try:
                net = ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise DnsError("input", "%s: %r is not an address, range or network" % (field, item)) from None
            self.ranges.append((net.network_address, net.broadcast_address))
            self.text.append(str(net))
        elif "-" in text:
            low, high = text.split("-", 1)
            self._add_range(low, high, field, text)
        else:
            self._add_range(text, text, field, text)

    def _add_range(self, low, high, field, text):
        lo = ipaddress.ip_address(check_address(low, field))
        hi = ipaddress.ip_address(check_address(high, field))
        if lo.version != hi.version or hi < lo:
            raise DnsError("input", "%s: %r is not a valid address range" % (field, text))
        self.ranges.append((lo, hi))
        self.text.append(text)

    def __contains__(self, address):
        addr = ipaddress.ip_address(address)
        return any(lo.version == addr.version and lo <= addr <= hi for lo, hi in self.ranges)

    def __bool__(self):
        return bool(self.ranges)

    __nonzero__ = __bool__


def keyring(key_name, key_secret, key_algorithm):
    """A dnspython TSIG keyring and algorithm; DnsError(input) on a bad secret."""
    name = normalize_name(key_name, "key_name")
    try:
        ring = dns.tsigkeyring.from_text({name: key_secret})
    except Exception:
        # The secret is never echoed back.
        raise DnsError("input", "key_secret: not valid base64 (the TSIG secret as BIND's tsig-keygen prints it)") from None
    return ring, dns.name.from_text(name), dns.name.from_text(key_algorithm)


class Server:
    """One DNS server: host, port, protocol (udp/tcp), timeout in seconds."""

    def __init__(self, host, port=53, protocol="udp", timeout=5.0, field="server"):
        if not host:
            raise DnsError("input", "%s: the DNS server's address is required" % field)
        self.host = check_address(host, field)
        if not isinstance(port, int) or not 0 < port < 65536:
            raise DnsError("input", "%s port: %r is not a port number (1-65535)" % (field, port))
        self.port = port
        if protocol not in PROTOCOLS:
            raise DnsError("input", "%s protocol: %r is not one of %s" % (field, protocol, ", ".join(PROTOCOLS)))
        self.protocol = protocol
        if not timeout or timeout <= 0:
            raise DnsError("input", "%s timeout: must be more than 0 seconds" % field)
        self.timeout = float(timeout)
        self.queries = 0

    def describe(self):
        return "%s port %d (%s)" % (self.host, self.port, self.protocol.upper())

    def send(self, message, what):
        """Send ``message``; return the response. Timeouts and network errors raise DnsError."""
        self.queries += 1
        try:
            if self.protocol == "udp":
                resp = dns.query.udp(message, self.host, port=self.port, timeout=self.timeout,
                                     ignore_unexpected=True, raise_on_truncation=False)
                if not resp.flags & dns.flags.TC:
                    return resp
                self.queries += 1          # truncated: ask again over TCP, as a resolver does
            return dns.query.tcp(message, self.host, port=self.port, timeout=self.timeout)
        except dns.exception.Timeout:
            raise DnsError("timeout", "%s: no answer from %s within %.1f s" % (what, self.describe(), self.timeout)) from None
        except (dns.tsig.PeerBadKey, dns.tsig.PeerBadSignature, dns.tsig.PeerBadTime,
                dns.tsig.PeerBadTruncation) as exc:
            raise DnsError("tsig", "%s: %s refused the TSIG key (%s): check key_name, key_secret and "
                           "key_algorithm against the server's key" % (what, self.describe(), type(exc).__name__)) from None
        except (dns.tsig.BadSignature, dns.tsig.BadTime, dns.tsig.BadAlgorithm) as exc:
            raise DnsError("tsig", "%s: the answer of %s failed TSIG verification (%s)"
                           % (what, self.describe(), type(exc).__name__)) from None
        except ConnectionRefusedError:
            raise DnsError("network", "%s: connection refused by %s (no DNS server there?)" % (what, self.describe())) from None
        except OSError as exc:
            raise DnsError("network", "%s: %s: %s" % (what, self.describe(), exc)) from None
        except dns.exception.DNSException as exc:
            raise DnsError("network", "%s: bad answer from %s: %s" % (what, self.describe(), exc)) from None

    def query(self, name, rdtype="A", recursion=False):
        msg = dns.message.make_query(name + ".", rdtype)
        if not recursion:
            msg.flags &= ~dns.flags.RD
        return self.send(msg, "%s %s" % (name, rdtype))


def rcode_text(response):
    return dns.rcode.to_text(response.rcode())


def resolve(server, name, queries=1):
    """Query A for ``name`` ``queries`` times (SmartConnect hands out one address per answer, in
    turn); return {"rcode", "addresses" (distinct, in the order seen), "ttl"}.
    A REFUSED or NXDOMAIN answer is returned, not raised: it is what a client would see."""
    seen = []
    rcode = "NOERROR"
    ttl = None
    for _attempt in range(max(1, queries)):
        resp = server.query(name, "A", recursion=True)
        rcode = rcode_text(resp)
        if resp.rcode() != dns.rcode.NOERROR:
            break
        for rrset in resp.answer:
            if rrset.rdtype == dns.rdatatype.A:
                ttl = rrset.ttl if ttl is None else min(ttl, rrset.ttl)
                for rd in rrset:
                    if rd.address not in seen:
                        seen.append(rd.address)
    return {"rcode": rcode, "addresses": seen, "ttl": ttl}


def _rrsets(response, owner, rdtype):
    for section in (response.answer, response.authority):
        for rrset in section:
            if rrset.name == owner and rrset.rdtype == rdtype:
                yield rrset


def read_delegation(server, name, hosts=()):
    """The delegation of ``name`` at ``server`` (authoritative for the parent zone):
    {"ns": [host, ...] sorted, "glue": {host: [address, ...]}, "ttl"}. An NS set in the answer
    or in a referral's authority section both count; each NS host's A records come from the
    additional section (glue) or, when not there, from an A query to the same server; so do
    those of ``hosts`` (NS hosts about to be added)."""
    owner = dns.name.from_text(name + ".")
    resp = server.query(name, "NS")
    if resp.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        if resp.rcode() == dns.rcode.REFUSED:
            raise DnsError("refused", "%s NS: %s answered REFUSED (is it authoritative for the parent zone of "
                           "%s?)" % (name, server.describe(), name))
        raise DnsError("rcode", "%s NS: %s answered %s" % (name, server.describe(), rcode_text(resp)))
    ns, ttl = [], None
    for rrset in _rrsets(resp, owner, dns.rdatatype.NS):
        ttl = rrset.ttl
        for rd in rrset:
            host = rd.target.to_text(omit_final_dot=True).lower()
            if host not in ns:
                ns.append(host)
    glue = {}
    for rrset in resp.additional:
        host = rrset.name.to_text(omit_final_dot=True).lower()
        if rrset.rdtype == dns.rdatatype.A and host in ns:
            glue.setdefault(host, []).extend(rd.address for rd in rrset)
    for host in ns + [h for h in hosts if h not in ns]:
        if host in glue:
            continue
        answer = server.query(host, "A")
        glue[host] = [rd.address for rrset in _rrsets(answer, dns.name.from_text(host + "."), dns.rdatatype.A)
                      for rd in rrset]
    return {"ns": sorted(ns), "glue": dict((h, sorted(a)) for h, a in sorted(glue.items()) if a or h in ns),
            "ttl": ttl}


def is_subdomain(name, zone):
    return dns.name.from_text(name + ".").is_subdomain(dns.name.from_text(zone + "."))

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_dns_check
short_description: Resolve SmartConnect names as a client does, and check their dual delegation
version_added: 0.3.0
description:
  - Asks a DNS server (a cluster's SmartConnect service address, or a site DNS server) for the
    A records of each name in O(names), as a client would, and says per name which addresses
    it got and whether they are the expected ones (O(expect), or the address ranges of the pool
    of O(pools) that holds the name).
  - SmartConnect hands out one address of the pool per answer, in turn (round robin); O(queries)
    asks several times to see more of them. Every address seen must be expected.
  - With O(expect_refused) the names must not resolve there (REFUSED or NXDOMAIN, as a cluster
    answers for a name it no longer holds).
  - O(delegation) checks, against the site DNS server that is authoritative for the parent
    zone, that each SmartConnect zone name is delegated (NS records and their A records, the
    glue) to every address in O(delegation.service_addresses) - both clusters' SmartConnect
    service addresses for a dual delegation, so whichever cluster holds a name answers it.
  - Runs where the task runs (normally the controller); needs no OneFS login, only DNS (UDP or
    TCP) to the servers. Changes nothing.
author:
  - onefs.dr contributors (@onefs-dr)
requirements:
  - dnspython >= 2.6
options:
  server:
    description: Address (IPv4 or IPv6) of the DNS server O(names) are resolved against.
    type: str
  port:
    description: Its port.
    type: int
    default: 53
  protocol:
    description: DNS over UDP or TCP.
    type: str
    choices: [udp, tcp]
    default: udp
  timeout:
    description: Seconds to wait for each answer.
    type: float
    default: 5
  names:
    description: The names to resolve (SmartConnect zone names and aliases). Needs O(server).
    type: list
    elements: str
    default: []
  queries:
    description: A queries sent per name (SmartConnect answers one address per query).
    type: int
    default: 1
  expect:
    description:
      - Addresses every name may resolve to, as addresses, C(low-high) ranges, CIDR networks or
        C({low, high}) dicts (a OneFS pool's C(ranges)).
    type: list
    elements: raw
    default: []
  pools:
    description:
      - The IP pools of the cluster the names should resolve to, as OneFS lists them
        (C(sc_dns_zone), C(sc_dns_zone_aliases), C(ranges)), for instance the C(pools) of
        M(onefs.dr.onefs_info). A name held by one of them must resolve into its C(ranges);
        a name none of them holds must resolve into O(expect).
    type: list
    elements: dict
    default: []
  expect_refused:
    description: The names must not resolve at O(server) (answer REFUSED or NXDOMAIN).
    type: bool
    default: false
  fail_on_mismatch:
    description: Fail when a name or a delegation is not as expected (else only report it).
    type: bool
    default: true
  delegation:
    description: Check the delegation of SmartConnect zone names at a site DNS server.
    type: dict
    suboptions:
      server:
        description: Address of the DNS server authoritative for the parent zone.
        type: str
        required: true
      port:
        description: Its port.
        type: int
        default: 53
      protocol:
        description: DNS over UDP or TCP.
        type: str
        choices: [udp, tcp]
        default: udp
      timeout:
        description: Seconds to wait for each answer.
        type: float
        default: 5
      names:
        description: The delegated names to check (default O(names)).
        type: list
        elements: str
      service_addresses:
        description:
          - The addresses every delegation must name (through its NS hosts' A records), for a
            dual delegation the SmartConnect service addresses of both clusters.
        type: list
        elements: str
        required: true
extends_documentation_fragment:
  - onefs.dr.attributes.info_module
notes:
  - Queries for O(names) are sent with recursion desired, as a stub resolver does; delegation
    queries without, as the server must answer them from its own zone.
  - A timeout, a refused TCP connection or a TSIG/format error fails the task with a message
    naming the server, whatever O(fail_on_mismatch) says.
seealso:
  - module: onefs.dr.onefs_dns_delegation
"""

EXAMPLES = r"""
- name: Before failover, the unit's names resolve to the source's pool addresses
  onefs.dr.onefs_dns_check:
    server: 192.0.2.5            # alpha's SmartConnect service address
    names: [finance.example.com, fin.example.com]
    pools: "{{ alpha_info.pools }}"
    queries: 3

- name: Dual delegation of every SmartConnect zone at the site DNS server
  onefs.dr.onefs_dns_check:
    delegation:
      server: 198.51.100.53
      names: [finance.example.com]
      service_addresses: [192.0.2.5, 192.0.2.6]
"""

RETURN = r"""
names:
  description: Per name, what a client resolves.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The name.
      type: str
    rcode:
      description: The answer code (NOERROR, REFUSED, NXDOMAIN and so on).
      type: str
    addresses:
      description: Distinct addresses answered, in the order seen.
      type: list
      elements: str
    ttl:
      description: Smallest TTL of the answers (null without address).
      type: int
    expected:
      description: What was expected (addresses and ranges), or C(refused).
      type: list
      elements: str
    match:
      description: Whether the answer is as expected.
      type: bool
    reason:
      description: Why not (empty when it matches).
      type: str
  sample:
    - {name: finance.example.com, rcode: NOERROR, addresses: [192.0.2.20], ttl: 0,
       expected: [192.0.2.20-192.0.2.29], match: true, reason: ""}
delegation:
  description: Per delegated name, its NS hosts and their addresses at the site DNS server.
  returned: when O(delegation) is given
  type: list
  elements: dict
  contains:
    name:
      description: The delegated name.
      type: str
    ns:
      description: NS host names.
      type: list
      elements: str
    glue:
      description: Addresses of each NS host.
      type: dict
    addresses:
      description: All the NS hosts' addresses.
      type: list
      elements: str
    missing:
      description: Service addresses no NS host has.
      type: list
      elements: str
    match:
      description: Whether every service address is delegated to.
      type: bool
mismatches:
  description: One line per name or delegation not as expected.
  returned: always
  type: list
  elements: str
queries:
  description: DNS queries sent.
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.onefs.dr.plugins.module_utils.dns import (
    DNSPYTHON_IMPORT_ERROR,
    HAS_DNSPYTHON,
    PROTOCOLS,
    AddressSet,
    DnsError,
    Server,
    check_address,
    normalize_name,
    read_delegation,
    resolve,
)

NOT_RESOLVED = ("REFUSED", "NXDOMAIN")


def _pool_names(pool):
    names = [pool.get("sc_dns_zone") or ""] + list(pool.get("sc_dns_zone_aliases") or [])
    return [n.strip().rstrip(".").lower() for n in names if n]


def plan_names(params):
    """[(name, AddressSet or None)] after validating every input (no DNS yet)."""
    default = AddressSet()
    for i, item in enumerate(params["expect"]):
        default.add(item, "expect[%d]" % i)
    by_name = {}
    for i, pool in enumerate(params["pools"]):
        ranges = pool.get("ranges") or []
        if not isinstance(ranges, list):
            raise DnsError("input", "pools[%d].ranges: a list of {low, high} is required" % i)
        expected = AddressSet()
        for j, r in enumerate(ranges):
            expected.add(r, "pools[%d].ranges[%d]" % (i, j))
        for n in _pool_names(pool):
            by_name[n] = expected
    out = []
    for i, raw in enumerate(params["names"]):
        name = normalize_name(raw, "names[%d]" % i)
        expected = by_name.get(name, default)
        if not params["expect_refused"] and not expected:
            raise DnsError("input", "names[%d]: nothing to compare %s with: give expect, or pools holding it, or "
                           "expect_refused" % (i, name))
        out.append((name, expected))
    return out


def check_names(server, plan, params):
    results, mismatches = [], []
    for name, expected in plan:
        got = resolve(server, name, params["queries"])
        row = {"name": name, "rcode": got["rcode"], "addresses": got["addresses"], "ttl": got["ttl"]}
        if params["expect_refused"]:
            row["expected"] = ["refused"]
            ok = got["rcode"] in NOT_RESOLVED or (got["rcode"] == "NOERROR" and not got["addresses"])
            reason = "" if ok else "resolves to %s at %s" % (", ".join(got["addresses"]), server.describe())
        else:
            row["expected"] = list(expected.text)
            stray = [a for a in got["addresses"] if a not in expected]
            if got["rcode"] != "NOERROR":
                reason = "answered %s at %s" % (got["rcode"], server.describe())
            elif not got["addresses"]:
                reason = "no address at %s" % server.describe()
            elif stray:
                reason = "resolves to %s, not in %s" % (", ".join(stray), ", ".join(expected.text))
            else:
                reason = ""
            ok = not reason
        row["match"] = ok
        row["reason"] = reason
        results.append(row)
        if not ok:
            mismatches.append("%s: %s" % (name, reason))
    return results, mismatches


def plan_delegation(spec, names):
    """(Server, names, service addresses) after validating the delegation options (no DNS yet)."""
    server = Server(spec["server"], spec["port"], spec["protocol"], spec["timeout"], "delegation.server")
    wanted = [check_address(a, "delegation.service_addresses[%d]" % i)
              for i, a in enumerate(spec["service_addresses"])]
    if not wanted:
        raise DnsError("input", "delegation.service_addresses: at least one address is required")
    if spec.get("names") is not None:
        names = [normalize_name(n, "delegation.names[%d]" % i) for i, n in enumerate(spec["names"])]
    if not names:
        raise DnsError("input", "delegation.names: no name to check (give delegation.names or names)")
    return server, names, wanted


def check_delegation(server, names, wanted, mismatches):
    rows = []
    for name in names:
        found = read_delegation(server, name)
        addresses = sorted(set(a for addrs in found["glue"].values() for a in addrs))
        missing = [a for a in wanted if a not in addresses]
        row = {"name": name, "ns": found["ns"], "glue": found["glue"], "addresses": addresses,
               "missing": missing, "match": not missing}
        rows.append(row)
        if not found["ns"]:
            mismatches.append("%s: not delegated at %s (no NS record)" % (name, server.describe()))
        elif missing:
            mismatches.append("%s: the delegation at %s does not name %s (NS %s -> %s)"
                              % (name, server.describe(), ", ".join(missing), ", ".join(found["ns"]),
                                 ", ".join(addresses) or "no address"))
    return rows, server.queries


def main():
    module = AnsibleModule(
        argument_spec=dict(
            server=dict(type="str"),
            port=dict(type="int", default=53),
            protocol=dict(type="str", choices=list(PROTOCOLS), default="udp"),
            timeout=dict(type="float", default=5),
            names=dict(type="list", elements="str", default=[]),
            queries=dict(type="int", default=1),
            expect=dict(type="list", elements="raw", default=[]),
            pools=dict(type="list", elements="dict", default=[]),
            expect_refused=dict(type="bool", default=False),
            fail_on_mismatch=dict(type="bool", default=True),
            delegation=dict(type="dict", options=dict(
                server=dict(type="str", required=True),
                port=dict(type="int", default=53),
                protocol=dict(type="str", choices=list(PROTOCOLS), default="udp"),
                timeout=dict(type="float", default=5),
                names=dict(type="list", elements="str"),
                service_addresses=dict(type="list", elements="str", required=True),
            )),
        ),
        supports_check_mode=True,
    )
    if not HAS_DNSPYTHON:
        module.fail_json(msg=missing_required_lib("dnspython"), exception=DNSPYTHON_IMPORT_ERROR)
    p = module.params
    result = {"changed": False, "names": [], "mismatches": [], "queries": 0}
    try:
        if p["queries"] < 1 or p["queries"] > 100:
            raise DnsError("input", "queries: %d is out of range (1-100)" % p["queries"])
        if not p["names"] and not p["delegation"]:
            raise DnsError("input", "names: give names to resolve, or delegation to check")
        if p["names"] and not p["server"]:
            raise DnsError("input", "server: the DNS server to resolve names at is required with names")
        plan = plan_names(p)
        server = None
        if plan:
            server = Server(p["server"], p["port"], p["protocol"], p["timeout"], "server")
        delegation = plan_delegation(p["delegation"], [entry[0] for entry in plan]) if p["delegation"] else None
        if server is not None:
            result["names"], result["mismatches"] = check_names(server, plan, p)
            result["queries"] += server.queries
        if delegation:
            rows, sent = check_delegation(*delegation, mismatches=result["mismatches"])
            result["delegation"] = rows
            result["queries"] += sent
    except DnsError as exc:
        result["error"] = exc.to_dict()
        module.fail_json(msg=exc.message, **result)
    if result["mismatches"] and p["fail_on_mismatch"]:
        module.fail_json(msg="DNS not as expected: " + "; ".join(result["mismatches"]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

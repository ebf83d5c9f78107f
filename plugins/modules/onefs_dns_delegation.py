#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_dns_delegation
short_description: Set the DNS delegation of a SmartConnect zone name by RFC 2136 dynamic update
version_added: 0.3.0
description:
  - Makes the delegation of O(name) in O(zone) at a site DNS server exactly O(nameservers) (the
    NS records of O(name) and the A records (glue) of the NS hosts that are inside O(zone)), by an
    RFC 2136 dynamic update signed with a TSIG key (RFC 8945).
  - For sites without dual delegation of their SmartConnect zones, so that after a failover the
    names are delegated to the target's SmartConnect service address. With a dual delegation
    (both clusters' service addresses) no DNS change is needed at failover; see C(docs/dns.md).
  - Reads the delegation first (queries without TSIG) and sends an update only for what differs.
    The update carries the NS set read as a prerequisite, so a change made meanwhile by someone
    else makes the server refuse it instead of being overwritten.
  - Runs where the task runs (normally the controller); needs no OneFS login.
author:
  - onefs.dr contributors (@onefs-dr)
requirements:
  - dnspython >= 2.6
options:
  server:
    description: Address of the DNS server that is primary for O(zone) and accepts updates.
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
    default: tcp
  timeout:
    description: Seconds to wait for each answer.
    type: float
    default: 5
  zone:
    description: The zone the update is sent to (the parent of O(name), e.g. C(example.com)).
    type: str
    required: true
  name:
    description: The delegated SmartConnect zone name (e.g. C(finance.example.com)).
    type: str
    required: true
  nameservers:
    description:
      - The NS hosts of the delegation, in any order. With O(state=present) the NS set becomes
        exactly these hosts.
    type: list
    elements: dict
    default: []
    suboptions:
      host:
        description: The NS host name (e.g. C(ssip-alpha.example.com)).
        type: str
        required: true
      addresses:
        description:
          - Its addresses (a SmartConnect service address). Set as its A records when the host is
            inside O(zone); a host outside O(zone) must be resolvable elsewhere, so no address
            may be given for it. Left as they are when omitted.
        type: list
        elements: str
  ttl:
    description: TTL of the records written.
    type: int
    default: 3600
  state:
    description:
      - V(present) makes the delegation exactly O(nameservers); V(absent) deletes the NS records
        of O(name) (the NS hosts' A records stay, as other delegations may use them).
    type: str
    choices: [present, absent]
    default: present
  key_name:
    description: Name of the TSIG key the server accepts updates of O(zone) with.
    type: str
    required: true
  key_secret:
    description: The TSIG key's secret, base64 (as C(tsig-keygen) prints it).
    type: str
    required: true
  key_algorithm:
    description: The TSIG key's algorithm.
    type: str
    choices: [hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224, hmac-sha1, hmac-md5]
    default: hmac-sha256
extends_documentation_fragment:
  - onefs.dr.attributes
attributes:
  check_mode:
    support: full
    details: Reads the delegation and reports what would change; sends no update.
  diff_mode:
    support: full
    details: C(diff) has the NS hosts and their addresses before and after.
  idempotent:
    support: full
notes:
  - A refused update (wrong TSIG key or secret, key not allowed to update O(zone), stale
    prerequisite) fails the task with the server's answer and changes nothing at the server;
    an RFC 2136 update is applied whole or not at all.
  - The secret is never returned or logged.
seealso:
  - module: onefs.dr.onefs_dns_check
"""

EXAMPLES = r"""
- name: Delegate finance.example.com to both clusters' SmartConnect service addresses
  onefs.dr.onefs_dns_delegation:
    server: 198.51.100.53
    zone: example.com
    name: finance.example.com
    nameservers:
      - {host: ssip-alpha.example.com, addresses: [192.0.2.5]}
      - {host: ssip-beta.example.com, addresses: [192.0.2.6]}
    key_name: onefs-dr
    key_secret: "{{ vault_dns_tsig_secret }}"
"""

RETURN = r"""
delegation:
  description: The delegation after the task (what it would be in check mode).
  returned: always
  type: dict
  contains:
    ns:
      description: NS host names.
      type: list
      elements: str
    glue:
      description: The addresses of each NS host, by host name.
      type: dict
  sample: {ns: [ssip-alpha.example.com, ssip-beta.example.com],
           glue: {ssip-alpha.example.com: [192.0.2.5], ssip-beta.example.com: [192.0.2.6]}}
update:
  description: The record sets the update replaced or deleted (empty when nothing changed).
  returned: always
  type: list
  elements: str
  sample: ["replace finance.example.com NS", "replace ssip-beta.example.com A"]
queries:
  description: DNS messages sent (queries and updates).
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.onefs.dr.plugins.module_utils.dns import (
    DNSPYTHON_IMPORT_ERROR,
    HAS_DNSPYTHON,
    PROTOCOLS,
    TSIG_ALGORITHMS,
    DnsError,
    Server,
    check_address,
    is_subdomain,
    keyring,
    normalize_name,
    rcode_text,
    read_delegation,
)

if HAS_DNSPYTHON:
    import dns.rcode
    import dns.rdataset
    import dns.update


def plan(params):
    """Validated wanted state: (zone, name, {host: [addresses] or None})."""
    zone = normalize_name(params["zone"], "zone")
    name = normalize_name(params["name"], "name")
    if name == zone or not is_subdomain(name, zone):
        raise DnsError("input", "name: %s is not below zone %s" % (name, zone))
    if params["ttl"] < 0 or params["ttl"] > 2147483647:
        raise DnsError("input", "ttl: %d is out of range (0-2147483647)" % params["ttl"])
    hosts = {}
    for i, ns in enumerate(params["nameservers"]):
        host = normalize_name(ns["host"], "nameservers[%d].host" % i)
        if host in hosts:
            raise DnsError("input", "nameservers[%d].host: %s is given twice" % (i, host))
        addrs = ns.get("addresses")
        if addrs is not None:
            addrs = sorted(set(check_address(a, "nameservers[%d].addresses[%d]" % (i, j)) for j, a in enumerate(addrs)))
            if ":" in "".join(addrs):
                raise DnsError("input", "nameservers[%d].addresses: IPv6 glue (AAAA) is not managed here" % i)
            if not addrs:
                raise DnsError("input", "nameservers[%d].addresses: give at least one address, or omit it" % i)
            if not is_subdomain(host, zone):
                raise DnsError("input", "nameservers[%d].addresses: %s is outside zone %s, its address cannot be "
                               "set by an update of %s; omit addresses" % (i, host, zone, zone))
        hosts[host] = addrs
    if params["state"] == "present" and not hosts:
        raise DnsError("input", "nameservers: at least one NS host is required with state=present")
    return zone, name, hosts


def desired(before, hosts, state):
    if state == "absent":
        return {"ns": [], "glue": dict((h, a) for h, a in before["glue"].items())}
    glue = {}
    for host in sorted(hosts):
        glue[host] = hosts[host] if hosts[host] is not None else before["glue"].get(host, [])
    return {"ns": sorted(hosts), "glue": glue}


def view(state):
    """What the diff and the result show: NS hosts and the addresses of those hosts only."""
    return {"ns": list(state["ns"]), "glue": dict((h, state["glue"].get(h, [])) for h in state["ns"])}


def build_update(zone, name, before, after, hosts, ttl, state, ring, keyname, algorithm):
    upd = dns.update.UpdateMessage(zone + ".", keyring=ring, keyname=keyname, keyalgorithm=algorithm)
    changes = []
    owner = name + "."
    # Prerequisite (RFC 2136 section 2.4.2): the NS set is still the one read. A prerequisite's
    # TTL must be zero (section 3.2.1; BIND answers FORMERR otherwise).
    if before["ns"]:
        rds = dns.rdataset.from_text("IN", "NS", 0, *[h + "." for h in before["ns"]])
        upd.present(owner, rds)
    else:
        upd.absent(owner, "NS")
    if state == "absent":
        if before["ns"]:
            upd.delete(owner, "NS")
            changes.append("delete %s NS" % name)
        return upd, changes
    if before["ns"] != after["ns"]:
        upd.replace(owner, ttl, "NS", *[h + "." for h in after["ns"]])
        changes.append("replace %s NS" % name)
    for host in after["ns"]:
        if hosts.get(host) is None:
            continue
        if before["glue"].get(host, []) != after["glue"][host]:
            upd.replace(host + ".", ttl, "A", *after["glue"][host])
            changes.append("replace %s A" % host)
    return upd, changes


def main():
    module = AnsibleModule(
        argument_spec=dict(
            server=dict(type="str", required=True),
            port=dict(type="int", default=53),
            protocol=dict(type="str", choices=list(PROTOCOLS), default="tcp"),
            timeout=dict(type="float", default=5),
            zone=dict(type="str", required=True),
            name=dict(type="str", required=True),
            nameservers=dict(type="list", elements="dict", default=[], options=dict(
                host=dict(type="str", required=True),
                addresses=dict(type="list", elements="str"),
            )),
            ttl=dict(type="int", default=3600),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            key_name=dict(type="str", required=True, no_log=False),
            key_secret=dict(type="str", required=True, no_log=True),
            key_algorithm=dict(type="str", choices=list(TSIG_ALGORITHMS), default="hmac-sha256"),
        ),
        supports_check_mode=True,
    )
    if not HAS_DNSPYTHON:
        module.fail_json(msg=missing_required_lib("dnspython"), exception=DNSPYTHON_IMPORT_ERROR)
    p = module.params
    result = {"changed": False, "update": [], "queries": 0}
    server = None
    try:
        zone, name, hosts = plan(p)
        ring, keyname, algorithm = keyring(p["key_name"], p["key_secret"], p["key_algorithm"])
        server = Server(p["server"], p["port"], p["protocol"], p["timeout"], "server")
        before = read_delegation(server, name, [h for h, a in sorted(hosts.items()) if a is not None])
        after = desired(before, hosts, p["state"])
        upd, changes = build_update(zone, name, before, after, hosts, p["ttl"], p["state"], ring, keyname, algorithm)
        result["delegation"] = view(after)
        result["update"] = changes
        if changes:
            result["changed"] = True
            result["diff"] = {"before": view(before), "after": view(after)}
            if not module.check_mode:
                resp = server.send(upd, "update of %s in zone %s" % (name, zone))
                if resp.rcode() != dns.rcode.NOERROR:
                    code = rcode_text(resp)
                    hint = {
                        "REFUSED": "the server does not allow this key (or unsigned updates) to change zone %s" % zone,
                        "NOTAUTH": "the server is not primary for zone %s, or did not accept the key" % zone,
                        "NOTZONE": "%s is not in zone %s at the server" % (name, zone),
                        "NXRRSET": "the delegation changed since it was read: run again",
                        "YXRRSET": "the delegation changed since it was read: run again",
                    }.get(code, "see the server's log")
                    raise DnsError("refused" if code in ("REFUSED", "NOTAUTH") else "rcode",
                                   "update of %s in zone %s: %s answered %s (%s); nothing was changed"
                                   % (name, zone, server.describe(), code, hint), rcode=code)
                check = read_delegation(server, name)
                if view(check) != view(after):
                    raise DnsError("rcode", "update of %s: the server accepted it but now answers %s"
                                   % (name, view(check)))
    except DnsError as exc:
        if server is not None:
            result["queries"] = server.queries
        result["changed"] = False
        result.pop("diff", None)
        result["error"] = exc.to_dict()
        if exc.kind == "tsig":
            result["error"]["message"] = exc.message + "; nothing was changed"
            exc.message = result["error"]["message"]
        module.fail_json(msg=exc.message, **result)
    result["queries"] = server.queries
    module.exit_json(**result)


if __name__ == "__main__":
    main()

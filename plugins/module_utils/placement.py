# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which cluster a SyncIQ policy replicates to, and which failover unit it belongs in.

Used by the ``onefs.dr.inventory_units`` filter (``playbooks/build_inventory.yml``). OneFS
documents a policy's ``target_host`` as "the IP address or fully qualified domain name of the
target cluster" (isilon_sdk SyncPolicy), so an administrator may have named the target by its
cluster name, a SmartConnect zone name or alias, a SmartConnect service IP (a subnet's
``sc_service_addrs``), a node address (inside an IP pool's ``ranges``), in any case, as an FQDN or
a short name. A policy that has run also left a target policy on its target with its own id and
the source cluster's GUID: that association decides whatever the name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

MIRROR_SUFFIX = "_mirror"


def _dicts(value):
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _norm(name):
    """A host name or address as compared: stripped, lower case, no trailing dot, no brackets."""
    text = str(name or "").strip().lower().rstrip(".")
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    return text


def _address(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _ranges(items):
    out = []
    for r in _dicts(items):
        low, high = _address(_norm(r.get("low"))), _address(_norm(r.get("high") or r.get("low")))
        if low is not None and high is not None and low.version == high.version:
            out.append((low, high))
    return out


class TargetIdentity:
    """Every name and address a cluster answers to, from what ``onefs_info`` read of it.

    ``info``: ``{name, guid, pools: [{sc_dns_zone, sc_dns_zone_aliases, ranges}],
    subnets: [{sc_service_name, sc_service_addrs}], target_policies: [{id, source_cluster_guid}]}``;
    ``extra``: more names (the inventory's connection host of that cluster).
    """

    def __init__(self, info, extra=()):
        info = info if isinstance(info, dict) else {}
        self.cluster = str(info.get("name") or "")
        self.guid = _norm(info.get("guid"))
        self.names = {}  # normalized name -> what it is (for the report)
        self.ranges = []  # (low, high, what)
        self._name(self.cluster, "cluster name")
        if self.guid:
            self.names[self.guid] = "cluster GUID"
        for host in extra or ():
            self._name(host, "connection host")
        for pool in _dicts(info.get("pools")):
            self._name(pool.get("sc_dns_zone"), "SmartConnect zone name")
            for alias in pool.get("sc_dns_zone_aliases") or []:
                self._name(alias, "SmartConnect alias")
            self.ranges += [(lo, hi, "IP pool range") for lo, hi in _ranges(pool.get("ranges"))]
        for subnet in _dicts(info.get("subnets")):
            self._name(subnet.get("sc_service_name"), "SmartConnect service name")
            self.ranges += [(lo, hi, "SmartConnect service IP") for lo, hi in _ranges(subnet.get("sc_service_addrs"))]
            if subnet.get("sc_service_addr"):  # a single-address form of older releases
                self.ranges += [(lo, hi, "SmartConnect service IP") for lo, hi in _ranges([{"low": subnet["sc_service_addr"]}])]
        self.target_policies = {}
        for tp in _dicts(info.get("target_policies")):
            if tp.get("id"):
                self.target_policies[str(tp["id"])] = _norm(tp.get("source_cluster_guid"))

    def _name(self, name, what):
        text = _norm(name)
        if not text:
            return
        addr = _address(text)
        if addr is not None:
            self.ranges.append((addr, addr, what))
        else:
            self.names.setdefault(text, what)

    def match(self, target_host):
        """What ``target_host`` matched (a phrase), or '' when it names something else."""
        host = _norm(target_host)
        if not host:
            return ""
        addr = _address(host)
        if addr is not None:
            for low, high, what in self.ranges:
                if low.version == addr.version and low <= addr <= high:
                    return what
            return ""
        if host in self.names:
            return self.names[host]
        short = host.split(".", 1)[0]
        for name, what in self.names.items():
            if "." not in host and name.split(".", 1)[0] == host:
                return "short form of %s %s" % (what, name)
            if "." not in name and name == short and what != "cluster GUID":
                return "FQDN of %s %s" % (what, name)
        return ""

    def holds_target_policy(self, policy_id, source_guid):
        """The cluster holds the target policy of this source policy (same id, same source GUID)."""
        if not policy_id or str(policy_id) not in self.target_policies:
            return False
        theirs, mine = self.target_policies[str(policy_id)], _norm(source_guid)
        return not theirs or not mine or theirs == mine

    def describe(self):
        """What was compared, for a policy that did not match."""
        kinds = sorted(set(self.names.values()) | {what for _lo, _hi, what in self.ranges})
        return ", ".join(kinds) or "nothing (the target was not read)"


def place_policies(policies, identity, mode="zone", include_system=False, source_guid="", mirror_suffix=MIRROR_SUFFIX):
    """The failover units of the source's policies that replicate to the target.

    ``policies``: the source's SyncIQ policies ``[{name, id, enabled, target_host, zone, action,
    allow_copy_fb}]``. Returns ``{"units": {unit: host vars}, "unplaced": [{policy, zone,
    target_host, reason}], "notes": [{policy, note}]}``: every policy is either in a unit or in
    ``unplaced`` with the reason.
    """
    units, unplaced, notes = {}, [], []
    suffix = mirror_suffix or MIRROR_SUFFIX
    for p in sorted(_dicts(policies), key=lambda x: str(x.get("name") or "")):
        name, zone, host = str(p.get("name") or ""), str(p.get("zone") or "System"), p.get("target_host")

        def skip(reason, name=name, zone=zone, host=host):
            unplaced.append({"policy": name, "zone": zone, "target_host": host, "reason": reason})

        if name.endswith(suffix):
            skip("a mirror policy (resync-prep made it; it fails back with its original policy)")
            continue
        if p.get("enabled") is False:
            skip("disabled")
            continue
        matched = identity.match(host)
        if not matched and identity.holds_target_policy(p.get("id"), source_guid):
            matched = "its target policy is on %s" % (identity.cluster or "the target")
        if not matched:
            skip("target_host %r is not a name or address of %s (compared: %s)"
                 % (host, identity.cluster or "the target", identity.describe()))
            continue
        if mode == "zone" and zone != "System":
            units.setdefault(zone, {"onefs_dr_mode": "zone", "onefs_dr_zone": zone})
        elif mode == "policy" or include_system:
            units[name] = {"onefs_dr_mode": "policy", "onefs_dr_policy": name}
        else:
            skip("in the System zone (onefs_dr_build_include_system: true makes it a policy-mode unit)")
            continue
        if p.get("action") == "copy":
            notes.append({"policy": name, "note": "copy policy: OneFS fails it over but fails it back only with allow_copy_fb"
                                                  " (%s); readiness says what the run does with it"
                                                  % ("set" if p.get("allow_copy_fb") else "not set")})
    return {"units": units, "unplaced": unplaced, "notes": notes}

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_smartconnect_zone
short_description: Manage the SmartConnect zone name and aliases of OneFS IP pools, and move them at failover
version_added: 0.1.0
description:
  - Sets the SmartConnect zone name (C(sc_dns_zone)) and zone aliases (C(sc_dns_zone_aliases))
    of an IP pool, chosen by its id with O(pool), or of every pool of an access zone with
    O(access_zone) (read with one list call).
  - Aliases are declarative. O(aliases_state=present) adds the names given, V(absent) removes
    them and V(exact) makes the list exactly O(aliases), removing any other alias.
  - For failover, O(state=renamed) puts O(rename_prefix) in front of the zone name and of every
    alias of the selected pools on the source cluster, so clients stop resolving them there;
    O(state=restored) takes the prefix off again at failback. Both return the original names in
    RV(names), ready to be added as aliases on the target (O(aliases) with
    O(aliases_state=present)) and to be given to M(onefs.dr.onefs_spn).
  - OneFS replaces the alias list whole on every change; the module always sends the full list.
author:
  - onefs.dr contributors (@onefs-dr)
options:
  pool:
    description:
      - Id of the IP pool, C(groupnet.subnet.pool) (for example V(groupnet0.subnet0.pool0)).
      - Exactly one of O(pool) and O(access_zone) is required.
    type: str
  access_zone:
    description:
      - Act on every IP pool whose access zone is this one. The task fails when the zone has no
        pool. With several pools, O(sc_dns_zone) and O(aliases) with O(aliases_state=present) or
        V(exact) are refused, since a name can belong to one pool only; use O(pool) then.
    type: str
  state:
    description:
      - V(present) applies O(sc_dns_zone) and O(aliases).
      - V(renamed) prefixes the zone name and every alias with O(rename_prefix) (names already
        prefixed are left alone).
      - V(restored) removes O(rename_prefix) from the zone name and from every alias.
    type: str
    choices: [present, renamed, restored]
    default: present
  sc_dns_zone:
    description:
      - The SmartConnect zone name of the pool, a fully qualified DNS name. Only with O(state=present).
      - Not managed when not set; an empty string removes the zone name.
    type: str
  aliases:
    description:
      - SmartConnect zone aliases, handled as O(aliases_state) says. Only with O(state=present).
      - Not managed when not set. With O(aliases_state=exact) an empty list removes every alias.
    type: list
    elements: str
  aliases_state:
    description:
      - V(present) adds the names of O(aliases) that are missing; V(absent) removes them;
        V(exact) makes the alias list exactly O(aliases).
    type: str
    choices: [present, absent, exact]
    default: present
  rename_prefix:
    description:
      - Prefix put in front of every name by O(state=renamed) and taken off by
        O(state=restored), such as V(dr-old-) (V(data.example.com) becomes
        V(dr-old-data.example.com)). Letters, digits and hyphens, no dot.
      - Required with O(state=renamed) and O(state=restored).
    type: str
attributes:
  check_mode:
    support: full
    details: Reads, plans and reports; writes nothing.
  diff_mode:
    support: full
    details: C(diff) has the zone name and aliases of every pool that changed, before and after.
  idempotent:
    support: full
    details: A pool is written only when its names differ; a second run reports no change.
extends_documentation_fragment:
  - onefs.dr.connection
  - onefs.dr.attributes
notes:
  - The RBAC privilege C(ISI_PRIV_NETWORK) (read and write) is needed.
  - Names are compared without regard to case, as DNS does.
  - OneFS refuses a name that another pool of the same cluster already uses (C(409 AEC_CONFLICT)).
"""

EXAMPLES = r"""
- name: Set the zone name and exactly these aliases
  onefs.dr.onefs_smartconnect_zone:
    pool: groupnet0.subnet0.pool1
    sc_dns_zone: finance.example.com
    aliases: [fin.example.com, accounts.example.com]
    aliases_state: exact

- name: Failover step on the source - rename the names of every pool of the zone
  onefs.dr.onefs_smartconnect_zone:
    host: alpha.example.com
    access_zone: finance
    state: renamed
    rename_prefix: dr-old-
  register: renamed

- name: Failover step on the target - answer for the source's names too
  onefs.dr.onefs_smartconnect_zone:
    host: beta.example.com
    pool: groupnet0.subnet0.finance
    aliases: "{{ renamed.names }}"
    aliases_state: present

- name: Failback on the target - drop the source's names
  onefs.dr.onefs_smartconnect_zone:
    host: beta.example.com
    pool: groupnet0.subnet0.finance
    aliases: "{{ renamed.names }}"
    aliases_state: absent

- name: Failback on the source - take the prefix off again
  onefs.dr.onefs_smartconnect_zone:
    host: alpha.example.com
    access_zone: finance
    state: restored
    rename_prefix: dr-old-
"""

RETURN = r"""
pools:
  description: Every selected pool with its names before and after.
  returned: always
  type: list
  elements: dict
  sample:
    - id: groupnet0.subnet0.pool1
      access_zone: finance
      changed: true
      before: {sc_dns_zone: finance.example.com, sc_dns_zone_aliases: [fin.example.com]}
      after: {sc_dns_zone: dr-old-finance.example.com, sc_dns_zone_aliases: [dr-old-fin.example.com]}
names:
  description:
    - With O(state=renamed) or O(state=restored), the original names (without the prefix) of
      the selected pools, zone names first; with O(state=present), the pools' names after the task.
  returned: always
  type: list
  elements: str
  sample: [finance.example.com, fin.example.com]
diff:
  description: Zone name and aliases of the pools that changed, keyed by pool id.
  returned: when changed and diff mode is on
  type: dict
  sample:
    before: {groupnet0.subnet0.pool1: {sc_dns_zone: finance.example.com}}
    after: {groupnet0.subnet0.pool1: {sc_dns_zone: dr-old-finance.example.com}}
api_stats:
  description: API calls, retries and 409 answers of the task.
  returned: always
  type: dict
  sample: {api_calls: 2, retries: 0, conflicts_409: 0, share_writes: 0}
"""

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError
from ansible_collections.onefs.dr.plugins.module_utils.common import InputError, OneFSModule
from ansible_collections.onefs.dr.plugins.module_utils.network import (
    add_prefix,
    check_dns_name,
    check_prefix,
    merge_absent,
    merge_exact,
    merge_present,
    pool_id_parts,
    pool_path,
    same_names,
    strip_prefix,
)


def argument_spec():
    return dict(
        pool=dict(type="str"),
        access_zone=dict(type="str"),
        state=dict(type="str", choices=["present", "renamed", "restored"], default="present"),
        sc_dns_zone=dict(type="str"),
        aliases=dict(type="list", elements="str"),
        aliases_state=dict(type="str", choices=["present", "absent", "exact"], default="present"),
        rename_prefix=dict(type="str"),
    )


def check_input(params):
    """Validated (sc_dns_zone, aliases, prefix) before any call."""
    state = params["state"]
    zone = params.get("sc_dns_zone")
    aliases = params.get("aliases")
    prefix = params.get("rename_prefix")
    if state == "present":
        if prefix is not None:
            raise InputError("rename_prefix is used with state: renamed or restored, not present")
        if zone:
            zone = check_dns_name(zone, "sc_dns_zone")
        if aliases is not None:
            aliases = [check_dns_name(a, "aliases[%d]" % i) for i, a in enumerate(aliases)]
            if zone and params["aliases_state"] != "absent" and zone.lower() in (a.lower() for a in aliases):
                raise InputError("aliases: %s is the zone name itself; an alias must be another name" % zone)
    else:
        if zone is not None or aliases is not None:
            raise InputError(
                "sc_dns_zone and aliases are used with state: present; state: %s only applies rename_prefix" % state
            )
        prefix = check_prefix(prefix)
    if params.get("pool"):
        pool_id_parts(params["pool"])
    return zone, aliases, prefix


def read_pools(module):
    client = module.client
    params = module.params
    if params.get("pool"):
        groupnet, subnet, name = pool_id_parts(params["pool"])
        try:
            pool = client.item(client.api("network/groupnets", groupnet, "subnets", subnet, "pools", name), "pools")
        except OneFSError as err:
            if err.status == 404:
                pool = None
            else:
                raise
        if pool is None:
            raise InputError("pool %s does not exist on %s" % (params["pool"], client.host))
        return [pool]
    pools = client.list(client.api("network/pools"), "pools", query={"access_zone": params["access_zone"]})
    pools = [p for p in pools if p.get("access_zone") == params["access_zone"]]
    if not pools:
        raise InputError(
            "access zone %s has no IP pool on %s: check the zone name, or give pool" % (params["access_zone"], client.host)
        )
    return pools


def desired_names(params, pool, zone, aliases, prefix):
    """(new zone name, new alias list, names to report) of one pool."""
    cur_zone = pool.get("sc_dns_zone") or ""
    cur_aliases = list(pool.get("sc_dns_zone_aliases") or [])
    state = params["state"]
    if state == "renamed":
        new_zone = add_prefix(cur_zone, prefix)
        new_aliases = [add_prefix(a, prefix) for a in cur_aliases]
        originals = [strip_prefix(n, prefix) for n in [cur_zone] + cur_aliases if n]
        return new_zone, new_aliases, originals
    if state == "restored":
        new_zone = strip_prefix(cur_zone, prefix)
        new_aliases = [strip_prefix(a, prefix) for a in cur_aliases]
        return new_zone, new_aliases, [n for n in [new_zone] + new_aliases if n]
    new_zone = cur_zone if zone is None else zone
    new_aliases = cur_aliases
    if aliases is not None:
        how = params["aliases_state"]
        if how == "present":
            new_aliases = merge_present(cur_aliases, aliases)
        elif how == "absent":
            new_aliases = merge_absent(cur_aliases, aliases)
        else:
            new_aliases = merge_exact(cur_aliases, aliases)
    return new_zone, new_aliases, [n for n in [new_zone] + new_aliases if n]


def run(module):
    """Pools' alias lists are replaced whole: read and write under the cluster's pool lock."""
    check_input(module.params)
    with module.client.lock("network/pools"):
        return _run(module)


def _run(module):
    params = module.params
    zone, aliases, prefix = check_input(params)
    pools = read_pools(module)
    if len(pools) > 1 and (zone is not None or (aliases is not None and params["aliases_state"] != "absent")):
        raise InputError(
            "access zone %s has %d pools (%s); a SmartConnect name can belong to one pool only: give pool to "
            "choose where sc_dns_zone and aliases go" % (params["access_zone"], len(pools), ", ".join(p.get("id", "?") for p in pools))
        )
    client = module.client
    report, names, before, after = [], [], {}, {}
    writes = []
    for pool in pools:
        new_zone, new_aliases, pool_names = desired_names(params, pool, zone, aliases, prefix)
        cur = {"sc_dns_zone": pool.get("sc_dns_zone") or "", "sc_dns_zone_aliases": list(pool.get("sc_dns_zone_aliases") or [])}
        new = {"sc_dns_zone": new_zone, "sc_dns_zone_aliases": new_aliases}
        body = {}
        if new_zone.lower() != cur["sc_dns_zone"].lower():
            body["sc_dns_zone"] = new_zone
        if not same_names(new_aliases, cur["sc_dns_zone_aliases"]):
            body["sc_dns_zone_aliases"] = new_aliases
        for name in pool_names:
            if name.lower() not in (n.lower() for n in names):
                names.append(name)
        report.append({"id": pool.get("id"), "access_zone": pool.get("access_zone"), "changed": bool(body),
                       "before": cur, "after": new if body else cur})
        if body:
            before[pool.get("id")] = {k: cur[k] for k in body}
            after[pool.get("id")] = dict(body)
            writes.append((pool, body))
    if not module.check_mode:
        for pool, body in writes:
            client.put(pool_path(client, pool), body)
    result = {"changed": bool(writes), "pools": report, "names": names}
    if writes and module.module._diff:
        result["diff"] = {"before": before, "after": after}
    return result


def main():
    module = OneFSModule(
        argument_spec(),
        mutually_exclusive=[["pool", "access_zone"]],
        required_one_of=[["pool", "access_zone"]],
        required_if=[
            ["state", "present", ["sc_dns_zone", "aliases"], True],
            ["state", "renamed", ["rename_prefix"]],
            ["state", "restored", ["rename_prefix"]],
        ],
    )
    module.run(run)


if __name__ == "__main__":
    main()

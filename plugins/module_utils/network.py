# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""SmartConnect helpers of onefs.dr: pools, DNS names and the failover rename prefix."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.onefs.dr.plugins.module_utils.common import InputError

# A DNS name: labels of letters, digits and hyphens (underscores are tolerated, as OneFS does).
_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")


def check_dns_name(name, field):
    """The name, stripped of a trailing dot; InputError when it is not a DNS name."""
    if not isinstance(name, str) or not name.strip():
        raise InputError("%s: a SmartConnect name cannot be empty" % field)
    text = name.strip().rstrip(".")
    if len(text) > 253 or not all(_LABEL.match(label) for label in text.split(".")):
        raise InputError(
            "%s: %r is not a DNS name (labels of letters, digits and hyphens separated by dots)" % (field, name)
        )
    return text


_PREFIX = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,39}$")


def check_prefix(prefix):
    """The rename prefix: the start of a DNS label (no dot: the name stays in its DNS zone)."""
    if not prefix or not _PREFIX.match(prefix):
        raise InputError(
            "rename_prefix: %r cannot begin a DNS label; use up to 40 letters, digits and hyphens "
            "without dots, such as 'dr-old-'" % (prefix,)
        )
    return prefix


def pool_id_parts(pool_id):
    """('groupnet0', 'subnet0', 'pool0') from 'groupnet0.subnet0.pool0'."""
    parts = (pool_id or "").split(".")
    if len(parts) != 3 or not all(parts):
        raise InputError("pool: expected groupnet.subnet.pool, such as groupnet0.subnet0.pool0, got %r" % pool_id)
    return tuple(parts)


def pool_path(client, pool):
    """The PAPI path of a pool object (as listed by /network/pools)."""
    groupnet, subnet, name = pool.get("groupnet"), pool.get("subnet"), pool.get("name")
    if not (groupnet and subnet and name):
        groupnet, subnet, name = pool_id_parts(pool.get("id"))
    return client.api("network/groupnets", groupnet, "subnets", subnet, "pools", name)


def lower_set(names):
    return set(n.lower() for n in names)


def merge_present(current, wanted):
    """Current list plus the wanted names it lacks (order kept)."""
    have = lower_set(current)
    out = list(current)
    for name in wanted:
        if name.lower() not in have:
            out.append(name)
            have.add(name.lower())
    return out


def merge_absent(current, unwanted):
    drop = lower_set(unwanted)
    return [n for n in current if n.lower() not in drop]


def merge_exact(current, wanted):
    """The wanted names, keeping the spelling and order of those already there."""
    keep = lower_set(wanted)
    out = [n for n in current if n.lower() in keep]
    return merge_present(out, wanted)


def add_prefix(name, prefix):
    if not name or name.lower().startswith(prefix.lower()):
        return name
    return prefix + name


def strip_prefix(name, prefix):
    if name and name.lower().startswith(prefix.lower()):
        return name[len(prefix):]
    return name


def same_names(a, b):
    """Equal lists of names ignoring case (order matters: PUT stores the list as sent)."""
    return [n.lower() for n in a] == [n.lower() for n in b]

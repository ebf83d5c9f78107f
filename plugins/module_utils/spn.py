# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Service principal name helpers of onefs.dr (SPNs compare without regard to case, as AD does)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.onefs.dr.plugins.module_utils.network import check_dns_name

SERVICE = "HOST"


def spn_forms(name, field="names"):
    """HOST/<short> and HOST/<fqdn> for a SmartConnect name (only HOST/<name> for a short name)."""
    fqdn = check_dns_name(name, field)
    short = fqdn.split(".", 1)[0]
    if short == fqdn:
        return ["%s/%s" % (SERVICE, fqdn)]
    return ["%s/%s" % (SERVICE, short), "%s/%s" % (SERVICE, fqdn)]


def forms_of(names):
    out = []
    for index, name in enumerate(names):
        for spn in spn_forms(name, "names[%d]" % index):
            if not contains(out, spn):
                out.append(spn)
    return out


def contains(spns, spn):
    low = spn.lower()
    return any(s.lower() == low for s in spns)


def minus(spns, other):
    """SPNs of ``spns`` not in ``other`` (order of ``spns`` kept)."""
    drop = set(s.lower() for s in other)
    return [s for s in spns if s.lower() not in drop]


def both(spns, other):
    keep = set(s.lower() for s in other)
    return [s for s in spns if s.lower() in keep]


def union(*lists):
    out = []
    for spns in lists:
        for spn in spns or []:
            if not contains(out, spn):
                out.append(spn)
    return out

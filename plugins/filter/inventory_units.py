# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``onefs.dr.inventory_units`` filter: the failover units ``build_inventory.yml`` writes.

Documentation: plugins/filter/inventory_units.yml. The matching of a policy's ``target_host``
against every name and address of the target cluster is in module_utils/placement.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.onefs.dr.plugins.module_utils.placement import TargetIdentity, place_policies


def inventory_units(src, tgt, options=None):
    """``{units, unplaced, notes, target_names}`` (see the filter's documentation)."""
    if not isinstance(src, dict) or not isinstance(tgt, dict):
        raise AnsibleFilterError("inventory_units: the source and target reads must be dicts")
    opts = options if isinstance(options, dict) else {}
    mode = opts.get("mode") or "zone"
    if mode not in ("zone", "policy"):
        raise AnsibleFilterError("inventory_units: mode must be zone or policy, not %r" % mode)
    extra = [h for h in (opts.get("target_host"),) if h]
    identity = TargetIdentity(tgt, extra)
    out = place_policies(src.get("policies"), identity, mode=mode, include_system=bool(opts.get("include_system")),
                         source_guid=src.get("guid") or "", mirror_suffix=opts.get("mirror_suffix") or "_mirror")
    out["target_names"] = identity.describe()
    return out


class FilterModule:
    def filters(self):
        return {"inventory_units": inventory_units}

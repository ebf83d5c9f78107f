# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``onefs.dr.unit_plan`` and ``onefs.dr.unit_clash`` filters: runbook step 2 in one pass.

Documentation: plugins/filter/unit_plan.yml and unit_clash.yml. ``r01_unit`` resolved a unit
(its SyncIQ policies, their state in this direction, its scopes) with Jinja loops over what it
read of both clusters; with ten units starting at once those loops were most of the run's
start. Here they are one Python pass over the same data, with the same results.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.onefs.dr.plugins.module_utils import _unit_plan as logic  # the logic, tested in tests/unit


def unit_plan(*args, **kwargs):
    try:
        return logic.unit_plan(*args, **kwargs)
    except logic.UnitPlanError as exc:
        raise AnsibleFilterError(str(exc)) from exc


def unit_clash(*args, **kwargs):
    try:
        return logic.unit_clash(*args, **kwargs)
    except logic.UnitPlanError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    def filters(self):
        return {'unit_plan': unit_plan, 'unit_clash': unit_clash}

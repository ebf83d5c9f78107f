# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``onefs.dr.twin_scenario`` and ``onefs.dr.twin_check`` filters.

``twin_scenario`` turns what ``onefs_info`` read on each cluster of a pair into a scenario the
OneFS simulator serves (its digital twin); ``twin_check`` compares a pair's state after a
rehearsal with the twin it started from. Documentation: plugins/filter/twin_scenario.yml and
docs/rehearsal.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.onefs.dr.plugins.module_utils import _twin as logic  # the logic, tested in tests/unit


def twin_scenario(*args, **kwargs):
    try:
        return logic.twin_scenario(*args, **kwargs)
    except logic.TwinError as exc:
        raise AnsibleFilterError(str(exc)) from exc


def twin_check(*args, **kwargs):
    try:
        return logic.twin_check(*args, **kwargs)
    except logic.TwinError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    def filters(self):
        return {'twin_scenario': twin_scenario, 'twin_check': twin_check}

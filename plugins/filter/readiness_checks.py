# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``onefs.dr.readiness_checks`` filter: runbook steps 1, 3 and 3a, one Python pass.

Documentation: plugins/filter/readiness_checks.yml. ``r02_readiness`` evaluated its checks
with one long Jinja template per unit; with ten units starting at once that template was a
large part of the run's start. The checks, their order, statuses and wording are the same.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.onefs.dr.plugins.module_utils import _readiness as logic  # the logic, tested in tests/unit


def readiness_checks(*args, **kwargs):
    try:
        return logic.readiness_checks(*args, **kwargs)
    except logic.ReadinessError as exc:
        raise AnsibleFilterError(str(exc)) from exc


def readiness_share_paths(*args, **kwargs):
    try:
        return logic.readiness_share_paths(*args, **kwargs)
    except logic.ReadinessError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    def filters(self):
        return {'readiness_checks': readiness_checks, 'readiness_share_paths': readiness_share_paths}

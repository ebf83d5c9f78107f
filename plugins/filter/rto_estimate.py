# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``onefs.dr.rto_estimate``, ``onefs.dr.rto_run`` and ``onefs.dr.rto_compare``, ``onefs.dr.rto_summary``
filters.

Documentation: plugins/filter/rto_estimate.yml, rto_run.yml, rto_compare.yml,
rto_summary.yml; the model is
plugins/module_utils/_rto.py (docs/report.md).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.onefs.dr.plugins.module_utils._rto import RtoError, compare, estimate_run, estimate_unit, run_summary


def rto_estimate(unit, reports=None, service_ms=40, in_flight=10, overheads=None, job_default_s=60,
                 direction="failover", units_per_core=5.0, skip_steps=("dfs_rename",)):
    """One unit's estimate (see the filter's documentation)."""
    try:
        return estimate_unit(unit, reports or [], service_ms=service_ms, in_flight=in_flight,
                             overheads=overheads, job_default_s=job_default_s, direction=direction,
                             units_per_core=units_per_core, skip_steps=skip_steps)
    except RtoError as err:
        raise AnsibleFilterError("rto_estimate: %s" % err) from err


def rto_run(estimates, batch_size=2):
    """The run's estimate from its units' estimates."""
    if not isinstance(estimates, list) or not all(isinstance(e, dict) and "total_s" in e for e in estimates):
        raise AnsibleFilterError("rto_run: the input must be a list of rto_estimate results")
    try:
        return estimate_run(estimates, batch_size=batch_size)
    except RtoError as err:
        raise AnsibleFilterError("rto_run: %s" % err) from err


def rto_compare(steps, estimate):
    """The unit's step records, each with ``estimate_s`` and ``error_s``."""
    if not isinstance(steps, list):
        raise AnsibleFilterError("rto_compare: the input must be a list of step records")
    if estimate is not None and not isinstance(estimate, dict):
        raise AnsibleFilterError("rto_compare: estimate must be an rto_estimate result (a dictionary)")
    return compare(estimate or {}, steps)


def rto_summary(units, batch_size=2):
    """The run's estimate against its actual, from the report's units."""
    if not isinstance(units, dict):
        raise AnsibleFilterError("rto_summary: the input must be the report's units (a dictionary)")
    try:
        return run_summary(units, batch_size=batch_size)
    except RtoError as err:
        raise AnsibleFilterError("rto_summary: %s" % err) from err


class FilterModule:
    def filters(self):
        return {"rto_estimate": rto_estimate, "rto_run": rto_run, "rto_compare": rto_compare,
                "rto_summary": rto_summary}

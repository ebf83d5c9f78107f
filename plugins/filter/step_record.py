# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``onefs.dr.step_record`` filter: one step record of the failover report.

Documentation: plugins/filter/step_record.yml. What the step roles' ``step_end`` computed with
a Jinja loop over every registered result (slow with 100-share results, ten units at once) is
one Python pass here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

STATUSES = ("", "ok", "changed", "skipped", "failed", "warning")


def _flatten(registered):
    out = []
    for entry in registered or []:
        if isinstance(entry, dict) and isinstance(entry.get("results"), list):
            out.extend(x for x in entry["results"] if isinstance(x, dict))
        elif isinstance(entry, dict):
            out.append(entry)
    return out


def _int(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def step_record(results, step, started, ended, changes=None, status="", note="", direction="failover"):
    """Record of one step from its registered results (see the filter's documentation)."""
    if not isinstance(results, (list, tuple)):
        raise AnsibleFilterError("step_record: the input must be a list of registered results, got %s"
                                 % type(results).__name__)
    if status not in STATUSES:
        raise AnsibleFilterError("step_record: status must be one of %s, got %r" % (", ".join(STATUSES[1:]), status))
    n = skipped = changed = failed = calls = retries = c409 = share_writes = 0
    warnings = []
    busy = {}
    for x in _flatten(results):
        n += 1
        skipped += bool(x.get("skipped"))
        changed += bool(x.get("changed"))
        failed += bool(x.get("failed"))
        for warning in x.get("warnings") or []:
            text = "WARNING: " + to_text(warning)
            if text not in warnings:
                warnings.append(text)
        stats = x.get("api_stats") or {}
        calls += _int(stats.get("api_calls"))
        retries += _int(stats.get("retries"))
        c409 += _int(stats.get("conflicts_409"))
        share_writes += _int(stats.get("share_writes"))
        for bucket, seconds in (stats.get("share_write_busy") or {}).items():
            try:
                busy[bucket] = round(busy.get(bucket, 0.0) + float(seconds), 4)
            except (TypeError, ValueError):
                continue
    derived = "failed" if failed else "changed" if changed else "skipped" if n == skipped else "ok"
    try:
        duration = round(float(ended) - float(started), 3)
        t0, t1 = round(float(started), 3), round(float(ended), 3)
    except (TypeError, ValueError):
        duration, t0, t1 = 0.0, 0.0, 0.0
    notes = [to_text(note)] if note else []
    notes += [w for w in warnings if w not in notes]
    return {
        "step": to_text(step),
        "direction": to_text(direction or "failover"),
        "status": status or derived,
        "duration_s": duration,
        "started": t0,
        "ended": t1,
        "api_calls": calls,
        "retries": retries,
        "conflicts_409": c409,
        "share_writes": share_writes,
        "changes": [to_text(c) for c in (changes or [])],
        "note": "; ".join(notes),
        "share_write_busy": dict(sorted(busy.items())),
    }


class FilterModule:
    def filters(self):
        return {"step_record": step_record}

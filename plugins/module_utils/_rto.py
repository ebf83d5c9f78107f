# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""RTO estimate: how long each failover unit, and the run, will take (issue 19 point 3).

Pure functions (no I/O), used by the ``onefs.dr.rto_estimate`` and ``onefs.dr.rto_compare``
filters and by the benchmark. The model, per step of the runbook (docs/report.md):

* SyncIQ jobs from the policy's history, i.e. the SyncIQ reports OneFS keeps
  (``GET /platform/N/sync/reports``, ``onefs_info`` subset ``sync_reports``; fields from
  isilon_sdk's ``SyncReport`` model: ``policy_name``, ``action``, ``state``, ``start_time``,
  ``end_time``, ``duration`` (seconds), ``total_data_bytes``, ``bytes_transferred``):

  - final sync (step 4) and the mirror's first run (step 12): per policy, when the newest
    assessment (``action: test``) is newer than the newest run, its ``total_data_bytes`` (the
    data changed since the last job) divided by the recent throughput (``bytes_transferred`` /
    ``duration`` of the recent runs); otherwise the median duration of the recent runs. The
    unit's policies run in parallel: the step takes its longest policy.
  - allow-writes (step 7) and resync-prep (step 8): the median duration of the policy's recent
    ``allow_write`` / ``resync_prep`` reports; a policy without such history is assumed to take
    as long as its recent runs (a recovery job walks the same tree). One policy at a time: the
    step takes the sum.
  - a policy without any finished report: ``job_default_s``.

* Share writes (lockout, configuration sync to the target, source unlock): writes / writes in
  flight x the measured service time of one share write.
* Plus a per-step overhead: the time this collection's own tasks take around the cluster work
  (module processes, reads, bookkeeping), measured from a benchmark run's report
  (``OVERHEAD_S``; docs/report.md says how they were derived).

The run: units in batches of ``batch_size``; in a batch the units run side by side, but their
share writes on one cluster are served one store at a time, so a batch lasts the longest unit
or the sum of the batch's share time plus the shortest rest, whichever is longer.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re
from typing import Any, Iterable, Optional

# Seconds of the collection's own work per step and unit, beyond the cluster's work modelled
# above, when the controller runs BENCH_UNITS_PER_CORE units at once per CPU core. Measured with
# `make bench` (benchmarks/bench_failover.py, scale scenario: 10 zone units x 100 shares in one
# batch on a 2-core controller shared with other work, job_seconds 0.5, share-write service
# 30 ms): per step the median over the units of (actual - modelled cluster time), to 0.5 s.
# docs/report.md, "Constants".
OVERHEAD_S: dict[str, float] = {
    "readiness": 25.0,
    "smb_lockout": 31.5,
    "cache_schedules": 12.0,
    "cache_schedules_restore": 12.0,
    "suspend_config_sync": 10.0,
    "final_sync": 11.5,
    "config_sync": 11.5,
    "dfs_rename": 0.5,
    "smartconnect": 11.0,
    "spn": 11.0,
    "allow_writes": 13.0,
    "restore_permissions_target": 3.5,
    "resync_prep": 13.0,
    "mirror_schedule": 11.0,
    "quotas": 11.5,
    "run_mirror": 16.5,
    "resume_config_sync": 11.0,
    "restore_permissions_source": 17.5,
}
# The overheads are the controller's CPU time shared among the units it runs at once: they scale
# with the units at once per core, relative to the benchmark's, down to LOAD_FLOOR of them (the
# demo scenario's run of 3 units on 2 cores took about 0.3 x the benchmark's per step).
BENCH_UNITS_PER_CORE = 5.0
LOAD_FLOOR = 0.3

# The steps of a failover (or failback) in run order (docs/orchestration.md's table), by kind.
STEP_ORDER: tuple[str, ...] = (
    "readiness", "smb_lockout", "cache_schedules", "suspend_config_sync", "final_sync", "config_sync",
    "dfs_rename", "smartconnect", "spn", "allow_writes", "restore_permissions_target", "resync_prep",
    "mirror_schedule", "quotas", "run_mirror", "resume_config_sync", "restore_permissions_source",
)

# Steps whose share writes are one per share of the unit.
SHARE_STEPS: tuple[str, ...] = ("smb_lockout", "config_sync", "restore_permissions_source")

JOB_DEFAULT_S = 60.0
HISTORY = 5  # the newest reports of each policy and action that count
MIRROR_SUFFIX = "_mirror"

_PREFIX = re.compile(r"^[rs]\d+[a-z]?_")


class RtoError(ValueError):
    """Bad input; the message names the field."""


def step_kind(step: str) -> str:
    """A step record's name without its run-order prefix (``r06_final_sync`` -> ``final_sync``),
    so the estimate follows the roles whatever their numbers."""
    return _PREFIX.sub("", str(step or ""))


def _num(value: Any, field: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise RtoError("%s must be a number, got %r" % (field, value)) from None
    if out < 0:
        raise RtoError("%s must not be negative, got %r" % (field, value))
    return out


def _median(values: list[float]) -> float:
    values = sorted(values)
    n = len(values)
    if not n:
        return 0.0
    mid = n // 2
    return values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2.0


def report_seconds(report: dict) -> Optional[float]:
    """The duration of one finished SyncIQ report, or None (still running, failed, no times)."""
    if not isinstance(report, dict) or report.get("state") not in ("finished", "success", None):
        return None
    spans = []
    try:
        if report.get("end_time") and report.get("start_time"):
            spans.append(float(report["end_time"]) - float(report["start_time"]))
        if report.get("duration") is not None:
            spans.append(float(report["duration"]))
    except (TypeError, ValueError):
        return None
    spans = [s for s in spans if s >= 0]
    return max(spans) if spans else None


def _action(report: dict) -> str:
    action = report.get("action") or "run"
    return "run" if action in ("copy", "sync") else str(action)


def policy_history(reports: Iterable[Any], policy: str, keep: int = HISTORY) -> dict[str, Any]:
    """What the reports say about one policy: per action the newest ``keep`` durations, the
    recent throughput and, when an assessment is newer than the newest run, its bytes."""
    mine = [r for r in reports or [] if isinstance(r, dict) and r.get("policy_name") == policy]
    mine.sort(key=lambda r: float(r.get("end_time") or r.get("start_time") or 0), reverse=True)
    durations: dict[str, list[float]] = {}
    rates = []
    newest_run = newest_test = None
    pending_bytes = None
    for r in mine:
        action = _action(r)
        seconds = report_seconds(r)
        if seconds is None:
            continue
        when = float(r.get("end_time") or r.get("start_time") or 0)
        if action == "test":
            if newest_test is None:
                newest_test = when
                pending_bytes = float(r.get("total_data_bytes") or 0)
            continue
        if len(durations.setdefault(action, [])) < keep:
            durations[action].append(seconds)
            moved = float(r.get("bytes_transferred") or 0)
            if action == "run" and seconds > 0 and moved > 0:
                rates.append(moved / seconds)
        if action == "run" and newest_run is None:
            newest_run = when
    if newest_test is None or (newest_run is not None and newest_run > newest_test):
        pending_bytes = None
    return {"durations": durations, "throughput_bps": _median(rates) if rates else None,
            "changed_bytes": pending_bytes}


def _job_seconds(hist: dict, action: str, default: float) -> tuple[float, str]:
    """Seconds of one job of ``action`` from a policy's history, and how it was found."""
    runs = hist["durations"].get("run", [])
    if action == "run":
        if hist.get("changed_bytes") is not None and hist.get("throughput_bps"):
            return hist["changed_bytes"] / hist["throughput_bps"], "changed data / recent throughput"
        if runs:
            return _median(runs), "median of %d recent runs" % len(runs)
        return default, "no history: default"
    own = hist["durations"].get(action, [])
    if own:
        return _median(own), "median of %d recent %s jobs" % (len(own), action)
    if runs:
        return _median(runs), "no %s history: as long as its recent runs" % action
    return default, "no history: default"


def estimate_unit(unit: dict, reports: Iterable[Any] = (), service_ms: Any = 40, in_flight: Any = 10,
                  overheads: Optional[dict] = None, job_default_s: Any = JOB_DEFAULT_S,
                  direction: str = "failover", units_per_core: Any = BENCH_UNITS_PER_CORE,
                  skip_steps: Iterable[str] = ("dfs_rename",)) -> dict[str, Any]:
    """The estimate of one unit: ``{"name", "total_s", "share_s", "steps": {kind: seconds},
    "basis": {kind: text}}``. ``unit``: ``name``, ``policies`` (names, as the unit's source
    sends them), ``shares`` (the unit's SMB shares), optional ``cluster`` (the sending cluster).
    ``units_per_core``: units the controller runs at once per CPU core (the overheads scale with it).
    ``skip_steps``: steps the unit does not run (SmartConnect and SPN moves off, no DFS hook)."""
    if not isinstance(unit, dict):
        raise RtoError("unit must be a dictionary, got %s" % type(unit).__name__)
    policies = unit.get("policies", [])
    if not isinstance(policies, list) or not all(isinstance(p, str) for p in policies):
        raise RtoError("unit.policies must be a list of policy names, got %r" % (policies,))
    shares = int(_num(unit.get("shares", 0), "unit.shares"))
    service_s = _num(service_ms, "service_ms") / 1000.0
    width = _num(in_flight, "in_flight")
    if width < 1:
        raise RtoError("in_flight must be at least 1, got %r" % (in_flight,))
    default = _num(job_default_s, "job_default_s")
    load = max(LOAD_FLOOR, _num(units_per_core, "units_per_core") / BENCH_UNITS_PER_CORE)
    over = {k: v * load for k, v in OVERHEAD_S.items()}
    for key, value in (overheads or {}).items():
        over[str(key)] = _num(value, "overheads.%s" % key)
    reports = [r for r in reports or [] if isinstance(r, dict)]
    if isinstance(skip_steps, (str, bytes)) or not all(isinstance(k, str) for k in skip_steps or ()):
        raise RtoError("skip_steps must be a list of step names, got %r" % (skip_steps,))
    skip = {step_kind(k) for k in skip_steps or ()}
    unknown = sorted(skip - set(STEP_ORDER))
    if unknown:
        raise RtoError("skip_steps: unknown step %s (known: %s)" % (", ".join(unknown), ", ".join(STEP_ORDER)))

    steps: dict[str, float] = {}
    basis: dict[str, str] = {}
    share_write_s = shares * service_s / width
    for kind in (k for k in STEP_ORDER if k not in skip):
        seconds = over.get(kind, 0.0)
        why = ["overhead %.1f s" % seconds]
        if kind in SHARE_STEPS and shares:
            seconds += share_write_s
            why.append("%d share writes / %g in flight x %g ms" % (shares, width, service_s * 1000))
        if kind in ("final_sync", "run_mirror", "allow_writes", "resync_prep") and policies:
            action = {"final_sync": "run", "run_mirror": "run", "allow_writes": "allow_write",
                      "resync_prep": "resync_prep"}[kind]
            jobs = []
            for p in policies:
                name = p + MIRROR_SUFFIX if kind == "run_mirror" and direction != "failback" else p
                if kind == "run_mirror" and direction == "failback" and name.endswith(MIRROR_SUFFIX):
                    name = name[: -len(MIRROR_SUFFIX)]
                hist = policy_history(reports, name)
                if kind == "run_mirror" and not any(hist["durations"].values()):
                    hist = policy_history(reports, p)  # a new mirror: as long as its policy
                jobs.append((name,) + _job_seconds(hist, action, default))
            parallel = kind in ("final_sync", "run_mirror")
            job_s = max(j[1] for j in jobs) if parallel else sum(j[1] for j in jobs)
            seconds += job_s
            why.append(("longest of " if parallel else "sum of ") + "; ".join(
                "%s %.1f s (%s)" % j for j in jobs))
        steps[kind] = round(seconds, 3)
        basis[kind] = ", ".join(why)
    share_s = share_write_s * sum(1 for k in SHARE_STEPS if k not in skip)
    return {"name": str(unit.get("name", "")), "cluster": str(unit.get("cluster", "")),
            "total_s": round(sum(steps.values()), 3), "share_s": round(share_s, 3),
            "load_factor": round(load, 3), "steps": steps, "basis": basis}


def estimate_run(units: list[dict], batch_size: Any = 2) -> dict[str, Any]:
    """The run's duration from its units' estimates (see the module's documentation)."""
    size = int(_num(batch_size, "batch_size"))
    if size < 1:
        raise RtoError("batch_size must be at least 1, got %r" % (batch_size,))
    total = 0.0
    batches = []
    for start in range(0, len(units), size):
        batch = units[start:start + size]
        longest = max(u["total_s"] for u in batch)
        by_cluster: dict[str, list[dict]] = {}
        for u in batch:
            by_cluster.setdefault(u.get("cluster", ""), []).append(u)
        store = max(sum(u["share_s"] for u in us) + min(u["total_s"] - u["share_s"] for u in us)
                    for us in by_cluster.values())
        seconds = max(longest, store)
        batches.append({"units": [u.get("name", "") for u in batch], "total_s": round(seconds, 3)})
        total += seconds
    return {"total_s": round(total, 3), "batches": batches}


def compare(estimate: dict, steps: list[dict]) -> list[dict[str, Any]]:
    """Estimate against actual per step record of a unit: each record with ``estimate_s``
    (0 for a step the estimate does not model) and ``error_s`` (actual - estimate)."""
    modelled = (estimate or {}).get("steps") or {}
    out = []
    for record in steps or []:
        if not isinstance(record, dict):
            continue
        est = float(modelled.get(step_kind(record.get("step", "")), 0.0))
        actual = float(record.get("duration_s") or 0.0)
        out.append(dict(record, estimate_s=round(est, 3), error_s=round(actual - est, 3)))
    return out


def error_summary(estimated_s: float, actual_s: float) -> dict[str, Any]:
    """Estimate, actual, absolute and relative error (relative to the actual)."""
    err = actual_s - estimated_s
    return {"estimate_s": round(estimated_s, 3), "actual_s": round(actual_s, 3), "error_s": round(err, 3),
            "error_pct": round(100.0 * err / actual_s, 1) if actual_s else None}


def run_summary(units: dict, batch_size: Any = 2) -> dict[str, Any]:
    """The run's estimate against its actual, from the report's units (each with ``estimate``
    and ``steps``): the actual is the first step's start to the last step's end. Empty when a
    unit has no estimate (the estimate is not comparable then)."""
    units = {k: v for k, v in (units or {}).items() if isinstance(v, dict)}
    estimates = [u.get("estimate") for _k, u in sorted(units.items())]
    if not estimates or not all(isinstance(e, dict) and "total_s" in e for e in estimates):
        return {}
    spans = [(float(s.get("started") or 0), float(s.get("ended") or 0))
             for u in units.values() for s in u.get("steps") or [] if isinstance(s, dict) and s.get("started")]
    actual = (max(b for _a, b in spans) - min(a for a, _b in spans)) if spans else 0.0
    return error_summary(estimate_run(estimates, batch_size)["total_s"], actual)

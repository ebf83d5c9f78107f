# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""SyncIQ helpers shared by onefs.dr modules: schedules, jobs, reports, mirror names.

Nothing here validates a policy's ``action`` read from a cluster: while a failover job
(allow_write, resync_prep) exists, OneFS can report values outside copy|sync.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError

MIRROR_SUFFIX = "_mirror"

# Schedules that are not isidate strings.
SPECIAL_SCHEDULES = ("", "when-source-modified", "when-snapshot-taken")

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_UNITS = ("minute", "hour", "day", "week", "month", "year", "weekday", "weekend")
_ISIDATE_WORDS = set(
    ["every", "at", "on", "of", "from", "to", "until", "and", "the", "other", "last", "first",
     "second", "third", "fourth", "fifth", "am", "pm", "noon", "midnight", "a", "m", "p"]
    + list(_UNITS) + [u + "s" for u in _UNITS]
    + list(_DAYS) + [d + "s" for d in _DAYS] + [d[:3] for d in _DAYS]
    + list(_MONTHS) + [m[:3] for m in _MONTHS]
)
_ANCHORS = set(list(_UNITS) + [u + "s" for u in _UNITS] + list(_DAYS) + [d + "s" for d in _DAYS]
               + [d[:3] for d in _DAYS] + list(_MONTHS) + [m[:3] for m in _MONTHS])
_TOKEN = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?|\d+(?:st|nd|rd|th)?|[a-z]+|,|\.|\S")

# Job states (SyncJobExtended.state). Anything not terminal is still going.
JOB_ACTIVE_STATES = ("scheduled", "running", "paused", "pending")
JOB_SUCCESS_STATES = ("finished", "success w/ prior failures")
JOB_ACTIONS = ("run", "allow_write", "allow_write_revert", "resync_prep")

# Target policy failover_failback_state values.
WRITES_ON_STATES = ("writes_enabled", "creating_resync_policy", "resync_policy_created")
TRANSITIONAL_STATES = ("enabling_writes", "disabling_writes", "creating_resync_policy")

REPORT_SUMMARY_KEYS = (
    "id", "job_id", "policy_name", "action", "state", "sync_type", "start_time", "end_time",
    "duration", "error", "errors", "warnings", "total_files", "files_transferred",
    "bytes_transferred", "total_data_bytes", "dead_node",
)


def schedule_error(schedule):
    """None when ``schedule`` looks like a valid OneFS schedule, else why not."""
    if schedule is None:
        return None
    text = schedule.strip().lower()
    if text in SPECIAL_SCHEDULES:
        return None
    tokens = _TOKEN.findall(text)
    if not tokens or tokens[0] != "every":
        return "it must be '' (manual), 'when-source-modified', 'when-snapshot-taken' or a OneFS date " \
               "pattern starting with 'every', such as 'every 1 days at 10:00 PM'"
    unknown = [t for t in tokens if t not in _ISIDATE_WORDS and not t[0].isdigit() and t not in (",", ".")]
    if unknown:
        return "%r is not a OneFS date-pattern word (example: 'every 1 days at 10:00 PM', " \
               "'every Saturday at 01:00', 'every day every 4 hours')" % unknown[0]
    if not any(t in _ANCHORS for t in tokens):
        return "it names no period (day, week, month, a weekday...): example 'every 1 days at 10:00 PM'"
    for token in tokens:
        if ":" in token:
            parts = [int(p) for p in token.split(":")]
            if parts[0] > 23 or any(p > 59 for p in parts[1:]):
                return "%r is not a time of day" % token
    return None


def normalize_schedule(schedule):
    """A schedule in a form that compares equal when only case or spacing differ."""
    if schedule is None:
        return None
    return " ".join(str(schedule).split()).lower()


def counterpart_name(name):
    """The policy SyncIQ resync-prep pairs with ``name``: 'p' <-> 'p_mirror'."""
    if name.endswith(MIRROR_SUFFIX) and len(name) > len(MIRROR_SUFFIX):
        return name[: -len(MIRROR_SUFFIX)]
    return name + MIRROR_SUFFIX


def get_policy(client, name):
    """The policy ``name`` (or id) on ``client``'s cluster, or None."""
    return client.item(client.api("sync/policies", name), "policies")


def get_target_policy(client, name):
    """The target policy ``name`` (or id) on ``client``'s cluster, or None."""
    return client.item(client.api("sync/target/policies", name), "policies")


def get_active_job(client, name):
    """The active job of policy ``name`` (``GET /sync/jobs/<name>``; 404 = none), or None."""
    job = client.item(client.api("sync/jobs", name), "jobs")
    if job and job.get("state") not in JOB_ACTIVE_STATES:
        # A job that is over but still listed counts as over.
        return None
    return job


def latest_report(client, name, job_id=None, action=None, count=10):
    """The SyncIQ report of policy ``name`` that best describes a job, or None.

    The report of job ``job_id`` when given and found; else the newest report of ``action``
    when given; else the newest report. Reports started in the same second are ordered by
    their (increasing) job id. Looks in ``/sync/reports``, then ``/sync/target/reports``.
    """
    query = {"policy_name": name, "reports_per_policy": count}
    for resource in ("sync/reports", "sync/target/reports"):
        try:
            body = client.get(client.api(resource), query=query) or {}
        except OneFSError as err:
            if err.status == 404:
                continue
            raise
        reports = [r for r in body.get("reports") or [] if r.get("policy_name") in (None, name)]
        if not reports:
            continue
        if job_id is not None:
            for report in reports:
                if report.get("job_id") == job_id:
                    return report
        if action is not None:
            reports = [r for r in reports if r.get("action") == action] or reports
        reports.sort(key=lambda r: (r.get("start_time") or 0, _int(r.get("job_id"))))
        return reports[-1]
    return None


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def report_summary(report):
    """The fields of a report worth showing a person (None stays None)."""
    if not report:
        return None
    return dict((k, report[k]) for k in REPORT_SUMMARY_KEYS if k in report)


def job_errors(job, report=None):
    """The error texts of a job and/or its report, without duplicates, in order."""
    texts = []
    for source in (job or {}, report or {}):
        for text in list(source.get("errors") or []) + [source.get("error")]:
            if text and text not in texts:
                texts.append(text)
    return texts


def start_job(client, name, action):
    """POST /sync/jobs for policy ``name``; ``action`` 'run' is sent without an action."""
    body = {"id": name}
    if action != "run":
        body["action"] = action

    def started():
        # A dropped answer: the job exists now when the POST was applied.
        return client.item(client.api("sync/jobs", name), "jobs") is not None

    return client.post(client.api("sync/jobs"), body, verify=started)


def wait_for_job(client, name, timeout, interval, last=None, clock=time.monotonic, sleep=time.sleep, first_delay=0.0,
                 progress=None):
    """Poll ``GET /sync/jobs/<name>`` until the job is gone or terminal.

    ``first_delay``: seconds before the first poll (a job just started or seen running is not
    over at once; waiting saves a read). Returns ``(last_job_seen, timed_out)``;
    ``last_job_seen`` is the last job body read (its ``state`` is terminal when the cluster
    still lists the finished job). ``progress``: called with each job body read while it runs
    (the task's progress line).
    """
    deadline = clock() + timeout
    if first_delay > 0:
        sleep(max(0.01, min(first_delay, timeout)))
    while True:
        job = client.item(client.api("sync/jobs", name), "jobs")
        if job is None:
            return last, False
        last = job
        if job.get("state") not in JOB_ACTIVE_STATES:
            return last, False
        if progress is not None:
            progress(job)
        if clock() >= deadline:
            return last, True
        sleep(max(0.01, min(interval, max(0.0, deadline - clock()))))

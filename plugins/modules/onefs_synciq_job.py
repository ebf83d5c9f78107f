#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_synciq_job
short_description: Run a SyncIQ job of a policy (run, allow_write, allow_write_revert, resync_prep) and wait for it
version_added: 0.2.0
description:
  - Runs one SyncIQ job for the policy O(name) and waits for it, V(run) (a sync),
    V(allow_write) and V(allow_write_revert) (on the cluster that holds the target policy),
    V(resync_prep) (on the source).
  - Jobs are idempotent by cluster state, so a failover or failback play can be re-run after
    any failure. V(allow_write) does nothing when the target policy already allows writes;
    V(allow_write_revert) does nothing when writes are already disabled; V(resync_prep) does
    nothing when the source policy is disabled and its mirror exists; a job that is already
    running is waited for, never started a second time.
  - The policy's settings are the job of M(onefs.dr.onefs_synciq_policy). Every input check and
    every read happens before the job starts.
author:
  - onefs.dr contributors (@onefs-dr)
options:
  name:
    description:
      - Name of the policy (on the source), which is also the name of its target policy on the
        target cluster and the id of its jobs.
      - A mirror policy made by resync-prep is named C(<name>_mirror).
    type: str
    required: true
  job:
    description:
      - The SyncIQ job to run for the policy O(name).
      - V(run) starts a sync on this cluster and always reports C(changed), unless a job of the
        policy is already running, which is then waited for instead (C(changed=false)).
      - V(allow_write) and V(allow_write_revert) act on the target policy O(name) of the cluster
        that holds it, the O(partner) cluster when given (the module is then connected to the
        source), else the module's own cluster. No-op when the target policy already is
        C(writes_enabled) (or further on, C(creating_resync_policy)/C(resync_policy_created)),
        respectively C(writes_disabled).
      - V(resync_prep) runs on this cluster (the source of O(name)). No-op when the policy is
        disabled and its counterpart (C(<name>_mirror), or C(<base>) for a C(*_mirror) policy)
        exists on the O(partner), or the partner's target policy is C(resync_policy_created).
        Without O(partner), when the policy is disabled and its newest report is a finished
        resync_prep.
      - A job that ends in any state but C(finished) fails the task with the job's own errors
        and the newest report summary.
    type: str
    choices: [run, allow_write, allow_write_revert, resync_prep]
    required: true
  wait:
    description:
      - Wait for the job to end. With V(false) the task returns once the job has started.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the job. When they run out the task fails and the job goes on; run
        the task again to keep waiting (a running job is never started twice).
    type: int
    default: 3600
  poll_interval:
    description:
      - Seconds between two reads of the job's state while waiting. The first read comes one
        O(poll_interval) after the start.
    type: float
    default: 5.0
  job_report:
    description:
      - Read the policy's SyncIQ report after the job and return its summary in RV(job.report).
      - With V(false) the report is read only when the job did not finish (for its errors).
        Success is then judged from what the task reads and returns anyway. For V(run), the
        policy's C(last_job_state) and a C(last_success) newer than before the job. For
        V(allow_write) and V(allow_write_revert), the target policy's C(failover_failback_state).
        For V(resync_prep) with O(partner), the disabled policy and the partner's mirror policy
        or target policy. This is one API call less per job; the roles use it.
      - With V(false), a V(run) or V(allow_write) job this task started is also watched through
        that object (the policy while its C(last_job_state) is C(running), the target policy
        while it is C(enabling_writes)), so that one GET per poll is both the poll and the result. When
        the object shows neither success nor a job at work, the task waits for the job itself.
    type: bool
    default: true
extends_documentation_fragment:
  - onefs.dr.connection
  - onefs.dr.connection.partner
  - onefs.dr.attributes
attributes:
  check_mode:
    support: full
    details:
      - No job is started; the result says whether one would be. A job that is already running
        is not waited for in check mode.
  diff_mode:
    support: full
    details:
      - The target policy's C(failover_failback_state) or the policy's C(enabled) flag before
        and after.
  idempotent:
    support: partial
    details:
      - The V(allow_write), V(allow_write_revert) and V(resync_prep) jobs are idempotent by
        cluster state. V(run) starts a sync each time (by design, it is the final sync of a
        failover), unless one is already running.
notes:
  - "API calls: one GET of the policy (plus one of the target policy and the partner's
    counterpart as the job needs), the job start, then one GET of the job per
    O(poll_interval) while waiting, one report GET (none with O(job_report=false) when the
    job finished) and one GET of what the task returns. The active job is read only when
    OneFS refuses the start with 409 (a job is already running) and in check mode."
  - HTTP 503 and 429 answers are retried by the client up to O(retry_deadline).
  - Deleting the target policy (breaking the association) forces a full resync later; this
    module never does it.
seealso:
  - module: onefs.dr.onefs_synciq_policy
  - module: onefs.dr.onefs_info
"""

EXAMPLES = r"""
- name: Final sync, waited for
  onefs.dr.onefs_synciq_job:
    name: data1
    job: run
    wait_timeout: 7200

- name: Allow writes on the target (module connected to the source)
  onefs.dr.onefs_synciq_job:
    name: data1
    job: allow_write
    partner:
      host: dr.example.com

- name: Resync-prep on the source; creates data1_mirror on the target
  onefs.dr.onefs_synciq_job:
    name: data1
    job: resync_prep
    partner:
      host: dr.example.com
"""

RETURN = r"""
policy:
  description: The policy on this cluster after the job (its C(password) is never returned).
  returned: for O(job=run) and O(job=resync_prep)
  type: dict
  sample: {"name": "data1", "enabled": false, "action": "sync", "schedule": "", "last_job_state": "finished"}
target_policy:
  description: The target policy O(name) after the task, on the cluster that holds it.
  returned: >-
    for O(job=allow_write) and O(job=allow_write_revert); for O(job=resync_prep) with O(partner)
    (with O(job_report=false), only when the mirror policy was not found after the job)
  type: dict
  sample: {"name": "data1", "failover_failback_state": "writes_enabled", "last_job_state": "finished"}
mirror_policy:
  description: The counterpart policy on the O(partner) after V(resync_prep) (C(<name>_mirror) or the base policy).
  returned: for O(job=resync_prep) with O(partner), when it exists
  type: dict
  sample: {"name": "data1_mirror", "enabled": true, "target_host": "prod.example.com"}
job:
  description: What happened to O(job).
  returned: always
  type: dict
  contains:
    action:
      description: The job asked for.
      type: str
      sample: allow_write
    cluster:
      description: Host of the cluster the job runs on.
      type: str
      sample: dr.example.com
    started:
      description: Whether this task started a job.
      type: bool
      sample: true
    waited:
      description: Whether the task waited for a job (its own or one already running).
      type: bool
      sample: true
    skipped_reason:
      description: Why no job was needed, when none was.
      type: str
      sample: target policy is already writes_enabled
    state:
      description: Last known job state (C(finished) on success), C(null) when no job ran.
      type: str
      sample: finished
    duration_s:
      description: Seconds the task waited for the job.
      type: float
      sample: 12.5
    errors:
      description: Error messages of the job and its report.
      type: list
      elements: str
      sample: []
    report:
      description:
        - Summary of the policy's newest SyncIQ report after the job.
        - C(null) with O(job_report=false) when the job finished.
      type: dict
      sample: {"state": "finished", "action": "run", "files_transferred": 120, "errors": []}
  sample: {"action": "run", "started": true, "waited": true, "state": "finished", "duration_s": 3.2}
diff:
  description: Before and after of what the job changes.
  returned: when changed and diff mode is on
  type: dict
  sample: {"before": {"failover_failback_state": "writes_disabled"}, "after": {"failover_failback_state": "writes_enabled"}}
api_stats:
  description: API calls made by the module (added by the module runner).
  returned: always
  type: dict
  sample: {"api_calls": 5, "retries": 0, "conflicts_409": 0, "share_writes": 0}
"""

import time

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError
from ansible_collections.onefs.dr.plugins.module_utils.common import (
    InputError,
    OneFSModule,
    partner_argument_spec,
)
from ansible_collections.onefs.dr.plugins.module_utils.progress import Progress
from ansible_collections.onefs.dr.plugins.module_utils.synciq import (
    JOB_ACTIONS,
    JOB_ACTIVE_STATES,
    JOB_SUCCESS_STATES,
    WRITES_ON_STATES,
    counterpart_name,
    get_active_job,
    get_policy,
    get_target_policy,
    job_errors,
    latest_report,
    report_summary,
    start_job,
    wait_for_job,
)


def argument_spec():
    return dict(
        name=dict(type="str", required=True),
        job=dict(type="str", choices=["run", "allow_write", "allow_write_revert", "resync_prep"], required=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=3600),
        poll_interval=dict(type="float", default=5.0),
        job_report=dict(type="bool", default=True),
        partner=partner_argument_spec(),
    )


class SyncIQJob:
    """Reads and checks what the job needs, then starts it (or not) and waits; one instance per task."""

    def __init__(self, m):
        self.m = m
        self.p = m.params
        self.name = self.p["name"]
        self.client = m.client
        self.result = {"changed": False}
        self._progress_show = None  # the progress line of a wait (set while waiting)
        self.before = {}
        self.after = {}
        self.policy = None
        self._ctx = None
        self._success_before = None  # the policy's last_success before this task's job
        self._fresh = False  # finish_job need not re-read (the job's outcome was judged from fresh reads)

    def validate_input(self):
        """Value checks (the argument spec holds the rest)."""
        p = self.p
        if not self.name or not self.name.strip():
            raise InputError("name must not be empty")
        if p["wait_timeout"] < 0:
            raise InputError("wait_timeout must be 0 or more seconds, got %s" % p["wait_timeout"])
        if p["poll_interval"] <= 0:
            raise InputError("poll_interval must be more than 0 seconds, got %s" % p["poll_interval"])

    # ------------------------------------------------------------------ jobs
    def job_client(self):
        if self.p["job"] in ("allow_write", "allow_write_revert"):
            return self.m.partner_client() or self.client, (self.p["partner"] or {}).get("host") or self.p["host"]
        return self.client, self.p["host"]

    def plan_job(self):
        """Reads and checks what the job needs, before any write. Returns a context dict."""
        action = self.p["job"]
        ctx = {"action": action}
        if action in ("run", "resync_prep"):
            if self.policy is None:
                raise InputError(
                    "policy %r does not exist on %s: cannot %s it (check the name, or connect to the "
                    "policy's source cluster)" % (self.name, self.p["host"], _verb(action))
                )
            enabled = (self.policy or {}).get("enabled", True)
            if action == "run" and enabled is False:
                raise InputError(
                    "policy %r is disabled on %s and cannot run; set enabled: true (after a failover, run "
                    "the %r policy on the other cluster instead)" % (self.name, self.p["host"], counterpart_name(self.name))
                )
            if action == "resync_prep" and self.p["partner"] and (self.policy or {}).get("enabled") is False:
                # Only a disabled policy may already be resync-prepped (job_satisfied); an enabled
                # one needs the job whatever the partner holds (read after the job).
                partner = self.m.partner_client()
                ctx["mirror"] = get_policy(partner, counterpart_name(self.name))
                ctx["target_policy"] = get_target_policy(partner, self.name)
        else:
            client, host = self.job_client()
            target = get_target_policy(client, self.name)
            if target is None:
                raise InputError(
                    "target policy %r does not exist on %s: %s runs on the cluster that holds the target policy "
                    "(give partner: the target cluster when connected to the source)" % (self.name, host, action)
                )
            ctx["target_policy"] = target
        return ctx

    def job_satisfied(self, ctx):
        """None when the job must run, else why it need not."""
        action = ctx["action"]
        if action == "run":
            return None
        if action in ("allow_write", "allow_write_revert"):
            state = ctx["target_policy"].get("failover_failback_state")
            if action == "allow_write" and state in WRITES_ON_STATES:
                return "target policy is already %s" % state
            if action == "allow_write_revert" and state == "writes_disabled":
                return "target policy is already writes_disabled"
            return None
        # resync_prep
        policy = self.policy or {}
        if policy.get("enabled") is not False:
            return None
        if self.p["partner"]:
            if ctx.get("mirror") is not None:
                return "policy is disabled and %r exists on the partner" % counterpart_name(self.name)
            if (ctx.get("target_policy") or {}).get("failover_failback_state") == "resync_policy_created":
                return "policy is disabled and the partner's target policy is resync_policy_created"
            return None
        report = latest_report(self.client, self.name, count=1)
        if report and report.get("action") == "resync_prep" and report.get("state") in JOB_SUCCESS_STATES:
            return "policy is disabled and its newest report is a finished resync_prep"
        return None

    def refresh_job_context(self, ctx):
        action = ctx["action"]
        if action in ("allow_write", "allow_write_revert"):
            client = self.job_client()[0]
            ctx["target_policy"] = get_target_policy(client, self.name)
        else:
            self.policy = get_policy(self.client, self.name)
            if action == "resync_prep" and self.p["partner"]:
                partner = self.m.partner_client()
                ctx["mirror"] = get_policy(partner, counterpart_name(self.name))
                ctx["target_policy"] = get_target_policy(partner, self.name)

    def run_job(self, ctx):
        action = ctx["action"]
        client, host = self.job_client()
        job = {"action": action, "cluster": host, "started": False, "waited": False, "state": None,
               "duration_s": 0.0, "errors": [], "report": None}
        self.result["job"] = job
        reason = self.job_satisfied(ctx)
        if reason:
            job["skipped_reason"] = reason
            return
        # Check mode reads the active job; a real run starts the job straight away and asks
        # for the active one only when OneFS refuses the start with 409 (a job is running).
        active = get_active_job(client, self.name) if self.m.check_mode else None
        while True:
            if active is not None:
                job["state"] = active.get("state")
                job["running_action"] = active.get("action")
                if self.m.check_mode or (action == "run" and not self.p["wait"]):
                    job["skipped_reason"] = "a job of the policy is already %s (not waited for)" % active.get("state")
                    # Another job may still be needed once that one ends.
                    self.result["changed"] = action != "run"
                    return
                # Never start a second job: wait for the running one (also with wait=false).
                running = active.get("action") if active.get("action") in JOB_ACTIONS else action
                self._wait(client, job, running, seen=active, judge=False)
                if action == "run":
                    job["skipped_reason"] = "a job of the policy was already running; waited for it"
                    return
                self.refresh_job_context(ctx)
                reason = self.job_satisfied(ctx)
                if reason:
                    job["skipped_reason"] = reason
                    return
            if not self.m.check_mode:
                self._success_before = (self.policy or {}).get("last_success")
                try:
                    start_job(client, self.name, action)
                except OneFSError as err:
                    if err.status != 409:
                        raise
                    active = get_active_job(client, self.name)
                    if active is None:
                        raise  # refused for another reason (service off, policy disabled...)
                    continue
            self.result["changed"] = True
            self._job_diff(ctx)
            if self.m.check_mode:
                return
            break
        job["started"] = True
        if not self.p["wait"]:
            seen = get_active_job(client, self.name)
            job["state"] = (seen or {}).get("state") or "started"
            return
        self._wait(client, job, action, judge=not self.p["job_report"])

    def _job_diff(self, ctx):
        action = ctx["action"]
        if action in ("allow_write", "allow_write_revert"):
            self.before["failover_failback_state"] = ctx["target_policy"].get("failover_failback_state")
            self.after["failover_failback_state"] = "writes_enabled" if action == "allow_write" else "writes_disabled"
        elif action == "resync_prep":
            self.before["enabled"] = (self.policy or {}).get("enabled")
            self.after["enabled"] = False
        else:
            self.after["job"] = action

    def _wait(self, client, job, action, seen=None, judge=False):
        """``_wait_for`` with a progress line for the onefs.dr.onefs_progress callback:
        ``alpha: waiting for job 12 of policy finance (40 s)``."""
        label = (getattr(client, "_identity", None) or {}).get("name") or job["cluster"]
        what = "" if action == "run" else " (%s)" % action
        with Progress(label) as progress:

            def show(body):
                job_id = (body or {}).get("job_id") or (body or {}).get("id")
                progress.update(message="waiting for job %s of policy %s%s" % (job_id, self.name, what)
                                if job_id else "waiting for the %s job of policy %s" % ("sync" if action == "run" else action, self.name))

            show(seen)
            self._progress_show = show
            try:
                self._wait_for(client, job, action, seen=seen, judge=judge)
            finally:
                self._progress_show = None

    def _wait_for(self, client, job, action, seen=None, judge=False):
        """Wait for the policy's ``action`` job on ``client``; fail the task unless it finished.

        ``judge``: when the job is gone, judge success from the objects the task returns
        anyway (policy or target policy) and read the report only when they do not show it."""
        started = time.monotonic()
        watched = judge and seen is None and action in ("run", "allow_write")
        # Watch what the task returns anyway (one GET per poll serves as poll and result); when
        # it does not tell, wait for the job itself (at once: the watch already waited).
        if watched and self._watch(client, action, started):
            job.update(waited=True, duration_s=round(time.monotonic() - started, 3), state="finished", errors=[])
            self._fresh = True
            return
        remaining = max(0.0, self.p["wait_timeout"] - (time.monotonic() - started))
        last, timed_out = wait_for_job(client, self.name, remaining, self.p["poll_interval"], last=seen,
                                       first_delay=0.0 if watched else self.p["poll_interval"],
                                       progress=self._progress_show)
        job["waited"] = True
        job["duration_s"] = round(time.monotonic() - started, 3)
        if timed_out:
            job["state"] = (last or {}).get("state")
            self.m.fail(
                "SyncIQ job %s of policy %r on %s is still %s after %s s (wait_timeout). It goes on running on the "
                "cluster; run the task again to keep waiting (a running job is never started twice)."
                % (action, self.name, job["cluster"], job["state"], self.p["wait_timeout"]),
                job=job,
            )
        job_id = (last or {}).get("job_id")
        if judge and self._succeeded(action, last):
            job["errors"] = job_errors(last)
            job["state"] = "finished" if not last or last.get("state") in JOB_ACTIVE_STATES else last["state"]
            return
        report = latest_report(client, self.name, job_id=job_id, action=action)
        job["report"] = report_summary(report)
        job["errors"] = job_errors(last, report)
        state = self._final_state(action, last, report, job, job_id)
        job["state"] = state
        if state not in JOB_SUCCESS_STATES:
            summary = job["report"] or {}
            msg = "SyncIQ job %s of policy %r on %s ended %s" % (action, self.name, job["cluster"], state)
            if job["errors"]:
                msg += ": " + "; ".join(job["errors"])
            if summary:
                msg += " (latest report %s: %s, action %s)" % (summary.get("id"), summary.get("state"), summary.get("action"))
            self.m.fail(msg, job=job, policy=_public(self.policy) if self.policy else None)

    def _watch(self, client, action, started):
        """Poll the object that shows the job's outcome: True once it shows success, False as soon
        as it shows neither success nor a job at work (the caller then waits for the job itself).

        V(run): the policy, while its C(last_job_state) is an active state, until its
        C(last_success) moves on from the value read before the job. V(allow_write): the target
        policy, while it is C(enabling_writes), until writes are enabled."""
        interval = self.p["poll_interval"]
        deadline = started + self.p["wait_timeout"]
        while True:
            time.sleep(max(0.01, min(interval, max(0.0, deadline - time.monotonic()))))
            if action == "run":
                policy = get_policy(self.client, self.name)
                if policy is None:
                    return False
                self.policy = policy
                if self._run_succeeded(policy):
                    return True
                working = policy.get("last_job_state") in JOB_ACTIVE_STATES
            else:
                target = get_target_policy(client, self.name)
                self._ctx["target_policy"] = target or self._ctx.get("target_policy")
                state = (target or {}).get("failover_failback_state")
                if state in WRITES_ON_STATES:
                    return True
                working = state == "enabling_writes"
            if not working or time.monotonic() >= deadline:
                return False
            if self._progress_show is not None:
                self._progress_show(None)

    def _run_succeeded(self, policy):
        """A run finished since the task's start: last job finished, last_success moved on."""
        return policy.get("last_job_state") in JOB_SUCCESS_STATES and policy.get("last_success") not in (
            None, self._success_before)

    def _succeeded(self, action, last):
        """Whether the objects read after the job show that it finished (no report read).

        Reads what finish_job returns anyway (and marks it fresh): for V(run) the policy, whose
        C(last_success) must have moved on since the task's first read; for V(allow_write) and
        V(allow_write_revert) the target policy's C(failover_failback_state); for V(resync_prep)
        with a partner the policy (disabled) and the partner's mirror or target policy."""
        if last and last.get("state") and last.get("state") not in JOB_ACTIVE_STATES:
            return last["state"] in JOB_SUCCESS_STATES
        ctx = self._ctx
        if action == "run":
            self.refresh_job_context(ctx)
            self._fresh = True
            return self._run_succeeded(self.policy or {})
        if action in ("allow_write", "allow_write_revert"):
            self.refresh_job_context(ctx)
            self._fresh = True
            state = (ctx.get("target_policy") or {}).get("failover_failback_state")
            return state in WRITES_ON_STATES if action == "allow_write" else state == "writes_disabled"
        if action == "resync_prep" and self.p["partner"]:
            # The policy and the partner's mirror show it; the partner's target policy is read
            # (and returned) only when the mirror does not.
            self.policy = get_policy(self.client, self.name)
            ctx["mirror"] = get_policy(self.m.partner_client(), counterpart_name(self.name))
            self._fresh = True
            if (self.policy or {}).get("enabled") is not False:
                return False
            if ctx["mirror"] is not None:
                return True
            ctx["target_policy"] = get_target_policy(self.m.partner_client(), self.name)
            return (ctx["target_policy"] or {}).get("failover_failback_state") == "resync_policy_created"
        return False

    def _final_state(self, action, last, report, job, job_id=None):
        if last and last.get("state") and last.get("state") not in JOB_ACTIVE_STATES:
            return last["state"]
        if action in ("allow_write", "allow_write_revert"):
            target = get_target_policy(self.job_client()[0], self.name) or {}
            state = target.get("failover_failback_state")
            ok = state in WRITES_ON_STATES if action == "allow_write" else state == "writes_disabled"
            if ok:
                return "finished"
            if report and report.get("state") not in JOB_SUCCESS_STATES:
                return report.get("state") or "failed"
            job["errors"].append("target policy is %s after the job" % state)
            return "failed"
        policy = get_policy(self.client, self.name) or {}
        self.policy = policy or self.policy
        same_job = job_id is None or (report or {}).get("job_id") in (job_id, None)
        matches = report and report.get("action") in (action, None) and same_job
        if matches and report.get("state"):
            return report["state"]
        return policy.get("last_job_state") or (report or {}).get("state") or "unknown"

    # ------------------------------------------------------------------ main
    def run(self):
        self.validate_input()
        if self.p["job"] in ("run", "resync_prep"):
            self.policy = get_policy(self.client, self.name)
        ctx = self.plan_job()
        self._ctx = ctx
        # ---- every check is done; the job starts here
        self.run_job(ctx)
        self.finish_job(ctx)
        if self.policy is not None:
            self.result["policy"] = _public(self.policy)
        if self.result["changed"] and self.m.module._diff:
            self.result["diff"] = {"before": self.before, "after": self.after}
        return self.result

    def finish_job(self, ctx):
        """Reads the objects returned after a job."""
        job = self.result["job"]
        acted = not self.m.check_mode and (job.get("started") or job.get("waited"))
        action = ctx["action"]
        if acted and not self._fresh:
            self.refresh_job_context(ctx)
        if action in ("allow_write", "allow_write_revert"):
            self.result["target_policy"] = ctx.get("target_policy")
        elif action == "resync_prep" and self.p["partner"]:
            self.result["target_policy"] = ctx.get("target_policy")
            if ctx.get("mirror") is not None:
                self.result["mirror_policy"] = _public(ctx["mirror"])


def _public(policy):
    if policy is None:
        return None
    return dict((k, v) for k, v in policy.items() if k != "password")


def _verb(action):
    return "run" if action == "run" else "resync-prep"


def main():
    m = OneFSModule(argument_spec(), supports_check_mode=True)
    m.run(lambda mod: SyncIQJob(mod).run())


if __name__ == "__main__":
    main()

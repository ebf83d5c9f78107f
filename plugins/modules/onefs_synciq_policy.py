#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_synciq_policy
short_description: Manage a SyncIQ policy and run its jobs (run, allow_write, resync_prep)
version_added: 0.1.0
description:
  - Creates, updates or deletes a SyncIQ policy on the cluster of the connection options
    (the source of the policy), comparing only the options given.
  - Runs one SyncIQ job for the policy with O(job) and waits for it,
    V(run) (a sync), V(allow_write) and V(allow_write_revert) (on the cluster that holds the
    target policy), V(resync_prep) (on the source).
  - Jobs are idempotent by cluster state, so a failover or failback play can be re-run after
    any failure. V(allow_write) does nothing when the target policy already allows writes;
    V(allow_write_revert) does nothing when writes are already disabled; V(resync_prep) does
    nothing when the source policy is disabled and its mirror exists; a job that is already
    running is waited for, never started a second time.
  - When O(job) and policy options are both given, the configuration is applied first, then
    the job runs. Every input check and every read happens before the first write.
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
  state:
    description:
      - V(present) creates the policy when missing (then O(action), O(source_root_path),
        O(target_host) and O(target_path) are required) and updates the options given.
      - V(absent) deletes the policy. It cannot be combined with O(job).
      - With only O(name) and O(job), the policy configuration is left as it is. With only
        O(name), the task checks that the policy exists and returns it.
    type: str
    choices: [present, absent]
    default: present
  action:
    description:
      - V(copy) or V(sync).
      - While a failover job exists OneFS may report another value for a policy's action; the
        module then does not compare or change it (and warns), rather than failing.
    type: str
    choices: [copy, sync]
  source_root_path:
    description: Absolute directory under C(/ifs) replicated by the policy.
    type: str
  target_host:
    description: Address or SmartConnect name of the target cluster.
    type: str
  target_path:
    description: Absolute directory under C(/ifs) on the target cluster.
    type: str
  schedule:
    description:
      - When the policy runs. V("") runs it only manually (what a failover sets while it works);
        V(when-source-modified), V(when-snapshot-taken), or a OneFS date pattern such as
        V(every 1 days at 10:00 PM) or V(every Saturday at 01:00).
      - Checked before any write; compared ignoring case and spacing, so give it as the cluster
        shows it.
      - The schedule found before the task is returned as RV(previous_schedule), so a role can
        cache it and later set it on the mirror policy.
    type: str
  enabled:
    description: Whether the policy is enabled. A disabled policy cannot O(job=run).
    type: bool
  description:
    description: Free text description of the policy.
    type: str
  source_include_directories:
    description:
      - Directories under O(source_root_path) to include (absolute paths). Compared as a set;
        V([]) clears the list.
    type: list
    elements: str
  source_exclude_directories:
    description:
      - Directories under O(source_root_path) to exclude (absolute paths). Compared as a set;
        V([]) clears the list.
    type: list
    elements: str
  accelerated_failback:
    description: Prepare the failback data on the target after each run, which makes resync-prep faster.
    type: bool
  workers_per_node:
    description: Workers per node the policy's jobs may use (at least 1).
    type: int
  target_snapshot_archive:
    description: Keep a snapshot on the target after each successful run.
    type: bool
  target_snapshot_pattern:
    description: Name pattern of archived target snapshots.
    type: str
  target_snapshot_alias:
    description: Alias of the latest archived target snapshot.
    type: str
  target_snapshot_expiration:
    description: Seconds archived target snapshots are kept (V(0) = forever).
    type: int
  policy_password:
    description:
      - Password the target cluster requires of this policy (C(password) in the API).
      - Write-only in OneFS, so it cannot be compared; see O(update_password).
    type: str
  update_password:
    description:
      - V(on_create) sends O(policy_password) only when the policy is created, so re-runs stay
        unchanged.
      - V(always) sends it on every run, which then always reports C(changed).
    type: str
    choices: [always, on_create]
    default: on_create
  job:
    description:
      - A SyncIQ job to run for the policy after the configuration is applied.
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
      - Nothing is written and no job is started; the result says what would change.
        A job that is already running is not waited for in check mode.
  diff_mode:
    support: full
    details:
      - Policy fields that change; for jobs the target policy's C(failover_failback_state) or
        the policy's C(enabled) flag before and after.
  idempotent:
    support: partial
    details:
      - Configuration and the V(allow_write), V(allow_write_revert) and V(resync_prep) jobs are
        idempotent by cluster state. V(run) starts a sync each time (by design, it is the
        final sync of a failover), unless one is already running.
      - O(update_password=always) reports a change on every run.
notes:
  - "API calls: one GET of the policy (plus one of the target policy and the partner's
    counterpart as the job needs), the writes and the job start, then one GET of the job per
    O(poll_interval) while waiting, one report GET (none with O(job_report=false) when the
    job finished) and one GET of what the task returns. The active job is read only when
    OneFS refuses the start with 409 (a job is already running) and in check mode."
  - HTTP 503 and 429 answers are retried by the client up to O(retry_deadline).
  - OneFS reports policy C(action) values outside copy|sync while a failover job exists; the
    module never validates C(action) read from the cluster.
  - Deleting the target policy (breaking the association) forces a full resync later; this
    module never does it.
seealso:
  - module: onefs.dr.onefs_info
"""

EXAMPLES = r"""
- name: Policy data1 replicates /ifs/data1 to the DR cluster every night
  onefs.dr.onefs_synciq_policy:
    name: data1
    action: sync
    source_root_path: /ifs/data1
    target_host: dr.example.com
    target_path: /ifs/data1
    schedule: every 1 days at 10:00 PM
    enabled: true

- name: Failover step 1b - set the policy to manual, remember its schedule
  onefs.dr.onefs_synciq_policy:
    name: data1
    schedule: ""
  register: manual

- name: Final sync, waited for
  onefs.dr.onefs_synciq_policy:
    name: data1
    job: run
    wait_timeout: 7200

- name: Allow writes on the target (module connected to the source)
  onefs.dr.onefs_synciq_policy:
    name: data1
    job: allow_write
    partner:
      host: dr.example.com

- name: Resync-prep on the source; creates data1_mirror on the target
  onefs.dr.onefs_synciq_policy:
    name: data1
    job: resync_prep
    partner:
      host: dr.example.com

- name: Give the mirror the cached schedule (module connected to the target)
  onefs.dr.onefs_synciq_policy:
    host: dr.example.com
    name: data1_mirror
    schedule: "{{ manual.previous_schedule }}"
"""

RETURN = r"""
policy:
  description: The policy on this cluster after the task (its C(password) is never returned).
  returned: when the policy was read (configuration given, O(job=run) or O(job=resync_prep)) and exists
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
previous_schedule:
  description: The policy's schedule before the task (C(null) when the policy was created).
  returned: when O(schedule) is given
  type: str
  sample: every 1 days at 10:00 PM
job:
  description: What happened to O(job).
  returned: when O(job) is given
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
  description: Before and after of what changed.
  returned: when changed and diff mode is on
  type: dict
  sample: {"before": {"schedule": "every 1 days at 10:00 PM"}, "after": {"schedule": ""}}
api_stats:
  description: API calls made by the module (added by the module runner).
  returned: always
  type: dict
  sample: {"api_calls": 5, "retries": 0, "conflicts_409": 0, "share_writes": 0}
"""

import posixpath
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
    normalize_schedule,
    report_summary,
    schedule_error,
    start_job,
    wait_for_job,
)

CONFIG_OPTIONS = (
    "action", "source_root_path", "target_host", "target_path", "schedule", "enabled", "description",
    "source_include_directories", "source_exclude_directories", "accelerated_failback",
    "workers_per_node", "target_snapshot_archive", "target_snapshot_pattern", "target_snapshot_alias",
    "target_snapshot_expiration", "policy_password",
)
CREATE_REQUIRED = ("action", "source_root_path", "target_host", "target_path")
SET_OPTIONS = ("source_include_directories", "source_exclude_directories")
PATH_OPTIONS = ("source_root_path", "target_path")


def argument_spec():
    return dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        action=dict(type="str", choices=["copy", "sync"]),
        source_root_path=dict(type="str"),
        target_host=dict(type="str"),
        target_path=dict(type="str"),
        schedule=dict(type="str"),
        enabled=dict(type="bool"),
        description=dict(type="str"),
        source_include_directories=dict(type="list", elements="str"),
        source_exclude_directories=dict(type="list", elements="str"),
        accelerated_failback=dict(type="bool"),
        workers_per_node=dict(type="int"),
        target_snapshot_archive=dict(type="bool"),
        target_snapshot_pattern=dict(type="str"),
        target_snapshot_alias=dict(type="str"),
        target_snapshot_expiration=dict(type="int"),
        policy_password=dict(type="str", no_log=True),
        update_password=dict(type="str", choices=["always", "on_create"], default="on_create", no_log=False),
        job=dict(type="str", choices=["run", "allow_write", "allow_write_revert", "resync_prep"]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=3600),
        poll_interval=dict(type="float", default=5.0),
        job_report=dict(type="bool", default=True),
        partner=partner_argument_spec(),
    )


def _clean_path(option, value):
    if not value.startswith("/"):
        raise InputError(
            "%s must be an absolute path under /ifs, got %r (for example /ifs/%s)" % (option, value, value.lstrip("./"))
        )
    path = posixpath.normpath(value)
    if path != "/ifs" and not path.startswith("/ifs/"):
        raise InputError("%s must be under /ifs, got %r" % (option, value))
    return path


def _under(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


class SyncIQPolicy:
    """Plans every change from reads, then writes; one instance per task."""

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

    # ------------------------------------------------------------------ input
    def validate_input(self):
        p = self.p
        if not self.name or not self.name.strip():
            raise InputError("name must not be empty")
        if p["state"] == "absent" and p["job"]:
            raise InputError("job cannot be combined with state=absent: run the job first, then delete the policy")
        for option in PATH_OPTIONS:
            if p[option] is not None:
                p[option] = _clean_path(option, p[option])
        if p["target_host"] is not None and not p["target_host"].strip():
            raise InputError("target_host must not be empty")
        for option in SET_OPTIONS:
            if p[option] is not None:
                p[option] = [_clean_path(option, d) for d in p[option]]
        reason = schedule_error(p["schedule"])
        if reason:
            raise InputError("schedule %r is not valid: %s" % (p["schedule"], reason))
        if p["workers_per_node"] is not None and p["workers_per_node"] < 1:
            raise InputError("workers_per_node must be at least 1, got %s" % p["workers_per_node"])
        if p["target_snapshot_expiration"] is not None and p["target_snapshot_expiration"] < 0:
            raise InputError("target_snapshot_expiration must be 0 (forever) or more seconds")
        if p["wait_timeout"] < 0:
            raise InputError("wait_timeout must be 0 or more seconds, got %s" % p["wait_timeout"])
        if p["poll_interval"] <= 0:
            raise InputError("poll_interval must be more than 0 seconds, got %s" % p["poll_interval"])

    def config_requested(self):
        """Whether the policy itself is managed: any config option, state=absent, or no job."""
        if self.p["state"] == "absent" or not self.p["job"]:
            return True
        return any(self.p[o] is not None for o in CONFIG_OPTIONS)

    # ------------------------------------------------------------------ config
    def desired(self):
        body = {}
        for option in CONFIG_OPTIONS:
            if option == "policy_password":
                continue
            if self.p[option] is not None:
                body[option] = self.p[option]
        return body

    def plan_config(self):
        """Returns (method, body) to send, or None; fills before/after."""
        current = self.policy
        if self.p["state"] == "absent":
            if current is None:
                return None
            self.before.update(_public(current))
            return ("DELETE", None)
        desired = self.desired()
        if self.p["schedule"] is not None:
            self.result["previous_schedule"] = None if current is None else current.get("schedule")
        if current is None:
            missing = [o for o in CREATE_REQUIRED if self.p[o] is None]
            if missing:
                raise InputError(
                    "policy %r does not exist on %s; to create it give %s"
                    % (self.name, self.p["host"], ", ".join(missing))
                )
            self._check_dirs(desired["source_root_path"])
            body = dict(desired, name=self.name)
            self.after.update(body)
            if self.p["policy_password"] is not None:
                body["password"] = self.p["policy_password"]
            return ("POST", body)
        self._check_dirs(desired.get("source_root_path") or current.get("source_root_path"))
        body = {}
        for key, value in desired.items():
            have = current.get(key)
            if key == "action" and have not in ("copy", "sync"):
                # The real quirk: a failover job exists and OneFS shows another action.
                self.m.module.warn(
                    "policy %r reports action %r (a failover job exists); action is not compared now" % (self.name, have)
                )
                continue
            if key in SET_OPTIONS:
                same = sorted(value) == sorted(have or [])
            elif key == "schedule":
                same = normalize_schedule(value) == normalize_schedule(have or "")
            elif key in PATH_OPTIONS and isinstance(have, str):
                same = value == posixpath.normpath(have)
            else:
                same = value == have
            if not same:
                body[key] = value
                self.before[key] = have
                self.after[key] = value
        if self.p["policy_password"] is not None and self.p["update_password"] == "always":
            body["password"] = self.p["policy_password"]
            self.before["password"] = "(not readable)"
            self.after["password"] = "(set)"
        return ("PUT", body) if body else None

    def _check_dirs(self, root):
        for option in SET_OPTIONS:
            for directory in self.p[option] or []:
                if root and not _under(directory, root):
                    raise InputError(
                        "%s entry %r is not under source_root_path %r" % (option, directory, root)
                    )

    def apply_config(self, plan):
        method, body = plan
        self.result["changed"] = True
        if self.m.check_mode:
            if method == "POST":
                self.policy = None
            elif method == "PUT":
                self.policy = dict(self.policy, **dict((k, v) for k, v in body.items() if k != "password"))
            else:
                self.policy = None
            return
        if method == "POST":
            self.client.post(self.client.api("sync/policies"), body)
            self.policy = get_policy(self.client, self.name)
        elif method == "PUT":
            self.client.put(self.client.api("sync/policies", self.name), body)
            # OneFS answers 204: the policy after is the one read plus the fields written (a
            # job below reads it again anyway).
            self.policy = dict(self.policy, **dict((k, v) for k, v in body.items() if k != "password"))
        else:
            self.client.delete(self.client.api("sync/policies", self.name))
            self.policy = None

    # ------------------------------------------------------------------ jobs
    def job_client(self):
        if self.p["job"] in ("allow_write", "allow_write_revert"):
            return self.m.partner_client() or self.client, (self.p["partner"] or {}).get("host") or self.p["host"]
        return self.client, self.p["host"]

    def plan_job(self, config_plan):
        """Reads and checks what the job needs, before any write. Returns a context dict."""
        action = self.p["job"]
        ctx = {"action": action}
        if action in ("run", "resync_prep"):
            creating = config_plan is not None and config_plan[0] == "POST"
            if self.policy is None and not creating:
                raise InputError(
                    "policy %r does not exist on %s: cannot %s it (check the name, or connect to the "
                    "policy's source cluster)" % (self.name, self.p["host"], _verb(action))
                )
            enabled = self.p["enabled"] if self.p["enabled"] is not None else (self.policy or {}).get("enabled", True)
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
        creating = self.policy is None
        if self.m.check_mode and creating:
            # The policy would be created first; nothing more can be read about it.
            self.result["changed"] = True
            self.after["job"] = action
            return
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
        job = self.p["job"]
        if self.config_requested() or job in ("run", "resync_prep"):
            self.policy = get_policy(self.client, self.name)
        plan = self.plan_config() if self.config_requested() else None
        ctx = self.plan_job(plan) if job else None
        self._ctx = ctx
        # ---- every check is done; writes start here
        if plan:
            self.apply_config(plan)
        if ctx:
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
    m.run(lambda mod: SyncIQPolicy(mod).run())


if __name__ == "__main__":
    main()

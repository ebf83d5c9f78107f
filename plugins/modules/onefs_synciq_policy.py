#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_synciq_policy
short_description: Manage the settings of a SyncIQ policy
version_added: 0.1.0
description:
  - Creates, updates or deletes a SyncIQ policy on the cluster of the connection options
    (the source of the policy), comparing only the options given.
  - Running the policy's jobs (a sync, allow_write, allow_write_revert, resync_prep) is the job
    of M(onefs.dr.onefs_synciq_job).
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
      - V(absent) deletes the policy.
      - With only O(name), the task checks that the policy exists and returns it.
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
    description: Whether the policy is enabled. A disabled policy cannot run.
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
extends_documentation_fragment:
  - onefs.dr.connection
  - onefs.dr.attributes
attributes:
  check_mode:
    support: full
    details:
      - Nothing is written; the result says what would change.
  diff_mode:
    support: full
    details:
      - Policy fields that change.
  idempotent:
    support: partial
    details:
      - O(update_password=always) reports a change on every run; everything else is idempotent.
notes:
  - "API calls: one GET of the policy, then the write (a create is read back)."
  - HTTP 503 and 429 answers are retried by the client up to O(retry_deadline).
  - OneFS reports policy C(action) values outside copy|sync while a failover job exists; the
    module never validates C(action) read from the cluster.
  - Deleting the target policy (breaking the association) forces a full resync later; this
    module never does it.
seealso:
  - module: onefs.dr.onefs_synciq_job
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

- name: Give the mirror the cached schedule (module connected to the target)
  onefs.dr.onefs_synciq_policy:
    host: dr.example.com
    name: data1_mirror
    schedule: "{{ manual.previous_schedule }}"
"""

RETURN = r"""
policy:
  description: The policy on this cluster after the task (its C(password) is never returned).
  returned: when the policy exists after the task
  type: dict
  sample: {"name": "data1", "enabled": false, "action": "sync", "schedule": "", "last_job_state": "finished"}
previous_schedule:
  description: The policy's schedule before the task (C(null) when the policy was created).
  returned: when O(schedule) is given
  type: str
  sample: every 1 days at 10:00 PM
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

from ansible_collections.onefs.dr.plugins.module_utils._paths import clean_path, ifs_path, is_under
from ansible_collections.onefs.dr.plugins.module_utils._resources import sync_policies
from ansible_collections.onefs.dr.plugins.module_utils.common import (
    InputError,
    OneFSModule,
)
from ansible_collections.onefs.dr.plugins.module_utils.synciq import (
    get_policy,
    normalize_schedule,
    schedule_error,
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
    )


def _clean_path(option, value):
    return ifs_path(value, option, InputError)


class SyncIQPolicy:
    """Plans the change from one read, then writes; one instance per task."""

    def __init__(self, m):
        self.m = m
        self.p = m.params
        self.name = self.p["name"]
        self.client = m.client
        self.policies = sync_policies(self.client)
        self.result = {"changed": False}
        self.before = {}
        self.after = {}
        self.policy = None

    # ------------------------------------------------------------------ input
    def validate_input(self):
        p = self.p
        if not self.name or not self.name.strip():
            raise InputError("name must not be empty")
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
                same = value == clean_path(have)
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
                if root and not is_under(directory, root):
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
            self.policies.create(body)
            self.policy = get_policy(self.client, self.name)
        elif method == "PUT":
            self.policies.update(self.name, body)
            # OneFS answers 204: the policy after is the one read plus the fields written.
            self.policy = dict(self.policy, **dict((k, v) for k, v in body.items() if k != "password"))
        else:
            self.policies.delete(self.name)
            self.policy = None

    # ------------------------------------------------------------------ main
    def run(self):
        self.validate_input()
        self.policy = get_policy(self.client, self.name)
        plan = self.plan_config()
        # ---- every check is done; writes start here
        if plan:
            self.apply_config(plan)
        if self.policy is not None:
            self.result["policy"] = _public(self.policy)
        if self.result["changed"] and self.m.module._diff:
            self.result["diff"] = {"before": self.before, "after": self.after}
        return self.result


def _public(policy):
    if policy is None:
        return None
    return dict((k, v) for k, v in policy.items() if k != "password")


def main():
    m = OneFSModule(argument_spec(), supports_check_mode=True)
    m.run(lambda mod: SyncIQPolicy(mod).run())


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Wait for async module runs and say what is awaited (documentation: plugins/modules/job_wait.py).

The step roles start the SyncIQ jobs of a unit's policies in parallel (``async``) and then waited
for them with ``async_status`` and ``until``/``retries``, which printed
``FAILED - RETRYING: ... (7224 retries left)`` at every poll. This action polls the same
``async_status`` in one task and shows a line a person can read every ``report_every`` seconds
(``finance: waiting for job 12 of policy finance_policy on alpha (40 s)``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("jobs", "timeout", "delay", "report_every", "label", "key"))

    def _status(self, jid, async_dir, task_vars):
        res = self._execute_module(module_name="ansible.legacy.async_status", task_vars=task_vars,
                                   module_args={"jid": jid, "mode": "status", "_async_dir": async_dir})
        res["finished"] = bool(res.get("finished"))
        return res

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        jobs = [j for j in (args.get("jobs") or []) if isinstance(j, dict) and j.get("ansible_job_id")]
        try:
            timeout = float(args.get("timeout", 3600))
            delay = max(0.2, float(args.get("delay", 5)))
            every = max(1.0, float(args.get("report_every", 10)))
        except (TypeError, ValueError) as exc:
            raise AnsibleActionFail("job_wait: timeout, delay and report_every must be numbers: %s" % exc) from exc
        label = str(args.get("label") or "%s")
        key = str(args.get("key") or "name")
        async_dir = self._remote_expand_user(self.get_shell_option("async_dir", default="~/.ansible_async"))
        started = time.monotonic()
        shown = started
        done = {}
        while True:
            for job in jobs:
                jid = job["ansible_job_id"]
                if jid in done:
                    continue
                res = self._status(jid, async_dir, task_vars)
                if res["finished"] or res.get("failed") and not res.get("started"):
                    done[jid] = res
            pending = [j for j in jobs if j["ansible_job_id"] not in done]
            elapsed = time.monotonic() - started
            if not pending or elapsed >= timeout:
                break
            if time.monotonic() - shown >= every:
                shown = time.monotonic()
                names = ", ".join(self._name(j, label, key) for j in pending)
                display.display("%s: waiting for %s (%d s)" % (task_vars.get("inventory_hostname", ""), names, elapsed))
            time.sleep(delay)
        results = []
        for job in jobs:
            res = done.get(job["ansible_job_id"])
            if res is None:
                res = {"failed": True, "finished": False, "ansible_job_id": job["ansible_job_id"],
                       "msg": "%s still running after %d s (its wait timeout): it goes on; run the playbook again "
                              "to wait for it (a running job is never started twice)" % (self._name(job, label, key), timeout)}
            res["item"] = job
            res.pop("invocation", None)
            results.append(res)
        result["results"] = results
        result["changed"] = any(r.get("changed") for r in results)
        failed = [r for r in results if r.get("failed")]
        if failed:
            result["failed"] = True
            result["msg"] = failed[0].get("msg") or "a job failed"
        return result

    @staticmethod
    def _name(job, label, key):
        item = job.get("item")
        if isinstance(item, dict):
            item = item.get(key, item)
        try:
            return label % (item,)
        except (TypeError, ValueError):
            return "%s %s" % (label, item)

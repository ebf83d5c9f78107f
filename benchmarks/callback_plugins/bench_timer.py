# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper callback: per task and host, start/end times and the modules' api_stats.

Enabled by benchmarks/bench_failover.py (ANSIBLE_CALLBACK_PLUGINS + ANSIBLE_CALLBACKS_ENABLED);
writes one JSON document to $ONEFS_BENCH_TIMINGS when the playbook ends. Not part of the
collection (it lives outside plugins/ and is never shipped).
"""



DOCUMENTATION = """
name: bench_timer
type: aggregate
short_description: per task/host timings for benchmarks/bench_failover.py
description: Records when each task started and ended on each host, and the module api_stats.
requirements: [enable in ansible.cfg or ANSIBLE_CALLBACKS_ENABLED]
"""

import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

from ansible.plugins.callback import CallbackBase  # noqa: E402


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.t0 = time.time()
        self.task_start = {}
        self.records = []
        self.current = None
        self.retries = 0

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.current = (task._uuid, task.get_name(), task.action)
        self.task_start[task._uuid] = time.time()

    v2_playbook_on_handler_task_start = v2_playbook_on_task_start

    def v2_runner_on_start(self, host, task):
        self.task_start[(task._uuid, host.get_name())] = time.time()

    def _record(self, result, status):
        task = result._task
        host = result._host.get_name()
        end = time.time()
        start = self.task_start.get((task._uuid, host), self.task_start.get(task._uuid, end))
        res = result._result or {}
        calls = 0
        share_writes = 0
        items = res.get("results") if isinstance(res.get("results"), list) else [res]
        modules = 0
        for item in items:
            if not isinstance(item, dict):
                continue
            stats = item.get("api_stats")
            if isinstance(stats, dict):
                modules += 1
                calls += int(stats.get("api_calls", 0) or 0)
                share_writes += int(stats.get("share_writes", 0) or 0)
        self.records.append(
            {
                "uuid": task._uuid,
                "task": task.get_name(),
                "action": task.action,
                "host": host,
                "status": status,
                "start": round(start - self.t0, 4),
                "end": round(end - self.t0, 4),
                "modules": modules,
                "api_calls": calls,
                "share_writes": share_writes,
            }
        )

    def v2_runner_retry(self, result):
        # An ``until`` retry (e.g. async_status polling): one more module run.
        self.retries += 1

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("ONEFS_BENCH_TIMINGS")
        if not path:
            return
        with open(path, "w") as handle:
            json.dump(
                {"t0": self.t0, "end": round(time.time() - self.t0, 4), "until_retries": self.retries,
                 "records": self.records},
                handle,
            )

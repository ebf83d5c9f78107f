# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: onefs_progress
type: aggregate
short_description: Shows the progress of long onefs.dr operations while they run
version_added: "0.1.0"
description:
  - "While a long operation of an onefs.dr module runs (a bulk SMB share write such as the
    lockout of a thousand shares, a wait for a SyncIQ job), prints one line per operation every
    O(interval) seconds, for example C(alpha: 340/1000 share writes, 0 x 409, 12 s) or
    C(alpha: waiting for job 12 of policy finance (40 s))."
  - The modules keep small progress files in the controller's progress folder
    (C($ONEFS_DR_PROGRESS_DIR), else C(progress/) of the controller state folder); this callback
    reads them. It works beside any stdout callback (the default one, or ansible-runner's, so AWX
    shows the same lines in the job output).
  - Enable it in C(ansible.cfg) (C([defaults] callbacks_enabled = onefs.dr.onefs_progress)) or
    with C(ANSIBLE_CALLBACKS_ENABLED=onefs.dr.onefs_progress).
requirements:
  - Modules run on the controller (C(ansible_connection=local)), as the onefs.dr playbooks do.
options:
  interval:
    description: Seconds between two rounds of progress lines.
    type: float
    default: 5
    env:
      - name: ONEFS_DR_PROGRESS_INTERVAL
    ini:
      - section: onefs_progress
        key: interval
author:
  - onefs.dr contributors (@onefs-dr)
"""

import threading
import time

from ansible.plugins.callback import CallbackBase

from ansible_collections.onefs.dr.plugins.module_utils.progress import line, progress_dir, read_all


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "onefs.dr.onefs_progress"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._stop = threading.Event()
        self._thread = None
        self._since = time.time()
        self._interval = 5.0

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        self._interval = max(0.5, float(self.get_option("interval")))

    def _tick(self):
        folder = progress_dir()
        while not self._stop.wait(self._interval):
            now = time.time()
            # Files written since the last round (a module updates its file every ~2 s).
            for doc in read_all(folder, since=max(self._since, now - self._interval - 1.0)):
                self._display.display(line(doc, now))

    def v2_playbook_on_start(self, playbook):
        if self._thread is None:
            self._since = time.time()
            self._thread = threading.Thread(target=self._tick, name="onefs-progress", daemon=True)
            self._thread.start()

    def v2_playbook_on_stats(self, stats):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * self._interval)
            self._thread = None

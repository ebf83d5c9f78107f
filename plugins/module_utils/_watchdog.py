# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Does the playbook that started this module still exist?

Ansible runs a module in a process of its own, below a worker that has its own session
(``setsid``): Ctrl-C or a kill of the playbook's process group ends the playbook, not the
module, which would go on writing shares for a run nobody watches any more (and, meanwhile, a
rollback could start). A module that writes many shares asks ``PlaybookWatch.lost()`` before
each write and stops when it says so: the writes in flight finish, the journal records exactly
what was done, and nothing else is written.

How: at start, the chain of ancestors from this process up to the ``ansible-playbook`` /
``ansible`` main process (or up to four levels when there is none, e.g. a test harness) is
recorded as (pid, parent pid, start time). The playbook is lost when one of them is gone or has
another parent (its parent died and it was re-parented). Linux ``/proc`` only; elsewhere the
watch reports nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import threading
import time

MAX_LEVELS = 6


def _stat(pid):
    """(parent pid, start time) of ``pid`` from /proc, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as handle:
            data = handle.read().decode("utf-8", "replace")
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces: split after the last ')'.
    rest = data[data.rfind(")") + 2:].split()
    try:
        return int(rest[1]), int(rest[19])
    except (IndexError, ValueError):
        return None


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _is_ansible_main(cmdline):
    words = cmdline.split()
    return any(os.path.basename(w) in ("ansible-playbook", "ansible", "ansible-runner") for w in words[:3])


class PlaybookWatch:
    """Watches the chain of processes between this module and its playbook."""

    def __init__(self, pid=None):
        self.chain = []  # [(pid, ppid, starttime)] from the parent upwards
        self.reason = None
        self._lock = threading.Lock()
        self._checked = 0.0
        if not os.path.isdir("/proc"):
            return
        pid = os.getppid() if pid is None else pid
        found_main = False
        for _level in range(MAX_LEVELS):
            if pid <= 1:
                break
            stat = _stat(pid)
            if stat is None:
                break
            ppid, start = stat
            self.chain.append((pid, ppid, start))
            if _is_ansible_main(_cmdline(pid)) and not _is_ansible_main(_cmdline(ppid)):
                found_main = True
                break  # the main process: what is above it (a shell, AWX's runner) may come and go
            pid = ppid
        if not found_main:
            self.chain = self.chain[:4]

    def lost(self, min_interval=0.2):
        """None while the playbook is there; else why it is considered gone (cached once seen)."""
        with self._lock:
            if self.reason is not None:
                return self.reason
            now = time.monotonic()
            if now - self._checked < min_interval:
                return None
            self._checked = now
            for pid, ppid, start in self.chain:
                stat = _stat(pid)
                if stat is None or stat[1] != start:
                    self.reason = "process %d that started this module has ended (playbook interrupted?)" % pid
                    break
                if stat[0] != ppid:
                    self.reason = "process %d lost its parent %d (playbook interrupted?)" % (pid, ppid)
                    break
            return self.reason

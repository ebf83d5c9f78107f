# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Progress of long operations, for a person watching the run.

A module runs in a process of its own and says nothing until it ends, so a 1,000-share lockout
or a SyncIQ job of an hour is silence. While such an operation runs, its module keeps one small
JSON file up to date (at most every ``INTERVAL`` seconds, written atomically) in the controller's
progress folder; the callback plugin ``onefs.dr.onefs_progress`` shows the files of the
running modules every few seconds, in a terminal and under ansible-runner / AWX. The file is
removed when the operation ends; a file whose process is gone is stale and ignored.

Folder: ``$ONEFS_DR_PROGRESS_DIR``, else ``progress/`` of the controller state folder. Writing
is best effort: a folder that cannot be written turns progress off, never fails a module.
A file holds no secret: a label (cluster and what), counts, times and a short message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import threading
import time
from contextlib import suppress

try:
    from ansible_collections.onefs.dr.plugins.module_utils._limiter import default_state_dir
except ImportError:  # pragma: no cover - the module_utils are always shipped together
    default_state_dir = None

INTERVAL = 2.0


def progress_dir():
    """The folder of the progress files (modules and the callback agree on it)."""
    folder = os.environ.get("ONEFS_DR_PROGRESS_DIR")
    if folder:
        return folder
    base = default_state_dir() if default_state_dir else os.path.join(os.path.expanduser("~"), ".cache", "onefs.dr")
    return os.path.join(base, "progress")


def line(doc, now=None):
    """The line a person sees for one progress document."""
    now = time.time() if now is None else now
    elapsed = int(max(0.0, now - float(doc.get("started") or now)))
    if not doc.get("total") and doc.get("conflicts_409") is None:
        return "%s: %s (%d s)" % (doc.get("label") or "onefs.dr", doc.get("message") or "working", elapsed)
    parts = []
    if doc.get("total"):
        parts.append("%s/%s %s" % (doc.get("done", 0), doc["total"], doc.get("what") or "done"))
    if doc.get("message"):
        parts.append(doc["message"])
    if doc.get("conflicts_409") is not None:
        parts.append("%s x 409" % doc["conflicts_409"])
    parts.append("%d s" % elapsed)
    return "%s: %s" % (doc.get("label") or "onefs.dr", ", ".join(parts))


class Progress:
    """One operation's progress file. ``update`` is cheap to call often (it writes at most
    every ``interval`` seconds unless ``force``); ``close`` removes the file. Thread-safe."""

    def __init__(self, label, total=None, what="", interval=INTERVAL, directory=None, clock=time.time):
        self.label = label
        self.what = what
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._last = 0.0
        self.doc = {"label": label, "what": what, "total": total, "done": 0, "message": "",
                    "pid": os.getpid(), "started": clock(), "updated": clock()}
        self.path = None
        try:
            folder = directory or progress_dir()
            os.makedirs(folder, mode=0o700, exist_ok=True)
            self.path = os.path.join(folder, "%d-%d-%x.json" % (os.getpid(), threading.get_ident(), id(self)))
        except OSError:
            self.path = None

    def update(self, done=None, message=None, force=False, **fields):
        if self.path is None:
            return
        with self._lock:
            if done is not None:
                self.doc["done"] = done
            if message is not None:
                self.doc["message"] = message
            self.doc.update(fields)
            now = self._clock()
            if not force and now - self._last < self.interval:
                return
            self._last = now
            self.doc["updated"] = now
            tmp = "%s.tmp" % self.path
            try:
                with open(tmp, "w") as handle:
                    json.dump(self.doc, handle)
                os.replace(tmp, self.path)
            except OSError:
                self.path = None

    def close(self):
        with self._lock:
            path, self.path = self.path, None
        if path:
            with suppress(OSError):
                os.unlink(path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def read_all(folder=None, since=0.0):
    """The progress documents of running operations, oldest first (stale files are removed)."""
    folder = folder or progress_dir()
    docs = []
    try:
        names = os.listdir(folder)
    except OSError:
        return docs
    for name in names:
        if not name.endswith(".json"):
            continue
        path = os.path.join(folder, name)
        try:
            with open(path) as handle:
                doc = json.load(handle)
        except (OSError, ValueError):
            continue
        pid = doc.get("pid")
        try:
            os.kill(int(pid), 0)
        except PermissionError:
            pass  # another user's process: running
        except (OSError, TypeError, ValueError):
            with suppress(OSError):
                os.unlink(path)  # its process is gone: stale
            continue
        if float(doc.get("updated") or 0) >= since:
            docs.append(doc)
    docs.sort(key=lambda d: (d.get("started") or 0, d.get("label") or ""))
    return docs

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Cross-process limiter for OneFS share-configuration writes.

OneFS serializes writes to its SMB share configuration store; past roughly ten concurrent
writes it answers ``409 AEC_CONFLICT``. Every process on the controller that
writes shares to the same cluster (forks of one playbook, two playbooks at once, ad-hoc
calls) takes one of ``slots`` lock files in a directory named after the cluster before it
sends a share write, and gives it back when the answer arrives. Locks are ``flock`` locks,
so a process that dies releases its slot at once: nothing is ever stranded.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import random
import re
import threading
import time
from contextlib import contextmanager, suppress

try:
    import fcntl

    HAS_FCNTL = True
except ImportError:  # pragma: no cover - Windows controllers are not supported by Ansible
    HAS_FCNTL = False

DEFAULT_SLOTS = 10


def default_state_dir():
    """Directory for controller-side state shared by every process of this user."""
    base = os.environ.get("ONEFS_DR_STATE_DIR")
    if base:
        return base
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "onefs.dr")


def cluster_key(host, port):
    """A file-system safe name for one cluster endpoint."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", "%s_%s" % (host, port))


def wait_flock(fd, timeout, max_delay=0.02):
    """Poll an exclusive ``flock`` on ``fd`` with jittered backoff: True once held, False after
    ``timeout`` seconds. Polling (not a blocking flock) keeps the timeout exact."""
    start = time.monotonic()
    delay = 0.002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except (BlockingIOError, PermissionError):
            if time.monotonic() - start > timeout:
                return False
            time.sleep(random.uniform(0, delay))
            delay = min(delay * 2, max_delay)


class LimiterTimeout(Exception):
    """No slot became free before the deadline."""


class ShareWriteLimiter:
    """At most ``slots`` share writes in flight per cluster, across processes."""

    def __init__(self, key, slots=DEFAULT_SLOTS, directory=None):
        if slots < 1:
            raise ValueError("share_write_limit must be at least 1, got %s" % slots)
        self.slots = int(slots)
        root = directory or os.environ.get("ONEFS_LIMITER_DIR") or os.path.join(default_state_dir(), "limiter")
        self.path = os.path.join(root, key)
        self.waited = 0.0
        self.acquired = 0
        # The claim of the controller's share-write budget entry while one is held
        # (module_utils/_budget_broker.py): every user of that entry takes its slots among the
        # first ``width`` only, so the controller keeps within the claim the cluster counts.
        self.width = None

    def _ensure_dir(self):
        if not os.path.isdir(self.path):
            os.makedirs(self.path, mode=0o700, exist_ok=True)

    def _try_slot(self, index):
        fd = os.open(os.path.join(self.path, "slot.%d" % index), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):
            os.close(fd)
            return None
        except OSError:
            os.close(fd)
            raise
        return fd

    @contextmanager
    def slot(self, timeout=300.0):
        """Hold one slot for the duration of the ``with`` block."""
        if not HAS_FCNTL:
            yield None
            return
        self._ensure_dir()
        start = time.monotonic()
        delay = 0.002
        fd = None
        order = list(range(max(1, min(self.slots, self.width or self.slots))))
        while fd is None:
            random.shuffle(order)
            for index in order:
                fd = self._try_slot(index)
                if fd is not None:
                    break
            if fd is None:
                if time.monotonic() - start > timeout:
                    raise LimiterTimeout(
                        "no share-write slot free in %s after %.0f s (share_write_limit=%d)"
                        % (self.path, timeout, self.slots)
                    )
                time.sleep(random.uniform(0, delay))
                delay = min(delay * 2, 0.02)
        self.waited += time.monotonic() - start
        self.acquired += 1
        try:
            yield fd
        finally:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


class BulkTurn:
    """Turns between the bulk share writers of one cluster on this controller.

    OneFS applies share writes one at a time, so units that write their shares together all
    finish at the end (each got a tenth of the store); units that take turns at full width
    finish one after the other, at the same total throughput, and each can go on with its
    next steps (SyncIQ jobs, bookkeeping) while the following unit writes. A bulk writer
    (many shares with ``parallel`` > 1) holds the turn while it still has writes to start and
    gives it up when its last write has started; the slots bound the writes in flight either
    way. A writer that waits longer than ``timeout`` goes on without the turn (the slots still
    hold), so a turn never fails a run. ``flock``: a process that dies gives its turn back.
    """

    PRIORITY_PREFIX = "turn.first."

    def __init__(self, limiter):
        self.path = os.path.join(limiter.path, "turn.lock")
        self._limiter = limiter
        self._fd = None
        self.waited = 0.0
        self.held = False

    def acquire(self, timeout=300.0, first=False):
        """True when the turn is ours, False when we go on without it (timeout, no flock).

        ``first``: this writer goes before the others. Lockouts are ``first``: a unit's SyncIQ
        steps wait for its lockout, while an unlock ends its unit, so every lockout that waits
        is served before any unlock and the units' SyncIQ steps overlap the unlocks. A
        ``first`` writer announces itself with a marker file it holds an flock on while it
        waits; the others do not take the turn while a live marker exists (a marker whose
        process died has no flock and is removed). Best effort: it orders the waiters, never
        the writes in flight, and the timeout still applies."""
        if not HAS_FCNTL:
            return False
        self._limiter._ensure_dir()
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        start = time.monotonic()
        marker = self._announce() if first else None
        try:
            if first:
                held = wait_flock(fd, timeout)
            else:
                # Poll the turn as wait_flock does, but never take it while a first writer waits.
                held = False
                delay = 0.002
                while True:
                    if not self._first_waiting():
                        try:
                            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                            held = True
                            break
                        except (BlockingIOError, PermissionError):
                            pass
                    if time.monotonic() - start > timeout:
                        break
                    time.sleep(random.uniform(0, delay))
                    delay = min(delay * 2, 0.02)
        finally:
            if marker is not None:
                self._withdraw(marker)
        self.waited = time.monotonic() - start
        if not held:
            os.close(fd)
            return False
        self._fd = fd
        self.held = True
        return True

    def _announce(self):
        path = os.path.join(self._limiter.path, "%s%d.%d" % (self.PRIORITY_PREFIX, os.getpid(), threading.get_ident()))
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return path, fd

    @staticmethod
    def _withdraw(marker):
        path, fd = marker
        with suppress(OSError):
            os.unlink(path)
        os.close(fd)

    def _first_waiting(self):
        """Whether a live first writer waits for the turn (removes markers of dead processes)."""
        try:
            names = os.listdir(self._limiter.path)
        except OSError:
            return False
        for name in names:
            if not name.startswith(self.PRIORITY_PREFIX):
                continue
            path = os.path.join(self._limiter.path, name)
            try:
                fd = os.open(path, os.O_RDWR)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except (BlockingIOError, PermissionError):
                return True  # its owner holds it: alive and waiting
            else:
                with suppress(OSError):
                    os.unlink(path)  # nobody holds it: its process died
            finally:
                os.close(fd)
        return False

    def release(self):
        """Give the turn back (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


@contextmanager
def resource_lock(key, resource, timeout=300.0, directory=None):
    """Hold the controller-wide lock of one whole-object resource of one cluster.

    OneFS replaces some lists whole on PUT (an AD provider's SPNs, dedupe paths, a pool's
    SmartConnect aliases). Two processes doing read-modify-write on the same list at once
    would lose one's change; every such write holds this lock from its read to its write.
    """
    if not HAS_FCNTL:
        yield None
        return
    root = os.path.join(directory or default_state_dir(), "locks", key)
    if not os.path.isdir(root):
        os.makedirs(root, mode=0o700, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", resource)
    fd = os.open(os.path.join(root, name + ".lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        if not wait_flock(fd, timeout, max_delay=0.1):
            raise LimiterTimeout("lock %s/%s still held after %.0f s" % (key, resource, timeout))
        yield fd
    finally:
        os.close(fd)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One controller's share of a cluster's share-write budget, held once for all its writers.

The budget lives on the cluster (``module_utils/_lease.py``: one entry per holder in
``/ifs/.onefs_dr/leases/budget/``). Without this module every bulk writer of a controller took
its own entry (create, look, give back, and looks every 0.1 s while the previous writer of the
same controller still held the claims). With it, the writers of one controller (every module
process of every playbook that uses the same state directory) share **one** entry per cluster:

- the first writer creates the entry as before (create, then look; it takes what is free, at
  least 1 claim) and records it in ``<limiter dir>/budget.json``;
- every later writer of this controller joins it without an API call while it is valid: a
  shared ``flock`` on ``budget.users`` counts the users (a process that dies drops its lock);
- the users renew the entry, one renewal per interval for all of them (under ``budget.mutex``);
- the last user to leave deletes the entry (it takes the exclusive lock of ``budget.users``,
  which it gets only when nobody else holds the shared one).

The local limiter (``limiter.ShareWriteLimiter``) keeps the writes in flight of all the users
at or below the entry's claim: while an entry with claim ``k`` is used, every user takes its
slots among the first ``k`` only. Two controllers therefore never exceed the capacity together:
the cluster counts ``k`` for this controller and this controller never has more than ``k``
writes in flight. docs/leases.md has the argument at length.

A writer of this controller never waits for another writer of this controller (they share).
It waits on the local mutex while one of them takes the entry from the cluster, and only that
one polls the cluster, when other controllers hold the claims.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import threading
import time
from contextlib import contextmanager, suppress

from ansible_collections.onefs.dr.plugins.module_utils._lease import ClusterLease, LeaseLost, renew_interval
from ansible_collections.onefs.dr.plugins.module_utils._limiter import HAS_FCNTL, LimiterTimeout, wait_flock
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError

if HAS_FCNTL:
    import fcntl

META = "budget.json"
MUTEX = "budget.mutex"
USERS = "budget.users"
YIELD = "budget.yield"


def boot_id():
    """The kernel's boot id: monotonic times recorded in budget.json are comparable only within it."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as handle:
            return handle.read().strip()
    except OSError:
        return ""


class BudgetHold:
    """This process's use of the controller's budget entry on one cluster.

    ``claim``: the entry's claim (the writes in flight this controller may have on the cluster).
    ``ok()``: whether writing may go on (the entry is still ours and was renewed in time);
    ``error`` says why not. ``release()`` leaves (the last user deletes the entry)."""

    def __init__(self, broker, meta, users_fd):
        self.broker = broker
        self.token = meta["token"]
        self.name = meta["name"]
        self.claim = int(meta["claim"])
        self.joined = bool(meta.get("joined"))
        self.error = None
        self._users_fd = users_fd
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, name="onefs-budget-renewer", daemon=True)
        self._thread.start()
        return self

    def _run(self):
        # Wake often enough that the one renewal per interval (lease.renew_interval) is on time; most wakeups
        # find that another user of the entry has renewed it and send nothing.
        while not self._stop.wait(self.broker.wake):
            try:
                self.broker.renew_if_due(self.token)
            except LeaseLost as err:
                self.error = str(err)
                return
            except (OneFSError, OSError, LimiterTimeout) as err:
                if not self.valid():
                    self.error = "renewals failed until the lease ran out (%s)" % err
                    return

    def valid(self):
        meta = self.broker.read_meta()
        return meta is not None and meta.get("token") == self.token and self.broker.now() <= meta["valid_until"]

    def ok(self):
        if self.error is None and not self.valid():
            self.error = "the entry %s is no longer this controller's or ran out" % self.name
        return self.error is None

    def release(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        fd, self._users_fd = self._users_fd, None
        if fd is not None:
            self.broker.leave(self.token, fd)


class BudgetBroker:
    """The budget entry of one cluster, shared by the writers of one controller (one state dir)."""

    def __init__(self, client, directory, capacity, ttl, holder, clock=time.monotonic):
        self.client = client
        self.directory = directory
        self.capacity = int(capacity)
        self.ttl = int(ttl)
        self.holder = holder
        self.now = clock
        self.interval = renew_interval(self.ttl)  # one renewal per interval for all the users
        self.wake = max(0.25, self.ttl / 12.0)
        self.drain_wait = max(2.0, self.ttl / 2.0)
        self.calls = 0
        self.waited = 0.0
        self.created = False
        self._boot = boot_id()

    # ------------------------------------------------------------------ local files
    def _path(self, name):
        return os.path.join(self.directory, name)

    def read_meta(self):
        try:
            with open(self._path(META)) as handle:
                meta = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("boot") != self._boot:
            return None
        return meta

    def _write_meta(self, meta):
        self._write_json(META, meta)

    def _write_json(self, name, doc):
        path = self._path(name)
        tmp = "%s.%d.%d.tmp" % (path, os.getpid(), threading.get_ident())
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(doc, handle)
        os.replace(tmp, path)

    def _drop_meta(self):
        with suppress(OSError):
            os.unlink(self._path(META))

    @contextmanager
    def _mutex(self, timeout):
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        fd = os.open(self._path(MUTEX), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            if not wait_flock(fd, timeout, max_delay=0.05):
                raise LimiterTimeout("the share-write budget of %s was busy locally for %.0f s" % (self.directory, timeout))
            yield
        finally:
            os.close(fd)  # closing drops the flock

    def _lease(self, meta):
        """A ClusterLease for the recorded entry (no call): to renew or delete it."""
        lease = ClusterLease(self.client, "budget", self.holder, capacity=self.capacity, claim=int(meta["claim"]), ttl=self.ttl)
        lease.token = meta["token"]
        lease._name = meta["name"]
        lease._valid_until = meta["valid_until"]
        lease._clock = self.now
        return lease

    def _count(self, lease, before):
        self.calls += lease.calls - before

    # ------------------------------------------------------------------ join / leave
    def join(self, claim, wait, should_stop=None):
        """A BudgetHold on this controller's entry: the current one when it is valid (no call),
        else a new one taken from the cluster (waiting up to ``wait`` s for a free claim while
        other controllers hold them all). Raises LeaseBusy when none came free in time.

        An entry that is *draining* (another controller waits for claims: see ``renew_if_due``)
        is not joined for up to ``drain_wait`` s: its users finish, the last one gives it back,
        and the next writer here lets the waiting controller in before it takes a new one."""
        start = self.now()
        drain_until = None
        while True:
            with self._mutex(max(1.0, wait)):
                users = os.open(self._path(USERS), os.O_CREAT | os.O_RDWR, 0o600)
                try:
                    meta = self.read_meta()
                    draining = meta is not None and meta.get("draining") and self.now() <= meta["valid_until"]
                    if draining:
                        drain_until = drain_until or self.now() + self.drain_wait
                    if not draining or self.now() >= drain_until:
                        return self._join_locked(meta, users, claim, wait, start, should_stop)
                except BaseException:
                    os.close(users)
                    raise
            os.close(users)
            time.sleep(0.05)  # the users of the draining entry finish: a local wait, no call

    def _join_locked(self, meta, users, claim, wait, start, should_stop):
        if meta is not None and self.now() <= meta["valid_until"]:
            try:
                if self.now() - meta["sent"] >= self.interval:
                    meta = self._renew_locked(meta)  # due: renewed before anyone counts on it
            except (LeaseLost, OneFSError):
                pass  # still valid: joined (the users' renewer tries again); else abandoned below
        if meta is not None and self.now() <= meta["valid_until"]:
            fcntl.flock(users, fcntl.LOCK_SH)  # no one holds it exclusively without the mutex
            self.waited = self.now() - start
            return BudgetHold(self, dict(meta, joined=True), users).start()
        if meta is not None:
            self._abandon(meta, users)
        lease = ClusterLease(self.client, "budget", self.holder, capacity=self.capacity,
                             claim=max(1, min(int(claim), self.capacity)), ttl=self.ttl, clock=self.now)
        try:
            self._let_waiters_in(lease)
            # Other controllers hold the claims (ours would have been joined above): poll the
            # cluster with the lease's backoff (up to 2 s between looks), not every 0.1 s, and
            # say that we wait (a marker of claim 0), so that a broker there gives them back.
            lease.acquire(wait=max(0.0, wait - (self.now() - start)), min_claim=1, should_stop=should_stop, poll=1.0,
                          announce=True)
        finally:
            self._count(lease, 0)
        meta = {"token": lease.token, "name": lease._name, "claim": lease.claim, "ttl": self.ttl,
                "sent": lease._valid_until - self.ttl + lease._margin(), "valid_until": lease._valid_until,
                "boot": self._boot, "pid": os.getpid()}
        self._write_meta(meta)
        self.created = True
        fcntl.flock(users, fcntl.LOCK_SH)
        self.waited = self.now() - start
        return BudgetHold(self, meta, users).start()

    def _let_waiters_in(self, lease):
        """After this controller gave back an entry because another controller waited: look
        (no write) until that waiter has taken its claims (its marker is gone) or for at most
        ``drain_wait`` s, before taking a new entry. Otherwise this controller, which never stops
        asking, would take the capacity again before the waiter's next look."""
        path = self._path(YIELD)
        try:
            with open(path) as handle:
                doc = json.load(handle)
            until = float(doc["until"]) if doc.get("boot") == self._boot else 0.0
        except (OSError, ValueError, KeyError, TypeError):
            return
        with suppress(OSError):
            os.unlink(path)
        while self.now() < until:
            lease.free_capacity()
            if not lease.waiters:
                return
            time.sleep(0.5)

    def _abandon(self, meta, users):
        """A recorded entry that ran out (its users stopped renewing it: they died or lost the
        cluster). Its users, if any are left, see that it is no longer valid and stop writing;
        the entry is deleted when nobody uses it any more (else it expires on the cluster)."""
        self._drop_meta()
        try:
            fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return
        try:
            lease = self._lease(meta)
            with suppress(OneFSError):
                lease.release()
            self._count(lease, 0)
        finally:
            fcntl.flock(users, fcntl.LOCK_UN)

    def leave(self, token, users):
        """Drop this user's shared lock; the last user deletes the entry."""
        try:
            with self._mutex(60.0):
                fcntl.flock(users, fcntl.LOCK_UN)
                try:
                    fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    return  # others still write under the entry: it stays
                meta = self.read_meta()
                if meta is None or meta.get("token") != token:
                    return  # replaced (ours ran out): nothing of ours to delete
                self._drop_meta()
                if meta.get("draining"):
                    self._write_json(YIELD, {"until": self.now() + self.drain_wait, "boot": self._boot})
                lease = self._lease(meta)
                with suppress(OneFSError):  # an entry that cannot be deleted expires by itself
                    lease.release()
                self._count(lease, 0)
        except LimiterTimeout:
            pass  # the entry is left to expire
        finally:
            os.close(users)

    def renew_if_due(self, token):
        """Renew the entry when the last renewal (by any user) is ``interval`` old. Raises
        LeaseLost when the entry is no longer ours or ran out before it could be renewed."""
        meta = self.read_meta()
        if meta is None or meta.get("token") != token:
            raise LeaseLost("the budget entry was replaced (it ran out)")
        if self.now() - meta["sent"] < self.interval:
            return False
        with self._mutex(self.wake * 4):
            meta = self.read_meta()
            if meta is None or meta.get("token") != token:
                raise LeaseLost("the budget entry was replaced (it ran out)")
            if self.now() - meta["sent"] < self.interval:
                return False  # another user renewed it meanwhile
            self._renew_locked(meta)
            return True

    def _renew_locked(self, meta):
        """Write the entry again (the caller holds the mutex); the updated record."""
        lease = self._lease(meta)
        sent = self.now()
        try:
            lease.renew()  # raises LeaseLost past valid_until: a late renewal could revive a dead entry
        finally:
            self._count(lease, 0)
        meta = dict(meta, sent=sent, valid_until=lease._valid_until)
        if not meta.get("draining"):
            # One look per renewal: does another controller wait for claims (a marker of claim 0,
            # ClusterLease.acquire(announce=True))? Then this entry drains: no new user joins it,
            # and it is given back when its users have finished.
            calls = lease.calls
            with suppress(OneFSError):
                lease.free_capacity()
            self.calls += lease.calls - calls
            if lease.waiters:
                meta["draining"] = True
        self._write_meta(meta)
        return meta

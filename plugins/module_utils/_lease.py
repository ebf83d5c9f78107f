# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Leases held on the cluster itself, in its file namespace: shared by every controller.

A lease protects a *resource* of one cluster (a failover unit, the cluster's share-write
budget). Its entries are files in ``/ifs/.onefs_dr/leases/<kind>/`` (``unit``, ``budget``), one
per holder, every resource of a kind in the same directory::

    <resource>.<token>.<claim>.<ttl>.lease      {"holder": {...}, "claim": 2, "ttl": 60, ...}

``claim`` is how much of the resource's capacity the holder takes (1 of 1 for a unit; n of
``share_write_limit`` for the budget), ``ttl`` how long the entry stays live after its last write
(seconds). Both are in the name, so one listing tells every holder's claim and liveness.

Acquiring is *create, then look* (docs/leases.md has the argument at length):

1. ``PUT <dir>/<resource>.<token>.<claim>.<ttl>.lease?overwrite=false`` creates our entry (the token is
   new, so the create cannot collide; ``overwrite=false`` makes sure of it).
2. ``GET <dir>?detail=last_modified``: every entry (of this resource) and its last write, in the cluster's clock,
   with the cluster's ``Date`` header as "now" (no controller clock is ever compared).
3. An entry is live while ``last_modified + ttl + grace >= now``. When the claims of the live
   entries, ours included, fit the capacity, we hold the lease. Otherwise we delete our entry
   and try again later.

Two takers cannot both win: each creates *before* it looks, and the cluster orders the
creates, so the later of any two sees the earlier one's entry in its listing (the earlier may
or may not see the later; when both see each other both back off and retry with jitter: safe,
and random backoff ends the tie). A holder is only ever removed by someone else once its entry
has gone unwritten for ``ttl + grace`` in the cluster's clock; a holder stops counting on its
lease ``ttl - margin`` after it *sent* its last successful renewal (its own monotonic clock),
so it has stopped working before anyone may delete its entry. ``grace`` covers the cluster
clock's second resolution and a renewal request still in flight.

Nothing here holds a secret: the entry names the holder (run id, controller host name, process
id, purpose), never credentials.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import random
import re
import socket
import threading
import time
import uuid
from contextlib import suppress
from email.utils import parsedate_to_datetime

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError

LEASE_ROOT = "/ifs/.onefs_dr/leases"
SUFFIX = ".lease"
DEFAULT_TTL = 60
MIN_TTL = 3
OBJECT = {"x-isi-ifs-target-type": "object"}
CONTAINER = {"x-isi-ifs-target-type": "container"}
_NAME = re.compile(r"^(.+)\.([0-9a-f]{32})\.([0-9]+)\.([0-9]+)\.lease$")


class LeaseError(Exception):
    """A lease could not be taken or kept (the message says what to do)."""


class LeaseBusy(LeaseError):
    """Someone else holds the resource; ``holders`` are their entries (dicts)."""

    def __init__(self, message, holders=None):
        super(LeaseBusy, self).__init__(message)
        self.holders = holders or []


class LeaseLost(LeaseError):
    """We no longer hold the lease (renewals failed for too long): stop writing."""


def safe_resource(name):
    """A resource name usable as one path segment (``unit.finance``, ``budget``)."""
    text = re.sub(r"[^A-Za-z0-9_.@+-]", "_", str(name))
    if not text.strip("._"):
        raise LeaseError("cannot use %r as a lease resource name" % (name,))
    return text


def holder_info(run_id=None, purpose=None, **extra):
    """Who takes a lease: shown to whoever finds it held. No secret belongs here."""
    info = {
        "run_id": run_id or os.environ.get("ONEFS_DR_RUN_ID") or "adhoc",
        "controller": socket.gethostname(),
        "pid": os.getpid(),
        "purpose": purpose or "",
        "awx_job_id": os.environ.get("JOB_ID") or os.environ.get("AWX_JOB_ID") or None,
    }
    info.update(dict((k, v) for k, v in extra.items() if v is not None))
    return info


def _namespace(ifs_path):
    from ansible_collections.onefs.dr.plugins.module_utils.journal import namespace_url

    return namespace_url(ifs_path)


def _http_date(text):
    """Seconds since the epoch of an HTTP date (RFC 1123) or an ISO 8601 time; None if unreadable."""
    if not text:
        return None
    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        from datetime import datetime

        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def parse_entry(name):
    """(resource, token, claim, ttl) of a lease entry's file name; None for anything else."""
    match = _NAME.match(name or "")
    if not match:
        return None
    return match.group(1), match.group(2), int(match.group(3)), int(match.group(4))


def renew_interval(ttl):
    """Seconds between renewals of an entry by a holder that retries every second when one fails.

    A holder counts on its entry for ``ttl - margin`` after it sent its last renewal
    (``ClusterLease._margin``); renewing that long minus a retry window (``max(2, ttl / 6)``)
    after the last one leaves the window for retries: 40 s for the default ttl of 60 (one renewal
    in a 70 s run instead of two at ttl / 2), 6.3 s for the tests' 10."""
    ttl = float(ttl)
    margin = max(1.0, ttl / 6.0)
    return max(0.5, ttl - margin - max(2.0, ttl / 6.0))


def lease_directory(resource):
    """The directory of a resource's entries: one per kind (``unit``, ``budget``), shared by every
    resource of that kind (``unit.finance`` and ``unit.hr`` both in ``leases/unit/``), so it is
    made once per cluster rather than once per unit, and one listing shows every unit's holder."""
    return "%s/%s" % (LEASE_ROOT, safe_resource(resource).split(".", 1)[0])


class ClusterLease:
    """One holder's lease on one resource of one cluster.

    ``capacity``: total claims the resource admits (1: mutual exclusion). ``claim``: what this
    holder takes. ``ttl``: seconds an entry stays live after its last write; the holder renews
    every ``ttl / 3``. ``grace``: extra seconds before someone else may treat an unwritten entry
    as dead (default ``ttl / 2``, at least 2).
    """

    def __init__(self, client, resource, holder, capacity=1, claim=1, ttl=DEFAULT_TTL, grace=None, clock=time.monotonic):
        if int(ttl) < MIN_TTL:
            raise LeaseError("lease ttl must be at least %d seconds, got %s" % (MIN_TTL, ttl))
        if int(claim) < 1 or int(capacity) < 1:
            raise LeaseError("lease claim and capacity must be positive (claim %s, capacity %s)" % (claim, capacity))
        self.client = client
        self.resource = safe_resource(resource)
        self.directory = lease_directory(self.resource)
        self.holder = dict(holder or holder_info())
        self.capacity = int(capacity)
        self.claim = min(int(claim), self.capacity)
        self.ttl = int(ttl)
        self.grace = max(2.0, float(grace) if grace is not None else self.ttl / 2.0)
        self.token = uuid.uuid4().hex
        self._clock = clock
        self._name = None
        self._valid_until = None  # monotonic: the holder stops counting on the lease then
        self._lock = threading.Lock()
        self.calls = 0
        self.waited = 0.0
        self.others = []  # live entries of others at the last look: [{"name", "claim", "holder"?}]
        self.waiters = []  # live waiting markers (claim 0) of others at the last look

    # ------------------------------------------------------------------ paths
    @property
    def held(self):
        return self._name is not None

    @property
    def entry_path(self):
        return "%s/%s" % (self.directory, self._name) if self._name else None

    def _entry_name(self, claim):
        return "%s.%s.%d.%d%s" % (self.resource, self.token, claim, self.ttl, SUFFIX)

    def _body(self, claim):
        doc = {
            "version": 1,
            "resource": self.resource,
            "claim": claim,
            "ttl": self.ttl,
            "holder": self.holder,
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        return json.dumps(doc, sort_keys=True).encode("utf-8")

    def _request(self, method, path, **kwargs):
        self.calls += 1
        return self.client.request(method, _namespace(path), **kwargs)

    def _put(self, name, claim, create):
        query = {"overwrite": "false"} if create else None
        path = "%s/%s" % (self.directory, name)
        try:
            self._request("PUT", path, body=self._body(claim), headers=OBJECT, query=query)
            return
        except OneFSError as err:
            # The directory is made on first use: a create answers 403/404 when a component is missing.
            missing = err.status == 404 or (err.status == 403 and "does not exist" in (err.message or ""))
            if not missing:
                raise
        # One call makes the lease directory and any missing parent ("Create a directory",
        # recursive=true); an existing one is fine (overwrite defaults to true).
        self._request("PUT", self.directory, headers=CONTAINER, query={"recursive": "true"})
        self._request("PUT", path, body=self._body(claim), headers=OBJECT, query=query)

    # ------------------------------------------------------------------ looking
    def look(self):
        """Every entry of the resource: ([entry dicts], cluster now). An entry: name, token, claim,
        ttl, modified (epoch), live (bool), ours (bool)."""
        resp = None
        try:
            self.calls += 1
            resp = self.client.request("GET", _namespace(self.directory), query={"detail": "last_modified"}, raw=True)
        except OneFSError as err:
            if err.status == 404:
                return [], time.time()
            raise
        try:
            body = resp.json()
        except ValueError:
            body = {}
        now = _http_date(resp.headers.get("Date")) or time.time()
        entries = []
        for child in (body or {}).get("children") or []:
            parsed = parse_entry(child.get("name"))
            if parsed is None or parsed[0] != self.resource:
                continue  # another resource of the same kind (another unit)
            _resource, token, claim, ttl = parsed
            modified = _http_date(child.get("last_modified"))
            live = modified is None or modified + ttl + max(2.0, ttl / 2.0) >= now
            entries.append({
                "name": child["name"], "token": token, "claim": claim, "ttl": ttl,
                "modified": modified, "live": live, "ours": token == self.token,
            })
        return entries, now

    def describe(self, entry):
        """The holder document of an entry (one GET); {} when it is gone or unreadable."""
        try:
            self.calls += 1
            body = self.client.request("GET", _namespace("%s/%s" % (self.directory, entry["name"])))
            if isinstance(body, (bytes, bytearray)):
                body = json.loads(body.decode("utf-8"))
            return body if isinstance(body, dict) else {}
        except (OneFSError, ValueError):
            return {}

    def _collect(self, entries):
        """Delete entries whose holders stopped renewing long ago (they fenced themselves)."""
        for entry in entries:
            if not entry["live"] and not entry["ours"]:
                with suppress(OneFSError):
                    self._request("DELETE", "%s/%s" % (self.directory, entry["name"]))

    # ------------------------------------------------------------------ acquire / renew / release
    def try_acquire(self, claim=None):
        """One attempt: True when held (our entry stays), False when the capacity is taken (our
        entry is removed again). ``claim`` overrides this holder's claim for the attempt."""
        claim = min(int(claim or self.claim), self.capacity)
        name = self._entry_name(claim)
        sent = self._clock()
        self._put(name, claim, create=True)
        entries, _now = self.look()
        others = self._split(entries)
        self._collect(entries)
        if sum(e["claim"] for e in others) + claim <= self.capacity:
            with self._lock:
                self._name = name
                self.claim = claim
                self._valid_until = sent + self.ttl - self._margin()
            return True
        with suppress(OneFSError):  # else it expires by itself
            self._request("DELETE", "%s/%s" % (self.directory, name))
        return False

    def free_capacity(self):
        """Capacity not claimed by live entries of others (one listing, no write)."""
        entries, _now = self.look()
        others = self._split(entries)
        return self.capacity - sum(e["claim"] for e in others)

    def _split(self, entries):
        """The live entries of others that hold claims (``others``) and those that only say they
        wait (claim 0: ``waiters``, see ``acquire(announce=True)``); returns ``others``."""
        live = [e for e in entries if e["live"] and not e["ours"]]
        self.others = [e for e in live if e["claim"] > 0]
        self.waiters = [e for e in live if e["claim"] == 0]
        return self.others

    def acquire(self, wait=0.0, min_claim=None, on_wait=None, poll=1.0, should_stop=None, announce=False):
        """Take the lease, waiting up to ``wait`` seconds for capacity.

        ``min_claim``: take less than ``claim`` (down to this) when that is what is free (the
        budget: write with fewer slots rather than wait). ``on_wait(seconds, holders)`` is called
        while waiting (progress), ``should_stop()`` ends the wait early. Raises LeaseBusy naming
        the holders when the wait ends without the lease.

        ``announce``: while waiting, keep a *waiting marker* (an entry of claim 0: it takes
        nothing) so that a holder that would otherwise keep the capacity for a long time (a
        controller's budget broker) sees that someone waits and gives it back at its next
        renewal. The marker is renewed while waiting and deleted at the end; a waiter that dies
        leaves one that expires like any entry.
        """
        marker = {"name": None, "sent": 0.0}
        try:
            return self._acquire(wait, min_claim, on_wait, poll, should_stop, marker if announce else None)
        finally:
            if marker["name"]:
                with suppress(OneFSError):
                    self._request("DELETE", "%s/%s" % (self.directory, marker["name"]))

    def _announce(self, marker):
        """Create or renew our waiting marker (claim 0)."""
        if marker is None:
            return
        now = self._clock()
        if marker["name"] is None:
            marker["name"] = self._entry_name(0)
            create = True
        elif now - marker["sent"] >= renew_interval(self.ttl):
            create = False
        else:
            return
        marker["sent"] = now
        with suppress(OneFSError):  # a waiter that cannot say so still waits
            self._put(marker["name"], 0, create=create)

    def _acquire(self, wait, min_claim, on_wait, poll, should_stop, marker):
        start = self._clock()
        wanted = self.claim
        floor = max(1, min(int(min_claim or wanted), wanted))
        attempt = 0
        while True:
            attempt += 1
            if self.try_acquire(wanted):
                self.waited = self._clock() - start
                return True
            free = self.capacity - sum(e["claim"] for e in self.others)
            waited = self._clock() - start
            if waited >= wait or (should_stop is not None and should_stop()):
                self.waited = waited
                holders = [dict(e, holder=self.describe(e).get("holder")) for e in self.others[:5]]
                raise LeaseBusy(self.busy_message(holders, waited), holders)
            if on_wait is not None:
                on_wait(waited, self.others)
            self._announce(marker)
            # Look (no write) until something is free, then try again.
            delay = min(poll, max(0.05, wait - waited))
            while True:
                time.sleep(random.uniform(0.5, 1.0) * delay * min(attempt, 4) / 2.0 + 0.02)
                self._announce(marker)
                free = self.free_capacity()
                if free >= floor or self._clock() - start >= wait:
                    break
                if should_stop is not None and should_stop():
                    break
                if on_wait is not None:
                    on_wait(self._clock() - start, self.others)
            wanted = max(floor, min(self.claim, free)) if free >= floor else wanted

    def busy_message(self, holders, waited):
        parts = []
        for entry in holders:
            who = entry.get("holder") or {}
            parts.append(
                "run %s on controller %s (pid %s%s), claim %d, last renewed %s"
                % (who.get("run_id", "?"), who.get("controller", "?"), who.get("pid", "?"),
                   ", AWX job %s" % who["awx_job_id"] if who.get("awx_job_id") else "",
                   entry.get("claim", 1),
                   time.strftime("%H:%M:%SZ", time.gmtime(entry["modified"])) if entry.get("modified") else "?")
            )
        return "%s on %s is held by %s (waited %.0f s); its lease expires %d s after its holder stops renewing it" % (
            self.resource, self.client.host, "; ".join(parts) or "another holder", waited, self.ttl + int(self.grace))

    def _margin(self):
        return max(1.0, self.ttl / 6.0)

    def renew(self):
        """Write our entry again (its last_modified moves on). Raises LeaseLost when the lease
        had already run out locally: renewing then could revive an entry another holder was
        entitled to delete."""
        with self._lock:
            if self._name is None:
                raise LeaseLost("%s: not held" % self.resource)
            if self._clock() > self._valid_until:
                self._name = None
                raise LeaseLost("%s on %s: the lease ran out before it could be renewed" % (self.resource, self.client.host))
            name, claim = self._name, self.claim
        sent = self._clock()
        self._put(name, claim, create=False)
        with self._lock:
            if self._name == name:
                self._valid_until = sent + self.ttl - self._margin()

    def valid(self):
        """Whether the holder may still count on the lease (local check, no call)."""
        with self._lock:
            return self._name is not None and self._clock() <= self._valid_until

    def remaining(self):
        with self._lock:
            return 0.0 if self._valid_until is None else self._valid_until - self._clock()

    def release(self):
        """Delete our entry (idempotent; an entry that cannot be deleted expires by itself)."""
        with self._lock:
            name, self._name = self._name, None
            self._valid_until = None
        if name is None:
            return False
        try:
            self._request("DELETE", "%s/%s" % (self.directory, name))
        except OneFSError:
            return False
        return True


class Renewer:
    """Renews leases in a background thread every ``ttl / 3`` until stopped.

    ``lost`` is set (and ``error`` says why) when a renewal could not be made before the lease
    ran out; the work that the lease protects must then stop.
    """

    def __init__(self, leases, interval=None):
        self.leases = [lease for lease in leases if lease is not None]
        ttl = min([lease.ttl for lease in self.leases] or [DEFAULT_TTL])
        self.interval = float(interval or max(0.5, ttl / 3.0))
        self.lost = threading.Event()
        self.error = None
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        if self.leases and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="onefs-lease-renewer", daemon=True)
            self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.interval):
            for lease in self.leases:
                if not lease.held:
                    continue
                try:
                    lease.renew()
                except LeaseLost as err:
                    self.error = str(err)
                    self.lost.set()
                except OneFSError as err:
                    if not lease.valid():
                        self.error = "%s: renewals failed until the lease ran out (%s)" % (lease.resource, err)
                        self.lost.set()

    def ok(self):
        return not self.lost.is_set() and all(lease.valid() for lease in self.leases if lease.held)

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one OneFS Platform API (PAPI) client every module of onefs.dr uses: the public facade.

``OneFSClient`` composes the private layers (the ``_`` prefix of community collections):

- ``_transport``: session, TLS, login, retries, paging, the OneFS error envelope (``OneFSError``);
- ``_caches``: the shared session and ``/platform/latest`` caches in the controller state folder;
- ``_resources``: handler versions, PAPI paths, and resources that own the share-write flag;
- ``_verify``: write verification after a lost answer;
- ``_paths``: the one /ifs path helper;

and adds the cross-process share-write limiter, the cluster-held share-write budget, bulk
writes (``write_many``) and progress. Import names from here; the layers may change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import threading
import time
from contextlib import contextmanager, suppress

from ansible_collections.onefs.dr.plugins.module_utils._caches import (  # noqa: F401 - re-exported
    LATEST_CACHE_TTL,
    SHARED_SESSION_IDLE,
    VersionCache,
)
from ansible_collections.onefs.dr.plugins.module_utils._limiter import (
    DEFAULT_SLOTS,
    BulkTurn,
    LimiterTimeout,
    ShareWriteLimiter,
    cluster_key,
    resource_lock,
)
from ansible_collections.onefs.dr.plugins.module_utils._resources import (  # noqa: F401 - re-exported
    RESOURCE_VERSIONS,
    api_path,
    pick_version,
    smb_shares,
)
from ansible_collections.onefs.dr.plugins.module_utils._transport import (  # noqa: F401 - re-exported
    AUTH_MODES,
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    RETRY_STATUSES,
    ApplyUnknown,
    Interrupted,
    OneFSError,
    Transport,
    is_refused,
    parse_errors,
)
from ansible_collections.onefs.dr.plugins.module_utils._verify import is_subset  # noqa: F401 - re-exported
from ansible_collections.onefs.dr.plugins.module_utils.progress import Progress

# The names other files import from here (the facade); the layers may move them.
__all__ = [
    "AUTH_MODES", "HAS_REQUESTS", "LATEST_CACHE_TTL", "REQUESTS_IMPORT_ERROR", "RESOURCE_VERSIONS", "RETRY_STATUSES",
    "SHARED_SESSION_IDLE", "ApplyUnknown", "Interrupted", "OneFSClient", "OneFSError", "is_subset",
]

# A bulk write of this many shares or more shows its progress (module_utils/progress.py).
PROGRESS_MIN_WRITES = 20
# Width in seconds of the buckets of stats["share_write_busy"] (writes in flight over time).
BUSY_BUCKET_S = 0.5
# Former private names, kept for callers of this module.
_parse_errors = parse_errors
_is_refused = is_refused


def _env_int(name, default):
    try:
        return int(os.environ.get(name) or default)
    except ValueError:
        return default


class OneFSClient(Transport):
    """A PAPI client bound to one cluster endpoint (see the module docstring for its layers)."""

    def __init__(
        self,
        host,
        port=8080,
        username=None,
        password=None,
        validate_certs=True,
        ca_path=None,
        auth_mode="session",
        timeout=60,
        share_write_limit=DEFAULT_SLOTS,
        limiter_dir=None,
        retry_deadline=300,
        retry_attempts=40,
        scheme="https",
        backoff_base=0.05,
        backoff_cap=5.0,
        connect_retries=2,
    ):
        super(OneFSClient, self).__init__(
            host, port=port, username=username, password=password, validate_certs=validate_certs,
            ca_path=ca_path, auth_mode=auth_mode, timeout=timeout, retry_deadline=retry_deadline,
            retry_attempts=retry_attempts, scheme=scheme, backoff_base=backoff_base, backoff_cap=backoff_cap,
            connect_retries=connect_retries,
        )
        self._latest = None
        self._versions = VersionCache(cluster_key(host, self.port))
        self._busy_lock = threading.Lock()
        self.limiter = ShareWriteLimiter(
            cluster_key(host, self.port), slots=share_write_limit or DEFAULT_SLOTS, directory=limiter_dir
        )
        # The cluster-held share-write budget (module_utils/_lease.py): every controller's share
        # writes to this cluster stay within share_write_limit. ONEFS_DR_CLUSTER_BUDGET=off turns
        # it off (a cluster without a writable /ifs/.onefs_dr, or tests of OneFS's own 409s).
        self.cluster_budget = os.environ.get("ONEFS_DR_CLUSTER_BUDGET", "on").lower() not in ("off", "0", "false", "no")
        self.lease_ttl = max(3, _env_int("ONEFS_DR_LEASE_TTL", 60))
        self.holder = None  # lease holder info (module_utils/_lease.py holder_info); set by the module
        self.should_stop = None  # callable -> reason (str) when writing must stop, else None
        self._budget = None  # _budget_broker.BudgetHold while this client holds budget claims
        self._budget_lock = threading.Lock()
        self._single_lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Release the connection pool; log out unless the session is the shared one.

        A share-write budget still held (single writes outside ``write_many``) is given back first.

        A shared session (auth_mode=session) stays open for the next module call on this
        controller: its last-use time is refreshed instead. A session that lost the race to
        become the shared one, and every private session, is logged out.
        """
        self._release_budget()
        self._close_transport()

    # ------------------------------------------------------------------ share writes
    def _send_share_write(self, method, path, query, body, headers, attempt, elapsed):
        """One attempt of a share write: the budget (first attempt), then a limiter slot."""
        if attempt == 1:
            self._single_write_budget()
        self.stats["share_writes"] += 1
        waited_before = self.limiter.waited
        try:
            with self.limiter.slot(timeout=max(1.0, self.retry_deadline - elapsed)):
                held = time.time()
                try:
                    resp = self._send(method, path, query, body, headers)
                finally:
                    self._share_write_held(held, time.time())
        except LimiterTimeout as exc:
            raise OneFSError(str(exc), code="AEC_CONFLICT", method=method, url=self.base_url + path) from exc
        self.stats["limiter_wait_s"] += self.limiter.waited - waited_before
        return resp

    def _share_write_held(self, start, end):
        """Record a share write's slot time in ``stats["share_write_busy"]``: busy seconds per
        ``BUSY_BUCKET_S`` bucket of wall-clock time (key: the bucket's epoch start). Summed over
        the run's modules, a bucket's seconds / its width = the mean writes in flight then (the
        run's page draws it against the limit)."""
        with self._busy_lock:
            busy = self.stats.setdefault("share_write_busy", {})
            t = start
            while t < end:
                bucket = int(t // BUSY_BUCKET_S) * BUSY_BUCKET_S
                upto = min(end, bucket + BUSY_BUCKET_S)
                key = "%.1f" % bucket
                busy[key] = round(busy.get(key, 0.0) + (upto - t), 4)
                t = upto

    def smb_shares(self, zone=None):
        """The SMB shares of ``zone`` as a resource (``_resources.Resource``): it builds their
        paths and marks every write a share write."""
        return smb_shares(self, zone)

    def lock(self, resource, timeout=None):
        """Controller-wide lock for a read-modify-write of a list OneFS replaces whole.

        Use ``with client.lock("ads/AD.EXAMPLE.COM"):`` around the read and the write.
        """
        return resource_lock(
            cluster_key(self.host, self.port), resource, timeout=timeout or self.retry_deadline
        )

    def write_many(self, items, write, parallel, first=False, what="share writes"):
        """Call ``write(item)`` for every item, ``parallel`` at a time, in bulk-writer turns.

        For share writes of many shares: with ``parallel`` > 1 the call takes the cluster's
        bulk-writer turn (``limiter.BulkTurn``) before its first write and gives it back as soon
        as its last write has started, so units on this controller write one after the other
        at the full width of the limiter instead of all together. Returns the seconds waited
        for the turn. ``write`` should record expected failures on its item; an exception it
        raises stops the remaining writes and is raised here once every thread has ended.
        ``first``: this writer's turn comes before those of writers without it (lockouts before
        unlocks, see ``BulkTurn.acquire``).

        Across controllers, the call holds claims on the cluster's share-write budget
        (``share_budget``) for as long as it writes: ``parallel`` claims when they are free,
        fewer (and fewer threads) when other controllers hold some. Before each write it asks
        ``should_stop`` and whether the budget is still held: when either says stop, no further
        write starts, the writes in flight finish, and ``Interrupted`` is raised (``write`` has
        recorded exactly which items were written).
        """
        items = list(items)
        write = self._progress_hook(write, len(items), what)
        if not items:
            return 0.0
        parallel = max(1, min(int(parallel or 1), len(items)))
        turn = BulkTurn(self.limiter) if parallel > 1 else None
        if turn is not None:
            turn.acquire(timeout=self.retry_deadline, first=first)
        pending = list(reversed(items))
        guard = threading.Lock()
        errors = []
        stopped = []
        try:
            with self.share_budget(parallel) as claim:
                width = max(1, min(parallel, claim))

                def worker():
                    while True:
                        with guard:
                            if not pending or errors or stopped:
                                return
                            reason = self.stop_reason()
                            if reason:
                                stopped.append(reason)
                                return
                            item = pending.pop()
                            if not pending and turn is not None:
                                turn.release()  # the last write has started: the next writer may go
                        try:
                            write(item)
                        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread below
                            with guard:
                                errors.append(exc)

                if width == 1:
                    worker()
                else:
                    threads = [threading.Thread(target=worker, name="onefs-write-%d" % i) for i in range(width)]
                    try:
                        for thread in threads:
                            thread.start()
                    finally:
                        for thread in threads:
                            if thread.ident is not None:
                                thread.join()
        finally:
            if turn is not None:
                turn.release()
        waited = turn.waited if turn is not None else 0.0
        self.stats["turn_wait_s"] = self.stats.get("turn_wait_s", 0.0) + waited
        if errors:
            raise errors[0]  # as a plain loop would: no write is lost silently in a thread
        if stopped:
            raise Interrupted(
                "stopped before %d of %d write(s): %s. Nothing else was written; re-run to continue"
                % (len(pending), len(items), stopped[0]),
                method="PUT",
                url=self.base_url,
            )
        return waited

    def _single_write_budget(self):
        """A share write outside ``write_many``: use the controller's budget entry until ``close()``
        (its writes in flight stay within the entry's claim through the limiter's width)."""
        if not self.cluster_budget or self._budget is not None:
            return
        with self._single_lock:  # one taker per client: threads of one module share the claim
            if self._budget is not None:
                return
            hold = self._take_budget(1)
            with self._budget_lock:
                self._budget = hold

    def stop_reason(self):
        """Why writing must stop now (the playbook is gone, the budget was lost), else None."""
        if self.should_stop is not None:
            reason = self.should_stop()
            if reason:
                return reason
        budget = self._budget
        if budget is not None and not budget.ok():
            return "the share-write budget lease on %s was lost (%s)" % (self.host, budget.error or "not renewed in time")
        return None

    # ------------------------------------------------------------------ share-write budget
    @contextmanager
    def share_budget(self, claim):
        """Use the controller's share-write budget entry on the cluster while writing.

        Yields the entry's claim (what this controller may have in flight; ``write_many`` runs
        ``min(parallel, claim)`` threads). Re-entrant: inside an outer hold it yields that hold's claim.
        Off (yields ``claim``) when ``cluster_budget`` is False. The writers of this controller
        share one entry on the cluster (``module_utils/_budget_broker.py``): the claim yielded
        is that entry's, and this client's share writes take their limiter slots among the
        first ``claim`` slots, so the controller as a whole keeps within it."""
        if not self.cluster_budget:
            yield claim
            return
        with self._budget_lock:
            outer = self._budget
        if outer is not None:
            yield outer.claim
            return
        hold = self._take_budget(claim)
        with self._budget_lock:
            self._budget = hold
        try:
            yield hold.claim
        finally:
            self._release_budget()

    def _take_budget(self, claim):
        from ansible_collections.onefs.dr.plugins.module_utils._budget_broker import BudgetBroker
        from ansible_collections.onefs.dr.plugins.module_utils._lease import LeaseBusy, holder_info

        broker = BudgetBroker(
            self, self.limiter.path, capacity=self.limiter.slots, ttl=self.lease_ttl,
            holder=self.holder or holder_info(purpose="share writes"),
        )
        start = time.monotonic()
        try:
            # The entry is the controller's, not this writer's: it asks for the whole budget
            # (share_write_limit) and takes what is free, whatever this writer needs, so that a
            # writer that needs little (one share) never makes an entry the controller's bulk
            # writers would then join at that small width. ``claim`` only bounds this writer's
            # threads (write_many).
            hold = broker.join(self.limiter.slots, wait=self.retry_deadline, should_stop=self.should_stop)
        except (LeaseBusy, LimiterTimeout) as err:
            raise OneFSError(
                "no share-write budget free on %s after %.0f s: %s. Other runs hold all %d claims; wait for them "
                "or raise retry_deadline" % (self.host, time.monotonic() - start, err, self.limiter.slots),
                code="AEC_CONFLICT",
                url=self.base_url,
            ) from None
        finally:
            self.stats["lease_calls"] = self.stats.get("lease_calls", 0) + broker.calls
        self.stats["budget_wait_s"] = self.stats.get("budget_wait_s", 0.0) + broker.waited
        self.stats["budget_joined"] = self.stats.get("budget_joined", 0) + (1 if hold.joined else 0)
        self.limiter.width = hold.claim
        return hold

    def _release_budget(self):
        with self._budget_lock:
            hold, self._budget = self._budget, None
        if hold is None:
            return
        calls = hold.broker.calls
        with suppress(Exception):  # an entry that cannot be deleted expires by itself
            hold.release()
        self.limiter.width = None
        self.stats["lease_calls"] = self.stats.get("lease_calls", 0) + (hold.broker.calls - calls)

    def _progress_hook(self, write, total, what):
        """``write`` that also keeps the operation's progress file (module_utils/progress.py) for
        the onefs.dr.onefs_progress callback: ``alpha: 340/1000 share writes, 0 x 409, 12 s``.
        The file goes when the last write has returned (or with the process)."""
        if total < PROGRESS_MIN_WRITES:
            return write
        name = (self._identity or {}).get("name") or self.host
        progress = Progress(name, total=total, what=what)
        conflicts0 = self.stats["conflicts_409"]
        counted = []
        guard = threading.Lock()
        progress.update(0, conflicts_409=0, force=True)

        def hooked(item):
            try:
                return write(item)
            finally:
                with guard:
                    counted.append(1)
                    done = len(counted)
                progress.update(done, conflicts_409=self.stats["conflicts_409"] - conflicts0)
                if done >= total:
                    progress.close()

        return hooked

    def cluster_identity(self):
        """{"guid", "name"} of the cluster (``GET cluster/config``).

        Kept with the shared session: a session is valid only on the cluster that issued it,
        so once a request has succeeded with that session, the identity stored with it is this
        cluster's and is not read again (one GET per session instead of one per module)."""
        if self._identity is None or not (self._session_ok and self.auth_mode == "session"):
            body = self.get(self.api("cluster/config")) or {}
            self._identity = {"guid": body.get("guid"), "name": body.get("name")}
            if self.auth_mode == "session" and self._sessid and self._keep_shared_session():
                self._store_shared_session()
        return dict(self._identity)

    @property
    def lock_key(self):
        """Sort key that gives every process the same lock order across clusters."""
        return cluster_key(self.host, self.port)

    # ------------------------------------------------------------------ versions
    @property
    def latest(self):
        """The cluster's /platform/latest, read once (and cached on disk for a few minutes)."""
        if self._latest is None:
            self._latest = self._versions.load()
        if self._latest is None:
            body = self.request("GET", "/platform/latest")
            self._latest = int(body["latest"])
            self._versions.store(self._latest)
        return self._latest

    def version_for(self, resource):
        """Handler version to use for a resource path such as 'protocols/smb/shares/x'."""
        return pick_version(resource, self.latest)

    def api(self, resource, *names):
        """'/platform/<N>/<resource>[/<quoted name>...]' for this cluster."""
        return api_path(self.version_for(resource), resource, names)

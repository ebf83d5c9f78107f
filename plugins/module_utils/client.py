# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one OneFS Platform API (PAPI) client every module of onefs.dr uses.

Sessions (cookie + CSRF) or HTTP Basic, verified TLS, handler-version negotiation,
retries with exponential backoff and full jitter, paging, the OneFS error envelope as one
typed exception, the cross-process share-write limiter, and counters.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import json
import os
import random
import threading
import time
from contextlib import contextmanager, suppress

try:
    from urllib.parse import quote, urlencode
except ImportError:  # pragma: no cover - Python 2 is not supported
    from urllib import quote, urlencode

try:
    import requests
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import ConnectTimeout, ReadTimeout, SSLError

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module runner
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.onefs.dr.plugins.module_utils.limiter import (
    DEFAULT_SLOTS,
    BulkTurn,
    LimiterTimeout,
    ShareWriteLimiter,
    cluster_key,
    default_state_dir,
    resource_lock,
)
from ansible_collections.onefs.dr.plugins.module_utils.progress import Progress

# Handler versions this collection understands, per resource prefix. /platform/N/x is
# served by the highest handler version <= N, so for each resource we use the highest
# version we know that the cluster's /platform/latest also has (OneFS 9.5 = 16 ... 9.12 = 23).
RESOURCE_VERSIONS = {
    "cluster/config": (3, 17),
    "cluster/identity": (5,),
    "zones": (3,),
    "protocols/smb/shares": (12, 22),
    "protocols/smb/openfiles": (1,),
    "protocols/smb/sessions": (1,),
    "protocols/smb/settings/global": (7, 17),
    "protocols/nfs/exports": (4, 19),
    "protocols/nfs/aliases": (15,),
    "protocols/nfs/settings/global": (14, 19),
    "sync/policies": (14, 18),
    "sync/jobs": (15, 20),
    "sync/target/policies": (1, 18),
    "sync/target/reports": (1,),
    "sync/reports": (1,),
    "sync/settings": (1,),
    "network/groupnets": (12, 16, 21),
    "network/pools": (12, 16, 21),
    "network/subnets": (12, 16, 21),
    "auth/providers/ads": (14,),
    "quota/quotas": (15, 19),
    "snapshot/schedules": (3,),
    "dedupe/settings": (1,),
}

RETRY_STATUSES = (429, 502, 503, 504)
LATEST_CACHE_TTL = 600.0
# A bulk write of this many shares or more shows its progress (module_utils/progress.py).
PROGRESS_MIN_WRITES = 20
# A shared session (auth_mode=session) is reused while it was last used less than this long
# ago. OneFS logs a session out after 15 minutes without a call (its default inactivity
# timeout); a session it has dropped anyway answers 401 and the client logs in again.
SHARED_SESSION_IDLE = 600.0
AUTH_MODES = ("session", "private_session", "basic")
# Width in seconds of the buckets of stats["share_write_busy"] (writes in flight over time).
BUSY_BUCKET_S = 0.5


class OneFSError(Exception):
    """A OneFS API call that failed, with everything needed to act on it.

    Never carries credentials: the URL holds no userinfo and bodies are not kept.
    """

    def __init__(self, message, status=None, code=None, field=None, method=None, url=None, errors=None):
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.method = method
        self.url = url
        self.errors = errors or []
        super(OneFSError, self).__init__(self.__str__())

    def __str__(self):
        parts = []
        if self.method and self.url:
            parts.append("%s %s" % (self.method, self.url))
        head = []
        if self.status is not None:
            head.append("HTTP %s" % self.status)
        if self.code:
            head.append(self.code)
        text = " ".join(head)
        if text:
            parts.append(text)
        msg = self.message or ""
        if self.field:
            msg = "%s (field: %s)" % (msg, self.field)
        parts.append(msg)
        return ": ".join(p for p in parts if p)

    def to_dict(self):
        return {
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "field": self.field,
            "method": self.method,
            "url": self.url,
        }


class Interrupted(OneFSError):
    """A bulk write stopped before its end: the playbook is gone or a lease was lost."""


def _env_int(name, default):
    try:
        return int(os.environ.get(name) or default)
    except ValueError:
        return default


class ApplyUnknown(Exception):
    """Raised internally when a connection dropped and we cannot know whether it applied."""


def _parse_errors(response):
    try:
        body = response.json()
    except ValueError:
        body = None
    errors = []
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        for item in body["errors"]:
            if isinstance(item, dict):
                errors.append(
                    {"code": item.get("code"), "message": item.get("message"), "field": item.get("field")}
                )
    if not errors:
        text = (response.text or "").strip()
        errors.append({"code": None, "message": text[:500] or response.reason, "field": None})
    return errors


class OneFSClient:
    """A PAPI client bound to one cluster endpoint."""

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
        if not HAS_REQUESTS:
            raise OneFSError("the Python library 'requests' is required: %s" % REQUESTS_IMPORT_ERROR)
        if auth_mode not in AUTH_MODES:
            raise ValueError("auth_mode must be one of %s, got %r" % (", ".join(AUTH_MODES), auth_mode))
        self.host = host
        self.port = int(port)
        self.scheme = scheme
        self.base_url = "%s://%s:%d" % (scheme, host, self.port)
        self.username = username
        self.password = password
        self.auth_mode = auth_mode
        self.timeout = timeout
        self.retry_deadline = float(retry_deadline)
        self.retry_attempts = int(retry_attempts)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.connect_retries = connect_retries
        self.stats = {"api_calls": 0, "retries": 0, "conflicts_409": 0, "share_writes": 0, "limiter_wait_s": 0.0}
        self._busy_lock = threading.Lock()
        self._session = requests.Session()
        self._session.trust_env = False
        if not validate_certs:
            self._session.verify = False
            with suppress(AttributeError):
                requests.packages.urllib3.disable_warnings()  # pylint: disable=no-member
        elif ca_path:
            self._session.verify = ca_path
        else:
            self._session.verify = True
        self._session.headers.update({"Accept": "application/json", "User-Agent": "onefs.dr"})
        if auth_mode == "basic":
            self._session.auth = (username or "", password or "")
        self._sessid = None
        self._csrf = None
        self._shared_path = None
        self._latest = None
        self._identity = None  # {"guid", "name"}: cluster/config, kept with the shared session
        self._session_ok = False  # a request has succeeded with the current session
        self._login_lock = threading.Lock()
        self._state_dir = default_state_dir()
        self.limiter = ShareWriteLimiter(
            cluster_key(host, self.port), slots=share_write_limit or DEFAULT_SLOTS, directory=limiter_dir
        )
        # The cluster-held share-write budget (module_utils/lease.py): every controller's share
        # writes to this cluster stay within share_write_limit. ONEFS_DR_CLUSTER_BUDGET=off turns
        # it off (a cluster without a writable /ifs/.onefs_dr, or tests of OneFS's own 409s).
        self.cluster_budget = os.environ.get("ONEFS_DR_CLUSTER_BUDGET", "on").lower() not in ("off", "0", "false", "no")
        self.lease_ttl = max(3, _env_int("ONEFS_DR_LEASE_TTL", 60))
        self.holder = None  # lease holder info (module_utils/lease.py holder_info); set by the module
        self.should_stop = None  # callable -> reason (str) when writing must stop, else None
        self._budget = None  # (lease, renewer) while this client holds budget claims
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
        if self._sessid:
            if not self._keep_shared_session():
                with suppress(Exception):  # logout is best effort
                    self._send("DELETE", "/session/1/session", None, None)
            self._sessid = None
            self._csrf = None
        self._session.close()

    # ------------------------------------------------------------------ shared session
    # One OneFS session per cluster and credentials for every module call on the controller,
    # instead of a login and a logout per module (two API calls, a TLS handshake and an
    # audit-log entry each). Kept in <state dir>/sessions/ (directory 0700, files 0600): the
    # file name is an HMAC of (URL, username, password) under a random key of that directory,
    # so other credentials never pick the session up and no password or hash of one is stored.
    def _sessions_dir(self):
        return os.path.join(self._state_dir, "sessions")

    def _shared_session_path(self):
        if self.auth_mode != "session":
            return None
        if self._shared_path is None:
            try:
                directory = self._sessions_dir()
                os.makedirs(directory, mode=0o700, exist_ok=True)
                key_path = os.path.join(directory, ".key")
                if not os.path.exists(key_path):
                    tmp = "%s.%d.tmp" % (key_path, os.getpid())
                    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(os.urandom(32))
                    try:
                        os.link(tmp, key_path)  # atomic: the first process's key wins
                    except FileExistsError:
                        pass
                    finally:
                        os.unlink(tmp)
                with open(key_path, "rb") as handle:
                    secret = handle.read()
                if len(secret) < 32:
                    return None
                material = "\0".join([self.base_url, self.username or "", self.password or ""]).encode("utf-8")
                digest = hmac.new(secret, material, hashlib.sha256).hexdigest()[:40]
                self._shared_path = os.path.join(directory, "%s.%s.json" % (cluster_key(self.host, self.port), digest))
            except OSError:
                return None
        return self._shared_path

    def _load_shared_session(self):
        """Adopt the shared session of these credentials when it was used recently."""
        path = self._shared_session_path()
        if not path:
            return False
        try:
            if time.time() - os.stat(path).st_mtime > SHARED_SESSION_IDLE:
                return False
            with open(path) as handle:
                cached = json.load(handle)
            sessid, csrf = cached["sessid"], cached.get("csrf")
        except (OSError, ValueError, KeyError, TypeError):
            return False
        if not sessid:
            return False
        self._sessid, self._csrf = sessid, csrf
        identity = cached.get("cluster")
        if isinstance(identity, dict) and identity.get("guid"):
            self._identity = {"guid": identity.get("guid"), "name": identity.get("name")}
        return True

    def _store_shared_session(self):
        path = self._shared_session_path()
        if not path or not self._sessid:
            return
        tmp = "%s.%d.%d.tmp" % (path, os.getpid(), threading.get_ident())
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump({"sessid": self._sessid, "csrf": self._csrf, "cluster": self._identity}, handle)
            os.replace(tmp, path)
        except OSError:
            with suppress(OSError):
                os.unlink(tmp)

    def _drop_shared_session(self, sessid):
        """Forget the shared session when it is the one OneFS just refused."""
        path = self._shared_session_path()
        if not path:
            return
        with suppress(OSError, ValueError, KeyError, TypeError):
            with open(path) as handle:
                if json.load(handle)["sessid"] == sessid:
                    os.unlink(path)

    def _keep_shared_session(self):
        path = self._shared_session_path()
        if not path:
            return False
        try:
            with open(path) as handle:
                if json.load(handle)["sessid"] != self._sessid:
                    return False
            os.utime(path, None)  # last use
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return True

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
        """A share write outside ``write_many``: hold one budget claim until ``close()``."""
        if not self.cluster_budget or self._budget is not None:
            return
        with self._single_lock:  # one taker per client: threads of one module share the claim
            if self._budget is not None:
                return
            lease, renewer = self._take_budget(1)
            with self._budget_lock:
                self._budget = (lease, renewer)

    def stop_reason(self):
        """Why writing must stop now (the playbook is gone, the budget was lost), else None."""
        if self.should_stop is not None:
            reason = self.should_stop()
            if reason:
                return reason
        budget = self._budget
        if budget is not None and not budget[1].ok():
            return "the share-write budget lease on %s was lost (%s)" % (self.host, budget[1].error or "not renewed in time")
        return None

    # ------------------------------------------------------------------ share-write budget
    @contextmanager
    def share_budget(self, claim):
        """Hold ``claim`` (or what is free, at least 1) of the cluster's share-write budget.

        Yields the claim held. Re-entrant: inside an outer hold it yields that hold's claim.
        Off (yields ``claim``) when ``cluster_budget`` is False."""
        if not self.cluster_budget:
            yield claim
            return
        with self._budget_lock:
            outer = self._budget
        if outer is not None:
            yield outer[0].claim
            return
        lease, renewer = self._take_budget(claim)
        with self._budget_lock:
            self._budget = (lease, renewer)
        try:
            yield lease.claim
        finally:
            self._release_budget()

    def _take_budget(self, claim):
        from ansible_collections.onefs.dr.plugins.module_utils.lease import ClusterLease, LeaseBusy, Renewer, holder_info

        lease = ClusterLease(
            self, "budget", self.holder or holder_info(purpose="share writes"),
            capacity=self.limiter.slots, claim=max(1, min(int(claim), self.limiter.slots)), ttl=self.lease_ttl,
        )
        start = time.monotonic()
        try:
            # Short polls: on one controller the bulk-writer turn already orders the writers, so the
            # next one only waits for the previous one's last writes in flight to come back.
            lease.acquire(wait=self.retry_deadline, min_claim=1, should_stop=self.should_stop, poll=0.1)
        except LeaseBusy as err:
            raise OneFSError(
                "no share-write budget free on %s after %.0f s: %s. Other runs hold all %d claims; wait for them "
                "or raise retry_deadline" % (self.host, time.monotonic() - start, err, self.limiter.slots),
                code="AEC_CONFLICT",
                url=self.base_url,
            ) from None
        self.stats["budget_wait_s"] = self.stats.get("budget_wait_s", 0.0) + lease.waited
        self.stats["lease_calls"] = self.stats.get("lease_calls", 0) + lease.calls
        return lease, Renewer([lease]).start()

    def _release_budget(self):
        with self._budget_lock:
            budget, self._budget = self._budget, None
        if budget is None:
            return
        lease, renewer = budget
        renewer.stop()
        calls = lease.calls
        with suppress(Exception):  # an entry that cannot be deleted expires by itself
            lease.release()
        self.stats["lease_calls"] = self.stats.get("lease_calls", 0) + (lease.calls - calls)

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
    def _latest_cache_path(self):
        return os.path.join(self._state_dir, "versions", cluster_key(self.host, self.port) + ".json")

    @property
    def latest(self):
        """The cluster's /platform/latest, read once (and cached on disk for a few minutes)."""
        if self._latest is None:
            path = self._latest_cache_path()
            try:
                with open(path) as handle:
                    cached = json.load(handle)
                if time.time() - cached.get("at", 0) < LATEST_CACHE_TTL:
                    self._latest = int(cached["latest"])
            except (OSError, ValueError, KeyError, TypeError):
                pass
        if self._latest is None:
            body = self.request("GET", "/platform/latest")
            self._latest = int(body["latest"])
            try:
                os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
                tmp = "%s.%d.tmp" % (path, os.getpid())
                with open(tmp, "w") as handle:
                    json.dump({"latest": self._latest, "at": time.time()}, handle)
                os.replace(tmp, path)
            except OSError:
                pass
        return self._latest

    def version_for(self, resource):
        """Handler version to use for a resource path such as 'protocols/smb/shares/x'."""
        resource = resource.strip("/")
        best = None
        for prefix in RESOURCE_VERSIONS:
            matches = resource == prefix or resource.startswith(prefix + "/")
            if matches and (best is None or len(prefix) > len(best)):
                best = prefix
        if best is None:
            return self.latest
        known = RESOURCE_VERSIONS[best]
        usable = [v for v in known if v <= self.latest]
        return max(usable) if usable else min(known)

    def api(self, resource, *names):
        """'/platform/<N>/<resource>[/<quoted name>...]' for this cluster."""
        path = "/platform/%d/%s" % (self.version_for(resource), resource.strip("/"))
        for name in names:
            path += "/" + quote(str(name), safe="")
        return path

    # ------------------------------------------------------------------ public verbs
    def get(self, path, query=None):
        return self.request("GET", path, query=query)

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

    def post(self, path, body=None, query=None, share_write=False, verify=None):
        return self.request("POST", path, query=query, body=body, share_write=share_write, verify=verify)

    def put(self, path, body=None, query=None, share_write=False, verify=None, counters=None):
        return self.request(
            "PUT", path, query=query, body=body, share_write=share_write, verify=verify, counters=counters
        )

    def delete(self, path, query=None, share_write=False, verify=None):
        return self.request("DELETE", path, query=query, share_write=share_write, verify=verify)

    def list(self, path, key, query=None, limit=1000):
        """Every item of a PAPI collection, following ``resume`` tokens."""
        items = []
        params = dict(query or {})
        if limit:
            params["limit"] = limit
        seen = set()
        while True:
            body = self.request("GET", path, query=params) or {}
            items.extend(body.get(key) or [])
            token = body.get("resume")
            if not token:
                return items
            if token in seen:
                raise OneFSError("paging loop: resume token repeated", method="GET", url=self.base_url + path)
            seen.add(token)
            # OneFS: "resume cannot be used with other options".
            params = {"resume": token}

    def item(self, path, key, query=None):
        """The single object of an item GET (OneFS wraps it in a one-element list), or None on 404."""
        try:
            body = self.request("GET", path, query=query)
        except OneFSError as err:
            if err.status == 404:
                return None
            raise
        values = (body or {}).get(key)
        if isinstance(values, list):
            return values[0] if values else None
        return values

    # ------------------------------------------------------------------ core
    def _url(self, path, query):
        url = self.base_url + path
        if query:
            pairs = [(k, "true" if v is True else "false" if v is False else v) for k, v in query.items() if v is not None]
            if pairs:
                url += "?" + urlencode(pairs)
        return url

    def _login(self):
        url = self.base_url + "/session/1/session"
        payload = {"username": self.username, "password": self.password, "services": ["platform", "namespace"]}
        self.stats["api_calls"] += 1
        try:
            resp = self._session.post(url, json=payload, timeout=self.timeout)
        except SSLError as exc:
            raise OneFSError(
                "TLS verification failed for %s: %s. Set ca_path to the cluster's CA bundle "
                "(or validate_certs=false for a lab only)" % (self.base_url, exc),
                method="POST",
                url=url,
            ) from exc
        except (RequestsConnectionError, ConnectTimeout) as exc:
            raise OneFSError("cannot connect to %s: %s" % (self.base_url, exc), method="POST", url=url) from exc
        if resp.status_code not in (200, 201):
            err = _parse_errors(resp)[0]
            raise OneFSError(
                "login as %r failed: %s" % (self.username, err["message"] or "check username and password"),
                status=resp.status_code,
                code=err["code"] or ("AEC_UNAUTHORIZED" if resp.status_code == 401 else None),
                method="POST",
                url=url,
            )
        self._sessid = resp.cookies.get("isisessid")
        self._csrf = resp.cookies.get("isicsrf")
        if not self._sessid:
            # Some proxies drop Secure cookies on plain HTTP; read the raw headers.
            for header in resp.raw.headers.getlist("Set-Cookie") if hasattr(resp.raw.headers, "getlist") else []:
                name, rest = (header.split("=", 1) + [""])[:2]
                value = rest.split(";", 1)[0]
                if name.strip() == "isisessid":
                    self._sessid = value
                elif name.strip() == "isicsrf":
                    self._csrf = value
        self._session.cookies.clear()
        if not self._sessid:
            raise OneFSError("login succeeded but no isisessid cookie was returned", method="POST", url=url)
        self._store_shared_session()

    def _headers(self, has_body, extra=None):
        headers = {}
        if has_body:
            headers["Content-Type"] = "application/json"
        if extra:
            headers.update(extra)
        if self.auth_mode != "basic" and self._sessid:
            headers["Cookie"] = "isisessid=%s" % self._sessid
            if self._csrf:
                headers["X-CSRF-Token"] = self._csrf
            headers["Referer"] = self.base_url
        return headers

    def _send(self, method, path, query, body, headers=None):
        url = self._url(path, query)
        if body is None or isinstance(body, (bytes, bytearray)):
            data = body
        else:
            data = json.dumps(body)
        self.stats["api_calls"] += 1
        return self._session.request(
            method, url, data=data, headers=self._headers(data is not None, headers), timeout=self.timeout
        )

    def _backoff(self, attempt, retry_after=None):
        if retry_after:
            try:
                return min(float(retry_after), self.backoff_cap * 4)
            except ValueError:
                pass
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * (2 ** attempt)))

    def request(
        self, method, path, query=None, body=None, share_write=False, verify=None, raw=False, headers=None, counters=None
    ):
        """One PAPI call with retries. Returns the parsed JSON body (None when empty).

        share_write: an SMB share configuration write; it takes a limiter slot and its
        409 AEC_CONFLICT answers are retried.
        verify: callable -> bool, asked when the outcome of a write is unknown (dropped
        connection) or a create answered 409: True means the write is already applied.
        body: a dict/list is sent as JSON; bytes are sent as they are (namespace files).
        headers: extra request headers (e.g. ``x-isi-ifs-target-type`` for the namespace).
        raw: return the ``requests`` response instead of the parsed body.
        counters: optional dict that receives this call's own ``retries`` and ``conflicts_409``
        (``stats`` sums every call; this one is per call, e.g. per share in a thread pool).
        """
        method = method.upper()
        url_for_errors = self.base_url + path
        if self.auth_mode != "basic" and not self._sessid and not path.startswith("/session/"):
            with self._login_lock:
                if not self._sessid and not self._load_shared_session():
                    self._login()
        if verify is None and method == "PUT" and body is not None:
            verify = self._auto_verify_put(path, query, body)
        elif verify is None and method == "DELETE":
            verify = self._auto_verify_delete(path, query)
        start = time.monotonic()
        attempt = 0
        relogged = False
        connect_failures = 0
        last_conflict = None
        while True:
            attempt += 1
            elapsed = time.monotonic() - start
            if attempt > 1 and (attempt > self.retry_attempts or elapsed > self.retry_deadline):
                if last_conflict is not None:
                    raise OneFSError(
                        "%s (still AEC_CONFLICT after %d attempts in %.1f s; OneFS's share-configuration "
                        "store is saturated: lower share_write_limit or the play's throttle, or raise "
                        "retry_deadline)" % (last_conflict.message, attempt - 1, elapsed),
                        status=409,
                        code="AEC_CONFLICT",
                        method=method,
                        url=url_for_errors,
                    )
                raise OneFSError(
                    "gave up after %d attempts in %.1f s" % (attempt - 1, elapsed), method=method, url=url_for_errors
                )
            if attempt > 1:
                self.stats["retries"] += 1
                if counters is not None:
                    counters["retries"] = counters.get("retries", 0) + 1
            try:
                if share_write:
                    if attempt == 1:
                        self._single_write_budget()
                    self.stats["share_writes"] += 1
                    waited_before = self.limiter.waited
                    with self.limiter.slot(timeout=max(1.0, self.retry_deadline - elapsed)):
                        held = time.time()
                        try:
                            resp = self._send(method, path, query, body, headers)
                        finally:
                            self._share_write_held(held, time.time())
                    self.stats["limiter_wait_s"] += self.limiter.waited - waited_before
                else:
                    resp = self._send(method, path, query, body, headers)
            except LimiterTimeout as exc:
                raise OneFSError(str(exc), code="AEC_CONFLICT", method=method, url=url_for_errors) from exc
            except SSLError as exc:
                raise OneFSError(
                    "TLS verification failed for %s: %s. Set ca_path to the cluster's CA bundle" % (self.base_url, exc),
                    method=method,
                    url=url_for_errors,
                ) from exc
            except ConnectTimeout as exc:
                connect_failures += 1
                if connect_failures > self.connect_retries:
                    raise OneFSError("cannot connect to %s: %s" % (self.base_url, exc), method=method, url=url_for_errors) from exc
                time.sleep(self._backoff(attempt))
                continue
            except (RequestsConnectionError, ReadTimeout) as exc:
                if _is_refused(exc):
                    connect_failures += 1
                    if connect_failures > self.connect_retries:
                        raise OneFSError(
                            "cannot connect to %s (connection refused): is the cluster up and the port right?"
                            % self.base_url,
                            method=method,
                            url=url_for_errors,
                        ) from exc
                    time.sleep(self._backoff(attempt))
                    continue
                # The request may have reached the cluster and been applied.
                if method != "GET":
                    if verify is not None:
                        if self._safe_verify(verify):
                            return None
                    elif method == "POST":
                        raise OneFSError(
                            "connection lost during a create; it may have been applied. Re-run the task: "
                            "it reads current state first and converges (%s)" % exc,
                            method=method,
                            url=url_for_errors,
                        ) from exc
                time.sleep(self._backoff(attempt))
                continue

            status = resp.status_code
            if status < 300:
                self._session_ok = True
                if raw:
                    return resp
                if not resp.content:
                    return None
                try:
                    return resp.json()
                except ValueError:
                    return resp.content
            errors = _parse_errors(resp)
            first = errors[0]
            if status == 401 and self.auth_mode != "basic" and not relogged and self._sessid:
                # Session expired (inactivity or absolute timeout), or a shared session OneFS
                # no longer knows: log in once more (another thread may have done it already).
                relogged = True
                refused = self._sessid
                with self._login_lock:
                    if self._sessid == refused:
                        self._drop_shared_session(refused)
                        self._sessid = None
                        self._identity = None  # it came with the refused session
                        self._session_ok = False
                        self._login()
                continue
            if status == 409:
                self.stats["conflicts_409"] += 1
                if counters is not None:
                    counters["conflicts_409"] = counters.get("conflicts_409", 0) + 1
                if share_write and first["code"] == "AEC_CONFLICT":
                    if method == "POST" and verify is not None and self._safe_verify(verify):
                        return None
                    last_conflict = OneFSError(first["message"], status=409, code="AEC_CONFLICT")
                    time.sleep(self._backoff(attempt))
                    continue
            if status in RETRY_STATUSES:
                time.sleep(self._backoff(attempt, resp.headers.get("Retry-After")))
                continue
            if status == 404 and method == "DELETE" and attempt > 1:
                # A retried delete whose first attempt was applied.
                return None
            message = "; ".join(e["message"] or "" for e in errors if e.get("message")) or resp.reason
            raise OneFSError(
                message,
                status=status,
                code=first["code"],
                field=first["field"],
                method=method,
                url=resp.url.split("?", 1)[0] if resp.url else url_for_errors,
                errors=errors,
            )

    def _safe_verify(self, verify):
        try:
            return bool(verify())
        except OneFSError:
            return False

    # ------------------------------------------------------------------ write verification
    def _auto_verify_put(self, path, query, body):
        if not isinstance(body, dict) or not path.startswith("/platform/"):
            return None
        if "name" in body and len(body) == 1:
            return None  # a rename moves the object: the module supplies its own check

        def check():
            current = self.request("GET", path, query=query)
            if not isinstance(current, dict):
                return False
            obj = None
            for value in current.values():
                if isinstance(value, list) and value and isinstance(value[0], dict):
                    obj = value[0]
                    break
                if isinstance(value, dict):
                    obj = value
                    break
            return obj is not None and is_subset(body, obj)

        return check

    def _auto_verify_delete(self, path, query):
        if not path.startswith("/platform/"):
            return None

        def check():
            try:
                self.request("GET", path, query=query)
            except OneFSError as err:
                return err.status == 404
            return False

        return check


def _is_refused(exc):
    text = repr(exc)
    return "ConnectionRefused" in text or "Errno 111" in text or "Connection refused" in text


def is_subset(expected, actual):
    """True when every value in ``expected`` is present in ``actual`` (recursively).

    Lists compare item by item, in order; dicts compare only the keys ``expected`` has,
    so an ACE given as ``{"trustee": {"id": "SID:S-1-1-0"}}`` matches the cluster's
    ``{"trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}``.
    """
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        return all(k in actual and is_subset(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return False
        return all(is_subset(e, a) for e, a in zip(expected, actual))
    return expected == actual

"""The simulated clusters' state, shared by the PAPI handlers, SyncIQ engine and control API."""
import ipaddress
import json
import os
import random
import re
import threading
import time
import uuid

from . import models
from .errors import SHARE_CONTENTION_MESSAGE, ApiError
from .util import path_under

RELEASE_LATEST = {"9.5": 16, "9.6": 17, "9.7": 18, "9.8": 19, "9.9": 20, "9.10": 21, "9.11": 22, "9.12": 23}
READONLY_TP_STATES = ("writes_disabled", "enabling_writes", "disabling_writes")


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.requests = 0
            self.writes = 0
            # Writes and requests of the collection's cluster leases and unit state documents
            # (/ifs/.onefs_dr/leases, /ifs/.onefs_dr/units): its own bookkeeping, counted apart
            # from configuration writes.
            self.bookkeeping_writes = 0
            self.bookkeeping_requests = 0
            self.share_writes = 0
            self.conflicts_409 = 0
            self.max_concurrent_share_writes = 0
            self.by_endpoint = {}

    def snapshot(self, in_flight):
        with self.lock:
            return {"requests": self.requests, "writes": self.writes, "share_writes": self.share_writes,
                    "bookkeeping_writes": self.bookkeeping_writes, "bookkeeping_requests": self.bookkeeping_requests,
                    "conflicts_409": self.conflicts_409,
                    "max_concurrent_share_writes": self.max_concurrent_share_writes,
                    "in_flight_share_writes": in_flight, "by_endpoint": dict(self.by_endpoint)}


class ShareGate:
    """One serialized SMB share configuration store per cluster (seed 000).

    Every share write counts as in flight from arrival to answer; arrivals beyond the capacity are
    refused with 409 AEC_CONFLICT; the others wait their turn (FIFO) and each holds the store for the
    service time, so response time grows with the queue.

    The store keeps its own clock: a queued write's service starts when the previous write's
    ends (``free_at``), not when its thread gets to run, and the write is applied within its
    service time (the store is held for the longer of the two). A finished write wakes only the
    next ticket's writer. So while writers queue, the store takes exactly one write per service
    time, whatever the simulator's own thread scheduling costs on a busy machine.
    """

    def __init__(self, cluster):
        self.cluster = cluster
        self.meta = threading.Lock()
        self.in_flight = 0
        self.next_ticket = 0
        self.serving = 0
        self.waiting = {}  # ticket -> Event of a writer waiting for its turn
        self.free_at = 0.0  # time.monotonic() at which the last write's service ends

    def run(self, fn):
        c = self.cluster
        turn = None
        arrived = time.monotonic()
        with self.meta:
            self.in_flight += 1
            current = self.in_flight
            ticket = None
            if current <= c.capacity:
                ticket = self.next_ticket
                self.next_ticket += 1
                if ticket != self.serving:
                    turn = self.waiting[ticket] = threading.Event()
        with c.counters.lock:
            c.counters.share_writes += 1
            if current > c.counters.max_concurrent_share_writes:
                c.counters.max_concurrent_share_writes = current
        try:
            if ticket is None:
                raise ApiError(409, "AEC_CONFLICT", SHARE_CONTENTION_MESSAGE)
            if turn is not None:
                turn.wait()
            with self.meta:
                ends = max(arrived, self.free_at) + c.service_ms / 1000.0
            try:
                with c.world.lock:
                    return fn()
            finally:
                left = ends - time.monotonic()
                if left > 0:
                    time.sleep(left)
                with self.meta:
                    self.free_at = max(ends, time.monotonic()) if left <= 0 else ends
                    self.serving += 1
                    nxt = self.waiting.pop(self.serving, None)
                if nxt is not None:
                    nxt.set()
        finally:
            with self.meta:
                self.in_flight -= 1


class FaultRule:
    def __init__(self, spec):
        self.spec = dict(spec)
        self.method = str(spec.get("method", "*")).upper()
        self.path = re.compile(spec.get("path", ".*"))
        self.status = spec.get("status")
        self.code = spec.get("code")
        self.message = spec.get("message")
        self.rate = float(spec.get("rate", 1.0))
        self.count = spec.get("count")
        self.latency_ms = float(spec.get("latency_ms", 0) or 0)
        self.drop_after_apply = bool(spec.get("drop_after_apply"))
        self.drop_before_apply = bool(spec.get("drop_before_apply"))
        self.skip = int(spec.get("skip", 0) or 0)  # let the first n matching requests through
        self.skipped = 0
        self.fired = 0

    def matches(self, method, path):
        if self.method not in ("*", method):
            return False
        if self.count is not None and self.fired >= int(self.count):
            return False
        if not self.path.search(path):
            return False
        if self.rate < 1.0 and random.random() >= self.rate:
            return False
        if self.skipped < self.skip:
            self.skipped += 1
            return False
        self.fired += 1
        return True

    def error(self):
        status = int(self.status or 500)
        default_codes = {400: "AEC_BAD_REQUEST", 401: None, 403: "AEC_FORBIDDEN", 404: "AEC_NOT_FOUND",
                         409: "AEC_CONFLICT", 429: "AEC_THROTTLED", 500: "AEC_SYSTEM_INTERNAL_ERROR",
                         503: "AEC_SERVICE_UNAVAILABLE"}
        code = self.code or default_codes.get(status, "AEC_EXCEPTION")
        message = self.message or ("Injected fault (%d)" % status)
        if status == 409 and not self.message and code == "AEC_CONFLICT":
            message = SHARE_CONTENTION_MESSAGE
        return ApiError(status, code, message)

    def to_dict(self):
        d = dict(self.spec)
        d["fired"] = self.fired
        return d


class Cluster:
    """One simulated cluster: its persistent state dict `s` plus runtime parts."""

    def __init__(self, world, state):
        self.world = world
        self.s = state
        self.name = state["name"]
        self.counters = Counters()
        self.gate = ShareGate(self)
        self.faults = []
        self.faults_lock = threading.Lock()
        self.sessions = {}
        self.sessions_lock = threading.Lock()
        self.session_timeout_inactive = 900
        self.service_ms = world.service_ms
        self.capacity = world.capacity
        self.job_seconds = world.job_seconds
        # Per (policy name, action) job durations taken from the scenario's job history
        # (timing.job_seconds_from_history); empty = every job takes job_seconds.
        self.job_durations = {}
        self.down = False
        self.endpoint = None  # set by the server layer
        self._share_sorted = {}
        self._auth_cache = {}

    def job_duration(self, policy_name, action):
        """Seconds a new SyncIQ job of ``policy_name`` / ``action`` takes: its duration from the
        job history when the scenario asked for it (a failback's ``<P>_mirror`` falls back on
        P's history, ``allow_write_revert`` on ``allow_write``'s), else ``job_seconds``."""
        durations = self.job_durations
        if durations:
            names = [policy_name]
            if policy_name.endswith("_mirror"):
                names.append(policy_name[: -len("_mirror")])
            actions = [action] + (["allow_write"] if action == "allow_write_revert" else [])
            for name in names:
                for act in actions:
                    if (name, act) in durations:
                        return durations[(name, act)]
        return self.job_seconds

    # ---- derived values -------------------------------------------------------------------------
    @property
    def latest(self):
        return self.s["latest"]

    def zone(self, name):
        z = self.s["zones"].get(name or "System")
        if z is None:
            raise ApiError(404, "AEC_NOT_FOUND", "Access zone '%s' not found" % name)
        return z

    def zone_of_id(self, zid):
        for z in self.s["zones"].values():
            if z["zone_id"] == zid:
                return z
        return None

    def share_names_sorted(self, zone):
        cached = self._share_sorted.get(zone)
        if cached is None:
            cached = sorted(self.s["shares"].get(zone, {}))
            self._share_sorted[zone] = cached
        return cached

    def shares_changed(self, zone):
        self._share_sorted.pop(zone, None)
        self.s["share_versions"][zone] = self.s["share_versions"].get(zone, 0) + 1

    def target_policy_covering(self, path):
        best = None
        for tp in self.s["target_policies"].values():
            if path_under(path, tp["target_path"]):
                if best is None or len(tp["target_path"]) > len(best["target_path"]):
                    best = tp
        return best

    def path_writable(self, path):
        """False when path lies under a SyncIQ target path whose writes are not enabled here."""
        tp = self.target_policy_covering(path)
        if tp is None:
            return True, None
        if tp["failover_failback_state"] in READONLY_TP_STATES:
            return False, "path %s is a read-only SyncIQ target of policy %s (%s)" % (
                path, tp["name"], tp["failover_failback_state"])
        return True, None

    def check_auth_basic(self, header_value):
        user = self._auth_cache.get(header_value)
        if user is not None:
            return user
        import base64
        try:
            raw = base64.b64decode(header_value.split(" ", 1)[1]).decode()
            name, password = raw.split(":", 1)
        except Exception:
            return None
        u = self.s["users"].get(name)
        if u is None or u["password"] != password:
            return None
        self._auth_cache[header_value] = u
        return u

    def login(self, name, password, services=None):
        u = self.s["users"].get(name)
        if u is None or u["password"] != password:
            return None
        sid = str(uuid.uuid4())
        csrf = str(uuid.uuid4())
        t = time.time()
        with self.sessions_lock:
            self.sessions[sid] = {"user": u, "csrf": csrf, "created": t, "last": t,
                                  "services": list(services or ["platform", "namespace"])}
        return sid, csrf

    def session(self, sid):
        with self.sessions_lock:
            sess = self.sessions.get(sid)
            if sess is None:
                return None
            t = time.time()
            if t - sess["last"] > self.session_timeout_inactive or t - sess["created"] > 14400:
                del self.sessions[sid]
                return None
            sess["last"] = t
            return sess

    def logout(self, sid):
        with self.sessions_lock:
            self.sessions.pop(sid, None)

    def expire_sessions(self):
        with self.sessions_lock:
            n = len(self.sessions)
            self.sessions.clear()
        return n

    def match_fault(self, method, path):
        if not self.faults:
            return None
        with self.faults_lock:
            for rule in self.faults:
                if rule.matches(method, path):
                    return rule
        return None

    def sc_names(self):
        """Every SmartConnect name and alias of the cluster's pools, lower case."""
        out = []
        for pool in self.iter_pools():
            if pool.get("sc_dns_zone"):
                out.append(pool["sc_dns_zone"].lower())
            out.extend(a.lower() for a in pool.get("sc_dns_zone_aliases", []))
        return out

    def holds_address(self, host):
        """True when ``host`` is an IP address of this cluster: in a pool's ``ranges`` (the node
        addresses OneFS allocates from them) or a subnet's ``sc_service_addrs`` (SmartConnect
        service IPs). OneFS documents SyncIQ ``target_host`` as "the IP address or fully qualified
        domain name of the target cluster" (isilon_sdk SyncPolicy.target_host)."""
        try:
            addr = ipaddress.ip_address(host)
        except ValueError:
            return False
        ranges = []
        for g in self.s["groupnets"].values():
            for sn in g["_subnets"].values():
                ranges.extend(sn.get("sc_service_addrs") or [])
                for pool in sn["_pools"].values():
                    ranges.extend(pool.get("ranges") or [])
        for r in ranges:
            try:
                low, high = ipaddress.ip_address(r.get("low")), ipaddress.ip_address(r.get("high") or r.get("low"))
            except (TypeError, ValueError, AttributeError):
                continue
            if low.version == addr.version and low <= addr <= high:
                return True
        return False

    def iter_pools(self):
        for g in self.s["groupnets"].values():
            for sn in g["_subnets"].values():
                yield from sn["_pools"].values()


class World:
    """Every cluster plus what they share (the AD forest), one lock for all state."""

    def __init__(self, service_ms=30, capacity=10, job_seconds=1.0, state_dir=None):
        self.lock = threading.RLock()
        self.service_ms = service_ms
        self.capacity = capacity
        self.job_seconds = job_seconds
        self.clusters = {}
        self.forest = {}
        self.state_dir = state_dir
        self.engine = None
        self._dirty = threading.Event()
        self._saver = None
        self._stopping = False
        self._identity_by_id = {}
        self._identity_by_name = {}

    # ---- identity -----------------------------------------------------------------------------
    def index_identities(self):
        by_id, by_name = {}, {}

        def add(ident):
            by_id[ident["id"].upper()] = ident
            by_name.setdefault(ident["name"].lower(), ident)

        for w in models.WELLKNOWN:
            add(dict(w))
        for kind in ("users", "groups"):
            for item in self.forest.get(kind, []):
                sid = item["sid"]
                ident = {"id": sid if ":" in sid else "SID:" + sid, "name": item["name"],
                         "type": "user" if kind == "users" else "group"}
                add(ident)
                if "\\" in item["name"]:
                    by_name.setdefault(item["name"].split("\\", 1)[1].lower(), ident)
        self._identity_by_id, self._identity_by_name = by_id, by_name

    def resolve_trustee(self, trustee):
        if not isinstance(trustee, dict):
            raise ApiError(400, "AEC_BAD_REQUEST", "Field: trustee must be an object", "permissions")
        tid, name = trustee.get("id"), trustee.get("name")
        if tid:
            ident = self._identity_by_id.get(str(tid).upper())
            if ident:
                return dict(ident)
            return {"id": tid, "name": name or tid.split(":", 1)[-1], "type": trustee.get("type") or "user"}
        if name:
            ident = self._identity_by_name.get(str(name).lower())
            if ident:
                return dict(ident)
            raise ApiError(400, "AEC_BAD_REQUEST", "Failed to find persona for name '%s'" % name, "permissions")
        raise ApiError(400, "AEC_BAD_REQUEST", "Field: trustee requires id or name", "permissions")

    def user_sids(self, sid):
        """The SIDs a user's token carries: itself, its groups, Everyone and Authenticated Users."""
        sid = sid.upper()
        if not sid.startswith("SID:"):
            sid = "SID:" + sid
        out = {sid, "SID:S-1-1-0"}
        if sid != "SID:S-1-5-7":
            out.add("SID:S-1-5-11")
        for u in self.forest.get("users", []):
            usid = u["sid"] if ":" in u["sid"] else "SID:" + u["sid"]
            if usid.upper() == sid:
                for g in u.get("groups", []):
                    out.add((g if ":" in g else "SID:" + g).upper())
        return out

    # ---- cluster lookup ----------------------------------------------------------------------
    def cluster_for_host(self, host):
        """Resolve a SyncIQ target_host / probe name to a cluster (name, SmartConnect name, alias, IP address)."""
        if not host:
            return None
        h = host.lower().split(":")[0] if host.count(":") == 1 else host.lower()
        h = h.rstrip(".")  # an absolute DNS name
        if h in self.clusters:
            return self.clusters[h]
        for c in self.clusters.values():
            if h == c.name.lower() or h in (x.lower() for x in c.s.get("hostnames", [])):
                return c
        for c in self.clusters.values():
            if h in c.sc_names():
                return c
        for c in self.clusters.values():
            if c.holds_address(h):
                return c
        short = h.split(".")[0]
        for c in self.clusters.values():
            if short == c.name.lower():
                return c
        return None

    # ---- persistence ---------------------------------------------------------------------------
    def mark_dirty(self):
        if self.state_dir:
            self._dirty.set()

    def start_saver(self):
        if not self.state_dir:
            return
        self._saver = threading.Thread(target=self._save_loop, name="onefs-sim-saver", daemon=True)
        self._saver.start()

    def _save_loop(self):
        while not self._stopping:
            self._dirty.wait()
            if self._stopping:
                break
            time.sleep(0.05)
            self._dirty.clear()
            try:
                self.save()
            except Exception:  # pragma: no cover - keep serving even if the disk is unhappy
                pass

    def stop_saver(self):
        self._stopping = True
        self._dirty.set()
        if self._saver:
            self._saver.join(timeout=5)
        if self.state_dir:
            self.save()

    def save(self):
        with self.lock:
            data = {"format": 1, "forest": self.forest,
                    "clusters": {n: c.s for n, c in self.clusters.items()},
                    "ports": {n: c.s.get("_port") for n, c in self.clusters.items()}}
            raw = json.dumps(data, separators=(",", ":"))
        path = os.path.join(self.state_dir, "state.json")
        tmp = path + ".tmp"
        with open(tmp, "w") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

"""The simulator's own control API under /sim/v1/ (plain HTTP on loopback; not part of PAPI)."""
import json
import re

from .errors import ApiError
from .server import JSON, _BaseHandler, parse_query
from .util import norm_path, strip_private
from .world import FaultRule

_CLUSTER = re.compile(r"^/sim/v1/clusters/([^/]+)(/.*)?$")
_MACHINE_ACCOUNT = re.compile(r"^/sim/v1/forest/machine_accounts/([^/]+)$")


def _dump_cluster(world, c):
    s = c.s
    eng = world.engine
    out = {
        "name": c.name, "guid": s["guid"], "release": s["release"], "latest": s["latest"], "down": c.down,
        "next_job_id": s["next_job_id"],
        "zones": list(s["zones"].values()),
        "shares": {z: list(v.values()) for z, v in s["shares"].items()},
        "exports": list(s["exports"].values()),
        "aliases": {z: list(v.values()) for z, v in s["aliases"].items()},
        "quotas": list(s["quotas"].values()),
        "pools": list(c.iter_pools()),
        "groupnets": [{**strip_private(g), "subnets": [{**strip_private(sn), "pools": list(sn["_pools"])}
                                                       for sn in g["_subnets"].values()]}
                      for g in s["groupnets"].values()],
        "ads": [{**p, "spns": list(world.forest["machine_accounts"].get(p["machine_account"], {}).get("spns", []))}
                for p in s["ads"].values()],
        "policies": [eng.policy_view(c, p) for p in s["policies"].values()],
        "target_policies": [strip_private(p) for p in s["target_policies"].values()],
        "jobs": [eng.job_view(j) for j in s["jobs"].values()],
        "reports": s["reports"][-50:],
        "target_reports": s["target_reports"][-50:],
        "snapshot_schedules": list(s["snapshot_schedules"].values()),
        "dedupe": s["dedupe"],
        "smb_settings": s["smb_settings"], "nfs_settings": s["nfs_settings"], "sync_settings": s["sync_settings"],
        "openfiles": s["openfiles"], "smb_sessions": [strip_private(x) for x in s["smb_sessions"]],
        "files": {p: {"type": e["type"]} for p, e in s["files"].items()},
        "generations": dict(s["generations"]),
        "writable": {},
        "forest": {"name": world.forest["name"], "machine_accounts": world.forest["machine_accounts"]},
    }
    for tp in s["target_policies"].values():
        out["writable"][tp["target_path"]] = c.path_writable(tp["target_path"])[0]
    for p in s["policies"].values():
        out["writable"][p["source_root_path"]] = c.path_writable(p["source_root_path"])[0]
    return out


def _acl_access(world, share, sid):
    sids = world.user_sids(sid)
    allow_r = allow_w = deny_r = deny_w = False
    reasons = []
    for ace in share.get("permissions", []):
        tid = str(ace["trustee"].get("id", "")).upper()
        if tid not in sids:
            continue
        perm = ace["permission"]
        if ace["permission_type"] == "deny":
            if perm in ("full", "read"):
                deny_r = True
            deny_w = True
            reasons.append("deny %s for %s" % (perm, ace["trustee"].get("name") or tid))
        else:
            allow_r = True
            if perm in ("full", "change"):
                allow_w = True
    can_r = allow_r and not deny_r
    can_w = allow_w and not deny_w
    if not allow_r:
        reasons.append("no share permission allows %s" % sid)
    elif not allow_w and not deny_w:
        reasons.append("share permissions allow read only")
    return can_r, can_w, reasons


def probe(sim, body):
    world = sim.world
    name = body.get("name")
    if not name:
        raise ApiError(400, "AEC_ARG_REQUIRED", "Field: name required", "name")
    sid = body.get("sid") or "S-1-1-0"
    with world.lock:
        cluster = world.cluster_for_host(name)
        if cluster is None:
            return {"cluster": None, "can_read": False, "can_write": False,
                    "reasons": ["name %s does not resolve to any cluster" % name]}
        reasons = []
        zone = body.get("zone")
        if zone is None:
            for pool in cluster.iter_pools():
                names = [pool.get("sc_dns_zone", "").lower()] + [a.lower() for a in pool.get(
                    "sc_dns_zone_aliases", [])]
                if name.lower() in names:
                    zone = pool.get("access_zone", "System")
                    break
        zone = zone or "System"
        if cluster.down:
            return {"cluster": cluster.name, "zone": zone, "can_read": False, "can_write": False,
                    "reasons": ["cluster %s is down" % cluster.name]}
        can_r = can_w = True
        path = body.get("path")
        if body.get("share"):
            share = cluster.s["shares"].get(zone, {}).get(body["share"].lower())
            if share is None:
                return {"cluster": cluster.name, "zone": zone, "can_read": False, "can_write": False,
                        "reasons": ["share %s not found in zone %s" % (body["share"], zone)]}
            path = share["path"]
            if not cluster.s["smb_settings"].get("service", True):
                can_r = can_w = False
                reasons.append("SMB service is disabled on %s" % cluster.name)
            r, w, why = _acl_access(world, share, sid)
            can_r, can_w = can_r and r, can_w and w
            reasons.extend(why)
        elif path:
            path = norm_path(path)
            if not cluster.s["nfs_settings"].get("service", True):
                can_r = can_w = False
                reasons.append("NFS service is disabled on %s" % cluster.name)
            exports = [e for e in cluster.s["exports"].values() if e["zone"] == zone and any(
                path == p or path.startswith(p.rstrip("/") + "/") for p in e["paths"])]
            if not exports:
                can_r = can_w = False
                reasons.append("no NFS export covers %s in zone %s" % (path, zone))
            elif all(e.get("read_only") for e in exports):
                can_w = False
                reasons.append("every export covering %s is read-only" % path)
        else:
            raise ApiError(400, "AEC_ARG_REQUIRED", "Field: share or path required", "share")
        if path:
            ok, why = cluster.path_writable(path)
            if not ok:
                can_w = False
                reasons.append(why)
        return {"cluster": cluster.name, "zone": zone, "path": path, "can_read": can_r, "can_write": can_w,
                "reasons": reasons}


class ControlHandler(_BaseHandler):
    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method):
        sim = self.server.owner
        path, _, qs = self.path.partition("?")
        query = parse_query(qs)
        raw = self._read_body()
        try:
            body = json.loads(raw) if raw else {}
            status, out = self._route(sim, method, path.rstrip("/"), query, body)
        except ApiError as e:
            status, out = e.status, e.body()
        except (ValueError, KeyError, TypeError) as e:
            status, out = 400, {"errors": [{"code": "AEC_BAD_REQUEST", "message": str(e)}]}
        data = json.dumps(out).encode() if out is not None else b""
        self._send(status, data, JSON)

    def _route(self, sim, method, path, query, body):
        world = sim.world
        if path == "/sim/v1/clusters" and method == "GET":
            return 200, {"clusters": {n: {"url": ep.url, "down": ep.cluster.down}
                                      for n, ep in sim.clusters.items()}}
        if path == "/sim/v1/data/write" and method == "POST":
            return self._data_write(sim, body)
        if path == "/sim/v1/data" and method == "GET":
            c = self._cluster(sim, query.get("cluster"))
            p = norm_path(query.get("path"))
            with world.lock:
                return 200, {"cluster": c.name, "path": p, "generation": c.s["generations"].get(p, 0),
                             "writable": c.path_writable(p)[0]}
        if path == "/sim/v1/probe" and method == "POST":
            return 200, probe(sim, body)
        m = _MACHINE_ACCOUNT.match(path)
        if m:
            return self._machine_account(world, method, m.group(1), body)
        m = _CLUSTER.match(path)
        if not m:
            raise ApiError(404, "AEC_NOT_FOUND", "No control resource %s %s" % (method, path))
        c = self._cluster(sim, m.group(1))
        sub = m.group(2) or ""
        if sub == "/counters" and method == "GET":
            return 200, c.counters.snapshot(c.gate.in_flight)
        if sub == "/counters/reset" and method == "POST":
            c.counters.reset()
            return 200, c.counters.snapshot(c.gate.in_flight)
        if sub == "/faults":
            if method == "GET":
                with c.faults_lock:
                    return 200, {"rules": [r.to_dict() for r in c.faults]}
            if method == "PUT":
                rules = [FaultRule(r) for r in body.get("rules", [])]
                with c.faults_lock:
                    c.faults = rules
                    return 200, {"rules": [r.to_dict() for r in c.faults]}
            if method == "DELETE":
                with c.faults_lock:
                    c.faults = []
                return 200, {"rules": []}
        if sub == "/down":
            if method == "PUT":
                c.endpoint.set_down(bool(body.get("down")))
            return 200, {"down": c.down}
        if sub == "/settings":
            if method == "PUT":
                for key in body:
                    if key not in ("share_write_service_ms", "share_write_capacity", "job_seconds",
                                   "session_timeout_inactive"):
                        raise ApiError(400, "AEC_BAD_REQUEST", "Unknown setting %s" % key, key)
                if "share_write_service_ms" in body:
                    c.service_ms = float(body["share_write_service_ms"])
                if "share_write_capacity" in body:
                    c.capacity = int(body["share_write_capacity"])
                if "job_seconds" in body:
                    c.job_seconds = float(body["job_seconds"])
                    c.job_durations = {}  # an explicit duration replaces the history's
                    with world.lock:
                        world.engine.retime(c)  # the jobs in flight end job_seconds from now
                if "session_timeout_inactive" in body:
                    c.session_timeout_inactive = float(body["session_timeout_inactive"])
            return 200, {"share_write_service_ms": c.service_ms, "share_write_capacity": c.capacity,
                         "job_seconds": c.job_seconds, "session_timeout_inactive": c.session_timeout_inactive}
        if sub == "/sessions/expire" and method == "POST":
            return 200, {"expired": c.expire_sessions()}
        if sub == "/state" and method == "GET":
            with world.lock:
                return 200, json.loads(json.dumps(_dump_cluster(world, c)))
        raise ApiError(404, "AEC_NOT_FOUND", "No control resource %s %s" % (method, path))

    @staticmethod
    def _machine_account(world, method, name, body):
        """An out-of-band AD change (as `setspn` would make): no uniqueness check, so tests can
        create the duplicate SPNs that `?check_duplicates=true` reports."""
        from urllib.parse import unquote
        name = unquote(name)
        accounts = world.forest["machine_accounts"]
        if method == "PUT":
            spns = body.get("spns")
            if not isinstance(spns, list) or not all(isinstance(x, str) for x in spns):
                raise ApiError(400, "AEC_BAD_REQUEST", "Field: spns must be an array of strings", "spns")
            with world.lock:
                accounts[name] = {"spns": list(spns)}
                world.mark_dirty()
        elif method != "GET":
            raise ApiError(405, "AEC_BAD_REQUEST", "Method %s not allowed" % method)
        acct = accounts.get(name)
        if acct is None:
            raise ApiError(404, "AEC_NOT_FOUND", "Machine account %s not found" % name)
        return 200, {"name": name, "spns": list(acct["spns"])}

    @staticmethod
    def _cluster(sim, name):
        ep = sim.clusters.get(name)
        if ep is None:
            raise ApiError(404, "AEC_NOT_FOUND", "Cluster %s not found" % name)
        return ep.cluster

    def _data_write(self, sim, body):
        c = self._cluster(sim, body.get("cluster"))
        p = norm_path(body.get("path"))
        if not p:
            raise ApiError(400, "AEC_ARG_REQUIRED", "Field: path required", "path")
        with sim.world.lock:
            ok, why = c.path_writable(p)
            if not ok:
                raise ApiError(409, "AEC_CONFLICT", why)
            if c.down:
                raise ApiError(409, "AEC_CONFLICT", "cluster %s is down" % c.name)
            gens = c.s["generations"]
            gens[p] = gens.get(p, 0) + 1
            sim.world.mark_dirty()
            return 200, {"cluster": c.name, "path": p, "generation": gens[p]}

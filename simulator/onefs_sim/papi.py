"""Platform API resource handlers."""
import copy
import json
import re
import time
from urllib.parse import unquote

from . import models
from .errors import ApiError, arg_required, bad_request, conflict, not_found
from .scenario import _mkdirs, apply_thresholds, new_policy, new_quota, new_schedule, normalize_ace, resolve_persona
from .util import decode_token, digest, encode_token, norm_path, path_under, strip_private

_ANY = object()


class Req:
    __slots__ = ("cluster", "world", "method", "version", "path", "query", "body", "user", "params")

    def __init__(self, cluster, method, version, path, query, body, user, params):
        self.cluster = cluster
        self.world = cluster.world
        self.method = method
        self.version = version
        self.path = path
        self.query = query
        self.body = body
        self.user = user
        self.params = params

    def q(self, name, default=None):
        return self.query.get(name, default)

    def qbool(self, name, default=False):
        v = self.query.get(name)
        if v is None:
            return default
        return v.lower() in ("true", "1", "yes", "")

    def zone_name(self):
        z = self.query.get("zone") or (self.body or {}).get("zone")
        if z:
            return z
        token = self.query.get("resume")
        if token:
            try:
                return decode_token(token).get("z") or "System"
            except Exception:
                return "System"
        return "System"


# ---- validation helpers ---------------------------------------------------------------------------
def check_fields(body, allowed):
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise bad_request("Request body must be a JSON object")
    for key in body:
        if key not in allowed:
            raise ApiError(400, "AEC_BAD_REQUEST", "Field: %s is not a valid field for this resource" % key,
                           key)
    return body


def require(body, *names):
    for n in names:
        if body.get(n) in (None, ""):
            raise arg_required(n)


def check_types(body, defaults, enums=None, ranges=None):
    out = {}
    for key, value in body.items():
        if key not in defaults:
            out[key] = value
            continue
        if value == "@DEFAULT":
            out[key] = copy.deepcopy(defaults[key])
            continue
        d = defaults[key]
        if isinstance(d, bool):
            if not isinstance(value, bool):
                raise bad_request("Field: %s must be a boolean" % key, key)
        elif isinstance(d, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad_request("Field: %s must be an integer" % key, key)
        elif isinstance(d, list):
            if not isinstance(value, list):
                raise bad_request("Field: %s must be an array" % key, key)
        elif isinstance(d, str):
            if not isinstance(value, str):
                raise bad_request("Field: %s must be a string" % key, key)
        if enums and key in enums and value not in enums[key]:
            raise bad_request("Field: %s must be one of %s" % (key, ", ".join(enums[key])), key)
        if ranges and key in ranges:
            lo, hi = ranges[key]
            if not lo <= value <= hi:
                raise bad_request("Field: %s must be between %d and %d" % (key, lo, hi), key)
        out[key] = copy.deepcopy(value)
    return out


def check_ifs_path(path, field="path"):
    if not isinstance(path, str) or not (path == "/ifs" or path.startswith("/ifs/")):
        raise bad_request("Field: %s must be an absolute path under /ifs" % field, field)
    return norm_path(path)


def _sort_key(value):
    """A total order over JSON values (None first, then numbers, then text) for ?sort=."""
    if value is None:
        return (0, 0, "")
    if isinstance(value, bool | int | float):
        return (1, value, "")
    return (2, 0, json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else str(value).lower())


def _sort(items, sort, direction):
    """OneFS collection options (every collection GET whose handler declares them, per the
    isilon-sdk list methods): ``sort`` = the field to order by, ``dir`` = ASC or DESC."""
    if direction is not None and direction not in ("ASC", "DESC"):
        raise bad_request("Field: dir must be ASC or DESC", "dir")
    if sort:
        if items and not any(sort in item for item in items):
            raise bad_request("Field: sort: '%s' is not a field of these objects" % sort, "sort")
        items = sorted(items, key=lambda item: _sort_key(item.get(sort)))
    if direction == "DESC":
        items = list(reversed(items))
    return items


def page(req, items, key, extra=None, limit_max=5000, with_total=True, digest_value=None):
    """Apply sort/dir, then limit/resume paging, to an already ordered list of dicts.

    The resume token carries the offset, limit, zone, sort and dir of the first call (OneFS:
    "resume cannot be used with other options")."""
    offset = 0
    limit = req.q("limit")
    token = req.q("resume")
    sort, direction = req.q("sort"), req.q("dir")
    if token:
        try:
            t = decode_token(token)
            offset, limit = t["o"], t.get("l")
            sort, direction = t.get("s"), t.get("d")
        except Exception:
            raise bad_request("Invalid resume token", "resume")
    items = _sort(items, sort, direction)
    if limit is not None:
        try:
            limit = int(limit)
        except ValueError:
            raise bad_request("Field: limit must be an integer", "limit")
        if limit < 1 or limit > limit_max:
            raise bad_request("Field: limit must be between 1 and %d" % limit_max, "limit")
    total = len(items)
    if limit is None:
        chunk, resume = items[offset:], None
    else:
        chunk = items[offset:offset + limit]
        resume = None
        if offset + limit < total:
            resume = encode_token({"o": offset + limit, "l": limit, "z": req.zone_name(), "s": sort,
                                   "d": direction})
    out = {key: chunk, "resume": resume}
    if with_total:
        out["total"] = total
    if digest_value is not None:
        out["digest"] = digest_value
    if extra:
        out.update(extra)
    return out


# ---- cluster ----------------------------------------------------------------------------------
def release_parts(release):
    full = release + ".0.0"
    return {"build": "B_%s_0_000(RELEASE)" % release.replace(".", "_"), "copyright": "Copyright (c) Dell Inc.",
            "reldate": 1700000000, "release": full, "revision": "0", "type": "Isilon OneFS", "version": full}


def cluster_config(req):
    s = req.cluster.s
    n = s["nodes"]
    out = {"description": s["description"],
            "devices": [{"devid": i, "guid": "%s%04d" % (s["guid"][:28], i), "is_up": True, "lnn": i}
                        for i in range(1, n + 1)],
            "encoding": "utf-8", "guid": s["guid"], "has_quorum": True, "is_compliance": False,
            "is_virtual": True, "is_vonefs": True, "join_mode": "Manual", "local_devid": 1, "local_lnn": 1,
            "local_serial": "SIM-%s-1" % s["name"].upper(), "name": s["name"],
            "onefs_version": release_parts(s["release"]), "timezone": s["timezone"], "upgrade_type": None}
    return models.versioned("cluster_config", out, req.version)


def cluster_identity_get(req):
    s = req.cluster.s
    out = dict(s["identity"])
    out["name"] = s["name"]
    return out


def cluster_identity_put(req):
    body = check_fields(req.body, {"description", "logon", "name", "mttdl_level_msg"})
    s = req.cluster.s
    ident = dict(s["identity"])
    for k in ("description", "mttdl_level_msg"):
        if k in body:
            ident[k] = body[k]
    if "logon" in body:
        ident["logon"] = {**ident["logon"], **body["logon"]}
    s["identity"] = ident
    return 204, None


# ---- zones ----------------------------------------------------------------------------------
def zone_view(zone):
    """A zone as GET shows it: create-only flags (force_overlap) are not part of the object."""
    return {k: v for k, v in zone.items() if k not in models.ZONE_WRITE_ONLY}


def _zone_item(req):
    """The zone of an item URL: its name, or its numeric zone_id (the SDK types it as an int)."""
    key = req.params[0]
    zones = req.cluster.s["zones"]
    if key not in zones and key.isdigit():
        zone = req.cluster.zone_of_id(int(key))
        if zone is not None:
            return zone
    return req.cluster.zone(key)


def zones_list(req):
    zones = sorted(req.cluster.s["zones"].values(), key=lambda z: z["zone_id"])
    return {"zones": [zone_view(z) for z in zones]}


def zone_get(req):
    return {"zones": [zone_view(_zone_item(req))]}


def zone_create(req):
    body = check_fields(req.body, models.ZONE_CREATE_FIELDS)
    require(body, "name", "path")
    s = req.cluster.s
    if body["name"] in s["zones"]:
        raise conflict("Zone '%s' already exists" % body["name"])
    path = check_ifs_path(body["path"])
    vals = check_types({k: v for k, v in body.items() if k not in ("name", "path")}, models.ZONE_DEFAULTS)
    zid = max(z["zone_id"] for z in s["zones"].values()) + 1
    zone = models.with_defaults(models.ZONE_DEFAULTS, vals)
    zone.update({"id": body["name"], "name": body["name"], "path": path, "zone_id": zid, "system": False})
    s["zones"][zone["name"]] = zone
    s["shares"][zone["name"]] = {}
    s["aliases"][zone["name"]] = {}
    if body.get("create_path"):
        _mkdirs(s, path)
    return 201, {"id": zone["name"]}


def zone_put(req):
    body = check_fields(req.body, models.ZONE_PUT_FIELDS)
    c = req.cluster
    zone = _zone_item(req)
    vals = check_types({k: v for k, v in body.items() if k not in ("name", "path")}, models.ZONE_DEFAULTS)
    new = dict(zone)
    new.update(vals)
    if "path" in body:
        new["path"] = check_ifs_path(body["path"])
    if body.get("name") and body["name"] != zone["name"]:
        if zone["system"]:
            raise bad_request("The System zone cannot be renamed", "name")
        if body["name"] in c.s["zones"]:
            raise conflict("Zone '%s' already exists" % body["name"])
        old = zone["name"]
        new["name"] = new["id"] = body["name"]
        del c.s["zones"][old]
        c.s["shares"][new["name"]] = c.s["shares"].pop(old, {})
        c.s["aliases"][new["name"]] = c.s["aliases"].pop(old, {})
        c.shares_changed(new["name"])
    c.s["zones"][new["name"]] = new
    return 204, None


def zone_delete(req):
    c = req.cluster
    zone = _zone_item(req)
    if zone["system"]:
        raise bad_request("The System zone cannot be deleted")
    del c.s["zones"][zone["name"]]
    c.s["shares"].pop(zone["name"], None)
    c.s["aliases"].pop(zone["name"], None)
    c.shares_changed(zone["name"])
    return 204, None


# ---- SMB shares ------------------------------------------------------------------------------
def _share_values(req, body, defaults_for_new):
    vals = check_types({k: v for k, v in body.items() if k not in ("name", "path", "zone", "create_path",
                                                                     "permissions", "run_as_root")},
                       models.SHARE_DEFAULTS, models.SHARE_ENUMS, models.SHARE_INT_RANGES)
    if "permissions" in body:
        perms = body["permissions"]
        if perms == "@DEFAULT":
            vals["permissions"] = copy.deepcopy(models.SHARE_DEFAULTS["permissions"])
        elif not isinstance(perms, list):
            raise bad_request("Field: permissions must be an array", "permissions")
        else:
            vals["permissions"] = [normalize_ace(req.world, ace) for ace in perms]
    if "run_as_root" in body:
        rar = body["run_as_root"]
        if rar == "@DEFAULT":
            vals["run_as_root"] = []
        elif not isinstance(rar, list):
            raise bad_request("Field: run_as_root must be an array", "run_as_root")
        else:
            vals["run_as_root"] = [req.world.resolve_trustee(t) for t in rar]
    return vals


def _check_share_name(name):
    if not isinstance(name, str) or not name:
        raise arg_required("name")
    if len(name) > 80:
        raise ApiError(400, "AEC_NAMETOOLONG", "Share name is too long", "name")
    if re.search(r'["/\\\[\]:|<>+=;,*?]', name) or name.endswith("$$"):
        raise ApiError(400, "AEC_NAMEILLEGAL", "Share name '%s' contains illegal characters" % name, "name")


def path_exists(cluster, path):
    """Whether a directory exists in the cluster's namespace (the simulator's /ifs tree)."""
    return path == "/ifs" or cluster.s["files"].get(path, {}).get("type") == "container"


def _share_path_in_zone(zone, path):
    if not path_under(path, zone["path"]):
        raise bad_request("Path '%s' is not within the base path '%s' of zone '%s'" % (
            path, zone["path"], zone["name"]), "path")


def shares_list(req):
    c = req.cluster
    zone = c.zone(req.zone_name())
    names = c.share_names_sorted(zone["name"])
    shares = c.s["shares"][zone["name"]]
    items = [shares[n] for n in names]
    dg = digest(zone["zone_id"], c.s["share_versions"].get(zone["name"], 0))
    return page(req, items, "shares", digest_value=dg)


def share_get(req):
    c = req.cluster
    zone = c.zone(req.zone_name())
    share = c.s["shares"][zone["name"]].get(req.params[0].lower())
    if share is None:
        raise not_found("SMB share '%s' not found" % req.params[0])
    return {"shares": [share]}


def share_create(req):
    c = req.cluster
    body = check_fields(req.body, models.SHARE_CREATE_FIELDS)
    zname = req.zone_name()

    def apply():
        zone = c.zone(zname)
        require(body, "name")
        _check_share_name(body["name"])
        require(body, "path")
        path = check_ifs_path(body["path"])
        _share_path_in_zone(zone, path)
        vals = _share_values(req, body, True)
        shares = c.s["shares"][zone["name"]]
        if body["name"].lower() in shares:
            raise conflict("Share '%s' already exists" % body["name"], "name")
        # OneFS refuses a share on a directory that does not exist unless create_path asks for it
        # (OneFS API reference, SMB share create: "create_path: Create path if does not exist").
        if not body.get("create_path") and not path_exists(c, path):
            raise not_found("Path '%s' does not exist: set create_path to create it" % path)
        share = models.with_defaults(models.SHARE_DEFAULTS, {})
        # New shares start from the zone's share settings (GET/PUT protocols/smb/settings/share).
        share.update(cluster_info.zone_defaults(c, "smb_share", zone["name"]))
        share.update(vals)
        share.update({"id": body["name"], "name": body["name"], "path": path, "zid": zone["zone_id"]})
        shares[body["name"].lower()] = share
        c.shares_changed(zone["name"])
        if body.get("create_path"):
            _mkdirs(c.s, path)
        return 201, {"id": body["name"]}

    return c.gate.run(apply)


def share_put(req):
    c = req.cluster
    body = check_fields(req.body, models.SHARE_PUT_FIELDS)
    zname = req.zone_name()

    def apply():
        zone = c.zone(zname)
        shares = c.s["shares"][zone["name"]]
        key = req.params[0].lower()
        share = shares.get(key)
        if share is None:
            raise not_found("SMB share '%s' not found" % req.params[0])
        vals = _share_values(req, body, False)
        new = dict(share)
        new.update(vals)
        if "path" in body:
            path = check_ifs_path(body["path"])
            _share_path_in_zone(zone, path)
            new["path"] = path
        newname = body.get("name")
        if newname and newname != share["name"]:
            _check_share_name(newname)
            if newname.lower() != key and newname.lower() in shares:
                raise conflict("Share '%s' already exists" % newname, "name")
            del shares[key]
            new["name"] = new["id"] = newname
            key = newname.lower()
        shares[key] = new
        c.shares_changed(zone["name"])
        return 204, None

    return c.gate.run(apply)


def share_delete(req):
    c = req.cluster
    zname = req.zone_name()

    def apply():
        zone = c.zone(zname)
        shares = c.s["shares"][zone["name"]]
        if shares.pop(req.params[0].lower(), None) is None:
            raise not_found("SMB share '%s' not found" % req.params[0])
        c.shares_changed(zone["name"])
        return 204, None

    return c.gate.run(apply)


def shares_delete_all(req):
    c = req.cluster
    zname = req.zone_name()

    def apply():
        zone = c.zone(zname)
        c.s["shares"][zone["name"]] = {}
        c.shares_changed(zone["name"])
        return 204, None

    return c.gate.run(apply)


# ---- SMB open files / sessions / settings ---------------------------------------------------------
def openfiles_list(req):
    return page(req, list(req.cluster.s["openfiles"]), "openfiles")


def openfile_delete(req):
    s = req.cluster.s
    try:
        fid = int(req.params[0])
    except ValueError:
        raise not_found("Open file %s not found" % req.params[0])
    before = len(s["openfiles"])
    s["openfiles"] = [f for f in s["openfiles"] if f["id"] != fid]
    if len(s["openfiles"]) == before:
        raise not_found("Open file %s not found" % fid)
    return 204, None


def smb_sessions_list(req):
    """Sessions grouped per node, as OneFS answers: {"nodes": [{"id", "lnn", "sessions", ...}]}."""
    by_lnn = {}
    for sess in req.cluster.s["smb_sessions"]:
        by_lnn.setdefault(sess.get("_lnn", 1), []).append(strip_private(sess))
    nodes = [{"id": lnn, "lnn": lnn, "sessions": items, "resume": None, "total": len(items)}
             for lnn, items in sorted(by_lnn.items())]
    return {"nodes": nodes, "resume": None, "total": sum(len(n["sessions"]) for n in nodes)}


def smb_session_delete(req):
    s = req.cluster.s
    computer = req.params[0]
    user = req.params[1] if len(req.params) > 1 else None
    keep = [x for x in s["smb_sessions"]
            if not ((x["computer"] == computer or (user is None and str(x["id"]) == computer))
                    and (user is None or x["user"] == user))]
    if len(keep) == len(s["smb_sessions"]):
        raise not_found("SMB session %s not found" % computer)
    s["smb_sessions"] = keep
    return 204, None


def settings_handlers(key, defaults, enums=None, kind=None):
    names = set(defaults)
    if kind:
        names |= set(models.VERSIONED_FIELDS[kind])

    def get(req):
        if kind:
            return {"settings": models.versioned(kind, req.cluster.s[key], req.version)}
        return {"settings": req.cluster.s[key]}

    def put(req):
        body = check_fields(req.body, names)
        if kind:
            body = models.versioned_input(kind, body)
        vals = check_types(body, defaults, enums)
        new = dict(req.cluster.s[key])
        new.update(vals)
        req.cluster.s[key] = new
        return 204, None

    return get, put


# ---- NFS --------------------------------------------------------------------------------------
def _export(req, eid):
    try:
        e = req.cluster.s["exports"].get(str(int(eid)))
    except ValueError:
        e = None
    if e is None or e["zone"] != req.cluster.zone(req.zone_name())["name"]:
        raise not_found("Export %s not found" % eid)
    return e


def exports_list(req):
    c = req.cluster
    zname = c.zone(req.zone_name())["name"]
    items = [e for e in c.s["exports"].values() if e["zone"] == zname]
    items.sort(key=lambda e: e["id"])
    path = req.q("path")
    if path:
        items = [e for e in items if norm_path(path) in e["paths"]]
    return page(req, items, "exports", digest_value=digest(zname, len(items), c.s["next_export_id"]))


def export_get(req):
    return {"exports": [_export(req, req.params[0])]}


def _export_values(req, body, zone):
    vals = check_types({k: v for k, v in body.items() if k not in ("paths", "zone")}, models.EXPORT_DEFAULTS)
    if "paths" in body:
        if not isinstance(body["paths"], list) or not body["paths"]:
            raise arg_required("paths")
        paths = []
        for p in body["paths"]:
            p = check_ifs_path(p, "paths")
            if not path_under(p, zone["path"]):
                raise bad_request("Path '%s' is not within the base path of zone '%s'" % (p, zone["name"]),
                                  "paths")
            paths.append(p)
        vals["paths"] = paths
    return vals


def export_create(req):
    c = req.cluster
    body = check_fields(req.body, models.EXPORT_CREATE_FIELDS)
    zone = c.zone(req.zone_name())
    require(body, "paths")
    vals = _export_values(req, body, zone)
    if not (req.qbool("force") or req.qbool("ignore_conflicts")):
        for e in c.s["exports"].values():
            if e["zone"] == zone["name"] and set(e["paths"]) & set(vals["paths"]) and \
                    sorted(e["clients"]) == sorted(vals.get("clients", [])):
                raise conflict("Export conflicts with export %d (same path and clients)" % e["id"], "paths")
    # A path that does not exist is refused unless ignore_bad_paths is set (isilon-sdk create_nfs_export
    # query argument ``ignore_bad_paths``: "Ignore nonexistent or otherwise bad paths").
    if not req.qbool("ignore_bad_paths"):
        for p in vals["paths"]:
            if not path_exists(c, p):
                raise bad_request("Export path '%s' does not exist" % p, "paths")
    eid = c.s["next_export_id"]
    c.s["next_export_id"] += 1
    e = models.with_defaults(models.EXPORT_DEFAULTS, {})
    # New exports start from the zone's export settings (GET/PUT protocols/nfs/settings/export).
    e.update(cluster_info.zone_defaults(c, "nfs_export", zone["name"]))
    e.update(vals)
    e.update({"id": eid, "zone": zone["name"]})
    c.s["exports"][str(eid)] = e
    return 201, {"id": eid}


def export_put(req):
    body = check_fields(req.body, models.EXPORT_PUT_FIELDS)
    e = _export(req, req.params[0])
    zone = req.cluster.zone(e["zone"])
    new = dict(e)
    new.update(_export_values(req, body, zone))
    req.cluster.s["exports"][str(e["id"])] = new
    return 204, None


def export_delete(req):
    e = _export(req, req.params[0])
    del req.cluster.s["exports"][str(e["id"])]
    return 204, None


def aliases_list(req):
    c = req.cluster
    zname = c.zone(req.zone_name())["name"]
    items = sorted(c.s["aliases"][zname].values(), key=lambda a: a["name"])
    return page(req, items, "aliases")


def _alias(req):
    c = req.cluster
    zname = c.zone(req.zone_name())["name"]
    a = c.s["aliases"][zname].get(req.params[0])
    if a is None:
        raise not_found("Alias '%s' not found" % req.params[0])
    return zname, a


def alias_get(req):
    return {"aliases": [_alias(req)[1]]}


def alias_create(req):
    c = req.cluster
    body = check_fields(req.body, models.ALIAS_CREATE_FIELDS)
    require(body, "name", "path")
    zone = c.zone(req.zone_name())
    name = body["name"]
    if not name.startswith("/"):
        raise ApiError(400, "AEC_NAMEILLEGAL", "Alias name must begin with '/'", "name")
    path = check_ifs_path(body["path"])
    if name in c.s["aliases"][zone["name"]]:
        raise conflict("Alias '%s' already exists" % name, "name")
    c.s["aliases"][zone["name"]][name] = {"id": name, "name": name, "path": path, "zone": zone["name"],
                                          "health": "healthy"}
    return 201, {"id": name}


def alias_put(req):
    body = check_fields(req.body, models.ALIAS_PUT_FIELDS)
    zname, a = _alias(req)
    new = dict(a)
    if "path" in body:
        new["path"] = check_ifs_path(body["path"])
    aliases = req.cluster.s["aliases"][zname]
    if body.get("name") and body["name"] != a["name"]:
        if body["name"] in aliases:
            raise conflict("Alias '%s' already exists" % body["name"], "name")
        del aliases[a["name"]]
        new["name"] = new["id"] = body["name"]
    aliases[new["name"]] = new
    return 204, None


def alias_delete(req):
    zname, a = _alias(req)
    del req.cluster.s["aliases"][zname][a["name"]]
    return 204, None


# ---- network ----------------------------------------------------------------------------------
def _groupnet(req, name):
    g = req.cluster.s["groupnets"].get(name)
    if g is None:
        raise not_found("Groupnet '%s' not found" % name)
    return g


def _subnet(req, gname, sname):
    sn = _groupnet(req, gname)["_subnets"].get(sname)
    if sn is None:
        raise not_found("Subnet '%s.%s' not found" % (gname, sname))
    return sn


def _gview(g):
    out = strip_private(g)
    out["subnets"] = list(g["_subnets"])
    return out


def _sview(req, sn):
    out = models.versioned("subnet", strip_private(sn), req.version)
    out["pools"] = list(sn["_pools"])
    return out


def _pview(req, pool):
    """A pool as handler version req.version shows it."""
    return models.versioned("pool", pool, req.version)


def groupnets_list(req):
    items = [_gview(g) for g in req.cluster.s["groupnets"].values()]
    return page(req, items, "groupnets")


def groupnet_get(req):
    return {"groupnets": [_gview(_groupnet(req, req.params[0]))]}


def groupnet_create(req):
    body = check_fields(req.body, models.GROUPNET_CREATE_FIELDS)
    require(body, "name")
    gs = req.cluster.s["groupnets"]
    if body["name"] in gs:
        raise conflict("Groupnet '%s' already exists" % body["name"])
    vals = check_types({k: v for k, v in body.items() if k != "name"}, models.GROUPNET_DEFAULTS)
    g = models.with_defaults(models.GROUPNET_DEFAULTS, vals)
    g.update({"id": body["name"], "name": body["name"], "_subnets": {}})
    gs[body["name"]] = g
    return 201, {"id": body["name"]}


def groupnet_put(req):
    body = check_fields(req.body, models.GROUPNET_PUT_FIELDS)
    g = _groupnet(req, req.params[0])
    vals = check_types({k: v for k, v in body.items() if k != "name"}, models.GROUPNET_DEFAULTS)
    g.update(vals)
    return 204, None


def groupnet_delete(req):
    g = _groupnet(req, req.params[0])
    if g["_subnets"]:
        raise conflict("Groupnet '%s' still has subnets" % g["name"])
    del req.cluster.s["groupnets"][g["name"]]
    return 204, None


def subnets_list(req):
    g = _groupnet(req, req.params[0])
    return page(req, [_sview(req, s) for s in g["_subnets"].values()], "subnets")


def subnet_get(req):
    return {"subnets": [_sview(req, _subnet(req, req.params[0], req.params[1]))]}


def subnet_create(req):
    body = check_fields(req.body, models.SUBNET_CREATE_FIELDS)
    require(body, "name")
    g = _groupnet(req, req.params[0])
    if body["name"] in g["_subnets"]:
        raise conflict("Subnet '%s' already exists" % body["name"])
    vals = check_types({k: v for k, v in body.items() if k != "name"}, models.SUBNET_DEFAULTS)
    sn = models.with_defaults(models.SUBNET_DEFAULTS, vals)
    sn.update({"id": "%s.%s" % (g["name"], body["name"]), "name": body["name"], "groupnet": g["name"],
               "_pools": {}})
    g["_subnets"][body["name"]] = sn
    return 201, {"id": sn["id"]}


def subnet_put(req):
    body = check_fields(req.body, models.SUBNET_PUT_FIELDS)
    sn = _subnet(req, req.params[0], req.params[1])
    sn.update(check_types({k: v for k, v in body.items() if k != "name"}, models.SUBNET_DEFAULTS))
    return 204, None


def subnet_delete(req):
    sn = _subnet(req, req.params[0], req.params[1])
    del _groupnet(req, req.params[0])["_subnets"][sn["name"]]
    return 204, None


def _pool(req):
    sn = _subnet(req, req.params[0], req.params[1])
    p = sn["_pools"].get(req.params[2])
    if p is None:
        raise not_found("Pool '%s.%s.%s' not found" % tuple(req.params[:3]))
    return sn, p


def _pool_values(req, body, own=None):
    body = models.versioned_input("pool", body)
    vals = check_types({k: v for k, v in body.items() if k != "name"}, models.POOL_DEFAULTS,
                       {"alloc_method": ("dynamic", "static"), "aggregation_mode": (
                           "roundrobin", "failover", "lacp", "fec"), "rebalance_policy": ("auto", "manual"),
                        "linklayer": ("ethernet", "infiniband")})
    if "access_zone" in vals and vals["access_zone"] not in req.cluster.s["zones"]:
        raise bad_request("Access zone '%s' does not exist" % vals["access_zone"], "access_zone")
    for r in vals.get("ranges", []):
        if not isinstance(r, dict) or "low" not in r or "high" not in r:
            raise bad_request("Field: ranges items need low and high", "ranges")
    if "sc_dns_zone_aliases" in vals:
        seen = []
        for a in vals["sc_dns_zone_aliases"]:
            if a.lower() in seen:
                raise bad_request("Duplicate SmartConnect alias '%s'" % a, "sc_dns_zone_aliases")
            seen.append(a.lower())
    _check_sc_unique(req, vals, own)
    return vals


def _check_sc_unique(req, vals, own=None):
    """A SmartConnect zone name or alias answers for one pool of the cluster only (409 otherwise)."""
    names = []
    if vals.get("sc_dns_zone"):
        names.append(("sc_dns_zone", vals["sc_dns_zone"]))
    names += [("sc_dns_zone_aliases", a) for a in vals.get("sc_dns_zone_aliases", [])]
    for p in req.cluster.iter_pools():
        if p is own or (own is not None and p.get("id") == own.get("id")):
            continue
        theirs = ([p["sc_dns_zone"].lower()] if p.get("sc_dns_zone") else []) + [
            a.lower() for a in p.get("sc_dns_zone_aliases", [])]
        for field, n in names:
            if n.lower() in theirs:
                raise conflict("SmartConnect name '%s' is already used by pool %s" % (n, p["id"]), field)


def pools_list(req):
    sn = _subnet(req, req.params[0], req.params[1])
    return page(req, [_pview(req, p) for p in sn["_pools"].values()], "pools")


def pool_get(req):
    return {"pools": [_pview(req, _pool(req)[1])]}


def pool_create(req):
    body = check_fields(req.body, models.POOL_CREATE_FIELDS)
    require(body, "name")
    sn = _subnet(req, req.params[0], req.params[1])
    if body["name"] in sn["_pools"]:
        raise conflict("Pool '%s' already exists" % body["name"])
    vals = _pool_values(req, body)
    p = models.with_defaults(models.POOL_DEFAULTS, vals)
    p.update({"id": "%s.%s.%s" % (req.params[0], req.params[1], body["name"]), "name": body["name"],
              "groupnet": req.params[0], "subnet": req.params[1]})
    if not p["sc_subnet"]:
        p["sc_subnet"] = req.params[1]
    sn["_pools"][body["name"]] = p
    return 201, {"id": p["id"]}


def pool_put(req):
    body = check_fields(req.body, models.POOL_PUT_FIELDS)
    sn, p = _pool(req)
    vals = _pool_values(req, body, own=p)
    new = dict(p)
    new.update(vals)
    if body.get("name") and body["name"] != p["name"]:
        if body["name"] in sn["_pools"]:
            raise conflict("Pool '%s' already exists" % body["name"])
        del sn["_pools"][p["name"]]
        new["name"] = body["name"]
        new["id"] = "%s.%s.%s" % (p["groupnet"], p["subnet"], body["name"])
    sn["_pools"][new["name"]] = new
    return 204, None


def pool_delete(req):
    sn, p = _pool(req)
    del sn["_pools"][p["name"]]
    return 204, None


def network_subnets(req):
    """Every subnet of the cluster (isilon_sdk NetworkApi.get_network_subnets, GET network/subnets:
    GroupnetSubnetsExtended; filter ``groupnet``)."""
    items = []
    for g in req.cluster.s["groupnets"].values():
        items.extend(g["_subnets"].values())
    v = req.q("groupnet")
    if v:
        items = [sn for sn in items if sn.get("groupnet") == v]
    return page(req, [_sview(req, sn) for sn in items], "subnets")


def network_pools(req):
    items = list(req.cluster.iter_pools())
    for key in ("access_zone", "groupnet", "subnet"):
        v = req.q(key)
        if v:
            items = [p for p in items if p.get(key) == v]
    return page(req, [_pview(req, p) for p in items], "pools")


# ---- ADS ---------------------------------------------------------------------------------------
def _ads(req):
    name = req.params[0]
    for p in req.cluster.s["ads"].values():
        if p["name"].lower() == name.lower():
            return p
    raise not_found("Active Directory provider '%s' not found" % name)


def recommended_spns(cluster, prov):
    host = prov["hostname"]
    out = ["HOST/%s" % host.split(".")[0], "HOST/%s" % host]
    for pool in cluster.iter_pools():
        for n in ([pool["sc_dns_zone"]] if pool.get("sc_dns_zone") else []) + list(
                pool.get("sc_dns_zone_aliases", [])):
            for spn in ("HOST/%s" % n, "HOST/%s" % n.split(".")[0]):
                if spn.lower() not in (x.lower() for x in out):
                    out.append(spn)
    return out


def _ads_view(req, prov, item):
    out = {k: v for k, v in prov.items() if not k.startswith("_")}
    forest = req.world.forest
    out.update({"forest": forest["name"].lower(), "primary_domain": forest["name"].lower(),
                "netbios_domain": forest.get("netbios", "AD"), "status": "online", "system": False,
                "site": "Default-First-Site-Name", "zone_name": prov.get("zone_name", "System"),
                "controller_time": int(time.time())})
    if item:
        acct = forest["machine_accounts"].get(prov["machine_account"], {"spns": []})
        out["spns"] = list(acct["spns"])
        out["recommended_spns"] = recommended_spns(req.cluster, prov)
        out.setdefault("extra_expected_spns", [])
        if req.qbool("check_duplicates"):
            dups = []
            for spn in acct["spns"]:
                for other, oacct in forest["machine_accounts"].items():
                    if other != prov["machine_account"] and spn.lower() in (x.lower() for x in oacct["spns"]):
                        dups.append(spn)
            out["dup_spns"] = dups
    return out


def _ads_refuse_duplicates(forest, mine, spns):
    """AD's SPN uniqueness check on the SPNs a PUT adds to the account ``mine``.

    Domain controllers from Windows Server 2012 R2 refuse an update that would put an SPN on a
    second account of the forest: error 8467, ERROR_DS_SPN_VALUE_NOT_UNIQUE_IN_FOREST, "The
    operation failed because SPN value provided for addition/modification is not unique
    forest-wide" (Microsoft, "SPN and UPN uniqueness"). Only values being added are checked: an
    SPN the account already holds (a duplicate from before) does not block a write that keeps
    it, so one stale duplicate does not block every later change of the account's list. The
    error names no account (AD's does not). OneFS's HTTP answer to it is not documented: modelled
    as 409 AEC_CONFLICT (EEXIST maps there; simulator/README.md lists this as an inference).
    """
    have = set(x.lower() for x in forest["machine_accounts"].get(mine, {"spns": []})["spns"])
    for spn in spns:
        if spn.lower() in have:
            continue
        for other, acct in forest["machine_accounts"].items():
            if other != mine and spn.lower() in (x.lower() for x in acct["spns"]):
                raise conflict("Failed to add SPN %s to machine account %s: The operation failed because SPN "
                               "value provided for addition/modification is not unique forest-wide (8467)"
                               % (spn, mine), "spns")


def ads_list(req):
    return {"ads": [_ads_view(req, p, False) for p in req.cluster.s["ads"].values()]}


def ads_get(req):
    return {"ads": [_ads_view(req, _ads(req), True)]}


def ads_put(req):
    body = check_fields(req.body, models.ADS_PUT_FIELDS)
    prov = _ads(req)
    forest = req.world.forest
    vals = check_types({k: v for k, v in body.items() if k in models.ADS_DEFAULTS}, models.ADS_DEFAULTS)
    if "spns" in body:
        if not body.get("user") or not body.get("password"):
            raise ApiError(400, "AEC_BAD_REQUEST",
                           "Modifying SPNs requires AD credentials: 'user' and 'password' must be supplied",
                           "user" if not body.get("user") else "password")
        if body["user"].split("\\")[-1].split("@")[0].lower() != forest["admin_user"].lower() or \
                body["password"] != forest["admin_password"]:
            raise ApiError(400, "AEC_BAD_REQUEST", "Failed to authenticate to domain %s as user %s" % (
                forest["name"], body["user"]), "user")
        spns = body["spns"]
        if not isinstance(spns, list) or not all(isinstance(x, str) for x in spns):
            raise bad_request("Field: spns must be an array of strings", "spns")
        mine = prov["machine_account"]
        _ads_refuse_duplicates(forest, mine, spns)
        dedup = []
        for spn in spns:
            if spn.lower() not in (x.lower() for x in dedup):
                dedup.append(spn)
        forest["machine_accounts"].setdefault(mine, {"spns": []})["spns"] = dedup
    prov.update(vals)
    return 204, None


def ads_create(req):
    body = check_fields(req.body, set(models.ADS_DEFAULTS) | {"name", "user", "password", "dns_domain",
                                                                 "machine_account", "organizational_unit",
                                                                 "kerberos_hdfs_spn", "kerberos_nfs_spn"})
    require(body, "name", "user", "password")
    s = req.cluster.s
    if any(p["name"].lower() == body["name"].lower() for p in s["ads"].values()):
        raise conflict("Provider '%s' already exists" % body["name"])
    prov = models.with_defaults(models.ADS_DEFAULTS, check_types(
        {k: v for k, v in body.items() if k in models.ADS_DEFAULTS}, models.ADS_DEFAULTS))
    prov.update({"id": body["name"], "name": body["name"],
                 "machine_account": body.get("machine_account") or req.cluster.name.upper() + "$",
                 "hostname": "%s.%s" % (req.cluster.name, body["name"].lower())})
    req.world.forest["machine_accounts"].setdefault(prov["machine_account"], {"spns": []})
    s["ads"][prov["name"]] = prov
    return 201, {"id": prov["name"]}


def ads_delete(req):
    prov = _ads(req)
    del req.cluster.s["ads"][prov["name"]]
    return 204, None


# ---- quotas ------------------------------------------------------------------------------------
def _quota(req):
    q = req.cluster.s["quotas"].get(req.params[0])
    if q is None:
        raise not_found("Quota '%s' not found" % req.params[0])
    return q


def quota_view(q):
    return {k: v for k, v in q.items() if k not in models.QUOTA_WRITE_ONLY}


def _persona_matches(query, persona):
    if not persona:
        return False
    query = query.lower()
    return query in ((persona.get("id") or "").lower(), (persona.get("name") or "").lower())


def quotas_list(req):
    items = list(req.cluster.s["quotas"].values())
    path = req.q("path")
    if path:
        path = norm_path(path)
        if req.qbool("recurse_path_children"):
            items = [q for q in items if path_under(q["path"], path)]
        elif req.qbool("recurse_path_parents"):
            items = [q for q in items if path_under(path, q["path"])]
        else:
            items = [q for q in items if q["path"] == path]
    if req.q("type"):
        items = [q for q in items if q["type"] == req.q("type")]
    if req.q("persona"):
        items = [q for q in items if _persona_matches(req.q("persona"), q.get("persona"))]
    items.sort(key=lambda q: (q["path"], q["type"]))
    return page(req, [quota_view(q) for q in items], "quotas", with_total=False)


def quota_get(req):
    return {"quotas": [quota_view(_quota(req))]}


def quota_create(req):
    body = check_fields(req.body, models.QUOTA_CREATE_FIELDS)
    require(body, "type", "path")
    if "include_snapshots" not in body:
        raise arg_required("include_snapshots")
    if body["type"] not in models.QUOTA_TYPES:
        raise bad_request("Field: type must be one of %s" % ", ".join(models.QUOTA_TYPES), "type")
    qpath = check_ifs_path(body["path"])
    if body["type"] in ("user", "group"):
        if not body.get("persona"):
            raise arg_required("persona")
    elif body.get("persona"):
        raise bad_request("Field: persona is only valid for user and group quotas", "persona")
    body = dict(body, persona=resolve_persona(req.world, body.get("persona")))
    q = new_quota(body)
    # A quota on a missing directory (checked after the body's own validation): 404 AEC_NOT_FOUND
    # "Path not found" (the answer dell/ansible-powerscale issue #41 quotes from a cluster).
    if not path_exists(req.cluster, qpath):
        raise not_found("Path not found: %s" % qpath)
    if q["id"] in req.cluster.s["quotas"]:
        raise conflict("Quota already exists for %s %s" % (body["type"], q["path"]))
    req.cluster.s["quotas"][q["id"]] = q
    return 201, {"id": q["id"]}


def quota_put(req):
    body = req.body or {}
    for immutable in ("type", "path", "include_snapshots", "persona"):
        if immutable in body:
            raise bad_request("Field: %s cannot be modified" % immutable, immutable)
    check_fields(body, models.QUOTA_PUT_FIELDS)
    q = _quota(req)
    new = copy.deepcopy(q)
    for k, v in body.items():
        if k == "thresholds":
            new["thresholds"] = apply_thresholds(new["thresholds"], v)
        elif k not in ("force", "ignore_limit_checks"):
            new[k] = v
    req.cluster.s["quotas"][q["id"]] = new
    return 204, None


def quota_delete(req):
    q = _quota(req)
    del req.cluster.s["quotas"][q["id"]]
    return 204, None


# ---- snapshot schedules, dedupe ---------------------------------------------------------------
def _schedule(req):
    s = req.cluster.s["snapshot_schedules"]
    key = req.params[0]
    if key in s:
        return s[key]
    for sc in s.values():
        if sc["name"] == key:
            return sc
    raise not_found("Snapshot schedule '%s' not found" % key)


def schedules_list(req):
    items = sorted(req.cluster.s["snapshot_schedules"].values(), key=lambda x: x["id"])
    return page(req, items, "schedules")


def schedule_get(req):
    return {"schedules": [_schedule(req)]}


def schedule_create(req):
    body = check_fields(req.body, models.SCHEDULE_CREATE_FIELDS)
    require(body, "name", "path", "pattern", "schedule")
    check_ifs_path(body["path"])
    s = req.cluster.s
    if any(sc["name"] == body["name"] for sc in s["snapshot_schedules"].values()):
        raise conflict("Snapshot schedule '%s' already exists" % body["name"], "name")
    sid = s["next_schedule_id"]
    s["next_schedule_id"] += 1
    s["snapshot_schedules"][str(sid)] = new_schedule(sid, body)
    return 201, {"id": sid}


def schedule_put(req):
    body = check_fields(req.body, models.SCHEDULE_PUT_FIELDS)
    sc = _schedule(req)
    new = dict(sc)
    for k, v in body.items():
        new[k] = norm_path(check_ifs_path(v)) if k == "path" else v
    req.cluster.s["snapshot_schedules"][str(sc["id"])] = new
    return 204, None


def schedule_delete(req):
    sc = _schedule(req)
    del req.cluster.s["snapshot_schedules"][str(sc["id"])]
    return 204, None


def dedupe_get(req):
    return {"settings": req.cluster.s["dedupe"]}


def dedupe_put(req):
    body = check_fields(req.body, set(models.DEDUPE_DEFAULTS))
    vals = check_types(body, models.DEDUPE_DEFAULTS)
    for k in ("paths", "assess_paths"):
        if k in vals:
            vals[k] = [check_ifs_path(p, k) for p in vals[k]]
    new = dict(req.cluster.s["dedupe"])
    new.update(vals)
    req.cluster.s["dedupe"] = new
    return 204, None


# ---- SyncIQ (delegating to the engine) -----------------------------------------------------------
def _policy(req, key=None):
    key = key or req.params[0]
    pols = req.cluster.s["policies"]
    if key in pols:
        return pols[key]
    for p in pols.values():
        if p["name"] == key:
            return p
    raise not_found("Policy '%s' not found" % key)


def policies_list(req):
    eng = req.world.engine
    items = [eng.policy_view(req.cluster, p) for p in req.cluster.s["policies"].values()]
    items.sort(key=lambda p: p["name"])
    return page(req, items, "policies")


def policy_get(req):
    return {"policies": [req.world.engine.policy_view(req.cluster, _policy(req))]}


def _policy_values(req, body):
    vals = check_types({k: v for k, v in body.items() if k != "password"}, models.POLICY_DEFAULTS,
                       models.POLICY_ENUMS)
    for k in ("source_root_path", "target_path"):
        if k in vals:
            vals[k] = check_ifs_path(vals[k], k)
    if "source_network" in vals and vals["source_network"] is not None:
        sn = vals["source_network"]
        if not isinstance(sn, dict) or "pool" not in sn or "subnet" not in sn:
            raise bad_request("Field: source_network needs subnet and pool", "source_network")
    return vals


def policy_create(req):
    body = check_fields(req.body, models.POLICY_CREATE_FIELDS)
    require(body, "name", "action", "source_root_path", "target_host", "target_path")
    s = req.cluster.s
    if any(p["name"] == body["name"] for p in s["policies"].values()):
        raise conflict("A policy named '%s' already exists" % body["name"], "name")
    vals = _policy_values(req, body)
    vals["name"] = body["name"]
    vals["target_host"] = body["target_host"]
    if body.get("password"):
        vals["password"] = body["password"]
    pol = new_policy(vals)
    pol["_synced"] = {}
    s["policies"][pol["id"]] = pol
    return 201, {"id": pol["id"]}


def policy_put(req):
    body = check_fields(req.body, models.POLICY_PUT_FIELDS)
    pol = _policy(req)
    vals = _policy_values(req, body)
    if "name" in body and body["name"] != pol["name"]:
        if any(p["name"] == body["name"] for p in req.cluster.s["policies"].values()):
            raise conflict("A policy named '%s' already exists" % body["name"], "name")
    if "target_host" in body:
        vals["target_host"] = body["target_host"]
    if "password" in body:
        vals["password_set"] = bool(body["password"])
    new = dict(pol)
    new.update(vals)
    req.cluster.s["policies"][pol["id"]] = new
    return 204, None


def policy_delete(req):
    return req.world.engine.delete_policy(req.cluster, _policy(req), local_only=req.qbool("local_only"))


def policy_reset(req):
    pol = _policy(req)
    new = dict(pol)
    new.update({"has_sync_state": False, "_synced": {}, "last_job_state": None})
    req.cluster.s["policies"][pol["id"]] = new
    return 201, {"id": pol["id"]}


def jobs_list(req):
    eng = req.world.engine
    items = [eng.job_view(j) for j in req.cluster.s["jobs"].values()]
    state = req.q("state")
    if state:
        items = [j for j in items if j["state"] == state]
    return page(req, items, "jobs")


def job_get(req):
    return {"jobs": [req.world.engine.job_view(req.world.engine.find_job(req.cluster, req.params[0]))]}


def job_create(req):
    body = check_fields(req.body, models.SYNC_JOB_CREATE_FIELDS)
    require(body, "id")
    return req.world.engine.start(req.cluster, body)


def job_put(req):
    body = check_fields(req.body, {"state"})
    require(body, "state")
    if body["state"] not in ("running", "paused", "canceled"):
        raise bad_request("Field: state must be running, paused or canceled", "state")
    return req.world.engine.set_job_state(req.cluster, req.params[0], body["state"])


def _tpolicy(req, key=None):
    key = key or req.params[0]
    tps = req.cluster.s["target_policies"]
    if key in tps:
        return tps[key]
    for p in tps.values():
        if p["name"] == key:
            return p
    raise not_found("Target policy '%s' not found" % key)


def target_policies_list(req):
    items = sorted(req.cluster.s["target_policies"].values(), key=lambda p: p["name"])
    tp = req.q("target_path")
    if tp:
        items = [p for p in items if p["target_path"] == norm_path(tp)]
    return page(req, [strip_private(p) for p in items], "policies")


def target_policy_get(req):
    return {"policies": [strip_private(_tpolicy(req))]}


def target_policy_delete(req):
    tp = _tpolicy(req)
    del req.cluster.s["target_policies"][tp["id"]]
    return 204, None


def target_policy_cancel(req):
    tp = _tpolicy(req)
    req.world.engine.cancel_for_target(req.cluster, tp)
    return 201, {"id": tp["id"]}


def _reports(req, key, out_key):
    items = list(req.cluster.s[key])
    pn = req.q("policy_name")
    if pn:
        items = [r for r in items if r["policy_name"] == pn]
    st = req.q("state")
    if st:
        items = [r for r in items if r["state"] == st]
    nt = req.q("newer_than")
    if nt:
        try:
            cutoff = time.time() - int(nt) * 86400
        except ValueError:
            raise bad_request("Field: newer_than must be an integer", "newer_than")
        items = [r for r in items if (r.get("end_time") or r.get("start_time") or 0) >= cutoff]
    items.sort(key=lambda r: (-(r.get("start_time") or 0), -(r.get("job_id") or 0)))
    rpp = req.q("reports_per_policy")
    if rpp:
        seen, kept = {}, []
        for r in items:
            n = seen.get(r["policy_name"], 0)
            if n < int(rpp):
                kept.append(r)
            seen[r["policy_name"]] = n + 1
        items = kept
    return page(req, items, out_key)


def reports_list(req):
    return _reports(req, "reports", "reports")


def report_get(req):
    for r in req.cluster.s["reports"]:
        if r["id"] == req.params[0]:
            return {"reports": [r]}
    raise not_found("Report '%s' not found" % req.params[0])


def target_reports_list(req):
    return _reports(req, "target_reports", "reports")


def target_report_get(req):
    for r in req.cluster.s["target_reports"]:
        if r["id"] == req.params[0]:
            return {"reports": [r]}
    raise not_found("Report '%s' not found" % req.params[0])



# ---- ?describe -----------------------------------------------------------------------------------
def _prop(default, enum=None, rng=None, description=None):
    if isinstance(default, bool):
        out = {"type": "boolean"}
    elif isinstance(default, int):
        out = {"type": "integer"}
    elif isinstance(default, float):
        out = {"type": "number"}
    elif isinstance(default, list):
        out = {"type": "array"}
    elif isinstance(default, dict):
        out = {"type": "object"}
    elif default is None:
        out = {"type": ["string", "integer", "null"]}
    else:
        out = {"type": "string"}
    if enum:
        out["enum"] = list(enum)
    if rng:
        out["minimum"], out["maximum"] = rng
    if description:
        out["description"] = description
    return out


_ACE_SCHEMA = {"type": "object", "properties": {
    "permission": {"type": "string", "enum": ["full", "change", "read"]},
    "permission_type": {"type": "string", "enum": ["allow", "deny"]},
    "trustee": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                                  "type": {"type": "string"}}}},
    "required": ["permission", "permission_type", "trustee"]}


def _object_schema(fields, defaults, enums=None, ranges=None, extra=None, required=()):
    props = {}
    for name in sorted(fields):
        if extra and name in extra:
            props[name] = extra[name]
        else:
            props[name] = _prop(defaults.get(name, ""), (enums or {}).get(name), (ranges or {}).get(name))
    out = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    return out


def _args(**names):
    return {"type": "object", "properties": {n: {"type": t} for n, t in names.items()}}


def _describe_shares(item):
    extra = {"permissions": {"type": "array", "items": _ACE_SCHEMA}, "name": {"type": "string", "maxLength": 80},
             "path": {"type": "string"}, "zone": {"type": "string"}, "create_path": {"type": "boolean"},
             "run_as_root": {"type": "array", "items": _ACE_SCHEMA["properties"]["trustee"]}}
    share = _object_schema(set(models.SHARE_DEFAULTS) | {"id", "name", "path", "zid"}, models.SHARE_DEFAULTS,
                           models.SHARE_ENUMS, models.SHARE_INT_RANGES,
                           dict(extra, id={"type": "string"}, zid={"type": "integer"}))
    listing = {"type": "object", "properties": {"shares": {"type": "array", "items": share}}}
    if item:
        return {"GET_args": _args(zone="string", scope="string", resolve_names="boolean"),
                "GET_output_schema": listing,
                "PUT_args": _args(zone="string"),
                "PUT_input_schema": _object_schema(models.SHARE_PUT_FIELDS, models.SHARE_DEFAULTS, models.SHARE_ENUMS,
                                                   models.SHARE_INT_RANGES, extra),
                "DELETE_args": _args(zone="string")}
    listing["properties"].update({"resume": {"type": ["string", "null"]}, "total": {"type": "integer"},
                                  "digest": {"type": "string"}})
    return {"GET_args": _args(zone="string", limit="integer", resume="string", sort="string", dir="string",
                              scope="string", resolve_names="boolean", offset="integer"),
            "GET_output_schema": listing,
            "POST_args": _args(zone="string"),
            "POST_input_schema": _object_schema(models.SHARE_CREATE_FIELDS, models.SHARE_DEFAULTS,
                                                models.SHARE_ENUMS, models.SHARE_INT_RANGES, extra,
                                                required=("name", "path")),
            "POST_output_schema": {"type": "object", "properties": {"id": {"type": "string"}}},
            "DELETE_args": _args(zone="string")}


def _describe_policies(item):
    extra = {"name": {"type": "string"}, "source_root_path": {"type": "string"}, "target_host": {"type": "string"},
             "target_path": {"type": "string"}, "password": {"type": "string"},
             "source_network": {"type": ["object", "null"], "properties": {"pool": {"type": "string"},
                                                                          "subnet": {"type": "string"}}}}
    policy = _object_schema(set(models.POLICY_DEFAULTS) | {"id", "name", "source_root_path", "target_host",
                                                           "target_path"} - {"password"},
                            models.POLICY_DEFAULTS, models.POLICY_ENUMS, None, dict(extra, id={"type": "string"}))
    listing = {"type": "object", "properties": {"policies": {"type": "array", "items": policy}}}
    if item:
        return {"GET_output_schema": listing,
                "PUT_input_schema": _object_schema(models.POLICY_PUT_FIELDS, models.POLICY_DEFAULTS,
                                                   models.POLICY_ENUMS, None, extra),
                "DELETE_args": _args(force="boolean", local_only="boolean")}
    listing["properties"].update({"resume": {"type": ["string", "null"]}, "total": {"type": "integer"}})
    return {"GET_args": _args(limit="integer", resume="string", sort="string", dir="string", scope="string"),
            "GET_output_schema": listing,
            "POST_input_schema": _object_schema(models.POLICY_CREATE_FIELDS, models.POLICY_DEFAULTS,
                                                models.POLICY_ENUMS, None, extra,
                                                required=("name", "action", "source_root_path", "target_host",
                                                          "target_path")),
            "POST_output_schema": {"type": "object", "properties": {"id": {"type": "string"}}},
            "DELETE_args": _args(force="boolean", local_only="boolean")}


def describe_text(doc, path):
    """The plain-text form of ?describe (without &json): one line per method and field."""
    lines = ["Resource: %s" % path, ""]
    for key in sorted(doc):
        lines.append("%s:" % key)
        for name, prop in sorted(doc[key].get("properties", {}).items()):
            typ = prop.get("type")
            lines.append("    %-40s %s" % (name, "/".join(typ) if isinstance(typ, list) else typ))
        lines.append("")
    return "\n".join(lines)


def _describer(fn, item):
    def describe(req):
        return fn(item)
    return describe


# ---- route table --------------------------------------------------------------------------------
SEG = r"([^/]+)"
# (pattern on the path after /platform/N/, lowest handler version, {method: (handler, locked)})
_smb_get, _smb_put = settings_handlers("smb_settings", models.SMB_SETTINGS_DEFAULTS)
_nfs_get, _nfs_put = settings_handlers("nfs_settings", models.NFS_SETTINGS_DEFAULTS, kind="nfs_settings")
_sync_get, _sync_put = settings_handlers("sync_settings", models.SYNC_SETTINGS_DEFAULTS,
                                         {"service": ("on", "off", "paused")})

ROUTES = [
    ("cluster/config", 1, {"GET": cluster_config}),
    ("cluster/identity", 1, {"GET": cluster_identity_get, "PUT": cluster_identity_put}),
    ("zones", 1, {"GET": zones_list, "POST": zone_create}),
    ("zones/" + SEG, 1, {"GET": zone_get, "PUT": zone_put, "DELETE": zone_delete}),
    ("protocols/smb/shares", 1, {"GET": shares_list, "POST": (share_create, False),
                                 "DELETE": (shares_delete_all, False),
                                 "DESCRIBE": _describer(_describe_shares, False)}),
    ("protocols/smb/shares/" + SEG, 1, {"GET": share_get, "PUT": (share_put, False),
                                        "DESCRIBE": _describer(_describe_shares, True),
                                        "DELETE": (share_delete, False)}),
    ("protocols/smb/openfiles", 1, {"GET": openfiles_list}),
    ("protocols/smb/openfiles/" + SEG, 1, {"DELETE": openfile_delete}),
    ("protocols/smb/sessions", 1, {"GET": smb_sessions_list}),
    ("protocols/smb/sessions/" + SEG, 1, {"DELETE": smb_session_delete}),
    ("protocols/smb/sessions/" + SEG + "/" + SEG, 1, {"DELETE": smb_session_delete}),
    ("protocols/smb/settings/global", 1, {"GET": _smb_get, "PUT": _smb_put}),
    ("protocols/nfs/exports", 1, {"GET": exports_list, "POST": export_create}),
    ("protocols/nfs/exports/" + SEG, 1, {"GET": export_get, "PUT": export_put, "DELETE": export_delete}),
    ("protocols/nfs/aliases", 2, {"GET": aliases_list, "POST": alias_create}),
    ("protocols/nfs/aliases/" + SEG, 2, {"GET": alias_get, "PUT": alias_put, "DELETE": alias_delete}),
    ("protocols/nfs/settings/global", 1, {"GET": _nfs_get, "PUT": _nfs_put}),
    ("network/groupnets", 3, {"GET": groupnets_list, "POST": groupnet_create}),
    ("network/groupnets/" + SEG, 3, {"GET": groupnet_get, "PUT": groupnet_put, "DELETE": groupnet_delete}),
    ("network/groupnets/" + SEG + "/subnets", 3, {"GET": subnets_list, "POST": subnet_create}),
    ("network/groupnets/" + SEG + "/subnets/" + SEG, 3, {"GET": subnet_get, "PUT": subnet_put,
                                                         "DELETE": subnet_delete}),
    ("network/groupnets/" + SEG + "/subnets/" + SEG + "/pools", 3, {"GET": pools_list, "POST": pool_create}),
    ("network/groupnets/" + SEG + "/subnets/" + SEG + "/pools/" + SEG, 3, {
        "GET": pool_get, "PUT": pool_put, "DELETE": pool_delete}),
    ("network/pools", 3, {"GET": network_pools}),
    ("network/subnets", 3, {"GET": network_subnets}),
    ("auth/providers/ads", 1, {"GET": ads_list, "POST": ads_create}),
    ("auth/providers/ads/" + SEG, 1, {"GET": ads_get, "PUT": ads_put, "DELETE": ads_delete}),
    ("quota/quotas", 1, {"GET": quotas_list, "POST": quota_create}),
    ("quota/quotas/" + SEG, 1, {"GET": quota_get, "PUT": quota_put, "DELETE": quota_delete}),
    ("snapshot/schedules", 1, {"GET": schedules_list, "POST": schedule_create}),
    ("snapshot/schedules/" + SEG, 1, {"GET": schedule_get, "PUT": schedule_put, "DELETE": schedule_delete}),
    ("dedupe/settings", 1, {"GET": dedupe_get, "PUT": dedupe_put}),
    ("sync/policies", 1, {"GET": policies_list, "POST": policy_create,
                          "DESCRIBE": _describer(_describe_policies, False)}),
    ("sync/policies/" + SEG, 1, {"GET": policy_get, "PUT": policy_put, "DELETE": policy_delete,
                                 "DESCRIBE": _describer(_describe_policies, True)}),
    ("sync/policies/" + SEG + "/reset", 1, {"POST": policy_reset}),
    ("sync/jobs", 1, {"GET": jobs_list, "POST": job_create}),
    ("sync/jobs/" + SEG, 1, {"GET": job_get, "PUT": job_put}),
    ("sync/target/policies", 1, {"GET": target_policies_list}),
    ("sync/target/policies/" + SEG, 1, {"GET": target_policy_get, "DELETE": target_policy_delete}),
    ("sync/target/policies/" + SEG + "/cancel", 1, {"POST": target_policy_cancel}),
    ("sync/reports", 1, {"GET": reports_list}),
    ("sync/reports/" + SEG, 1, {"GET": report_get}),
    ("sync/target/reports", 1, {"GET": target_reports_list}),
    ("sync/target/reports/" + SEG, 1, {"GET": target_report_get}),
    ("sync/settings", 1, {"GET": _sync_get, "PUT": _sync_put}),
]


# issue 16: identity lookups, zones-summary, cluster/network lists, zone-scoped protocol settings,
# SyncIQ subreports and license live in their own modules (imported here, after the helpers they use).
from . import cluster_info, identity  # noqa: E402

ROUTES += identity.ROUTES + cluster_info.ROUTES


class Router:
    def __init__(self):
        self.exact = {}
        self.patterns = []
        for pattern, minv, methods in ROUTES:
            table = {"QUERY": pattern}  # the route's pattern: queryargs.check() looks its arguments up
            for m, h in methods.items():
                table[m] = h if isinstance(h, tuple) else (h, True)
            if "(" not in pattern:
                self.exact[pattern] = (minv, table)
            else:
                self.patterns.append((re.compile(pattern + "$"), minv, table))

    def match(self, rest):
        hit = self.exact.get(rest)
        if hit is not None:
            return hit[0], hit[1], ()
        for rx, minv, table in self.patterns:
            m = rx.match(rest)
            if m:
                return minv, table, tuple(unquote(g) for g in m.groups())
        return None


ROUTER = Router()
_ = _ANY

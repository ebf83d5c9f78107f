"""Scenario loading (builtin name, YAML path or dict) and generation."""
import copy
import json
import os
import time

import yaml

from . import models
from .errors import ApiError
from .util import new_guid, norm_path, path_under, quota_id
from .world import RELEASE_LATEST, Cluster

SCENARIO_DIR = os.path.join(os.path.dirname(__file__), "scenarios")
DEFAULT_USERS = [{"name": "admin", "password": "Password123!", "role": "admin"},
                 {"name": "auditor", "password": "Audit123!", "role": "readonly"}]


def builtin_names():
    return sorted(f[:-5] for f in os.listdir(SCENARIO_DIR) if f.endswith(".yaml"))


def load_scenario(spec):
    """Return the scenario dict for a builtin name, a YAML file path or a dict."""
    if isinstance(spec, dict):
        data = copy.deepcopy(spec)
    else:
        path = spec
        if not os.path.exists(path):
            path = os.path.join(SCENARIO_DIR, "%s.yaml" % spec)
        if not os.path.exists(path):
            raise ValueError("unknown scenario %r (builtin: %s)" % (spec, ", ".join(builtin_names())))
        with open(path) as fh:
            if path.endswith(".json"):
                data = json.load(fh)  # a large captured twin: JSON loads ~20x faster than YAML
            else:
                data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if data.get("generate"):
        gen = dict(data.pop("generate"))
        generated = generate_scenario(**gen)
        for key, value in data.items():
            generated[key] = value
        data = generated
    return data


# ---------------------------------------------------------------------------------------------------
def generate_scenario(zones=10, shares_per_zone=100, policies_per_zone=1, source="alpha", target="beta",
                      release="9.10", replicated=True):
    """A DR pair in steady state: same zones, shares and ACLs on both sides, policies per zone."""
    forest = {
        "name": "AD.EXAMPLE.COM", "netbios": "AD", "admin_user": "administrator", "admin_password": "AdPass1!",
        "users": [{"name": "AD\\user%02d" % i, "sid": "S-1-5-21-1004-%d" % (1100 + i),
                   "groups": ["S-1-5-21-1004-%d" % (2000 + (i % zones) + 1)]} for i in range(1, 21)],
        "groups": [{"name": "AD\\zone%02d-users" % z, "sid": "S-1-5-21-1004-%d" % (2000 + z)}
                   for z in range(1, zones + 1)],
        "machine_accounts": {
            source.upper() + "$": {"spns": ["HOST/%s" % source, "HOST/%s.ad.example.com" % source]},
            target.upper() + "$": {"spns": ["HOST/%s" % target, "HOST/%s.ad.example.com" % target]},
        },
    }
    clusters = {}
    for idx, cname in enumerate((source, target)):
        provider = "lsa-activedirectory-provider:AD.EXAMPLE.COM"
        zl = [{"name": "System", "path": "/ifs", "zone_id": 1,
               "auth_providers": ["lsa-local-provider:System", "lsa-file-provider:System", provider]}]
        pools = [{"name": "pool0", "access_zone": "System", "sc_dns_zone": "%s.example.com" % cname,
                  "ranges": [{"low": "192.0.2.%d" % (10 + idx * 100), "high": "192.0.2.%d" % (19 + idx * 100)}],
                  "ifaces": [{"iface": "ext-1", "lnn": n} for n in (1, 2, 3)]}]
        shares, policies = [], []
        for z in range(1, zones + 1):
            zn = "zone%02d" % z
            base = "/ifs/%s" % zn
            zl.append({"name": zn, "path": base, "zone_id": z + 1,
                       "auth_providers": ["lsa-local-provider:%s" % zn, provider]})
            pools.append({"name": "pool-%s" % zn, "access_zone": zn,
                          "sc_dns_zone": "%s.%s.example.com" % (zn, cname),
                          "ranges": [{"low": "198.51.%d.%d" % (idx, 10 + z * 4),
                                      "high": "198.51.%d.%d" % (idx, 13 + z * 4)}],
                          "ifaces": [{"iface": "ext-1", "lnn": n} for n in (1, 2, 3)]})
            if cname == source or replicated:
                for s in range(1, shares_per_zone + 1):
                    sub = (s - 1) % max(policies_per_zone, 1) + 1
                    path = "%s/p%d/share%03d" % (base, sub, s) if policies_per_zone > 1 else "%s/share%03d" % (base, s)
                    shares.append({
                        "zone": zn, "name": "%s_share%03d" % (zn, s), "path": path,
                        "description": "share %d of %s" % (s, zn),
                        "permissions": [
                            {"permission": "change", "permission_type": "allow",
                             "trustee": {"id": "SID:S-1-5-21-1004-%d" % (2000 + z)}},
                            {"permission": "read", "permission_type": "allow",
                             "trustee": {"id": "SID:S-1-1-0"}},
                        ]})
            if cname == source:
                for p in range(1, policies_per_zone + 1):
                    pname = "%s_policy" % zn if policies_per_zone == 1 else "%s_policy%d" % (zn, p)
                    ppath = base if policies_per_zone == 1 else "%s/p%d" % (base, p)
                    policies.append({"name": pname, "source_root_path": ppath, "target_host": target,
                                     "target_path": ppath, "action": "sync", "schedule": "every 1 days at 10:00 PM"})
        clusters[cname] = {
            "guid": None, "release": release, "nodes": 3,
            "users": copy.deepcopy(DEFAULT_USERS),
            "zones": zl,
            "groupnets": [{"name": "groupnet0", "dns_servers": ["192.0.2.2"], "dns_search": ["example.com"],
                           "subnets": [{"name": "subnet0", "base_addr": "192.0.2.0", "prefixlen": 16,
                                        "gateway": "192.0.2.1",
                                        "sc_service_addrs": [{"low": "192.0.2.%d" % (5 + idx),
                                                              "high": "192.0.2.%d" % (5 + idx)}],
                                        "pools": pools}]}],
            "ads": [{"name": "AD.EXAMPLE.COM", "machine_account": cname.upper() + "$",
                     "hostname": "%s.ad.example.com" % cname}],
            "shares": shares,
            "policies": policies,
        }
    return {"description": "generated: %d zones x %d shares, %d policies per zone" % (
        zones, shares_per_zone, policies_per_zone), "ad": forest, "clusters": clusters}


# ---------------------------------------------------------------------------------------------------
def _ace_list(world, perms):
    out = []
    for ace in perms or []:
        out.append(normalize_ace(world, ace))
    return out


def normalize_ace(world, ace):
    if not isinstance(ace, dict):
        raise ApiError(400, "AEC_BAD_REQUEST", "Field: permissions must be a list of objects", "permissions")
    for key in ace:
        if key not in ("permission", "permission_type", "trustee"):
            raise ApiError(400, "AEC_BAD_REQUEST", "Field: %s is not a valid field of a share permission" % key,
                           key)
    perm = ace.get("permission")
    ptype = ace.get("permission_type")
    if perm not in ("full", "change", "read"):
        raise ApiError(400, "AEC_BAD_REQUEST", "Field: permission must be one of full, change, read",
                       "permission")
    if ptype not in ("allow", "deny"):
        raise ApiError(400, "AEC_BAD_REQUEST", "Field: permission_type must be allow or deny", "permission_type")
    if "trustee" not in ace:
        raise ApiError(400, "AEC_ARG_REQUIRED", "Field: trustee required", "trustee")
    return {"permission": perm, "permission_type": ptype, "trustee": world.resolve_trustee(ace["trustee"])}


def build_world(world, scenario):
    """Populate world (clusters, forest) from a scenario dict."""
    ad = scenario.get("ad") or {}
    world.forest = {
        "name": ad.get("name", "AD.EXAMPLE.COM"),
        "netbios": ad.get("netbios", "AD"),
        "admin_user": ad.get("admin_user", "administrator"),
        "admin_password": ad.get("admin_password", "AdPass1!"),
        "users": copy.deepcopy(ad.get("users", [])),
        "groups": copy.deepcopy(ad.get("groups", [])),
        "machine_accounts": {k: {"spns": list((v or {}).get("spns", []))}
                             for k, v in (ad.get("machine_accounts") or {}).items()},
    }
    world.index_identities()
    specs = scenario.get("clusters") or {}
    if isinstance(specs, list):
        specs = {c["name"]: c for c in specs}
    for name, spec in specs.items():
        world.clusters[name] = Cluster(world, _base_state(name, spec or {}))
    for name, spec in specs.items():
        _populate(world, world.clusters[name], spec or {})
    for name, spec in specs.items():
        _policies(world, world.clusters[name], spec or {})
    for name, spec in specs.items():
        for tp in (spec or {}).get("target_policies", []):
            c = world.clusters[name]
            pid = tp.get("id") or new_guid()
            item = models.with_defaults(models.TARGET_POLICY_DEFAULTS, tp)
            item.setdefault("source_host", "")
            item.setdefault("source_cluster_guid", "")
            item["id"] = pid
            item["target_path"] = norm_path(item["target_path"])
            c.s["target_policies"][pid] = item
            _mkdirs(c.s, item["target_path"])  # a target policy's path exists on its cluster


def _base_state(name, spec):
    release = str(spec.get("release", "9.10"))
    if release not in RELEASE_LATEST:
        raise ValueError("cluster %s: unsupported release %s" % (name, release))
    nodes = int(spec.get("nodes", 3))
    guid = spec.get("guid") or ("0050" + new_guid()[:32])
    state = {
        "name": name, "guid": guid, "release": release, "latest": RELEASE_LATEST[release],
        "description": spec.get("description", ""),
        "nodes": nodes,
        "hostnames": list(spec.get("hostnames", [])),
        "timezone": spec.get("timezone", {"abbreviation": "UTC", "custom": "", "name": "UTC", "path": "UTC"}),
        "users": {u["name"]: {"name": u["name"], "password": u["password"], "role": u.get("role", "admin")}
                  for u in spec.get("users", DEFAULT_USERS)},
        "zones": {}, "shares": {}, "share_versions": {}, "exports": {}, "next_export_id": 1, "aliases": {},
        "smb_settings": models.with_defaults(models.SMB_SETTINGS_DEFAULTS, spec.get("smb_settings", {})),
        "nfs_settings": models.with_defaults(models.NFS_SETTINGS_DEFAULTS, spec.get("nfs_settings", {})),
        "sync_settings": models.with_defaults(models.SYNC_SETTINGS_DEFAULTS, spec.get("sync_settings", {})),
        "dedupe": models.with_defaults(models.DEDUPE_DEFAULTS, spec.get("dedupe", {})),
        "openfiles": [], "smb_sessions": [], "groupnets": {}, "ads": {}, "quotas": {},
        "snapshot_schedules": {}, "next_schedule_id": 1, "policies": {}, "target_policies": {}, "jobs": {},
        "reports": [], "target_reports": [], "next_job_id": 1, "files": {}, "generations": {},
        "identity": {"description": spec.get("identity_description", ""),
                     "logon": {"motd": spec.get("motd", ""), "motd_header": ""}, "mttdl_level_msg": "none"},
    }
    return state


def _populate(world, c, spec):
    s = c.s
    zones = spec.get("zones") or [{"name": "System", "path": "/ifs"}]
    if not any(z["name"] == "System" for z in zones):
        zones = [{"name": "System", "path": "/ifs"}] + list(zones)
    next_zid = 2
    for z in zones:
        zid = z.get("zone_id") or (1 if z["name"] == "System" else next_zid)
        next_zid = max(next_zid, zid + 1)
        zone = models.with_defaults(models.ZONE_DEFAULTS, {k: v for k, v in z.items() if k != "zone_id"})
        zone.update({"id": z["name"], "name": z["name"], "path": norm_path(z.get("path", "/ifs")),
                     "zone_id": zid, "system": z["name"] == "System"})
        s["zones"][z["name"]] = zone
        s["shares"][z["name"]] = {}
        s["aliases"][z["name"]] = {}
        _mkdirs(s, zone["path"])
    for sh in spec.get("shares", []):
        zone = s["zones"][sh.get("zone", "System")]
        vals = {k: v for k, v in sh.items() if k not in ("zone", "permissions")}
        share = models.with_defaults(models.SHARE_DEFAULTS, vals)
        share["path"] = norm_path(share["path"])
        if "permissions" in sh:
            share["permissions"] = _ace_list(world, sh["permissions"])
        share["id"] = share["name"]
        share["zid"] = zone["zone_id"]
        s["shares"][zone["name"]][share["name"].lower()] = share
        _mkdirs(s, share["path"])
    for ex in spec.get("exports", []):
        eid = ex.get("id") or s["next_export_id"]
        s["next_export_id"] = max(s["next_export_id"], eid + 1)
        item = models.with_defaults(models.EXPORT_DEFAULTS, ex)
        item["id"] = eid
        item["zone"] = ex.get("zone", "System")
        item["paths"] = [norm_path(p) for p in ex["paths"]]
        s["exports"][str(eid)] = item
        for p in item["paths"]:
            _mkdirs(s, p)  # an export exists only on an existing directory
    for al in spec.get("aliases", []):
        zone = al.get("zone", "System")
        s["aliases"][zone][al["name"]] = {"id": al["name"], "name": al["name"], "path": norm_path(al["path"]),
                                          "zone": zone, "health": "healthy"}
    for gn in spec.get("groupnets") or [{"name": "groupnet0", "subnets": []}]:
        g = models.with_defaults(models.GROUPNET_DEFAULTS, {k: v for k, v in gn.items() if k != "subnets"})
        g.update({"id": gn["name"], "name": gn["name"], "_subnets": {}})
        s["groupnets"][gn["name"]] = g
        for sn in gn.get("subnets", []):
            sub = models.with_defaults(models.SUBNET_DEFAULTS, {k: v for k, v in sn.items() if k != "pools"})
            sub.update({"id": "%s.%s" % (gn["name"], sn["name"]), "name": sn["name"], "groupnet": gn["name"],
                        "_pools": {}})
            g["_subnets"][sn["name"]] = sub
            for pl in sn.get("pools", []):
                pool = models.with_defaults(models.POOL_DEFAULTS, pl)
                pool.update({"id": "%s.%s.%s" % (gn["name"], sn["name"], pl["name"]), "name": pl["name"],
                             "groupnet": gn["name"], "subnet": sn["name"]})
                if not pool.get("sc_subnet"):
                    pool["sc_subnet"] = sn["name"]
                sub["_pools"][pl["name"]] = pool
    for prov in spec.get("ads", []):
        p = models.with_defaults(models.ADS_DEFAULTS, prov)
        p.setdefault("machine_account", c.name.upper() + "$")
        p.setdefault("hostname", "%s.%s" % (c.name, world.forest["name"].lower()))
        p["id"] = p["name"]
        world.forest["machine_accounts"].setdefault(p["machine_account"], {"spns": []})
        s["ads"][p["name"]] = p
    for q in spec.get("quotas", []):
        item = new_quota(q, world)
        s["quotas"][item["id"]] = item
        _mkdirs(s, item["path"])  # a quota exists only on an existing directory
    for sc in spec.get("snapshot_schedules", []):
        sid = sc.get("id") or s["next_schedule_id"]
        s["next_schedule_id"] = max(s["next_schedule_id"], sid + 1)
        s["snapshot_schedules"][str(sid)] = new_schedule(sid, sc)
    for i, of in enumerate(spec.get("openfiles", []), start=1):
        s["openfiles"].append({"id": of.get("id", i), "file": of["file"], "user": of.get("user", "AD\\user01"),
                               "locks": of.get("locks", 0), "permissions": of.get("permissions", ["read"])})
    for i, ss in enumerate(spec.get("smb_sessions", []), start=1):
        item = {"id": ss.get("id", i), "computer": ss.get("computer", "10.0.0.%d" % i),
                "user": ss.get("user", "AD\\user01"), "client_type": ss.get("client_type", "SMB 3.1.1"),
                "encryption": ss.get("encryption", False), "guest_login": False,
                "active_time": ss.get("active_time", 60), "idle_time": ss.get("idle_time", 0),
                "openfiles": ss.get("openfiles", 0), "_lnn": ss.get("lnn", 1)}
        s["smb_sessions"].append(item)
    for f in spec.get("files", []):
        path = norm_path(f["path"])
        if f.get("type", "object") == "container":
            _mkdirs(s, path)
        else:
            _mkdirs(s, path.rsplit("/", 1)[0] or "/ifs")
            s["files"][path] = {"type": "object", "data": f.get("data", "")}
    for path, gen in (spec.get("generations") or {}).items():
        s["generations"][norm_path(path)] = int(gen)
    # Job history (a captured twin): the reports as OneFS's sync/reports and sync/target/reports
    # answer them (isilon-sdk SyncReport / TargetReport), oldest first. New jobs number after them.
    # Target reports carry the source's job ids: only this cluster's own reports number its jobs.
    for key in ("reports", "target_reports"):
        for rep in spec.get(key) or []:
            s[key].append(dict(rep))
            if key == "reports" and isinstance(rep.get("job_id"), int):
                s["next_job_id"] = max(s["next_job_id"], rep["job_id"] + 1)


TIMING_KEYS = ("share_write_service_ms", "share_write_capacity", "job_seconds", "job_seconds_from_history",
               "time_scale", "history_jobs")


def scenario_timing(scenario):
    """The scenario's ``timing`` block, checked (simulator knobs, not OneFS state)."""
    timing = dict(scenario.get("timing") or {})
    for key in timing:
        if key not in TIMING_KEYS:
            raise ValueError("timing: unknown key %r (known: %s)" % (key, ", ".join(TIMING_KEYS)))
    scale = float(timing.get("time_scale") or 1.0)
    if scale <= 0:
        raise ValueError("timing: time_scale must be > 0")
    timing["time_scale"] = scale
    return timing


def history_durations(reports, time_scale=1.0, last=10):
    """{(policy_name, action): seconds}: the median duration of the newest ``last`` finished
    jobs of each policy and action in a cluster's SyncIQ reports (SyncReport ``duration``,
    seconds; ``action`` run / allow_write / resync_prep / ...), divided by ``time_scale``."""
    runs = {}
    for rep in reports:
        if rep.get("state") != "finished" or rep.get("duration") is None:
            continue
        key = (rep.get("policy_name"), rep.get("action") or "run")
        runs.setdefault(key, []).append((rep.get("end_time") or 0, float(rep["duration"])))
    out = {}
    for key, items in runs.items():
        values = sorted(d for _, d in sorted(items)[-last:])
        mid = len(values) // 2
        median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2.0
        out[key] = median / time_scale
    return out


def _mkdirs(s, path):
    path = norm_path(path)
    parts = path.strip("/").split("/")
    for i in range(1, len(parts) + 1):
        p = "/" + "/".join(parts[:i])
        if p not in s["files"]:
            s["files"][p] = {"type": "container"}


def apply_thresholds(current, given):
    """Merge the ``thresholds`` of a create/PUT body into ``current`` (a full thresholds dict).

    As OneFS does, ``percent_soft`` / ``percent_advisory`` are percentages of ``hard`` and the
    absolute ``soft`` / ``advisory`` are derived from them (and re-derived whenever ``hard``
    changes); an absolute ``soft`` / ``advisory`` given without its percentage replaces a
    percentage set earlier. Raises ApiError (400) on bad combinations.
    """
    if not isinstance(given, dict):
        raise ApiError(400, "AEC_BAD_REQUEST", "Field: thresholds must be an object", "thresholds")
    for key in given:
        if key not in models.QUOTA_THRESHOLD_FIELDS:
            raise ApiError(400, "AEC_BAD_REQUEST", "Field: thresholds.%s is not a valid field" % key, key)
    th = dict(current)
    for absolute, percent in (("soft", "percent_soft"), ("advisory", "percent_advisory")):
        if given.get(absolute) is not None and given.get(percent) is not None:
            raise ApiError(400, "AEC_BAD_REQUEST", "Field: thresholds.%s and thresholds.%s cannot both be set" % (
                absolute, percent), percent)
        if absolute in given and percent not in given:
            th[percent] = None  # an absolute value replaces a percentage
    for key, value in given.items():
        if value is not None and key in ("hard", "soft", "advisory", "soft_grace") and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ApiError(400, "AEC_BAD_REQUEST", "Field: thresholds.%s must be a non-negative integer" % key, key)
        if value is not None and key in ("percent_soft", "percent_advisory"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.01 <= value <= 99.99:
                raise ApiError(400, "AEC_BAD_REQUEST", "Field: thresholds.%s must be a number from 0.01 to 99.99" % key,
                               key)
            value = float(value)
        th[key] = value
    for absolute, percent in (("soft", "percent_soft"), ("advisory", "percent_advisory")):
        if th.get(percent) is not None:
            if th.get("hard") is None:
                raise ApiError(400, "AEC_BAD_REQUEST", "Field: thresholds.%s is a percentage of the hard threshold, "
                               "which is not set" % percent, percent)
            th[absolute] = int(th["hard"] * th[percent] / 100)
    return th


def resolve_persona(world, persona):
    """A quota persona as OneFS stores it: {id, name, type}, from an id or a name (+type)."""
    if persona is None:
        return None
    try:
        return world.resolve_trustee(persona)
    except ApiError as e:
        raise ApiError(e.status, e.code, e.message.replace("trustee", "persona"), "persona") from None


def new_quota(q, world=None):
    qtype = q.get("type", "directory")
    persona = q.get("persona")
    if world is not None and persona is not None:
        persona = resolve_persona(world, persona)
    path = norm_path(q["path"])
    th = {"advisory": None, "advisory_exceeded": False, "advisory_last_exceeded": None, "hard": None,
          "hard_exceeded": False, "hard_last_exceeded": None, "percent_advisory": None, "percent_soft": None,
          "soft": None, "soft_exceeded": False, "soft_grace": None, "soft_last_exceeded": None}
    th = apply_thresholds(th, q.get("thresholds") or {})
    enforced = q.get("enforced")
    if enforced is None:
        enforced = any(th.get(k) is not None for k in ("hard", "soft", "advisory"))
    return {
        "id": quota_id(qtype, path, persona), "type": qtype, "path": path, "persona": persona,
        "container": bool(q.get("container", False)), "description": q.get("description", ""),
        "enforced": bool(enforced), "include_snapshots": bool(q.get("include_snapshots", False)),
        "labels": q.get("labels", ""), "linked": False, "notifications": "default", "ready": True,
        "efficiency_ratio": None, "reduction_ratio": None,
        "thresholds": th, "thresholds_include_overhead": bool(q.get("thresholds_include_overhead", False)),
        "thresholds_on": q.get("thresholds_on", "applogicalsize"),
        "usage": {"applogical": 0, "applogical_ready": True, "fslogical": 0, "fslogical_ready": True,
                  "fsphysical": 0, "fsphysical_ready": True, "inodes": 0, "inodes_ready": True, "physical": 0,
                  "physical_data": 0, "physical_data_ready": True, "physical_protection": 0,
                  "physical_protection_ready": True, "physical_ready": True, "shadow_refs": 0,
                  "shadow_refs_ready": True},
    }


def new_schedule(sid, sc):
    return {"id": sid, "name": sc["name"], "path": norm_path(sc["path"]), "pattern": sc.get("pattern", ""),
            "schedule": sc.get("schedule", ""), "alias": sc.get("alias", ""),
            "duration": sc.get("duration", 0), "next_run": None, "next_snapshot": None}


def new_policy(spec):
    pol = models.with_defaults(models.POLICY_DEFAULTS, {k: v for k, v in spec.items() if k != "password"})
    pol["id"] = spec.get("id") or new_guid()
    pol["source_root_path"] = norm_path(pol["source_root_path"])
    pol["target_path"] = norm_path(pol["target_path"])
    pol["password_set"] = bool(spec.get("password"))
    return pol


def _policies(world, c, spec):
    t = int(time.time())
    for p in spec.get("policies", []):
        synced = p.get("synced", True)
        pol = new_policy({k: v for k, v in p.items() if k != "synced"})
        if synced and pol.get("last_job_state") is None:
            pol["last_job_state"] = "finished"
            pol["last_started"] = t - 3700
            pol["last_success"] = t - 3600
            pol["has_sync_state"] = True
        c.s["policies"][pol["id"]] = pol
        gens = c.s["generations"]
        gens.setdefault(pol["source_root_path"], 1)
        pol["_synced"] = {pol["source_root_path"]: gens[pol["source_root_path"]]} if synced else {}
        _mkdirs(c.s, pol["source_root_path"])
        tc = world.cluster_for_host(pol["target_host"])
        if tc is None or tc is c or p.get("auto_target_policy") is False:
            continue
        if pol["id"] in tc.s["target_policies"]:
            continue
        tp = models.with_defaults(models.TARGET_POLICY_DEFAULTS, {
            "id": pol["id"], "name": pol["name"], "source_host": c.name, "source_cluster_guid": c.s["guid"],
            "target_path": pol["target_path"],
            "last_job_state": "finished" if synced else "unknown",
            "last_update_from_source": t - 3600 if synced else 0,
        })
        tc.s["target_policies"][pol["id"]] = tp
        _mkdirs(tc.s, pol["target_path"])
        if synced:
            tc.s["generations"][pol["target_path"]] = gens[pol["source_root_path"]]
            # A synced pair: the target holds the source root's tree as the last sync left it.
            root, dst = pol["source_root_path"], pol["target_path"]
            for path, entry in list(c.s["files"].items()):
                if path_under(path, root) and path != root:
                    tc.s["files"].setdefault(dst + path[len(root):], dict(entry))

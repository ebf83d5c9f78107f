"""Identity lookups: /auth/users, /auth/groups, /auth/wellknowns and /auth/providers/summary.

Field names and required fields follow Dell's isilon-sdk models (``AuthUserExtended``,
``AuthGroupExtended``, ``AuthAccessAccessItemFileGroup``, ``ProvidersSummaryProviderInstance``,
v9_5_0 ... v9_12_0) and the query arguments of ``AuthApi.get_auth_user`` / ``list_auth_users``
(``zone``, ``provider``, ``filter``, ``domain``, ``query_member_of``, ``limit``, ``resume``).
Who is visible where follows OneFS's access-zone model (OneFS Web Administration Guide,
"Authentication providers" / "Access zones"): a zone sees the users of the providers in its
``auth_providers`` plus its own local provider; ``provider=`` narrows the lookup to one of them.
An item lookup takes ``USER:name`` / ``GROUP:name``, ``UID:n`` / ``GID:n``, ``SID:S-...`` or a
bare name, as ``isi auth users view`` does.

Modelled identities: the AD forest's users and groups (provider
``lsa-activedirectory-provider:<forest>``), the cluster's PAPI users plus ``root`` and
``nobody`` (``lsa-local-provider:<zone>``), the local groups of the well-known table, and the
well-known principals. UIDs/GIDs of AD identities come from the simulator's own ID mapping
(1000000 + n, ``generated_uid``), not from a real ID mapper.
"""
import zlib

from .errors import ApiError, not_found
from .models import WELLKNOWN
from .util import decode_token, encode_token

_AD_UID_BASE = 1000000
_LOCAL_UID_BASE = 2000


def _ad_provider(world):
    return "lsa-activedirectory-provider:%s" % world.forest.get("name", "AD.EXAMPLE.COM")


def _sid(value):
    return value if value.upper().startswith("SID:") else "SID:" + value


def _persona(ident_id, name, kind):
    return {"id": ident_id, "name": name, "type": kind}


def _domain_parts(world):
    forest = world.forest.get("name", "AD.EXAMPLE.COM")
    return forest, forest.lower(), ",".join("DC=%s" % p for p in forest.lower().split("."))


def _ad_users(world):
    forest, dns, dc = _domain_parts(world)
    provider = _ad_provider(world)
    groups = {_sid(g["sid"]).upper(): g for g in world.forest.get("groups", [])}
    out = []
    for i, u in enumerate(world.forest.get("users", []), start=1):
        name = u["name"]
        sam = name.split("\\", 1)[-1]
        member_sids = [_sid(g) for g in u.get("groups", [])]
        primary = next((s for s in member_sids if s.upper().endswith("-513")), None)
        member_of = []
        for s in member_sids:
            g = groups.get(s.upper())
            member_of.append(_persona(s, g["name"] if g else s[4:], "group"))
        primary_persona = None
        if primary:
            g = groups.get(primary.upper())
            primary_persona = _persona(primary, g["name"] if g else "%s\\domain users" % forest.split(".")[0], "group")
        out.append({
            "dn": "CN=%s,CN=Users,%s" % (sam, dc), "dns_domain": dns, "domain": forest, "email": "",
            "enabled": True, "expired": False, "expiry": 0, "gecos": "",
            "generated_gid": False, "generated_uid": True, "generated_upn": False,
            "gid": _persona("GID:%d" % (_AD_UID_BASE + 513), "%s\\domain users" % world.forest.get("netbios", "AD"),
                            "group"),
            "home_directory": "/ifs/home/%s/%s" % (world.forest.get("netbios", "AD"), sam),
            "id": name, "locked": False, "_member_of": member_of, "name": name, "object_history": [],
            "on_disk_user_identity": _persona(_sid(u["sid"]), name, "user"),
            "password_expired": False, "password_expires": True, "prompt_password_change": False,
            "primary_group_sid": primary_persona or _persona(_sid(u["sid"]), name, "user"),
            "provider": provider, "sam_account_name": sam, "shell": "/bin/zsh",
            "sid": _persona(_sid(u["sid"]), name, "user"), "type": "user",
            "uid": _persona("UID:%d" % (_AD_UID_BASE + i), name, "user"), "upn": "%s@%s" % (sam, forest),
            "user_can_change_password": True,
        })
    return out


def _local_sid(cluster, rid):
    # A stable machine SID per cluster (S-1-5-21-a-b-c), as each OneFS cluster has its own.
    h = zlib.crc32(cluster.s["guid"].encode())
    return "SID:S-1-5-21-%d-%d-%d-%d" % (h % 1000000000, (h >> 8) % 1000000000, (h >> 16) % 100000, rid)


def _local_users(cluster, zone):
    provider = "lsa-local-provider:%s" % zone
    names = [("root", 0), ("nobody", 65534)] + [(n, _LOCAL_UID_BASE + i)
                                                for i, n in enumerate(sorted(cluster.s["users"]), start=1)]
    out = []
    for name, uid in names:
        sid = "SID:S-1-22-1-%d" % uid if uid in (0, 65534) else _local_sid(cluster, 1000 + uid - _LOCAL_UID_BASE)
        gid = _persona("GID:0", "wheel", "group") if uid == 0 else _persona("GID:1800", "Isilon Users", "group")
        out.append({
            "dn": "CN=%s,CN=Users,DC=%s" % (name, cluster.name.upper()), "dns_domain": "",
            "domain": cluster.name.upper(), "email": "", "enabled": True, "expired": False, "expiry": 0,
            "gecos": "", "generated_gid": False, "generated_uid": False, "generated_upn": True, "gid": gid,
            "home_directory": "/ifs/home/%s" % name, "id": name, "locked": False, "_member_of": [gid],
            "name": name, "object_history": [], "on_disk_user_identity": _persona("UID:%d" % uid, name, "user"),
            "password_expired": False, "password_expires": uid not in (0, 65534), "prompt_password_change": False,
            "primary_group_sid": _persona(_local_sid(cluster, 800), gid["name"], "group"),
            "provider": provider, "sam_account_name": name, "shell": "/bin/zsh",
            "sid": _persona(sid, name, "user"), "type": "user", "uid": _persona("UID:%d" % uid, name, "user"),
            "upn": "%s@%s" % (name, cluster.name.upper()), "user_can_change_password": True,
        })
    return out


def _ad_groups(world):
    forest, dns, dc = _domain_parts(world)
    provider = _ad_provider(world)
    out = []
    for i, g in enumerate(world.forest.get("groups", []), start=1):
        name = g["name"]
        sam = name.split("\\", 1)[-1]
        rid = _sid(g["sid"]).rsplit("-", 1)[-1]
        gid = _AD_UID_BASE + int(rid) if rid.isdigit() and int(rid) < 1000 else _AD_UID_BASE + 1000 + i
        out.append({"dn": "CN=%s,CN=Users,%s" % (sam, dc), "dns_domain": dns, "domain": forest,
                    "generated_gid": True, "gid": _persona("GID:%d" % gid, name, "group"), "id": name,
                    "_member_of": [], "name": name, "object_history": [], "provider": provider,
                    "sam_account_name": sam, "sid": _persona(_sid(g["sid"]), name, "group"), "type": "group"})
    return out


def _local_groups(cluster, zone):
    provider = "lsa-local-provider:%s" % zone
    rows = [("wheel", "GID:0", "SID:S-1-22-2-0"), ("Isilon Users", "GID:1800", _local_sid(cluster, 800))]
    rows += [(w["name"], "GID:%d" % (1544 + i), w["id"]) for i, w in enumerate(WELLKNOWN)
             if w["type"] == "group"]
    return [{"dn": "CN=%s,CN=Groups,DC=%s" % (n, cluster.name.upper()), "dns_domain": "",
             "domain": cluster.name.upper(), "generated_gid": False, "gid": _persona(gid, n, "group"), "id": n,
             "_member_of": [], "name": n, "object_history": [], "provider": provider, "sam_account_name": n,
             "sid": _persona(sid, n, "group"), "type": "group"} for n, gid, sid in rows]


def _zone_and_providers(req):
    """(zone name, provider ids visible there) for the request's zone/provider arguments."""
    c = req.cluster
    zone = c.zone(req.q("zone") or "System")
    providers = ["lsa-local-provider:%s" % zone["name"]] + [p for p in zone.get("auth_providers", [])
                                                             if p.startswith("lsa-activedirectory-provider:")]
    if zone["name"] == "System":
        for prov in c.s["ads"].values():
            pid = "lsa-activedirectory-provider:%s" % prov["name"]
            if pid not in providers:
                providers.append(pid)
    wanted = req.q("provider")
    if wanted:
        match = [p for p in providers if p.lower() == wanted.lower() or p.split(":", 1)[-1].lower() == wanted.lower()]
        if not match:
            raise ApiError(404, "AEC_NOT_FOUND", "Provider '%s' not found in access zone '%s'" % (
                wanted, zone["name"]), "provider")
        providers = match
    return zone["name"], providers


def _visible(req, kind):
    zone, providers = _zone_and_providers(req)
    items = []
    if "lsa-local-provider:%s" % zone in providers:
        items += _local_users(req.cluster, zone) if kind == "users" else _local_groups(req.cluster, zone)
    if _ad_provider(req.world) in providers:
        items += _ad_users(req.world) if kind == "users" else _ad_groups(req.world)
    return items


def _view(req, item):
    out = {k: v for k, v in item.items() if not k.startswith("_")}
    if req.qbool("query_member_of"):
        out["member_of"] = list(item["_member_of"])
    return out


def _find(req, kind, key):
    items = _visible(req, kind)
    label = "USER" if kind == "users" else "GROUP"
    prefix, _, rest = key.partition(":")
    prefix = prefix.upper() if rest else ""
    for item in items:
        names = {item["name"].lower(), item["sam_account_name"].lower()}
        if prefix in ("", label) and (rest or key).lower() in names:
            return item
        if prefix == "SID" and item["sid"]["id"].upper() == key.upper():
            return item
        if prefix in ("UID", "GID"):
            ident = item["uid" if kind == "users" else "gid"]
            if ident["id"].upper() == key.upper():
                return item
    raise not_found("Failed to find %s for '%s': No such %s" % (kind[:-1], key, kind[:-1]))


def user_get(req):
    return {"users": [_view(req, _find(req, "users", req.params[0]))]}


def group_get(req):
    return {"groups": [_view(req, _find(req, "groups", req.params[0]))]}


def _listing(req, kind):
    items = _visible(req, kind)
    flt = req.q("filter")
    if flt:
        flt = flt.lower().rstrip("*")
        items = [i for i in items if i["name"].lower().startswith(flt) or i["sam_account_name"].lower().startswith(flt)]
    dom = req.q("domain")
    if dom:
        items = [i for i in items if i["domain"].lower() == dom.lower()]
    items = [_view(req, i) for i in items]
    # AuthUsersExtended / AuthGroupsExtended: {users|groups, resume}; no total in any SDK release.
    offset = 0
    limit = req.q("limit")
    token = req.q("resume")
    if token:
        try:
            t = decode_token(token)
            offset, limit = t["o"], t["l"]
        except Exception:
            raise ApiError(400, "AEC_BAD_REQUEST", "Invalid resume token", "resume") from None
    if limit is not None:
        try:
            limit = int(limit)
        except ValueError:
            raise ApiError(400, "AEC_BAD_REQUEST", "Field: limit must be an integer", "limit") from None
        if limit < 1:
            raise ApiError(400, "AEC_BAD_REQUEST", "Field: limit must be at least 1", "limit")
    chunk = items[offset:] if limit is None else items[offset:offset + limit]
    resume = None
    if limit is not None and offset + limit < len(items):
        resume = encode_token({"o": offset + limit, "l": limit})
    return {kind: chunk, "resume": resume}


def users_list(req):
    return _listing(req, "users")


def groups_list(req):
    return _listing(req, "groups")


def wellknowns_list(req):
    return {"wellknowns": [dict(w) for w in WELLKNOWN if w["type"] == "wellknown"]}


def wellknown_get(req):
    key = req.params[0].lower()
    for w in WELLKNOWN:
        if w["type"] == "wellknown" and key in (w["id"].lower(), w["name"].lower()):
            return {"wellknowns": [dict(w)]}
    raise not_found("Well-known principal '%s' not found" % req.params[0])


def providers_summary(req):
    """ProvidersSummary: one instance per provider (the local one of each zone, the file
    provider, each AD provider), narrowed to the zone's providers with ?zone=."""
    c = req.cluster
    forest = req.world.forest
    zones = sorted(c.s["zones"].values(), key=lambda z: z["zone_id"])
    wanted = req.q("zone")
    if wanted:
        zones = [c.zone(wanted)]
    out = []
    for z in zones:
        out.append({"id": "lsa-local-provider:%s" % z["name"], "name": z["name"], "type": "local",
                    "zone_name": z["name"], "status": "active", "groupnet": z.get("groupnet", "groupnet0")})
    if not wanted or wanted == "System":
        out.append({"id": "lsa-file-provider:System", "name": "System", "type": "file", "zone_name": "System",
                    "status": "active", "groupnet": "groupnet0"})
    for prov in c.s["ads"].values():
        pid = "lsa-activedirectory-provider:%s" % prov["name"]
        if wanted and wanted != "System" and pid not in c.zone(wanted).get("auth_providers", []):
            continue
        out.append({"id": pid, "name": prov["name"], "type": "ads", "zone_name": prov.get("zone_name", "System"),
                    "status": "online", "groupnet": prov.get("groupnet", "groupnet0"),
                    "forest": forest.get("name", "").lower(), "dc_site": "Default-First-Site-Name",
                    "client_site": "Default-First-Site-Name",
                    "active_server": "dc1.%s" % forest.get("name", "").lower(),
                    "connections": [{"address": "192.0.2.2", "server": "dc1.%s" % forest.get("name", "").lower()}]})
    gn = req.q("groupnet")
    if gn:
        out = [p for p in out if p.get("groupnet") == gn]
    return {"provider_instances": out}


SEG = r"([^/]+)"
ROUTES = [
    ("auth/users", 1, {"GET": users_list}),
    ("auth/users/" + SEG, 1, {"GET": user_get}),
    ("auth/groups", 1, {"GET": groups_list}),
    ("auth/groups/" + SEG, 1, {"GET": group_get}),
    ("auth/wellknowns", 1, {"GET": wellknowns_list}),
    ("auth/wellknowns/" + SEG, 1, {"GET": wellknown_get}),
    ("auth/providers/summary", 1, {"GET": providers_summary}),
]

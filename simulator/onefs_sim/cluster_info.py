"""Read-mostly cluster resources: zones-summary, cluster nodes/time/external IPs, the cluster-wide
network lists, zone-scoped protocol settings, SyncIQ subreports and license.

Every shape follows Dell's isilon-sdk models (v9_5_0 ... v9_12_0): ``ZonesSummary`` /
``ZonesSummaryExtended``, ``ClusterNodesExtended*``, ``ClusterTime``, ``NetworkInterfaces``,
``GroupnetSubnetsExtended``, ``PoolsPoolRulesExtended``, ``NetworkDnscache``, ``NetworkExternal``,
``NfsSettingsExport``, ``NfsSettingsZone``, ``SmbSettingsShare``, ``ReportSubreportsExtended``,
``ReportsReportSubreportsExtended`` and ``QuotaLicense``; the defaults are OneFS's documented
defaults (OneFS CLI reference: ``isi network dnscache view``, ``isi network external view``,
``isi nfs settings zone view``, ``isi smb settings share view``).
"""
import copy
import ipaddress
import time

from . import models
from .errors import bad_request, not_found
from .papi import _sview, _zone_item, check_fields, check_types, page

# ---- zones-summary ---------------------------------------------------------------------------------


def zones_summary(req):
    """ZonesSummaryExtended: {"summary": {"count", "list": [zone names]}}, ?groupnet= filters."""
    zones = sorted(req.cluster.s["zones"].values(), key=lambda z: z["zone_id"])
    gn = req.q("groupnet")
    if gn:
        zones = [z for z in zones if z.get("groupnet", "groupnet0") == gn]
    return {"summary": {"count": len(zones), "list": [z["name"] for z in zones]}}


def zone_summary(req):
    """ZonesSummary: {"summary": {"path"}}: where a client finds a zone's base path."""
    return {"summary": {"path": _zone_item(req)["path"]}}


# ---- nodes, interfaces and their addresses --------------------------------------------------------
def _expand(ranges, cap=256):
    out = []
    for r in ranges or []:
        try:
            lo, hi = ipaddress.ip_address(r["low"]), ipaddress.ip_address(r["high"])
        except (KeyError, ValueError):
            continue
        while lo <= hi and len(out) < cap:
            out.append(str(lo))
            lo += 1
    return out


def node_addresses(cluster):
    """{(lnn, iface): [(pool, [ips])]}: the pools' ranges spread over their member interfaces.

    A dynamic pool hands its addresses round-robin to its members (OneFS balances them across the
    pool's interfaces); a static pool gives each member one address, in order.
    """
    out = {}
    for pool in cluster.iter_pools():
        members = sorted({(int(i.get("lnn", 1)), i.get("iface", "ext-1")) for i in pool.get("ifaces", [])})
        if not members:
            continue
        ips = _expand(pool.get("ranges"))
        given = {m: [] for m in members}
        if pool.get("alloc_method") == "static":
            for m, ip in zip(members, ips):
                given[m].append(ip)
        else:
            for n, ip in enumerate(ips):
                given[members[n % len(members)]].append(ip)
        for m in members:
            out.setdefault(m, []).append((pool, given[m]))
    return out


def _interfaces(cluster):
    addrs = node_addresses(cluster)
    names = {"ext-1", "ext-2"} | {iface for _, iface in addrs}
    items = []
    for lnn in range(1, cluster.s["nodes"] + 1):
        for n, name in enumerate(sorted(names), start=1):
            owners, ips = [], []
            for pool, given in addrs.get((lnn, name), []):
                owners.append({"access_zone": pool.get("access_zone", "System"), "groupnet": pool["groupnet"],
                               "id": pool["id"], "ip_addrs": list(given), "pool": pool["name"],
                               "subnet": pool["subnet"], "type": pool.get("alloc_method", "dynamic")})
                ips += given
            items.append({"flags": [], "id": "%d:%s" % (lnn, name), "ip_addrs": ips, "linklayer": "ethernet",
                          "lnn": lnn, "macaddr": "00:50:56:%02x:%02x:%02x" % (lnn, n, len(cluster.name)),
                          "mtu": 1500, "name": name, "nic_name": "vmx%d" % (n - 1), "owners": owners,
                          "speed": 10000, "status": "up", "type": "10gige", "vlans": []})
    return items


def network_interfaces(req):
    items = _interfaces(req.cluster)
    if req.version < 21:  # linklayer and macaddr came with handler version 21 (isilon-sdk v9_10_0)
        items = [{k: v for k, v in i.items() if k not in ("linklayer", "macaddr")} for i in items]
    lnn = req.q("lnn")
    if lnn:
        items = [i for i in items if str(i["lnn"]) == lnn]
    for key in ("linklayer", "type"):
        if req.q(key):
            items = [i for i in items if i[key] == req.q(key)]
    return page(req, items, "interfaces")


def external_ips(req):
    """list[str]: every external address the nodes hold (cluster/external-ips answers a bare list)."""
    out = []
    for item in _interfaces(req.cluster):
        out += [ip for ip in item["ip_addrs"] if ip not in out]
    return sorted(out, key=ipaddress.ip_address)


def _node(cluster, lnn):
    return {"id": lnn, "lnn": lnn, "internal_ip_address": "128.221.254.%d" % lnn}


def cluster_nodes(req):
    nodes = [_node(req.cluster, n) for n in range(1, req.cluster.s["nodes"] + 1)]
    return {"nodes": nodes, "total": len(nodes)}


def cluster_node(req):
    key = req.params[0]
    if not key.isdigit() or not 1 <= int(key) <= req.cluster.s["nodes"]:
        raise not_found("Node %s not found" % key)
    return {"nodes": [_node(req.cluster, int(key))]}


def cluster_time_get(req):
    t = int(time.time()) + int(req.cluster.s.get("time_offset", 0))
    nodes = [{"id": n, "lnn": n, "status": 0, "time": t} for n in range(1, req.cluster.s["nodes"] + 1)]
    return {"errors": [], "nodes": nodes, "total": len(nodes)}


def cluster_time_put(req):
    body = check_fields(req.body, {"time"})
    if not isinstance(body.get("time"), int) or isinstance(body.get("time"), bool):
        raise bad_request("Field: time must be an integer (seconds since the epoch)", "time")
    req.cluster.s["time_offset"] = body["time"] - int(time.time())
    return 204, None


# ---- network lists and settings --------------------------------------------------------------------
def network_subnets(req):
    items = []
    for g in req.cluster.s["groupnets"].values():
        if req.q("groupnet") and g["name"] != req.q("groupnet"):
            continue
        items += [_sview(req, sn) for sn in g["_subnets"].values()]
    return page(req, items, "subnets")


def network_rules(req):
    """PoolsPoolRulesExtended. The simulator holds no node-provisioning rules: the list is empty."""
    return page(req, [], "rules")


DNSCACHE_DEFAULTS = {"cache_entry_limit": 65536, "cluster_timeout": 5, "dns_timeout": 5, "eager_refresh": 0,
                     "testping_delta": 30, "ttl_max_noerror": 3600, "ttl_max_nxdomain": 3600, "ttl_max_other": 60,
                     "ttl_max_servfail": 3600, "ttl_min_noerror": 30, "ttl_min_nxdomain": 15, "ttl_min_other": 0,
                     "ttl_min_servfail": 300}
EXTERNAL_DEFAULTS = {"default_groupnet": "groupnet0", "ipv6_accept_redirects": False,
                     "ipv6_auto_config_enabled": False, "ipv6_dad_enabled": False, "ipv6_dad_timeout": 1,
                     "ipv6_enabled": False, "ipv6_generate_link_local": False, "ipv6_ssip_perform_dad": False,
                     "sbr": False, "sc_rebalance_delay": 0, "sc_server_ttl": 900, "tcp_ports": [2049, 445, 20, 21, 80]}


# Fields a handler version adds (isilon-sdk: NetworkExternalSettings of v9_12_0, /platform/23).
_FROM_VERSION = {"lagg_lacp_fast_timeout": 23}
EXTERNAL_DEFAULTS["lagg_lacp_fast_timeout"] = False


def _stored_settings(key, defaults):
    """GET/PUT handlers for cluster settings kept in the state under `key` (created on first use)."""
    def known(version):
        return {k: v for k, v in defaults.items() if version >= _FROM_VERSION.get(k, 0)}

    def get(req):
        shown = known(req.version)
        stored = {k: v for k, v in req.cluster.s.get(key, {}).items() if k in shown}
        return {"settings": dict(copy.deepcopy(shown), **stored)}

    def put(req):
        body = check_fields(req.body, set(known(req.version)))
        vals = check_types(body, defaults)
        req.cluster.s[key] = dict(req.cluster.s.get(key, {}), **vals)
        return 204, None

    return get, put


_dnscache_get, _dnscache_put = _stored_settings("dnscache_settings", DNSCACHE_DEFAULTS)
_external_get, _external_put = _stored_settings("external_settings", EXTERNAL_DEFAULTS)

# ---- zone-scoped protocol settings -----------------------------------------------------------------
SMB_SHARE_SETTING_FIELDS = (
    "access_based_enumeration", "access_based_enumeration_root_only", "allow_delete_readonly",
    "allow_execute_always", "ca_timeout", "ca_write_integrity", "change_notify", "continuously_available",
    "create_permissions", "csc_policy", "directory_create_mask", "directory_create_mode", "file_create_mask",
    "file_create_mode", "file_filter_extensions", "file_filter_type", "file_filtering_enabled", "hide_dot_files",
    "host_acl", "impersonate_guest", "impersonate_user", "mangle_byte_start", "mangle_map", "ntfs_acl_support",
    "oplocks", "smb3_encryption_enabled", "sparse_file", "strict_ca_lockout", "strict_flush", "strict_locking")
NFS_EXPORT_SETTING_FIELDS = tuple(sorted(set(models.EXPORT_DEFAULTS) - {
    "clients", "description", "read_only_clients", "read_write_clients", "root_clients"}))
NFS_ZONE_DEFAULTS = {"nfsv4_allow_numeric_ids": False, "nfsv4_domain": "localhost", "nfsv4_no_domain": False,
                     "nfsv4_no_domain_uids": False, "nfsv4_no_names": False, "nfsv4_replace_domain": True}
ZONE_SETTINGS = {
    "smb_share": ({k: models.SHARE_DEFAULTS[k] for k in SMB_SHARE_SETTING_FIELDS}, models.SHARE_ENUMS,
                  models.SHARE_INT_RANGES),
    "nfs_export": ({k: models.EXPORT_DEFAULTS[k] for k in NFS_EXPORT_SETTING_FIELDS}, None, None),
    "nfs_zone": (NFS_ZONE_DEFAULTS, None, None),
}


def zone_defaults(cluster, kind, zone):
    """The zone's settings of `kind` (defaults overlaid with what PUT stored): new shares and
    exports of the zone start from them, as on OneFS."""
    defaults = ZONE_SETTINGS[kind][0]
    stored = cluster.s.get("zone_settings", {}).get(kind, {}).get(zone, {})
    return dict(copy.deepcopy(defaults), **copy.deepcopy(stored))


def _zone_settings(kind):
    defaults, enums, ranges = ZONE_SETTINGS[kind]

    def get(req):
        zone = req.cluster.zone(req.zone_name())["name"]
        out = zone_defaults(req.cluster, kind, zone)
        out["zone"] = zone
        return {"settings": out}

    def put(req):
        body = check_fields(req.body, set(defaults) | {"zone"})
        zone = req.cluster.zone(req.zone_name())["name"]
        vals = check_types({k: v for k, v in body.items() if k != "zone"}, defaults, enums, ranges)
        store = req.cluster.s.setdefault("zone_settings", {}).setdefault(kind, {})
        store[zone] = dict(store.get(zone, {}), **vals)
        return 204, None

    return get, put


_smb_share_get, _smb_share_put = _zone_settings("smb_share")
_nfs_export_get, _nfs_export_put = _zone_settings("nfs_export")
_nfs_zone_get, _nfs_zone_put = _zone_settings("nfs_zone")


# ---- SyncIQ subreports and license ------------------------------------------------------------------
def _report(req, key):
    for r in req.cluster.s[key]:
        if r["id"] == req.params[0]:
            return r
    raise not_found("Report '%s' not found" % req.params[0])


def _subreports(report):
    """One subreport per report: the simulated job ran in one piece (no restart, no worker split)."""
    sub = {k: copy.deepcopy(v) for k, v in report.items() if k != "subreport_count"}
    sub["id"] = "1"
    return [sub]


def _subreports_handlers(key):
    def listing(req):
        items = _subreports(_report(req, key))
        if req.q("state"):
            items = [s for s in items if s["state"] == req.q("state")]
        return page(req, items, "subreports")

    def item(req):
        for sub in _subreports(_report(req, key)):
            if sub["id"] == req.params[1]:
                return {"subreports": [sub]}
        raise not_found("Subreport '%s' of report '%s' not found" % (req.params[1], req.params[0]))

    return listing, item


_subreports_list, _subreport_get = _subreports_handlers("reports")
_target_subreports_list, _target_subreport_get = _subreports_handlers("target_reports")


def sync_license(req):
    """QuotaLicense (the SDK's generic license model), answered bare as OneFS does."""
    return {"expired_alert": False, "expiring_alert": False, "id": "SyncIQ", "name": "SyncIQ",
            "status": "Licensed", "tiers": []}


SEG = r"([^/]+)"
ROUTES = [
    ("zones-summary", 1, {"GET": zones_summary}),
    ("zones-summary/" + SEG, 1, {"GET": zone_summary}),
    ("cluster/external-ips", 2, {"GET": external_ips}),
    ("cluster/nodes", 1, {"GET": cluster_nodes}),
    ("cluster/nodes/" + SEG, 1, {"GET": cluster_node}),
    ("cluster/time", 3, {"GET": cluster_time_get, "PUT": cluster_time_put}),
    ("network/subnets", 3, {"GET": network_subnets}),
    ("network/rules", 3, {"GET": network_rules}),
    ("network/interfaces", 3, {"GET": network_interfaces}),
    ("network/dnscache", 3, {"GET": _dnscache_get, "PUT": _dnscache_put}),
    ("network/external", 3, {"GET": _external_get, "PUT": _external_put}),
    ("protocols/smb/settings/share", 1, {"GET": _smb_share_get, "PUT": _smb_share_put}),
    ("protocols/nfs/settings/export", 2, {"GET": _nfs_export_get, "PUT": _nfs_export_put}),
    ("protocols/nfs/settings/zone", 2, {"GET": _nfs_zone_get, "PUT": _nfs_zone_put}),
    ("sync/reports/" + SEG + "/subreports", 1, {"GET": _subreports_list}),
    ("sync/reports/" + SEG + "/subreports/" + SEG, 1, {"GET": _subreport_get}),
    ("sync/target/reports/" + SEG + "/subreports", 1, {"GET": _target_subreports_list}),
    ("sync/target/reports/" + SEG + "/subreports/" + SEG, 1, {"GET": _target_subreport_get}),
    ("sync/license", 1, {"GET": sync_license}),
]

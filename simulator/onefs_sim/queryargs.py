"""Query arguments each PAPI resource accepts, and the generic collection options.

Source: the query parameters of Dell's isilon-sdk 0.7.0 API methods (``isilon_sdk.v9_5_0`` ...
``v9_12_0``, ``api/*.py``: the ``query_params`` each generated method sends), which are generated
from OneFS's own ``?describe`` schemas (``GET_args``, ``POST_args``, ...). The union over those
releases is kept per resource and method. OneFS refuses an argument a handler does not declare
with 400 AEC_BAD_REQUEST; the message text here is the simulator's own (not read from OneFS).
``?describe`` requests take ``describe``, ``json``, ``list`` and ``all`` only.
"""
from .errors import ApiError

# resource pattern (as in papi.ROUTES, SEG = one path segment) -> {method: "arg arg ..."}
_TABLE = {
    "cluster/config": {"GET": ""},
    "cluster/identity": {"GET": "", "PUT": ""},
    "cluster/external-ips": {"GET": ""},
    "cluster/nodes": {"GET": "timeout"},
    "cluster/nodes/SEG": {"GET": "timeout"},
    "cluster/time": {"GET": "", "PUT": ""},
    "zones": {"GET": "", "POST": ""},
    "zones/SEG": {"DELETE": "", "GET": "", "PUT": ""},
    "zones-summary": {"GET": "groupnet"},
    "zones-summary/SEG": {"GET": ""},
    "protocols/smb/shares": {
        "DELETE": "zone",
        "GET": "dir limit offset resolve_names resume scope sort zone",
        "POST": "zone",
    },
    "protocols/smb/shares/SEG": {"DELETE": "zone", "GET": "resolve_names scope zone", "PUT": "zone"},
    "protocols/smb/openfiles": {"GET": "dir limit resume sort"},
    "protocols/smb/openfiles/SEG": {"DELETE": ""},
    "protocols/smb/sessions": {"GET": "limit lnn lnn_skip resume"},
    "protocols/smb/sessions/SEG": {"DELETE": ""},
    "protocols/smb/sessions/SEG/SEG": {"DELETE": ""},
    "protocols/smb/settings/global": {"GET": "scope", "PUT": ""},
    "protocols/smb/settings/share": {"GET": "scope zone", "PUT": "zone"},
    "protocols/nfs/exports": {
        "GET": "check dir limit offset path resume scope sort zone",
        "POST": "force ignore_bad_auth ignore_bad_paths ignore_conflicts ignore_unresolvable_hosts zone",
    },
    "protocols/nfs/exports/SEG": {
        "DELETE": "zone",
        "GET": "scope zone",
        "PUT": "force ignore_bad_auth ignore_bad_paths ignore_conflicts ignore_unresolvable_hosts zone",
    },
    "protocols/nfs/aliases": {"GET": "check dir limit resume sort zone", "POST": "zone"},
    "protocols/nfs/aliases/SEG": {"DELETE": "zone", "GET": "check scope zone", "PUT": "zone"},
    "protocols/nfs/settings/global": {"GET": "", "PUT": ""},
    "protocols/nfs/settings/export": {"GET": "scope zone", "PUT": "zone"},
    "protocols/nfs/settings/zone": {"GET": "zone", "PUT": "zone"},
    "network/groupnets": {"GET": "dir limit resume sort", "POST": ""},
    "network/groupnets/SEG": {"DELETE": "", "GET": "", "PUT": ""},
    "network/groupnets/SEG/subnets": {"GET": "dir limit resume sort", "POST": ""},
    "network/groupnets/SEG/subnets/SEG": {"DELETE": "force", "GET": "", "PUT": "force"},
    "network/groupnets/SEG/subnets/SEG/pools": {
        "GET": "access_zone alloc_method dir limit resume sort",
        "POST": "force",
    },
    "network/groupnets/SEG/subnets/SEG/pools/SEG": {"DELETE": "", "GET": "", "PUT": "force"},
    "network/pools": {"GET": "access_zone alloc_method dir groupnet limit resume sort subnet"},
    "network/subnets": {"GET": "dir groupnet limit resume sort"},
    "network/rules": {"GET": "dir groupnet limit pool resume sort subnet"},
    "network/interfaces": {
        "GET": "cache dir flag include_access_zones include_vlans limit linklayer lnn network owner resume sort "
               "type vlan_id",
    },
    "network/dnscache": {"GET": "", "PUT": ""},
    "network/external": {"GET": "", "PUT": ""},
    "auth/providers/ads": {"GET": "scope", "POST": ""},
    "auth/providers/ads/SEG": {"DELETE": "", "GET": "check_duplicates machine_account scope", "PUT": "machine_account"},
    "auth/providers/summary": {"GET": "groupnet zone"},
    "auth/users": {
        "DELETE": "cached provider zone",
        "GET": "cached domain filter limit provider query_member_of resolve_names resume timeout zone",
        "POST": "force provider zone",
    },
    "auth/users/SEG": {
        "DELETE": "cached provider zone",
        "GET": "cached provider query_member_of resolve_names zone",
        "PUT": "force provider zone",
    },
    "auth/groups": {
        "DELETE": "cached provider zone",
        "GET": "cached domain filter limit provider query_member_of resolve_names resume timeout zone",
        "POST": "force provider zone",
    },
    "auth/groups/SEG": {
        "DELETE": "cached provider zone",
        "GET": "cached provider query_member_of resolve_names zone",
        "PUT": "force provider zone",
    },
    "auth/wellknowns": {"GET": ""},
    "auth/wellknowns/SEG": {"GET": "scope"},
    "quota/quotas": {
        "DELETE": "enforced include_snapshots path persona recurse_path_children recurse_path_parents type zone",
        "GET": "enforced exceeded include_snapshots limit path persona "
               "recurse_path_children recurse_path_parents report_id resolve_names resume type zone",
        "POST": "zone",
    },
    "quota/quotas/SEG": {"DELETE": "", "GET": "resolve_names zone", "PUT": ""},
    "snapshot/schedules": {"DELETE": "", "GET": "dir limit resume sort", "POST": ""},
    "snapshot/schedules/SEG": {"DELETE": "", "GET": "", "PUT": ""},
    "dedupe/settings": {"GET": "", "PUT": ""},
    "sync/policies": {"DELETE": "force local_only", "GET": "dir limit resume scope sort state summary", "POST": ""},
    "sync/policies/SEG": {"DELETE": "force local_only", "GET": "", "PUT": ""},
    "sync/policies/SEG/reset": {"POST": ""},
    "sync/jobs": {"DELETE": "", "GET": "dir limit resume sort state", "POST": ""},
    "sync/jobs/SEG": {"GET": "", "PUT": ""},
    "sync/target/policies": {"GET": "dir limit resume sort target_path"},
    "sync/target/policies/SEG": {"DELETE": "force", "GET": ""},
    "sync/target/policies/SEG/cancel": {"POST": ""},
    "sync/reports": {"GET": "dir limit newer_than policy_name reports_per_policy resume sort state summary"},
    "sync/reports/SEG": {"GET": ""},
    "sync/reports/SEG/subreports": {"GET": "dir limit newer_than resume sort state"},
    "sync/reports/SEG/subreports/SEG": {"GET": ""},
    "sync/target/reports": {"GET": "dir limit newer_than policy_name reports_per_policy resume sort state summary"},
    "sync/target/reports/SEG": {"GET": ""},
    "sync/target/reports/SEG/subreports": {"GET": "dir limit newer_than resume sort state"},
    "sync/target/reports/SEG/subreports/SEG": {"GET": ""},
    "sync/settings": {"GET": "", "PUT": ""},
    "sync/license": {"GET": ""},
}

_DESCRIBE = frozenset(("describe", "json", "list", "all"))
SEG = r"([^/]+)"
# The same table keyed by the route patterns of papi.ROUTES.
ALLOWED = {key.replace("SEG", SEG): {m: frozenset(v.split()) for m, v in methods.items()}
           for key, methods in _TABLE.items()}


def allowed(pattern, method):
    """The query arguments a route pattern accepts for a method, or None when not recorded."""
    methods = ALLOWED.get(pattern)
    if methods is None:
        return None
    return methods.get("GET" if method == "HEAD" else method, frozenset())


def check(pattern, method, query):
    """400 AEC_BAD_REQUEST naming the first query argument the resource does not take."""
    if "describe" in query:
        names = _DESCRIBE
    else:
        names = allowed(pattern, method)
        if names is None:
            return
    for key in query:
        if key not in names:
            raise ApiError(400, "AEC_BAD_REQUEST", "Invalid query argument '%s' for this resource" % key, key)

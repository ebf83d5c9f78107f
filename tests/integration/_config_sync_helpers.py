"""Scenario and helpers shared by the NFS export and configuration-sync tests.

The clusters: ``alpha`` (source) and ``beta`` (target), each with the access zone ``eng``
(base path /ifs/eng); ``beta`` also has ``engdr`` (/ifs/engdr) for zone-mapping tests.
Under /ifs/eng/proj on alpha (the unit that is synced) live three SMB shares, one NFS export,
one NFS alias, one snapshot schedule and a dedupe path; /ifs/eng/other holds objects of
another unit that must never be copied.
"""

import copy
import json

from support import Control, connection

GROUP = "SID:S-1-5-21-1004-2001"
EVERYONE = "SID:S-1-1-0"


def ace(permission, trustee, ptype="allow"):
    return {"permission": permission, "permission_type": ptype, "trustee": {"id": trustee}}


LOCKOUT = ace("full", EVERYONE, "deny")

BASE = {
    "ad": {
        "name": "AD.EXAMPLE.COM",
        "groups": [{"name": "AD\\eng-users", "sid": "S-1-5-21-1004-2001"}],
        "users": [{"name": "AD\\user01", "sid": "S-1-5-21-1004-1101", "groups": ["S-1-5-21-1004-2001"]}],
    },
    "clusters": {
        "alpha": {
            "zones": [{"name": "eng", "path": "/ifs/eng"}],
            "shares": [
                {"zone": "eng", "name": "eng_docs", "path": "/ifs/eng/proj/docs", "description": "docs",
                 "permissions": [ace("change", GROUP), ace("read", EVERYONE)]},
                {"zone": "eng", "name": "eng_src", "path": "/ifs/eng/proj/src", "description": "sources",
                 "oplocks": False, "continuously_available": True, "host_acl": ["allow:10.0.0.0/8", "deny:ALL"],
                 "permissions": [ace("full", GROUP)]},
                {"zone": "eng", "name": "eng_locked", "path": "/ifs/eng/proj/locked",
                 "permissions": [ace("change", GROUP), ace("read", EVERYONE)]},
                {"zone": "eng", "name": "eng_other", "path": "/ifs/eng/other/data",
                 "permissions": [ace("read", EVERYONE)]},
            ],
            "exports": [
                {"zone": "eng", "paths": ["/ifs/eng/proj/docs"], "description": "docs export",
                 "clients": ["10.1.0.0/16"], "root_clients": ["build01.example.com"], "read_only": True},
                {"zone": "eng", "paths": ["/ifs/eng/other/data"], "clients": ["10.9.0.0/16"]},
            ],
            "aliases": [
                {"zone": "eng", "name": "/docs", "path": "/ifs/eng/proj/docs"},
                {"zone": "eng", "name": "/other", "path": "/ifs/eng/other/data"},
            ],
            "snapshot_schedules": [
                {"name": "eng_hourly", "path": "/ifs/eng/proj", "pattern": "eng_%Y-%m-%d_%H-%M",
                 "schedule": "every 1 hours", "duration": 86400},
                {"name": "other_daily", "path": "/ifs/eng/other", "pattern": "other_%Y-%m-%d",
                 "schedule": "every 1 days at 01:00", "duration": 604800},
            ],
            "dedupe": {"paths": ["/ifs/eng/proj/src", "/ifs/eng/other"], "assess_paths": ["/ifs/eng/proj/docs"]},
        },
        "beta": {
            "zones": [{"name": "eng", "path": "/ifs/eng"}, {"name": "engdr", "path": "/ifs/engdr"}],
            "dedupe": {"paths": ["/ifs/beta_own"]},
            # The unit's tree as SyncIQ replicated it (OneFS refuses shares and exports on missing paths).
            "files": [{"path": root + sub, "type": "container"}
                      for root in ("/ifs/eng/proj", "/ifs/engdr/proj") for sub in ("/docs", "/src", "/locked")],
        },
    },
}


def scenario(mutate=None):
    """A deep copy of BASE, optionally changed by ``mutate(scenario_dict)``."""
    data = copy.deepcopy(BASE)
    if mutate is not None:
        mutate(data)
    return data


def start(sim_factory, mutate=None):
    """(sim, control) for the scenario."""
    sim = sim_factory(scenario(mutate), share_write_service_ms=2, job_seconds=0.2)
    return sim, Control(sim.control_url)


def sync_args(sim, **extra):
    """onefs_config_sync arguments: alpha -> beta, zone eng, unit path /ifs/eng/proj."""
    beta = sim.clusters["beta"]
    target = {"host": beta.host, "port": beta.port}
    args = connection(sim.clusters["alpha"])
    args.update(target=target, source_zone="eng", source_path="/ifs/eng/proj")
    args.update(extra)
    return args


def writes(control, *clusters):
    return sum(control.counters(c)["writes"] for c in clusters)


def reset(control, *clusters):
    for c in clusters:
        control.reset_counters(c)


def shares(control, cluster, zone="eng"):
    """name -> share, from the simulator's state dump."""
    return {s["name"]: s for s in control.state(cluster)["shares"].get(zone, [])}


def exports(control, cluster, zone="eng"):
    return [e for e in control.state(cluster)["exports"] if e["zone"] == zone]


def aliases(control, cluster, zone="eng"):
    return {a["name"]: a for a in control.state(cluster)["aliases"].get(zone, [])}


def schedules(control, cluster):
    return {s["name"]: s for s in control.state(cluster)["snapshot_schedules"]}


def acl_ids(perms):
    """An ACL as comparable tuples (permission, type, trustee id)."""
    return [(a["permission"], a["permission_type"], a["trustee"]["id"]) for a in perms]


def client(cluster):
    """A OneFS client of a simulator cluster (test set-up writes, and GETs to check state)."""
    from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient

    return OneFSClient(cluster.host, port=cluster.port, username=cluster.username, password=cluster.password,
                       ca_path=cluster.ca, validate_certs=bool(cluster.ca))


def write_file(cluster, ifs_path, doc):
    """Write a JSON file through the namespace API, creating its directories."""
    with client(cluster) as c:
        parts = ifs_path.strip("/").split("/")
        for depth in range(2, len(parts)):
            c.request("PUT", "/namespace/" + "/".join(parts[:depth]), headers={"x-isi-ifs-target-type": "container"})
        c.request("PUT", "/namespace" + ifs_path, body=json.dumps(doc).encode(),
                  headers={"x-isi-ifs-target-type": "object"})

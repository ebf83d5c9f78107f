"""A small DR pair for the onefs_synciq_policy and onefs_info tests.

alpha (source) replicates to beta (target). alpha has a System zone and zone1
(/ifs/zone1); policies p1 (/ifs/zone1/p1), p2 (/ifs/data/p2) and p3 (/ifs/data/p3, no
schedule). The facts the onefs_info tests check are all defined here, so the tests do not
depend on the builtin demo scenario's contents.
"""

import copy

from support import Control

ZONES = [
    {"name": "System", "path": "/ifs",
     "auth_providers": ["lsa-local-provider:System", "lsa-activedirectory-provider:AD.EXAMPLE.COM"]},
    {"name": "zone1", "path": "/ifs/zone1", "auth_providers": ["lsa-local-provider:zone1"]},
]

ALPHA = {
    "zones": ZONES,
    "hostnames": ["alpha.example.com"],
    "shares": [
        # oplocks on, CA off -> oplocks_risk
        {"name": "risky", "path": "/ifs/zone1/p1/risky", "zone": "zone1"},
        # CA on -> no risk
        {"name": "ca", "path": "/ifs/zone1/p1/ca", "zone": "zone1", "continuously_available": True},
        # oplocks off -> no risk
        {"name": "nolocks", "path": "/ifs/data/p2/nolocks", "oplocks": False},
        {"name": "data", "path": "/ifs/data"},
    ],
    "exports": [
        {"paths": ["/ifs/zone1/p1/nfs"], "zone": "zone1"},
        {"paths": ["/ifs/data/p2", "/ifs/data/p3"]},
    ],
    "aliases": [
        {"name": "/p1", "path": "/ifs/zone1/p1", "zone": "zone1"},
        {"name": "/p2", "path": "/ifs/data/p2"},
    ],
    "groupnets": [{"name": "groupnet0", "subnets": [{"name": "subnet0", "pools": [
        {"name": "pool0", "access_zone": "System", "sc_dns_zone": "alpha.example.com"},
        {"name": "pool1", "access_zone": "zone1", "sc_dns_zone": "zone1.alpha.example.com",
         "sc_dns_zone_aliases": ["files.example.com"]},
    ]}]}],
    "ads": [{"name": "AD.EXAMPLE.COM", "hostname": "alpha.ad.example.com", "machine_account": "ALPHA$"}],
    "quotas": [
        {"type": "directory", "path": "/ifs/zone1/p1", "include_snapshots": False,
         "thresholds": {"hard": 1000000}},
        {"type": "directory", "path": "/ifs/data/p2", "include_snapshots": False,
         "thresholds": {"advisory": 500}},
    ],
    "snapshot_schedules": [
        {"name": "p1-daily", "path": "/ifs/zone1/p1", "pattern": "p1_%Y-%m-%d", "schedule": "every day at 01:00"},
        {"name": "p2-daily", "path": "/ifs/data/p2", "pattern": "p2_%Y-%m-%d", "schedule": "every day at 02:00"},
    ],
    "dedupe": {"paths": ["/ifs/zone1/p1", "/ifs/data/p2"], "assess_paths": ["/ifs/data"]},
    "openfiles": [
        {"file": "C:\\ifs\\zone1\\p1\\risky\\a.docx", "user": "AD\\user01", "locks": 1},
        {"file": "C:\\ifs\\data\\p2\\b.txt", "user": "AD\\user02"},
    ],
    "smb_sessions": [
        {"computer": "10.0.0.5", "user": "AD\\user01", "openfiles": 1},
        {"computer": "10.0.0.6", "user": "AD\\user02", "openfiles": 1},
    ],
    "policies": [
        {"name": "p1", "source_root_path": "/ifs/zone1/p1", "target_host": "beta", "target_path": "/ifs/zone1/p1",
         "action": "sync", "schedule": "every 1 days at 10:00 PM"},
        {"name": "p2", "source_root_path": "/ifs/data/p2", "target_host": "beta", "target_path": "/ifs/data/p2",
         "action": "copy", "schedule": "every Saturday at 01:00", "description": "second", "allow_copy_fb": True},
        {"name": "p3", "source_root_path": "/ifs/data/p3", "target_host": "beta", "target_path": "/ifs/data/p3",
         "action": "sync", "schedule": ""},
    ],
}

BETA = {
    "zones": ZONES,
    "hostnames": ["beta.example.com"],
    "groupnets": [{"name": "groupnet0", "subnets": [{"name": "subnet0", "pools": [
        {"name": "pool0", "access_zone": "System", "sc_dns_zone": "beta.example.com"},
    ]}]}],
    "ads": [{"name": "AD.EXAMPLE.COM", "hostname": "beta.ad.example.com", "machine_account": "BETA$"}],
}

SCENARIO = {
    "description": "onefs_synciq_policy / onefs_info test pair",
    "ad": {
        "name": "AD.EXAMPLE.COM",
        "machine_accounts": {
            # HOST/alpha.ad.example.com and the SmartConnect SPNs are missing; HOST/old is unexpected.
            "ALPHA$": {"spns": ["HOST/alpha", "HOST/old.example.com"]},
            "BETA$": {"spns": ["HOST/beta", "HOST/beta.ad.example.com"]},
        },
    },
    "clusters": {"alpha": ALPHA, "beta": BETA},
}


def start_pair(sim_factory, **options):
    """Start the pair (fast jobs by default); returns (sim, control)."""
    opts = {"share_write_service_ms": 2, "job_seconds": 0.2}
    opts.update(options)
    sim = sim_factory(copy.deepcopy(SCENARIO), **opts)
    return sim, Control(sim.control_url)


def by_name(items, name):
    for item in items:
        if item.get("name") == name:
            return item
    raise AssertionError("no item named %r in %r" % (name, [i.get("name") for i in items]))


def writes(control, *clusters):
    return sum(control.counters(c)["writes"] for c in clusters)


def endpoint_count(control, cluster, key):
    return control.counters(cluster)["by_endpoint"].get(key, 0)


def jobs_created(control, cluster):
    """How many SyncIQ jobs the cluster has created so far (a start refused with 409 creates none)."""
    return control.state(cluster)["next_job_id"] - 1


def set_job_state(cluster, policy, state):
    """PUT /sync/jobs/<policy> {"state": ...} through the collection's client (pause/resume a job)."""
    from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient

    with OneFSClient(cluster.host, cluster.port, cluster.username, cluster.password, ca_path=cluster.ca) as client:
        client.put(client.api("sync/jobs", policy), {"state": state})


def resume_when_polled(control, cluster, name, policy, polls=2, timeout=120):
    """Resume a paused job once a module has polled it ``polls`` more times (background thread).

    Lets a test prove that a module waits for a job that is already running, without racing the
    machine's speed: the job cannot end before the module is waiting for it.
    """
    import threading
    import time

    key = "GET /platform/sync/jobs/%s" % policy
    base = endpoint_count(control, name, key)

    def watch():
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if endpoint_count(control, name, key) >= base + polls:
                set_job_state(cluster, policy, "running")
                return
            time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread

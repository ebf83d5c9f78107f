"""A small DR pair for the quota, SmartConnect and SPN module tests, and read-back helpers.

The scenario is given as a dict (the simulator's documented scenario input) so each test
knows exactly which quotas, pools and SPNs exist before it runs.
"""

import copy

from support import Control, connection

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient

AD_USER = "administrator"
AD_PASSWORD = "AdPass1!"
PROVIDER = "AD.EXAMPLE.COM"
GiB = 1024 ** 3

FINANCE_DIRS = ["/ifs/data/finance", "/ifs/data/finance/projects", "/ifs/data/finance/archive", "/ifs/data/hr"]


def _pools(cluster):
    if cluster == "alpha":
        return [
            {"name": "pool0", "access_zone": "System", "sc_dns_zone": "alpha.example.com"},
            {"name": "fin", "access_zone": "finance", "sc_dns_zone": "data.example.com",
             "sc_dns_zone_aliases": ["fin.example.com", "accounts.example.com"]},
            {"name": "fin2", "access_zone": "finance", "sc_dns_zone": "data2.example.com"},
            {"name": "hr", "access_zone": "hr", "sc_dns_zone": "hr.example.com"},
        ]
    return [
        {"name": "pool0", "access_zone": "System", "sc_dns_zone": "beta.example.com"},
        {"name": "fin", "access_zone": "finance", "sc_dns_zone": "data-dr.example.com"},
        {"name": "hr", "access_zone": "hr", "sc_dns_zone": ""},
    ]


def _quotas(cluster):
    if cluster != "alpha":
        return [{"type": "directory", "path": "/ifs/data/hr", "include_snapshots": False,
                 "thresholds": {"hard": 1 * GiB}}]
    return [
        {"type": "directory", "path": "/ifs/data/finance", "include_snapshots": False, "enforced": True,
         "thresholds": {"hard": 10 * GiB, "advisory": 8 * GiB}, "description": "finance total"},
        {"type": "directory", "path": "/ifs/data/finance/projects", "include_snapshots": False, "enforced": True,
         "thresholds": {"hard": 5 * GiB, "soft": 4 * GiB, "soft_grace": 604800}, "container": True},
        {"type": "user", "path": "/ifs/data/finance", "include_snapshots": False, "enforced": True,
         "persona": {"id": "UID:2000", "name": "jdoe", "type": "user"}, "thresholds": {"hard": 2 * GiB}},
        {"type": "default-user", "path": "/ifs/data/finance", "include_snapshots": False, "enforced": True,
         "thresholds": {"hard": 1 * GiB}},
        {"type": "directory", "path": "/ifs/data/hr", "include_snapshots": False, "thresholds": {"hard": 3 * GiB}},
    ]


def scenario():
    clusters = {}
    for name in ("alpha", "beta"):
        clusters[name] = {
            "release": "9.10",
            "zones": [
                {"name": "System", "path": "/ifs"},
                {"name": "finance", "path": "/ifs/data/finance"},
                {"name": "hr", "path": "/ifs/data/hr"},
            ],
            "groupnets": [{"name": "groupnet0", "subnets": [{"name": "subnet0", "pools": _pools(name)}]}],
            "ads": [{"name": PROVIDER, "machine_account": name.upper() + "$", "hostname": "%s.ad.example.com" % name}],
            "quotas": _quotas(name),
            # beta also holds the failed-over copy of finance (as SyncIQ left it): quotas need their directory.
            "files": [{"path": p, "type": "container"} for p in FINANCE_DIRS + (
                [p.replace("/ifs/data/", "/ifs/dr/", 1) for p in FINANCE_DIRS] if name == "beta" else [])],
        }
    return {
        "description": "quota, SmartConnect and SPN module tests",
        "ad": {
            "name": PROVIDER,
            "admin_user": AD_USER,
            "admin_password": AD_PASSWORD,
            "machine_accounts": {
                "ALPHA$": {"spns": ["HOST/alpha", "HOST/alpha.ad.example.com", "HOST/data", "HOST/data.example.com",
                                    "HOST/fin", "HOST/fin.example.com", "HOST/retired.example.com"]},
                "BETA$": {"spns": ["HOST/beta", "HOST/beta.ad.example.com"]},
                "LEGACY01$": {"spns": ["HOST/legacy", "HOST/legacy.example.com"]},
            },
        },
        "clusters": clusters,
    }


def start(sim_factory, **changes):
    """The pair started over HTTPS; returns (sim, control)."""
    data = scenario()
    for key, value in changes.items():
        data[key] = copy.deepcopy(value)
    sim = sim_factory(data, share_write_service_ms=2, job_seconds=0.2)
    return sim, Control(sim.control_url)


def conn(sim, name, **extra):
    return connection(sim.clusters[name], **extra)


def partner(sim, name):
    """A ``partner`` option for a simulator cluster."""
    c = sim.clusters[name]
    out = {"host": c.host, "port": c.port, "username": c.username, "password": c.password}
    if c.ca:
        out["ca_path"] = c.ca
    else:
        out["validate_certs"] = False
    return out


def client(sim, name, limiter_dir):
    c = sim.clusters[name]
    return OneFSClient(host=c.host, port=c.port, username=c.username, password=c.password, ca_path=c.ca,
                       validate_certs=bool(c.ca), limiter_dir=str(limiter_dir))


def writes(control, name):
    return control.counters(name)["writes"]


def reset(control, *names):
    for name in names:
        control.reset_counters(name)


def quotas(cli, path="/ifs"):
    """{(type, path, persona id): quota} read back with one GET list."""
    items = cli.list(cli.api("quota/quotas"), "quotas", query={"path": path, "recurse_path_children": True})
    out = {}
    for q in items:
        persona = (q.get("persona") or {}).get("id") if q.get("persona") else None
        out[(q["type"], q["path"], persona)] = q
    return out


def pools(cli):
    return {p["id"]: p for p in cli.list(cli.api("network/pools"), "pools")}


def spns(cli):
    prov = cli.item(cli.api("auth/providers/ads", PROVIDER), "ads")
    return [s.lower() for s in prov["spns"]]

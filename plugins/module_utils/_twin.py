# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The logic of the ``onefs.dr.twin_scenario`` and ``onefs.dr.twin_check`` filters.

``twin_scenario`` turns what ``onefs_info`` read on each cluster of a pair into a scenario the
OneFS simulator serves (its digital twin); ``twin_check`` compares a pair's state after a
rehearsal with the twin it started from. Documentation: plugins/filter/twin_scenario.yml and
docs/rehearsal.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import re


class TwinError(ValueError):
    """Bad input to twin_scenario, twin_check (the filter plugin turns it into AnsibleFilterError)."""


# What onefs_info adds to the objects OneFS returns, and what OneFS derives (never configured):
# neither goes into the twin (the simulator derives them again).
INFO_ADDED = ("zone", "oplocks_risk", "missing_spns", "unexpected_spns")
STRIP = {
    "shares": ("id", "zid") + INFO_ADDED,
    "aliases": ("id", "health"),
    "zones": ("id",),
    "groupnets": ("id", "subnets"),
    "subnets": ("id", "groupnet", "pools"),
    "pools": ("id", "groupnet", "subnet"),
    "ads": ("id", "spns", "recommended_spns", "dup_spns", "forest", "primary_domain", "netbios_domain",
            "status", "system", "site", "controller_time") + INFO_ADDED,
    "policies": ("zone",),
    "target_policies": ("zone",),
    "reports": ("zone",),
    "openfiles": ("path", "zone"),
}
QUOTA_FIELDS = ("type", "path", "persona", "container", "description", "enforced", "include_snapshots", "labels",
                "thresholds_on")
THRESHOLD_FIELDS = ("hard", "soft", "advisory", "soft_grace", "percent_soft", "percent_advisory")
SESSION_FIELDS = ("id", "computer", "user", "client_type", "encryption", "active_time", "idle_time", "openfiles", "lnn")
SCHEDULE_FIELDS = ("id", "name", "path", "pattern", "schedule", "duration", "alias")
RELEASES = ("9.5", "9.6", "9.7", "9.8", "9.9", "9.10", "9.11", "9.12")
# Keys whose values never go into a twin, whatever the options: credentials and session tokens.
# Whole words of the key (``password``, ``bind_password``, ``csrf_token``), not substrings (``bypass_...``).
SECRET_KEYS = re.compile(r"(^|_)(password|passwd|passphrase|secret|cookie|token|isisessid|isicsrf|csrf|session_id|"
                         r"private_key|psk)($|_)", re.I)


def _strip(obj, kind):
    drop = STRIP.get(kind, ())
    return dict((k, v) for k, v in obj.items() if k not in drop)


def _release(cluster):
    text = str(((cluster.get("onefs_version") or {}).get("release")) or "9.10")
    text = text.lstrip("v")
    parts = text.split(".")
    short = ".".join(parts[:2]) if len(parts) >= 2 else text
    if short in RELEASES:
        return short
    return "9.12" if short > "9.12" else "9.5"


def _quota(q):
    out = dict((k, q[k]) for k in QUOTA_FIELDS if k in q)
    th = q.get("thresholds") or {}
    kept = {}
    for key in THRESHOLD_FIELDS:
        if th.get(key) is None:
            continue
        if key in ("soft", "advisory") and th.get("percent_" + key) is not None:
            continue  # derived from the percentage by OneFS
        kept[key] = th[key]
    out["thresholds"] = kept
    if isinstance(out.get("persona"), dict):
        out["persona"] = dict((k, v) for k, v in out["persona"].items() if k in ("id", "name", "type"))
    return out


def _no_secrets(value):
    if isinstance(value, dict):
        return dict((k, _no_secrets(v)) for k, v in value.items() if not SECRET_KEYS.search(str(k)) or
                    k in ("password_set",))
    if isinstance(value, list):
        return [_no_secrets(v) for v in value]
    return value


def _identities(info, users, groups):
    def add(trustee):
        if not isinstance(trustee, dict):
            return
        tid, name, kind = trustee.get("id") or "", trustee.get("name"), trustee.get("type")
        if not tid.upper().startswith("SID:S-1-5-21-") or not name:
            return  # well-known or local identities: the simulator knows them
        sid = tid.split(":", 1)[1]
        (groups if kind == "group" else users).setdefault(sid, name)

    for share in info.get("smb_shares") or []:
        for ace in share.get("permissions") or []:
            add(ace.get("trustee"))
    for quota in info.get("quotas") or []:
        add(quota.get("persona"))


def _report_order(report):
    return (report.get("end_time") or report.get("start_time") or 0, report.get("job_id") or 0)


def _cluster(info, hostnames):
    cfg = info.get("cluster") or {}
    name = cfg.get("name")
    out = {"guid": cfg.get("guid"), "release": _release(cfg), "nodes": len(cfg.get("devices") or []) or 3,
           "description": cfg.get("description", "")}
    if cfg.get("timezone"):
        out["timezone"] = cfg["timezone"]
    if hostnames.get(name):
        out["hostnames"] = sorted(hostnames[name])
    out["zones"] = [_strip(z, "zones") for z in info.get("zones") or []]
    pools, subnets = {}, {}
    for pool in info.get("network_pools") or []:
        pools.setdefault((pool.get("groupnet"), pool.get("subnet")), []).append(_strip(pool, "pools"))
    for sub in info.get("network_subnets") or []:
        entry = _strip(sub, "subnets")
        entry["pools"] = pools.pop((sub.get("groupnet"), sub.get("name")), [])
        subnets.setdefault(sub.get("groupnet"), []).append(entry)
    if pools:
        raise TwinError("twin_scenario: %s: pools of unknown subnets %s (gather network_subnets too)"
                        % (name, sorted("%s.%s" % k for k in pools)))
    out["groupnets"] = []
    for gn in info.get("network_groupnets") or []:
        entry = _strip(gn, "groupnets")
        entry["subnets"] = subnets.pop(gn.get("name"), [])
        out["groupnets"].append(entry)
    out["ads"] = [_strip(p, "ads") for p in info.get("ads_providers") or []]
    shares = []
    for share in info.get("smb_shares") or []:
        entry = _strip(share, "shares")
        entry["zone"] = share.get("zone") or "System"
        shares.append(entry)
    out["shares"] = shares
    out["exports"] = [dict(e) for e in info.get("nfs_exports") or []]
    out["aliases"] = [_strip(a, "aliases") for a in info.get("nfs_aliases") or []]
    out["quotas"] = [_quota(q) for q in info.get("quotas") or []]
    out["snapshot_schedules"] = [dict((k, s[k]) for k in SCHEDULE_FIELDS if k in s)
                                 for s in info.get("snapshot_schedules") or []]
    if info.get("dedupe") is not None:
        out["dedupe"] = dict(info["dedupe"])
    settings = info.get("protocol_settings") or {}
    for key, section in (("smb_settings", "smb"), ("nfs_settings", "nfs"), ("sync_settings", "synciq")):
        if settings.get(section):
            out[key] = dict(settings[section])
    policies = []
    for pol in info.get("sync_policies") or []:
        entry = _strip(pol, "policies")
        # A policy whose last job finished left the target holding its data (the simulator's
        # `synced`); one that never succeeded did not.
        entry["synced"] = bool(pol.get("last_success"))
        policies.append(entry)
    out["policies"] = policies
    out["target_policies"] = [_strip(t, "target_policies") for t in info.get("sync_target_policies") or []]
    # Oldest first, as OneFS keeps them (the twin's new jobs are numbered after the newest).
    out["reports"] = sorted((_strip(r, "reports") for r in info.get("sync_reports") or []), key=_report_order)
    out["target_reports"] = sorted((_strip(r, "reports") for r in info.get("sync_target_reports") or []),
                                   key=_report_order)
    out["openfiles"] = [_strip(f, "openfiles") for f in info.get("smb_openfiles") or []]
    out["smb_sessions"] = [dict((k, s[k]) for k in SESSION_FIELDS if k in s) for s in info.get("smb_sessions") or []]
    return name, out


def _names(info):
    cfg = info.get("cluster") or {}
    names = set([str(cfg.get("name") or "").lower()])
    for pool in info.get("network_pools") or []:
        for n in [pool.get("sc_dns_zone")] + list(pool.get("sc_dns_zone_aliases") or []):
            if n:
                names.add(n.lower())
    return names


# ------------------------------------------------------------------------------ anonymization
# Fields whose values name things (clusters, zones, shares, paths, hosts, policies, people):
# their tokens are replaced by pseudonyms. Every other value is kept, except the free text below.
NAME_KEYS = frozenset((
    "name", "path", "paths", "source_root_path", "target_path", "target_host", "source_host", "policy_name",
    "zone", "access_zone", "zone_name", "sc_dns_zone", "sc_dns_zone_aliases", "hostname", "hostnames",
    "machine_account", "spns", "extra_expected_spns", "auth_providers", "file", "user", "groupnet", "subnet",
    "sc_subnet", "clients", "root_clients", "read_only_clients", "read_write_clients", "alias", "dns_search",
    "source_include_directories", "source_exclude_directories", "sc_service_name", "assess_paths",
    "create_path_home", "home_directory", "netbios", "computer",
))
FREE_TEXT = frozenset(("description", "motd", "motd_header", "comment", "error", "identity_description"))
FREE_TEXT_LISTS = frozenset(("errors", "warnings"))
# Tokens kept as they are: OneFS's own names, SPN service classes, well-known principals.
KEEP = frozenset((
    "ifs", "system", "everyone", "builtin", "administrators", "users", "guests", "host", "cifs", "nfs", "http",
    "restrictedcifs", "root", "nobody", "lsa-local-provider", "lsa-file-provider", "lsa-activedirectory-provider",
    "lsa-ldap-provider", "lsa-nis-provider", "nt authority", "authenticated users", "creator owner",
    "creator group", "c", "localhost", "*",
))
TOKEN = re.compile(r"[^/\\.:@$ ]+")


class Anonymizer:
    """Consistent pseudonyms: the same token (case-insensitive) gets the same pseudonym in every
    field of the twin (a zone's name and the path component naming it, a SmartConnect name and
    the SPNs built from it, a cluster name and its machine account)."""

    def __init__(self, key):
        self.key = (key or "").encode("utf-8")

    def token(self, tok):
        low = tok.lower()
        if low in KEEP or low.isdigit() or not re.search(r"[a-z]", low):
            return tok
        if low.endswith("_mirror") and len(low) > 7:  # OneFS names a failback policy <P>_mirror
            return self.token(tok[:-7]) + tok[-7:]
        digest = hmac.new(self.key, low.encode("utf-8"), hashlib.sha256).hexdigest()[:8]
        pseudo = "n" + digest
        return pseudo.upper() if tok.isupper() else pseudo

    def text(self, value, key=None):
        if not isinstance(value, str) or not value:
            return value
        if key in ("spns", "extra_expected_spns") and "/" in value:
            cls, rest = value.split("/", 1)  # keep the service class (HOST/, cifs/, nfs/)
            return cls + "/" + self.text(rest)
        if key == "auth_providers" and ":" in value:
            kind, rest = value.split(":", 1)
            return kind + ":" + self.text(rest)
        if value.lower() in KEEP:
            return value
        return TOKEN.sub(lambda m: self.token(m.group(0)), value)

    def walk(self, value, key=None):
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if k in FREE_TEXT and isinstance(v, str):
                    out[k] = ""
                elif k in FREE_TEXT_LISTS and isinstance(v, list):
                    out[k] = []
                elif k in ("trustee", "persona") and isinstance(v, dict):
                    out[k] = self.identity(v)
                elif k == "machine_accounts" and isinstance(v, dict):
                    out[k] = dict((self.text(a), self.walk(x)) for a, x in v.items())
                elif k in NAME_KEYS:
                    out[k] = self.walk_names(v, k)
                else:
                    out[k] = self.walk(v, k)
            return out
        if isinstance(value, list):
            return [self.walk(v, key) for v in value]
        return value

    def walk_names(self, value, key):
        if isinstance(value, list):
            return [self.walk_names(v, key) for v in value]
        if isinstance(value, dict):
            return self.walk(value, key)
        return self.text(value, key)

    def identity(self, trustee):
        out = dict(trustee)
        if str(out.get("id") or "").upper().startswith("SID:S-1-5-21-") and out.get("name"):
            out["name"] = self.text(out["name"])
        return out


def twin_scenario(facts, anonymize=False, anonymize_key="", description="", share_write_service_ms=None,
                  share_write_capacity=None, time_scale=None):
    """A simulator scenario from ``facts``: {any label: onefs_info result of one cluster}."""
    if not isinstance(facts, dict) or not facts:
        raise TwinError("twin_scenario: the input must be a mapping of cluster label -> onefs_info result")
    infos = list(facts.values())
    for label, info in facts.items():
        if not isinstance(info, dict) or not (info.get("cluster") or {}).get("name"):
            raise TwinError("twin_scenario: %s: no cluster facts (gather_subset must include cluster)" % label)
    # SyncIQ target_host names a cluster by any name; the twin answers to the one each policy uses.
    hostnames = {}
    for info in infos:
        for pol in info.get("sync_policies") or []:
            host = str(pol.get("target_host") or "")
            for other in infos:
                if other is info:
                    continue
                tps = dict((t.get("id"), t) for t in other.get("sync_target_policies") or [])
                oname = other["cluster"]["name"]
                if pol.get("id") in tps and host and host.lower() not in _names(other) \
                        and not re.match(r"^[0-9.:]+$", host):
                    hostnames.setdefault(oname, set()).add(host)
    users, groups = {}, {}
    clusters = {}
    forest, netbios, accounts = None, None, {}
    for info in infos:
        name, spec = _cluster(info, hostnames)
        clusters[name] = spec
        _identities(info, users, groups)
        for prov in info.get("ads_providers") or []:
            forest = forest or prov.get("name")
            netbios = netbios or prov.get("netbios_domain")
            if prov.get("machine_account"):
                accounts[prov["machine_account"]] = {"spns": list(prov.get("spns") or [])}
    scenario = {"description": description or "digital twin of %s captured by onefs.dr" % ", ".join(sorted(clusters))}
    timing = {"job_seconds_from_history": True}
    for key, value in (("share_write_service_ms", share_write_service_ms),
                       ("share_write_capacity", share_write_capacity), ("time_scale", time_scale)):
        if value not in (None, ""):
            timing[key] = value
    scenario["timing"] = timing
    ad = {"name": forest or "AD.EXAMPLE.COM", "machine_accounts": accounts,
          "users": [{"name": n, "sid": s} for s, n in sorted(users.items())],
          "groups": [{"name": n, "sid": s} for s, n in sorted(groups.items())]}
    if netbios:
        ad["netbios"] = netbios
    scenario["ad"] = ad
    scenario["clusters"] = clusters
    scenario = _no_secrets(scenario)
    if anonymize:
        if not anonymize_key:
            raise TwinError("twin_scenario: anonymize needs anonymize_key (a secret kept by the team: "
                            "the same key gives the same pseudonyms in every capture)")
        anon = Anonymizer(anonymize_key)
        scenario["ad"] = anon.walk(scenario["ad"])
        scenario["clusters"] = dict((anon.text(n), anon.walk(c)) for n, c in scenario["clusters"].items())
        for spec in scenario["clusters"].values():
            for rep in spec.get("reports", []) + spec.get("target_reports", []):
                if rep.get("job_id") is not None and rep.get("policy_name"):
                    rep["id"] = "%s-%s" % (rep["job_id"], rep["policy_name"])
        scenario["description"] = "digital twin captured by onefs.dr (anonymized)"
        scenario["anonymized"] = True
    return scenario


# ------------------------------------------------------------------------------ rehearsal check
def _keyed(items, key):
    return dict((key(i), i) for i in items or [])


def _pools(spec):
    return [p for g in spec.get("groupnets") or [] for s in g.get("subnets") or [] for p in s.get("pools") or []]


# What a failback must give back, per kind: how objects are matched, and the fields compared.
RESTORED = (
    ("policies", lambda p: p.get("name"),
     ("enabled", "source_root_path", "target_path", "target_host", "action", "schedule")),
    ("target_policies", lambda t: t.get("name"), ("failover_failback_state", "target_path")),
    ("shares", lambda s: "%s/%s" % (s.get("zone", "System"), str(s.get("name")).lower()), None),
    ("exports", lambda e: "%s:%s" % (e.get("zone", "System"), ",".join(sorted(e.get("paths") or []))),
     ("paths", "clients", "root_clients", "read_only", "map_root")),
    ("aliases", lambda a: "%s:%s" % (a.get("zone", "System"), a.get("name")), ("path",)),
    ("quotas", lambda q: "%s:%s:%s" % (q.get("type"), q.get("path"), (q.get("persona") or {}).get("id", "")),
     ("thresholds", "enforced", "container")),
    ("zones", lambda z: z.get("name"), ("path", "auth_providers")),
)


SINGULAR = {"policies": "policy", "target_policies": "target policy", "shares": "share", "exports": "export",
            "aliases": "alias", "quotas": "quota", "zones": "zone"}


def twin_check(end, twin):
    """Compare ``end`` (a scenario captured after a rehearsal, same shape as ``twin_scenario``'s
    output) with ``twin`` (the scenario the rehearsal started from) on what a failback must
    restore. Returns {"ok", "checked": {kind: n}, "differences": [text, ...]}.

    Per cluster of the twin: every policy (enabled, paths, target host, action, schedule), target
    policy (failover/failback state), SMB share (every field, ACL included), NFS export and
    alias, quota and zone is there and as it was; every pool keeps its SmartConnect name,
    aliases and access zone; every SPN of a machine account is still registered. What the run
    added (mirror policies, their target policies, shares that configuration sync created on
    the target) is not a difference: OneFS keeps mirror policies after a failback.
    """
    for name, value in (("end", end), ("twin", twin)):
        if not isinstance(value, dict) or not isinstance(value.get("clusters"), dict):
            raise TwinError("twin_check: %s must be a scenario with clusters" % name)
    diffs, checked = [], {}
    for cname, spec in twin["clusters"].items():
        now = end["clusters"].get(cname)
        if now is None:
            diffs.append("cluster %s: not in the end state" % cname)
            continue
        for kind, key, fields in RESTORED:
            current = _keyed(now.get(kind), key)
            for item in spec.get(kind) or []:
                checked[kind] = checked.get(kind, 0) + 1
                ident = key(item)
                cur = current.get(ident)
                if cur is None:
                    diffs.append("%s: %s %s is gone" % (cname, SINGULAR[kind], ident))
                    continue
                for field in fields or sorted(set(item) | set(cur)):
                    if item.get(field) != cur.get(field):
                        diffs.append("%s: %s %s: %s is %s, was %s" % (
                            cname, SINGULAR[kind], ident, field, _short(cur.get(field)),
                            _short(item.get(field))))
        pools = _keyed(_pools(now), lambda p: p.get("name"))
        for pool in _pools(spec):
            checked["pools"] = checked.get("pools", 0) + 1
            cur = pools.get(pool.get("name")) or {}
            for field in ("sc_dns_zone", "sc_dns_zone_aliases", "access_zone"):
                if pool.get(field) != cur.get(field):
                    diffs.append("%s: pool %s: %s is %s, was %s" % (
                        cname, pool.get("name"), field, _short(cur.get(field)), _short(pool.get(field))))
    accounts = (end.get("ad") or {}).get("machine_accounts") or {}
    for account, entry in ((twin.get("ad") or {}).get("machine_accounts") or {}).items():
        have = set(s.lower() for s in (accounts.get(account) or {}).get("spns") or [])
        for spn in entry.get("spns") or []:
            checked["spns"] = checked.get("spns", 0) + 1
            if spn.lower() not in have:
                diffs.append("AD: %s no longer holds SPN %s" % (account, spn))
    return {"ok": not diffs, "checked": checked, "differences": diffs}


def _short(value):
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."

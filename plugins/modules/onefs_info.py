#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_info
short_description: Gather OneFS facts for disaster-recovery planning and readiness checks
version_added: 0.1.0
description:
  - Reads the subsets of a cluster's configuration asked for in O(gather_subset) and returns
    each under its own key, with keys in snake_case as OneFS names them.
  - Reads one paged list per subset (per access zone for the zone-scoped subsets), never one
    GET per object. The one exception is O(gather_subset=ads_providers), where only the item
    GET of a provider carries C(spns) and C(recommended_spns), so one GET per AD provider is made
    (a cluster has one or two) when the list lacks them.
  - Adds facts a failover needs; every SMB share gets C(oplocks_risk), every AD provider gets
    C(missing_spns) and C(unexpected_spns), and objects located by a path get C(zone), the
    access zone whose base path holds them most specifically.
  - O(query) applies a JMESPath expression to the gathered facts, so a playbook can pick
    failover units or readiness facts in one step.
author:
  - onefs.dr contributors (@onefs-dr)
options:
  gather_subset:
    description:
      - Which facts to gather. V(all) gathers every subset.
      - V(cluster) (C(cluster/config)), V(zones), V(sync_policies), V(sync_target_policies),
        V(sync_jobs) (active jobs), V(sync_reports) (the newest O(reports_per_policy) per policy),
        V(smb_shares), V(nfs_exports), V(nfs_aliases), V(network_pools), V(ads_providers),
        V(quotas), V(snapshot_schedules), V(dedupe) (dedupe settings), V(smb_openfiles),
        V(smb_sessions) (flattened over nodes, each with its C(lnn)), V(protocol_settings)
        (global SMB, NFS and SyncIQ settings), V(network_subnets) (every subnet, with its
        SmartConnect service addresses C(sc_service_addrs)), V(network_groupnets) (every
        groupnet), V(sync_target_reports) (the newest O(reports_per_policy) target reports per
        policy, the job history of the policies this cluster is the target of).
    type: list
    elements: str
    choices: [all, cluster, zones, sync_policies, sync_target_policies, sync_jobs, sync_reports,
              smb_shares, nfs_exports, nfs_aliases, network_pools, ads_providers, quotas,
              snapshot_schedules, dedupe, smb_openfiles, smb_sessions, protocol_settings,
              network_subnets, network_groupnets, sync_target_reports]
    default: [all]
  zones:
    description:
      - Access zones to gather from. The zone-scoped subsets (V(smb_shares), V(nfs_exports),
        V(nfs_aliases)) are read once per zone; by default from every zone (the zones are listed
        once).
      - When given, the other subsets are filtered too. V(zones) keeps these zones;
        V(network_pools) keeps pools whose C(access_zone) is one of them; V(ads_providers)
        keeps providers these zones use; subsets located by a path keep objects whose C(zone) is
        one of them, except V(sync_policies) and V(sync_target_policies); a policy's end on this
        cluster may lie outside the zone of its other end (a misplaced target path), so every
        policy is returned, each with its C(zone), for the caller to match by name.
      - A zone that does not exist fails the task, naming the zones that do.
    type: list
    elements: str
  path:
    description:
      - Keep only objects whose path is this absolute path or under it (for SMB shares, NFS
        aliases, quotas and snapshot schedules their C(path); NFS exports any of C(paths);
        zones C(path); sync policies C(source_root_path); target policies C(target_path); sync
        jobs and reports the C(source_root_path) of their policy; target reports their
        C(target_path); open files their file; dedupe
        its C(paths) and C(assess_paths)).
      - Subsets without paths (cluster, pools, subnets, groupnets, AD providers, sessions, protocol settings) are
        not filtered.
    type: str
  reports_per_policy:
    description: How many of the newest SyncIQ reports of each policy V(sync_reports) and V(sync_target_reports) return.
    type: int
    default: 1
  query:
    description:
      - A JMESPath expression applied to a dictionary of every gathered subset (keys as in the
        results). Its result is returned as RV(query_result).
      - Requires the Python library C(jmespath) on the host that runs the module.
    type: str
  check_paths:
    description:
      - Absolute paths under C(/ifs) whose existence to report in RV(paths) (one C(HEAD) on
        C(/namespace) each, read in parallel with the subsets). Readiness uses it to learn which
        share directories a target cluster holds before configuration sync writes anything.
      - With O(gather_subset=[]) the module reads only these paths.
    type: list
    elements: str
  query_only:
    description:
      - Return only RV(query_result) (and RV(gathered_subsets)), not the gathered facts
        themselves. With a large cluster (thousands of shares) the full facts are a large
        result that the controller has to receive and store; a projection such as
        V(smb_shares[].{name:name,path:path}) keeps what the playbook uses.
      - Requires O(query).
    type: bool
    default: false
extends_documentation_fragment:
  - onefs.dr.connection
  - onefs.dr.attributes.info_module
notes:
  - "API calls: one paged list per subset (per zone for zone-scoped subsets), one zone list
    when zones are needed, three settings GETs for V(protocol_settings), and one item GET per
    AD provider that its list entry lacks SPNs for, one C(HEAD) per path of O(check_paths).
    The subsets are read four at a time (threads sharing one session)."
  - OneFS reports a policy's C(action) outside copy|sync while a failover job exists; this
    module returns what the cluster says, unchanged.
requirements:
  - jmespath (only for O(query))
seealso:
  - module: onefs.dr.onefs_synciq_policy
  - module: onefs.dr.onefs_synciq_job
"""

EXAMPLES = r"""
- name: Failover readiness of zone01
  onefs.dr.onefs_info:
    gather_subset: [sync_policies, sync_jobs, smb_shares, smb_openfiles]
    zones: [zone01]
  register: facts

- name: Warn about shares where clients cache writes (oplocks without continuous availability)
  ansible.builtin.debug:
    msg: "{{ facts.smb_shares | selectattr('oplocks_risk') | map(attribute='name') | list }}"

- name: Names of the enabled policies under /ifs/data, as failover units
  onefs.dr.onefs_info:
    gather_subset: [sync_policies]
    path: /ifs/data
    query: "sync_policies[?enabled].name"
  register: units

- name: SPNs the AD machine account misses
  onefs.dr.onefs_info:
    gather_subset: [ads_providers]
    query: "ads_providers[].{provider: name, missing: missing_spns}"
  register: spns
"""

RETURN = r"""
gathered_subsets:
  description: The subsets gathered, after V(all) was expanded.
  returned: always
  type: list
  elements: str
  sample: [sync_policies, smb_shares]
cluster:
  description: The cluster configuration (C(name), C(guid), C(onefs_version), C(devices), C(has_quorum), ...).
  returned: when gathered
  type: dict
  sample: {"name": "alpha", "guid": "0050568...", "onefs_version": {"release": "9.10.0.0"}}
zones:
  description: Access zones (C(name), C(path), C(zone_id), C(groupnet), C(auth_providers), ...).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"name": "System", "path": "/ifs", "zone_id": 1}]
sync_policies:
  description: SyncIQ policies of this cluster as its source, each with C(zone).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"name": "data1", "source_root_path": "/ifs/data1", "enabled": true, "schedule": "", "zone": "System"}]
sync_target_policies:
  description: SyncIQ target policies held by this cluster, each with C(zone) (from C(target_path)).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"name": "data1", "failover_failback_state": "writes_disabled", "target_path": "/ifs/data1"}]
sync_jobs:
  description: Active SyncIQ jobs, each with C(zone) when its policy's path is known.
  returned: when gathered
  type: list
  elements: dict
  sample: [{"id": "data1", "policy_name": "data1", "action": "run", "state": "running"}]
sync_reports:
  description: The newest SyncIQ reports of each policy.
  returned: when gathered
  type: list
  elements: dict
  sample: [{"policy_name": "data1", "action": "run", "state": "finished", "errors": []}]
smb_shares:
  description:
    - SMB shares of every zone read, each with C(zone) (the zone's name) and C(oplocks_risk),
      true when C(oplocks) is on and C(continuously_available) is off; clients that cache writes
      under oplocks lose them when the session drops at failover.
  returned: when gathered
  type: list
  elements: dict
  sample: [{"name": "data1", "path": "/ifs/data1", "zone": "System", "oplocks": true,
            "continuously_available": false, "oplocks_risk": true}]
nfs_exports:
  description: NFS exports of every zone read (C(id), C(paths), C(zone), C(clients), ...).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"id": 1, "paths": ["/ifs/data1"], "zone": "System"}]
nfs_aliases:
  description: NFS aliases of every zone read (C(name), C(path), C(zone), C(health)).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"name": "/data1", "path": "/ifs/data1", "zone": "System"}]
network_pools:
  description: IP pools (C(id), C(access_zone), C(sc_dns_zone), C(sc_dns_zone_aliases), C(ifaces), ...).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"id": "groupnet0.subnet0.pool0", "access_zone": "System", "sc_dns_zone": "data.example.com"}]
network_subnets:
  description: Subnets of every groupnet (C(id), C(groupnet), C(base_addr), C(prefixlen), C(sc_service_addrs), C(sc_service_name), ...).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"id": "groupnet0.subnet0", "sc_service_addrs": [{"low": "192.0.2.5", "high": "192.0.2.5"}]}]
network_groupnets:
  description: Groupnets (C(id), C(name), C(dns_servers), C(dns_search), C(subnets), ...).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"id": "groupnet0", "name": "groupnet0", "dns_servers": ["192.0.2.2"], "subnets": ["subnet0"]}]
sync_target_reports:
  description: The newest SyncIQ target reports of each policy this cluster is the target of, each with C(zone).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"policy_name": "data1", "action": "run", "state": "finished", "duration": 42, "target_path": "/ifs/data1"}]
ads_providers:
  description:
    - Active Directory providers with their item details, plus C(missing_spns) (recommended
      SPNs not configured) and C(unexpected_spns) (configured SPNs neither recommended nor in
      C(extra_expected_spns)); SPNs compare case-insensitively.
  returned: when gathered
  type: list
  elements: dict
  sample: [{"name": "AD.EXAMPLE.COM", "spns": ["HOST/alpha"], "recommended_spns": ["HOST/alpha", "HOST/alpha.ad.example.com"],
            "missing_spns": ["HOST/alpha.ad.example.com"], "unexpected_spns": []}]
quotas:
  description: SmartQuotas, each with C(zone).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"id": "AABpAQEAAAAAAAAAAAAAQA0AAAAAAAAA", "type": "directory", "path": "/ifs/data1", "zone": "System"}]
snapshot_schedules:
  description: Snapshot schedules, each with C(zone).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"id": 1, "name": "daily", "path": "/ifs/data1", "schedule": "every day at 01:00"}]
dedupe:
  description: Dedupe settings (C(paths), C(assess_paths), ...).
  returned: when gathered
  type: dict
  sample: {"paths": ["/ifs/data1"], "assess_paths": []}
smb_openfiles:
  description: Open SMB files, each with C(path), its file as a C(/ifs) path, and C(zone).
  returned: when gathered
  type: list
  elements: dict
  sample: [{"id": 12, "file": "C:\\ifs\\data1\\a.txt", "path": "/ifs/data1/a.txt", "user": "AD\\bob", "locks": 0}]
smb_sessions:
  description: SMB sessions of every node, each with the C(lnn) of its node.
  returned: when gathered
  type: list
  elements: dict
  sample: [{"id": 3, "computer": "10.0.0.5", "user": "AD\\bob", "openfiles": 1, "lnn": 1}]
protocol_settings:
  description: Global settings of SMB (C(smb)), NFS (C(nfs)) and SyncIQ (C(synciq)).
  returned: when gathered
  type: dict
  sample: {"smb": {"service": true}, "nfs": {"service": true}, "synciq": {"service": "on"}}
paths:
  description: For each path of O(check_paths), whether it exists on the cluster.
  returned: when O(check_paths) is given
  type: dict
  sample: {"/ifs/eng/proj/docs": true, "/ifs/eng/proj/gone": false}
query_result:
  description:
    - The result of O(query) on the gathered facts.
    - With O(query_only=true), the gathered facts themselves are not returned.
  returned: when O(query) is given
  type: raw
  sample: ["data1", "data2"]
api_stats:
  description: API calls made by the module (added by the module runner).
  returned: always
  type: dict
  sample: {"api_calls": 7, "retries": 0, "conflicts_409": 0, "share_writes": 0}
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.onefs.dr.plugins.module_utils._paths import clean_path, is_under, namespace_url
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError
from ansible_collections.onefs.dr.plugins.module_utils.common import InputError, OneFSModule

try:
    import jmespath

    HAS_JMESPATH = True
    JMESPATH_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - only needed with query
    HAS_JMESPATH = False
    JMESPATH_IMPORT_ERROR = exc

SUBSETS = (
    "cluster", "zones", "sync_policies", "sync_target_policies", "sync_jobs", "sync_reports",
    "smb_shares", "nfs_exports", "nfs_aliases", "network_pools", "ads_providers", "quotas",
    "snapshot_schedules", "dedupe", "smb_openfiles", "smb_sessions", "protocol_settings", "network_subnets",
    "network_groupnets", "sync_target_reports",
)
ZONE_SCOPED = ("smb_shares", "nfs_exports", "nfs_aliases")
# Subsets whose objects are located by a path on this cluster (they get a derived 'zone').
PATH_LOCATED = ("sync_policies", "sync_target_policies", "sync_jobs", "sync_reports", "quotas",
                "snapshot_schedules", "smb_openfiles", "sync_target_reports")


def argument_spec():
    return dict(
        gather_subset=dict(type="list", elements="str", choices=["all"] + list(SUBSETS), default=["all"]),
        zones=dict(type="list", elements="str"),
        path=dict(type="str"),
        reports_per_policy=dict(type="int", default=1),
        query=dict(type="str"),
        query_only=dict(type="bool", default=False),
        check_paths=dict(type="list", elements="str"),
    )


def under(path, root):
    """True when ``path`` is ``root`` or below it."""
    return bool(path and root) and is_under(path, root)


def windows_to_ifs(name):
    """'C:\\ifs\\data\\a.txt' (how OneFS shows SMB open files) -> '/ifs/data/a.txt'."""
    if not name:
        return name
    text = name.replace("\\", "/")
    if len(text) > 1 and text[1] == ":":
        text = text[2:]
    return text if text.startswith("/") else "/" + text


def spn_diff(provider):
    configured = provider.get("spns") or []
    recommended = provider.get("recommended_spns") or []
    extra = provider.get("extra_expected_spns") or []
    have = set(s.lower() for s in configured)
    expected = set(s.lower() for s in recommended) | set(s.lower() for s in extra)
    provider["missing_spns"] = [s for s in recommended if s.lower() not in have]
    provider["unexpected_spns"] = [s for s in configured if s.lower() not in expected]
    return provider


GATHER_THREADS = 4


class Gatherer:
    def __init__(self, m):
        self.m = m
        self.client = m.client
        self.p = m.params
        self.path = None
        self.zone_list = None
        self.zone_names = None  # the zones to read zone-scoped subsets from / filter by
        self.filter_zones = None  # set when the user named zones
        self.policy_paths = None
        self._policies_lock = threading.Lock()

    # ------------------------------------------------------------------ input
    def validate(self):
        path = self.p["path"]
        if path is not None:
            if not path.startswith("/"):
                raise InputError("path must be an absolute path such as /ifs/data, got %r" % path)
            self.path = clean_path(path)
        for checked in self.p["check_paths"] or []:
            if not checked or not (checked == "/ifs" or checked.startswith("/ifs/")):
                raise InputError("check_paths must list absolute paths under /ifs, got %r" % checked)
        if self.p["reports_per_policy"] < 1:
            raise InputError("reports_per_policy must be at least 1, got %s" % self.p["reports_per_policy"])
        if self.p["query"] is not None:
            if not HAS_JMESPATH:
                self.m.fail(missing_required_lib("jmespath"), exception=str(JMESPATH_IMPORT_ERROR))
            try:
                self.compiled = jmespath.compile(self.p["query"])
            except jmespath.exceptions.JMESPathError as err:
                raise InputError("query is not a valid JMESPath expression: %s" % err) from err
        zones = self.p["zones"]
        if zones is not None and (not zones or any(not z for z in zones)):
            raise InputError("zones must list access zone names (omit it for every zone)")

    def subsets(self):
        wanted = self.p["gather_subset"]
        if "all" in wanted:
            return list(SUBSETS)
        return [s for s in SUBSETS if s in wanted]

    # ------------------------------------------------------------------ helpers
    def list_zones(self):
        if self.zone_list is None:
            # OneFS's zones list takes no query argument (not even limit): it answers every zone at once.
            self.zone_list = self.client.list(self.client.api("zones"), "zones", limit=None)
        return self.zone_list

    def resolve_zones(self):
        zones = self.list_zones()
        names = [z.get("name") for z in zones]
        if self.p["zones"] is not None:
            missing = [z for z in self.p["zones"] if z not in names]
            if missing:
                raise InputError(
                    "zones: %s not found on %s; existing zones: %s"
                    % (", ".join(missing), self.p["host"], ", ".join(sorted(n for n in names if n)))
                )
            self.filter_zones = set(self.p["zones"])
            self.zone_names = list(self.p["zones"])
        else:
            self.zone_names = names

    def zone_of(self, path):
        """Name of the access zone whose base path holds ``path`` most specifically."""
        best, best_len = None, -1
        for zone in self.zone_list or []:
            base = zone.get("path")
            if base and under(path, base) and len(base) > best_len:
                best, best_len = zone.get("name"), len(base)
        return best

    def keep(self, paths, zone, by_zone=True):
        if self.path is not None and not any(under(p, self.path) for p in paths if p):
            return False
        return not by_zone or self.filter_zones is None or zone in self.filter_zones

    def located(self, items, path_of, by_zone=True):
        """Adds 'zone' to items located by a path; applies the path and (with by_zone) zone filters."""
        out = []
        for item in items:
            path = path_of(item)
            item["zone"] = self.zone_of(path) if path else None
            if self.keep([path], item["zone"] if by_zone else None, by_zone):
                out.append(item)
        return out

    def paged(self, path, key, query=None):
        return self.client.list(path, key, query=query)

    def settings(self, resource):
        body = self.client.get(self.client.api(resource)) or {}
        return body.get("settings") or {}

    def policy_source_paths(self):
        if self.policy_paths is None:
            policies = self._raw_policies()
            self.policy_paths = dict((p.get("name"), p.get("source_root_path")) for p in policies)
        return self.policy_paths

    def _raw_policies(self):
        with self._policies_lock:  # subsets run side by side; the list is read once
            if not hasattr(self, "_policies"):
                self._policies = self.paged(self.client.api("sync/policies"), "policies")
        return self._policies

    def job_path(self, item):
        policy = item.get("policy") or {}
        if policy.get("source_root_path"):
            return policy["source_root_path"]
        if self.path is None and self.filter_zones is None:
            return None
        return self.policy_source_paths().get(item.get("policy_name") or item.get("id"))

    # ------------------------------------------------------------------ subsets
    def g_cluster(self):
        return self.client.get(self.client.api("cluster/config")) or {}

    def g_zones(self):
        return [z for z in self.list_zones() if self.keep([z.get("path")], z.get("name"))]

    # A SyncIQ policy has an end on each cluster, and the end here may lie outside the zone its
    # partner end (and the failover unit) belongs to: exactly the misplaced policy readiness must
    # report. So the zone filter does not drop policies or target policies (each still gets its
    # 'zone'); callers match them by name. Dropping them made readiness report a target policy that
    # exists as missing, besides the right finding (issue 14, point 5).
    def g_sync_policies(self):
        return self.located([dict(p) for p in self._raw_policies()], lambda p: p.get("source_root_path"), by_zone=False)

    def g_sync_target_policies(self):
        items = self.paged(self.client.api("sync/target/policies"), "policies")
        return self.located(items, lambda p: p.get("target_path"), by_zone=False)

    def g_sync_jobs(self):
        items = self.paged(self.client.api("sync/jobs"), "jobs")
        return self.located(items, self.job_path)

    def g_sync_reports(self):
        items = self.paged(self.client.api("sync/reports"), "reports",
                           query={"reports_per_policy": self.p["reports_per_policy"]})
        return self.located(items, self.job_path)

    def g_sync_target_reports(self):
        items = self.paged(self.client.api("sync/target/reports"), "reports",
                           query={"reports_per_policy": self.p["reports_per_policy"]})
        return self.located(items, lambda r: r.get("target_path"))

    def _per_zone(self, resource, key, decorate):
        out = []
        for zone in self.zone_names:
            for item in self.paged(self.client.api(resource), key, query={"zone": zone}):
                item = decorate(item, zone)
                if item is not None:
                    out.append(item)
        return out

    def g_smb_shares(self):
        def decorate(share, zone):
            share["zone"] = zone
            share["oplocks_risk"] = bool(share.get("oplocks", True)) and not share.get("continuously_available")
            return share if self.keep([share.get("path")], zone) else None

        return self._per_zone("protocols/smb/shares", "shares", decorate)

    def g_nfs_exports(self):
        def decorate(export, zone):
            export.setdefault("zone", zone)
            return export if self.keep(export.get("paths") or [], zone) else None

        return self._per_zone("protocols/nfs/exports", "exports", decorate)

    def g_nfs_aliases(self):
        def decorate(alias, zone):
            alias.setdefault("zone", zone)
            return alias if self.keep([alias.get("path")], zone) else None

        return self._per_zone("protocols/nfs/aliases", "aliases", decorate)

    def g_network_pools(self):
        pools = self.paged(self.client.api("network/pools"), "pools")
        if self.filter_zones is not None:
            pools = [p for p in pools if p.get("access_zone") in self.filter_zones]
        return pools

    def g_network_subnets(self):
        # Cluster-wide: SmartConnect service addresses belong to a subnet, not to a zone.
        return self.paged(self.client.api("network/subnets"), "subnets")

    def g_network_groupnets(self):
        return self.paged(self.client.api("network/groupnets"), "groupnets")

    def g_ads_providers(self):
        # The ADS provider list takes only ``scope`` (no limit/resume): one GET answers them all.
        providers = self.client.list(self.client.api("auth/providers/ads"), "ads", limit=None)
        if self.filter_zones is not None:
            used = set()
            for zone in self.list_zones():
                if zone.get("name") in self.filter_zones:
                    for ref in zone.get("auth_providers") or []:
                        kind, name = ref.split(":", 1) if ":" in ref else (ref, "")
                        if "activedirectory" in kind or kind == "ads":
                            used.add(name.lower())
            providers = [p for p in providers if str(p.get("name") or p.get("id") or "").lower() in used]
        out = []
        for provider in providers:
            if "recommended_spns" not in provider or "spns" not in provider or "dup_spns" not in provider:
                # Only the item GET carries the SPNs (one or two providers per cluster), and with
                # check_duplicates=true OneFS's duplicate-SPN check: dup_spns, the provider's SPNs
                # also registered on another account of the forest (isilon-sdk
                # ProvidersAdsAdsItemExtended.dup_spns, list[str]); readiness needs it.
                ident = provider.get("id") or provider.get("name")
                detail = self.client.item(self.client.api("auth/providers/ads", ident), "ads",
                                          query={"check_duplicates": True}) or {}
                merged = dict(provider)
                merged.update(detail)
                provider = merged
            out.append(spn_diff(provider))
        return out

    def g_quotas(self):
        query = None
        if self.path is not None:
            query = {"path": self.path, "recurse_path_children": True}
        items = self.paged(self.client.api("quota/quotas"), "quotas", query=query)
        return self.located(items, lambda q: q.get("path"))

    def g_snapshot_schedules(self):
        items = self.paged(self.client.api("snapshot/schedules"), "schedules")
        return self.located(items, lambda s: s.get("path"))

    def g_dedupe(self):
        settings = self.settings("dedupe/settings")
        if self.path is not None:
            for key in ("paths", "assess_paths"):
                if isinstance(settings.get(key), list):
                    settings[key] = [p for p in settings[key] if under(p, self.path)]
        return settings

    def g_smb_openfiles(self):
        items = self.paged(self.client.api("protocols/smb/openfiles"), "openfiles")
        for item in items:
            item["path"] = windows_to_ifs(item.get("file"))
        return self.located(items, lambda f: f.get("path"))

    def g_smb_sessions(self):
        path = self.client.api("protocols/smb/sessions")
        params = {"limit": 1000}
        out = []
        seen = set()
        while True:
            body = self.client.get(path, query=params) or {}
            for node in body.get("nodes") or []:
                for session in node.get("sessions") or []:
                    session = dict(session)
                    session.setdefault("lnn", node.get("lnn", node.get("id")))
                    out.append(session)
            out.extend(body.get("sessions") or [])
            token = body.get("resume")
            if not token or token in seen:
                return out
            seen.add(token)
            params = {"resume": token}

    def path_exists(self, path):
        """Whether ``path`` exists on the cluster (HEAD on the namespace: 200, or 404)."""
        url = namespace_url(clean_path(path))
        try:
            self.client.request("HEAD", url)
        except OneFSError as err:
            if err.status == 404:
                return False
            raise
        return True

    def g_protocol_settings(self):
        return {
            "smb": self.settings("protocols/smb/settings/global"),
            "nfs": self.settings("protocols/nfs/settings/global"),
            "synciq": self.settings("sync/settings"),
        }

    # ------------------------------------------------------------------ main
    def run(self):
        self.validate()
        subsets = self.subsets()
        needs_zones = (
            self.p["zones"] is not None
            or any(s in subsets for s in ZONE_SCOPED + PATH_LOCATED + ("zones",))
        )
        if needs_zones:
            self.resolve_zones()
        facts = {}
        # The subsets are independent reads: a few at a time (the client's session and
        # connection pool are shared), the result in the order asked for.
        checked = list(dict.fromkeys(self.p["check_paths"] or []))
        with ThreadPoolExecutor(max_workers=max(1, min(GATHER_THREADS, len(subsets) + len(checked)))) as pool:
            futures = [(subset, pool.submit(getattr(self, "g_" + subset))) for subset in subsets]
            path_futures = [(path, pool.submit(self.path_exists, path)) for path in checked]
            for subset, future in futures:
                facts[subset] = future.result()
            exists = dict((path, future.result()) for path, future in path_futures)
        result = {} if self.p["query_only"] else dict(facts)
        if self.p["check_paths"] is not None:
            result["paths"] = exists
        result["gathered_subsets"] = subsets
        if self.p["query"] is not None:
            result["query_result"] = self.compiled.search(facts)
        return result


def main():
    m = OneFSModule(argument_spec(), supports_check_mode=True, required_if=[["query_only", True, ["query"]]])
    m.run(lambda mod: Gatherer(mod).run())


if __name__ == "__main__":
    main()

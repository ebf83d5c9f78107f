#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_config_sync
short_description: Copy SMB shares, NFS exports and aliases, snapshot schedules and dedupe paths to the partner cluster
version_added: 0.1.0
description:
  - Replicates the configuration that SyncIQ does not carry, for the objects whose path lies
    under O(source_path) (a policy's source root path, or a zone's base path), from the
    source cluster (the connection options) to the O(target) cluster, translating every path
    from O(source_path) to O(target_path) and the access zone from O(source_zone) to
    O(target_zone). This is step 5 of a failover; run it once per policy or per zone.
  - Object types (O(objects)) are SMB shares (every setting and the share ACL), NFS exports
    (every setting, matched by their set of paths), NFS aliases, snapshot schedules (matched by
    name) and the dedupe C(paths) and C(assess_paths) settings.
  - Idempotent; each object type is read with one paged list per zone on each cluster, and only
    the objects that differ are written. O(prune) deletes target objects under O(target_path)
    that no longer exist under O(source_path) on the source.
  - Lockout aware. When the data-integrity lockout of this collection
    (M(onefs.dr.onefs_smb_share_lockout), Deny Everyone) is on a source share, the share's
    original ACL is read from the lockout journal on the source
    (C(/ifs/.onefs_dr/journal/<source_zone>.json)) and replicated instead, never the lockout
    ACE. A Deny Everyone that the share had before the lockout (journal C(had_deny)), or that
    no journal entry explains, is replicated as it is, with a warning for the latter.
  - Conflicts are never skipped silently. A target share, alias or snapshot schedule of the
    same name whose path lies outside O(target_path), and a source export whose paths are only
    partly under O(source_path), are listed in RV(conflicts); after every other object is
    synced, the module fails unless O(on_conflict=warn).
  - Suspend marker. With O(unit), the module first reads
    C(/ifs/.onefs_dr/suspend/<unit>.json) on the source; when it exists the sync is skipped
    (RV(skipped), RV(reason)) unless O(ignore_suspend=true). O(suspend=true) writes that
    marker and O(suspend=false) removes it, and then the module does nothing else; the
    failover orchestration suspends a unit's configuration sync while it fails over
    (failover step 3b) and re-enables it afterwards (step 13).
author:
  - onefs.dr contributors (@onefs-dr)
options:
  source_zone:
    description: Access zone of the shares, exports and aliases on the source.
    type: str
    default: System
  target_zone:
    description: Access zone they go to on the target. Defaults to O(source_zone).
    type: str
  source_zone_path:
    description:
      - The base path of O(source_zone), when the caller has read it already (for example with
        M(onefs.dr.onefs_info) C(zones)). The module then does not read the zone; a zone that
        does not exist still fails the task, at the first read of its shares, before any write.
    type: str
  target_zone_path:
    description: The base path of O(target_zone) on the target, as O(source_zone_path).
    type: str
  source_path:
    description:
      - Only objects whose path is this directory or lies under it are synced.
      - Defaults to the base path of O(source_zone).
    type: str
  target_path:
    description:
      - Where O(source_path) is on the target; every object path under O(source_path) is
        translated by replacing that prefix. Defaults to O(source_path).
      - For O(objects) with shares, exports or aliases it must lie inside the base path of
        O(target_zone).
    type: str
  objects:
    description: Object types to sync.
    type: list
    elements: str
    choices: [smb_shares, nfs_exports, nfs_aliases, snapshot_schedules, dedupe]
    default: [smb_shares, nfs_exports, nfs_aliases, snapshot_schedules, dedupe]
  prune:
    description:
      - Delete target objects under O(target_path) (in O(target_zone)) that have no source
        object under O(source_path). Objects outside O(target_path) are never touched.
    type: bool
    default: false
  lockout_aware:
    description:
      - Replicate the journalled original ACL of shares that this collection locked out, never
        the lockout ACE (see the description). V(false) copies share ACLs exactly as they are.
    type: bool
    default: true
  on_conflict:
    description:
      - V(fail) fails the task when there are RV(conflicts), after syncing every other object;
        V(warn) reports them as warnings and succeeds.
    type: str
    choices: [fail, warn]
    default: fail
  unit:
    description:
      - Name of the failover unit (a SyncIQ policy or an access zone) this sync belongs to, for
        the suspend marker. Letters, digits, V(_), V(.) and V(-).
      - Without it no marker is read.
    type: str
  ignore_suspend:
    description: Sync even when the marker of O(unit) says the unit is suspended.
    type: bool
    default: false
  suspend:
    description:
      - V(true) sets the suspend marker of O(unit) on the source, V(false) clears it. With this
        option the module only manages the marker (no O(target) needed) and syncs nothing.
    type: bool
  suspend_reason:
    description: Text stored in the marker when O(suspend=true) sets it (for example the failover run id).
    type: str
attributes:
  check_mode:
    support: full
    details: Reads both clusters and returns the complete plan (created, updated, deleted, conflicts); writes nothing.
  diff_mode:
    support: full
    details: C(diff) lists, per object type, each object created (after only), deleted (before only) or updated (changed fields).
  idempotent:
    support: full
    details: A second run with the same arguments writes nothing on either cluster.
extends_documentation_fragment:
  - onefs.dr.connection
  - onefs.dr.target
  - onefs.dr.attributes
notes:
  - Share writes on the target go through the share-write limiter and retry C(409 AEC_CONFLICT)
    (see O(share_write_limit)); a create whose answer was lost is checked before it is repeated.
  - Trustees and personas are sent by SID or UID/GID, so both clusters must resolve the same
    identities (the same Active Directory); local users differ between clusters.
  - Snapshot schedules and dedupe settings are cluster-wide; only O(source_path) and
    O(target_path) select them. Dedupe paths outside O(target_path) on the target are kept.
  - An API error on one object is reported in RV(errors) and the others still sync; the task
    then fails. A dropped cluster or a rejected login stops the task at once.
  - Needs, on both clusters, read and write RBAC privileges for SMB, NFS, snapshots and dedupe,
    and namespace access to C(/ifs/.onefs_dr) (journal, suspend marker).
"""

EXAMPLES = r"""
- name: Sync the configuration under a SyncIQ policy's path to the target (failover step 5)
  onefs.dr.onefs_config_sync:
    host: cluster-a.example.com
    username: admin
    password: "{{ vault_onefs_password }}"
    ca_path: /etc/pki/onefs-ca.pem
    target:
      host: cluster-b.example.com
    source_zone: eng
    source_path: /ifs/eng/projects
    prune: true
    unit: eng_projects

- name: Access Zone mode, different zone and base path on the target
  onefs.dr.onefs_config_sync:
    target:
      host: cluster-b.example.com
    source_zone: zone1
    target_zone: zone1dr
    source_path: /ifs/zone1
    target_path: /ifs/zone1dr
    objects: [smb_shares, nfs_exports, nfs_aliases]

- name: Plan only, conflicts as warnings
  onefs.dr.onefs_config_sync:
    target:
      host: cluster-b.example.com
    source_zone: eng
    on_conflict: warn
  check_mode: true
  diff: true

- name: Suspend the configuration sync of a unit during its failover
  onefs.dr.onefs_config_sync:
    unit: eng_projects
    suspend: true
    suspend_reason: failover run 2026-11-22T02:00

- name: Re-enable it afterwards
  onefs.dr.onefs_config_sync:
    unit: eng_projects
    suspend: false
"""

RETURN = r"""
created:
  description:
    - Objects created on the target (in check mode, to be created), per object type.
    - Shares, aliases and schedules by name; exports by their comma-joined target paths
      (with C(#n) when several exports have the same paths); dedupe entries as
      C(paths:<path>) or C(assess_paths:<path>).
  returned: when the sync ran
  type: dict
  sample: {smb_shares: [eng_docs], nfs_exports: [/ifs/eng/projects], nfs_aliases: [], snapshot_schedules: [], dedupe: []}
updated:
  description: Objects updated on the target, per object type (same naming as RV(created)).
  returned: when the sync ran
  type: dict
  sample: {smb_shares: [eng_src], nfs_exports: [], nfs_aliases: [], snapshot_schedules: [eng_hourly], dedupe: []}
deleted:
  description: Objects deleted from the target (O(prune)), per object type (same naming as RV(created)).
  returned: when the sync ran
  type: dict
  sample: {smb_shares: [old_share], nfs_exports: [], nfs_aliases: [], snapshot_schedules: [], dedupe: [paths:/ifs/eng/old]}
conflicts:
  description: Objects that could not be synced, each with its type, name and the reason.
  returned: when the sync ran
  type: list
  elements: dict
  sample:
    - type: smb_shares
      name: eng_docs
      reason: a share of this name exists in target zone eng with path /ifs/other, outside target_path /ifs/eng/projects
      source_path: /ifs/eng/projects/docs
      target_path: /ifs/eng/projects/docs
errors:
  description: OneFS errors of single object writes (the other objects were still synced).
  returned: when the sync ran
  type: list
  elements: dict
  sample: [{type: nfs_exports, name: /ifs/eng/x, action: create, message: "POST ...: HTTP 400 AEC_BAD_REQUEST: ...", onefs_error: {}}]
lockout_restored:
  description: Source shares under the lockout whose journalled original ACL was replicated instead of their current one.
  returned: when the sync ran
  type: list
  elements: str
  sample: [eng_docs]
source_zone:
  description: Source access zone.
  returned: when the sync ran
  type: str
  sample: eng
target_zone:
  description: Target access zone.
  returned: when the sync ran
  type: str
  sample: eng
source_path:
  description: Source path used (the zone base path when O(source_path) was not given).
  returned: when the sync ran
  type: str
  sample: /ifs/eng/projects
target_path:
  description: Target path used.
  returned: when the sync ran
  type: str
  sample: /ifs/eng/projects
diff:
  description: Per object type, the objects changed; updates show only the changed fields.
  returned: changed and diff mode
  type: dict
  sample:
    before: {smb_shares: {eng_src: {description: old}}}
    after: {smb_shares: {eng_src: {description: new}}}
skipped:
  description: True when the unit is suspended and nothing was synced.
  returned: when the suspend marker of O(unit) exists
  type: bool
  sample: true
reason:
  description: Why the sync was skipped.
  returned: when skipped
  type: str
  sample: "configuration sync of unit eng_projects is suspended (marker /ifs/.onefs_dr/suspend/eng_projects.json, since 2026-11-22T02:00:00Z)"
suspend_marker:
  description: Content of the suspend marker (after the task when O(suspend) is given; null when there is none).
  returned: when skipped, or when O(suspend) is given
  type: dict
  sample: {unit: eng_projects, suspended: true, since: "2026-11-22T02:00:00Z", reason: failover}
suspended:
  description: Whether the unit is suspended after the task.
  returned: when O(suspend) is given
  type: bool
  sample: true
"""

from ansible_collections.onefs.dr.plugins.module_utils.common import InputError, OneFSModule, partner_argument_spec
from ansible_collections.onefs.dr.plugins.module_utils.config_sync import (
    OBJECT_TYPES,
    ConfigSync,
    check_unit,
    read_suspend,
    set_suspend,
    suspend_marker_path,
)


def manage_marker(m):
    p = m.params
    if not p["unit"]:
        raise InputError("suspend needs unit: the name of the policy or zone whose configuration sync to suspend")
    changed, marker = set_suspend(m.client, check_unit(p["unit"]), p["suspend"], p["suspend_reason"], m.check_mode)
    result = {"changed": changed, "suspended": bool(p["suspend"]), "suspend_marker": marker}
    if changed and m.module._diff:
        result["diff"] = {
            "before": {"suspended": not p["suspend"]},
            "after": {"suspended": bool(p["suspend"])},
        }
    return result


def sync(m):
    p = m.params
    if p["suspend"] is not None:
        return manage_marker(m)
    if p["suspend_reason"] is not None:
        raise InputError("suspend_reason is only used with suspend=true; remove it")
    if not p["target"]:
        raise InputError("target is required: give target.host (and any connection option that differs from the source's)")
    if p["unit"] is not None:
        check_unit(p["unit"])
    target = p["target"]
    same_cluster = target["host"] == p["host"] and (target.get("port") or p["port"]) == p["port"]
    if same_cluster and (p["target_zone"] or p["source_zone"]) == p["source_zone"] and (p["target_path"] or p["source_path"]) == p["source_path"]:
        raise InputError("target is the source cluster with the same zone and path: there is nothing to copy; check target.host")
    if p["unit"] and not p["ignore_suspend"]:
        marker = read_suspend(m.client, p["unit"])
        if marker is not None:
            return {
                "changed": False,
                "skipped": True,
                "reason": "configuration sync of unit %s is suspended (marker %s, since %s%s); set ignore_suspend=true "
                "to sync anyway" % (
                    p["unit"], suspend_marker_path(p["unit"]), marker.get("since", "unknown"),
                    ", reason: %s" % marker["reason"] if marker.get("reason") else "",
                ),
                "suspend_marker": marker,
            }
    job = ConfigSync(
        m.client,
        m.partner_client("target"),
        source_zone=p["source_zone"],
        target_zone=p["target_zone"],
        source_path=p["source_path"],
        target_path=p["target_path"],
        objects=p["objects"],
        prune=p["prune"],
        lockout_aware=p["lockout_aware"],
        check_mode=m.check_mode,
        warn=m.module.warn,
        zone_paths={"source": p["source_zone_path"], "target": p["target_zone_path"]},
    )
    job.plan()
    job.apply()
    result = job.result(diff=m.module._diff)
    problems = []
    if job.conflicts:
        if p["on_conflict"] == "warn":
            for item in job.conflicts:
                m.module.warn("config sync conflict, %s %s: %s" % (item["type"], item["name"], item["reason"]))
        else:
            problems.append(
                "%d conflict(s): %s" % (len(job.conflicts), "; ".join("%s %s: %s" % (c["type"], c["name"], c["reason"]) for c in job.conflicts))
            )
    if job.errors:
        problems.append("%d object(s) failed: %s" % (len(job.errors), "; ".join("%s %s %s: %s" % (
            e["action"], e["type"], e["name"], e["message"]) for e in job.errors)))
    if problems:
        m.fail("configuration sync %s -> %s finished with problems (every other object was synced): %s"
               % (job.source_path, job.target_path, " | ".join(problems)), **result)
    return result


def main():
    argument_spec = dict(
        target=partner_argument_spec(),
        source_zone=dict(type="str", default="System"),
        target_zone=dict(type="str"),
        source_zone_path=dict(type="str"),
        target_zone_path=dict(type="str"),
        source_path=dict(type="str"),
        target_path=dict(type="str"),
        objects=dict(type="list", elements="str", choices=list(OBJECT_TYPES), default=list(OBJECT_TYPES)),
        prune=dict(type="bool", default=False),
        lockout_aware=dict(type="bool", default=True),
        on_conflict=dict(type="str", choices=["fail", "warn"], default="fail"),
        unit=dict(type="str"),
        ignore_suspend=dict(type="bool", default=False),
        suspend=dict(type="bool"),
        suspend_reason=dict(type="str"),
    )
    module = OneFSModule(argument_spec, supports_check_mode=True)
    module.run(sync)


if __name__ == "__main__":
    main()

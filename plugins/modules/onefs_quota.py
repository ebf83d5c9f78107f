#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_quota
short_description: Manage OneFS SmartQuotas, one or many per call, and copy them to the failover cluster
version_added: 0.1.0
description:
  - Creates, updates and deletes SmartQuotas on a OneFS cluster. One quota is given with
    O(path), O(type) and the other top-level options; several with O(quotas). The cluster's
    quotas are read with one paged list per call (filtered by path where possible), never one
    request per quota.
  - A quota is identified by its O(type), O(path) and O(persona). The module never changes the
    type, path or persona of an existing quota. O(include_snapshots) cannot be changed in place
    either. When it differs, the task fails unless O(recreate=true), which deletes the quota and
    creates it again (its usage accounting restarts).
  - Thresholds are compared exactly. When O(thresholds) is given it is the complete set;
    thresholds not listed are removed from the quota. Sizes are bytes or strings with a binary
    unit, V(10G) = 10 x 1024^3 bytes; grace periods are seconds or strings such as V(7d).
  - With O(mode=copy) the module connects to the cluster that should receive the quotas (the
    failover target) and reads every quota at or under O(source_path) on O(partner) (the
    source), then creates or updates the same quotas under O(target_path) here. With
    O(delete_source=true) it then deletes them on the source, as PowerScale best practice asks
    for directories that become SyncIQ targets. A re-run after a partial run converges.
author:
  - onefs.dr contributors (@onefs-dr)
options:
  state:
    description:
      - V(present) creates or updates the quotas; V(absent) deletes them.
      - With O(mode=copy) only V(present) is valid.
    type: str
    choices: [present, absent]
    default: present
  mode:
    description:
      - V(manage) manages the quotas given by O(path) or O(quotas).
      - V(copy) copies every quota at or under O(source_path) on O(partner) to this cluster.
    type: str
    choices: [manage, copy]
    default: manage
  path:
    description:
      - Directory of one quota, an absolute path under C(/ifs). Mutually exclusive with O(quotas).
    type: str
  type:
    description:
      - Quota type. V(directory) when not set.
    type: str
    choices: [directory, user, group, default-directory, default-user, default-group]
  persona:
    description:
      - The user or group of a V(user) or V(group) quota (required for those, refused for the
        others). Either a name (V(jdoe), V(EXAMPLE\\jdoe)) or an id such as V(UID:2000), V(GID:2000),
        V(SID:S-1-5-21-...), V(USER:jdoe) or V(GROUP:staff).
    type: str
  include_snapshots:
    description:
      - Count snapshot data against the quota. Fixed at creation (see O(recreate)).
      - V(false) when creating a quota and not set; not compared when not set.
    type: bool
  thresholds:
    description:
      - The complete threshold set; keys not given are removed from the quota. Not managed
        when not set (a new quota then only accounts).
    type: dict
    suboptions:
      hard:
        description: Hard limit; writes beyond it fail. Bytes or a size such as V(10G).
        type: raw
      soft:
        description: Soft limit, enforced after O(thresholds.soft_grace). Bytes or a size.
        type: raw
      advisory:
        description: Advisory limit (notifications only). Bytes or a size.
        type: raw
      soft_grace:
        description:
          - Time usage may stay above the soft limit. Seconds or a duration with a unit
            V(s), V(m), V(h), V(d) or V(w), such as V(7d). Required with a soft limit.
        type: raw
      percent_soft:
        description: Soft limit as a percentage of O(thresholds.hard) (instead of O(thresholds.soft)).
        type: float
      percent_advisory:
        description: Advisory limit as a percentage of O(thresholds.hard) (instead of O(thresholds.advisory)).
        type: float
  enforced:
    description:
      - V(true) for an enforcing quota, V(false) for an accounting quota. Not managed when not set.
    type: bool
  container:
    description:
      - SMB clients of shares on the quota's directory see the hard threshold as the share size.
    type: bool
  thresholds_on:
    description:
      - The usage the thresholds apply to.
    type: str
    choices: [applogicalsize, fslogicalsize, physicalsize]
  description:
    description:
      - Free-text description of the quota.
    type: str
  quotas:
    description:
      - Several quotas, each with the keys of the single-quota options (O(path), O(type),
        O(persona), O(include_snapshots), O(thresholds), O(enforced), O(container),
        O(thresholds_on), O(description)). Top-level options other than O(path) and O(persona)
        are defaults for every item.
      - Mutually exclusive with O(path).
    type: list
    elements: dict
  recreate:
    description:
      - Delete and create again a quota whose O(include_snapshots) differs (it cannot be
        changed in place). Without it such a difference fails the task before any write.
    type: bool
    default: false
  source_path:
    description:
      - With O(mode=copy), the directory on O(partner) whose quotas (at it and under it) are copied.
    type: str
  target_path:
    description:
      - With O(mode=copy), the directory on this cluster that replaces O(source_path) as the
        prefix of each copied quota's path. O(source_path) when not set.
    type: str
  delete_source:
    description:
      - With O(mode=copy), delete the copied quotas on O(partner) once they all exist here.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    details: Reads, plans and reports; writes nothing.
  diff_mode:
    support: full
    details: C(diff) holds the settings of every quota created, changed or deleted, before and after.
  idempotent:
    support: full
    details: Compares before writing; a second run reports no change and writes nothing.
extends_documentation_fragment:
  - onefs.dr.connection
  - onefs.dr.connection.partner
  - onefs.dr.attributes
notes:
  - The RBAC privilege C(ISI_PRIV_QUOTA) (read and write) is needed on this cluster, and on
    O(partner) with O(mode=copy).
  - Quotas OneFS created from a default quota (C(linked)) are neither copied nor deleted by
    O(mode=copy); the default quota they come from is.
  - The copy adds and updates; it does not delete quotas under O(target_path) that the source lacks.
  - A user or group quota is copied with its persona id, so both clusters should resolve the
    same identities (the same Active Directory).
"""

EXAMPLES = r"""
- name: A 10 GiB hard quota with a soft limit and a 7 day grace
  onefs.dr.onefs_quota:
    path: /ifs/data/projects
    type: directory
    include_snapshots: false
    enforced: true
    thresholds:
      hard: 10G
      soft: 8G
      soft_grace: 7d

- name: Several quotas in one call
  onefs.dr.onefs_quota:
    enforced: true
    quotas:
      - path: /ifs/data/home
        type: default-user
        thresholds: {hard: 5G}
      - path: /ifs/data/home
        type: user
        persona: EXAMPLE\jdoe
        thresholds: {hard: 20G, percent_advisory: 80}

- name: Remove a quota
  onefs.dr.onefs_quota:
    path: /ifs/data/scratch
    type: directory
    state: absent

- name: Failover - copy the quotas of the failed-over directory to the target, delete them on the source
  onefs.dr.onefs_quota:
    host: beta.example.com
    mode: copy
    partner:
      host: alpha.example.com
    source_path: /ifs/data/finance
    target_path: /ifs/data/finance
    delete_source: true
"""

RETURN = r"""
quotas:
  description: Every quota the task looked at, with its settings before and after.
  returned: always
  type: list
  elements: dict
  sample:
    - cluster: target
      type: directory
      path: /ifs/data/projects
      persona: null
      id: 2Yc0AQEAAAAAAAAAAAAAQA0AAAAAAAAA
      action: updated
      before: {id: 2Yc0AQEAAAAAAAAAAAAAQA0AAAAAAAAA, type: directory, path: /ifs/data/projects, thresholds: {hard: 5368709120}}
      after: {id: 2Yc0AQEAAAAAAAAAAAAAQA0AAAAAAAAA, type: directory, path: /ifs/data/projects, thresholds: {hard: 10737418240}}
created:
  description: Quotas created (C(cluster) is V(target) for this cluster, V(source) for O(partner)).
  returned: always
  type: list
  elements: dict
  sample: [{cluster: target, type: directory, path: /ifs/data/projects, persona: null, include_snapshots: false, id: null}]
updated:
  description: Quotas changed in place.
  returned: always
  type: list
  elements: dict
  sample: [{cluster: target, type: directory, path: /ifs/data/projects, persona: null, include_snapshots: false,
            id: 2Yc0AQEAAAAAAAAAAAAAQA0AAAAAAAAA}]
deleted:
  description: Quotas deleted, including those deleted on the source with O(delete_source) and those replaced by O(recreate).
  returned: always
  type: list
  elements: dict
  sample: [{cluster: source, type: directory, path: /ifs/data/finance, persona: null, include_snapshots: false,
            id: 8Zc0AQEAAAAAAAAAAAAAQA0AAAAAAAAA}]
diff:
  description: Settings of the quotas that changed, keyed by cluster, type, path and persona.
  returned: when changed and diff mode is on
  type: dict
  sample:
    before: {"target directory /ifs/data/projects": {thresholds: {hard: 5368709120}}}
    after: {"target directory /ifs/data/projects": {thresholds: {hard: 10737418240}}}
api_stats:
  description: API calls, retries and 409 answers of the task.
  returned: always
  type: dict
  sample: {api_calls: 3, retries: 0, conflicts_409: 0, share_writes: 0}
"""

from ansible_collections.onefs.dr.plugins.module_utils.common import InputError, OneFSModule, partner_argument_spec
from ansible_collections.onefs.dr.plugins.module_utils.quota import (
    QUOTA_TYPES,
    THRESHOLDS_ON,
    apply_update,
    create_body,
    describe,
    identity,
    list_scope,
    matches,
    normalize_path,
    normalize_spec,
    planned_quota,
    spec_from_quota,
    translate_path,
    update_body,
    view,
)

THRESHOLD_OPTIONS = dict(
    hard=dict(type="raw"),
    soft=dict(type="raw"),
    advisory=dict(type="raw"),
    soft_grace=dict(type="raw"),
    percent_soft=dict(type="float"),
    percent_advisory=dict(type="float"),
)
QUOTA_KEYS = ("path", "type", "persona", "include_snapshots", "thresholds", "enforced", "container", "thresholds_on", "description")
DEFAULTABLE = ("type", "include_snapshots", "thresholds", "enforced", "container", "thresholds_on", "description")


def argument_spec():
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        mode=dict(type="str", choices=["manage", "copy"], default="manage"),
        path=dict(type="str"),
        type=dict(type="str", choices=list(QUOTA_TYPES)),
        persona=dict(type="str"),
        include_snapshots=dict(type="bool"),
        thresholds=dict(type="dict", options=THRESHOLD_OPTIONS),
        enforced=dict(type="bool"),
        container=dict(type="bool"),
        thresholds_on=dict(type="str", choices=list(THRESHOLDS_ON)),
        description=dict(type="str"),
        quotas=dict(type="list", elements="dict"),
        recreate=dict(type="bool", default=False),
        source_path=dict(type="str"),
        target_path=dict(type="str"),
        delete_source=dict(type="bool", default=False),
        partner=partner_argument_spec(),
    )


def _entry(cluster, spec, quota=None):
    return {
        "cluster": cluster,
        "type": spec["type"],
        "path": spec["path"],
        "persona": spec.get("persona"),
        "include_snapshots": quota.get("include_snapshots") if quota else spec.get("include_snapshots"),
        "id": quota.get("id") if quota else None,
    }


class Plan:
    """Ordered writes for one cluster, and what the task reports about them."""

    def __init__(self, cluster, client):
        self.cluster = cluster
        self.client = client
        self.deletes = []  # (spec, quota)
        self.creates = []  # (spec, body)
        self.updates = []  # (spec, quota, body)
        self.unchanged = []  # (spec, quota)
        self.absent = []  # spec


def _pick(spec, found, recreate):
    """Split the quotas of one identity into (keep, replace) per include_snapshots."""
    wanted = spec.get("include_snapshots")
    if wanted is None:
        if len(found) > 1:
            raise InputError(
                "%s exists twice (include_snapshots true and false): set include_snapshots to choose one" % describe(spec)
            )
        return (found[0] if found else None), []
    same = [q for q in found if bool(q.get("include_snapshots")) == wanted]
    other = [q for q in found if bool(q.get("include_snapshots")) != wanted]
    if same:
        return same[0], []
    if other and not recreate:
        raise InputError(
            "%s exists with include_snapshots=%s; include_snapshots cannot be changed in place: set "
            "recreate: true to delete and recreate it (its usage accounting restarts), or drop include_snapshots"
            % (describe(spec), not wanted)
        )
    return None, other


def plan_present(plan, specs, current, recreate):
    for spec in specs:
        found = [q for q in current if matches(spec, q)]
        keep, replace = _pick(spec, found, recreate)
        for quota in replace:
            plan.deletes.append((spec, quota))
        if keep is None:
            plan.creates.append((spec, create_body(spec)))
            continue
        body = update_body(spec, keep)
        if body:
            plan.updates.append((spec, keep, body))
        else:
            plan.unchanged.append((spec, keep))


def plan_absent(plan, specs, current):
    for spec in specs:
        found = [q for q in current if matches(spec, q)]
        wanted = spec.get("include_snapshots")
        if wanted is not None:
            found = [q for q in found if bool(q.get("include_snapshots")) == wanted]
        if not found:
            plan.absent.append(spec)
        for quota in found:
            plan.deletes.append((spec, quota))


class Runner:
    def __init__(self, module):
        self.module = module
        self.check = module.check_mode
        self.results = {"quotas": [], "created": [], "updated": [], "deleted": []}
        self.before = {}
        self.after = {}

    def _key(self, cluster, spec, quota=None):
        text = "%s %s" % (cluster, describe(spec))
        snaps = quota.get("include_snapshots") if quota else spec.get("include_snapshots")
        if snaps:
            text += " (with snapshots)"
        return text

    def _report(self, cluster, spec, action, before, after, quota=None, fields=None):
        row = _entry(cluster, spec, quota or after or before)
        row.update({"action": action, "before": view(before), "after": view(after)})
        self.results["quotas"].append(row)
        if action in ("unchanged", "absent"):
            return
        key = self._key(cluster, spec, quota or after or before)
        if fields:
            # An update: only the settings that change.
            self.before[key] = {k: v for k, v in row["before"].items() if k in fields}
            self.after[key] = {k: v for k, v in row["after"].items() if k in fields}
        else:
            self.before[key] = row["before"]
            self.after[key] = row["after"]

    def execute(self, plan):
        client = plan.client
        api = client.api("quota/quotas")
        for spec, quota in plan.deletes:
            if not self.check:
                client.delete(client.api("quota/quotas", quota["id"]))
            self.results["deleted"].append(_entry(plan.cluster, spec, quota))
            self._report(plan.cluster, spec, "deleted", quota, None, quota)
        for spec, body in plan.creates:
            created = planned_quota(body)
            if not self.check:
                answer = client.post(api, body, verify=self._exists(client, spec)) or {}
                created["id"] = answer.get("id")
            self.results["created"].append(_entry(plan.cluster, spec, created))
            self._report(plan.cluster, spec, "created", None, created, created)
        for spec, quota, body in plan.updates:
            if not self.check:
                client.put(client.api("quota/quotas", quota["id"]), body)
            after = apply_update(quota, body)
            self.results["updated"].append(_entry(plan.cluster, spec, quota))
            self._report(plan.cluster, spec, "updated", quota, after, quota, fields=set(body))
        for spec, quota in plan.unchanged:
            self._report(plan.cluster, spec, "unchanged", quota, quota, quota)
        for spec in plan.absent:
            self._report(plan.cluster, spec, "absent", None, None)

    @staticmethod
    def _exists(client, spec):
        def check():
            listed = client.list(client.api("quota/quotas"), "quotas", query={"path": spec["path"], "type": spec["type"]})
            return any(matches(spec, q) and bool(q.get("include_snapshots")) == bool(spec.get("include_snapshots")) for q in listed)

        return check

    def result(self):
        out = dict(self.results)
        out["changed"] = bool(out["created"] or out["updated"] or out["deleted"])
        if out["changed"] and self.module.module._diff:
            out["diff"] = {"before": self.before, "after": self.after}
        return out


def manage_specs(params):
    """Validated desired quotas from the single-quota options or ``quotas``."""
    defaults = {k: params[k] for k in DEFAULTABLE if params.get(k) is not None}
    specs = []
    if params.get("quotas") is not None:
        if not params["quotas"]:
            raise InputError("quotas: the list is empty; give at least one quota")
        for index, item in enumerate(params["quotas"]):
            where = "quotas[%d]." % index
            if not isinstance(item, dict):
                raise InputError("%s expected a dictionary with path, type, ..., got %r" % (where, item))
            unknown = sorted(set(item) - set(QUOTA_KEYS))
            if unknown:
                raise InputError("%s unknown key(s) %s; use %s" % (where[:-1] + ":", ", ".join(unknown), ", ".join(QUOTA_KEYS)))
            specs.append(normalize_spec(item, where, defaults))
    elif params.get("path"):
        single = {k: params.get(k) for k in QUOTA_KEYS}
        specs.append(normalize_spec(single, "", {}))
    else:
        raise InputError("give path (one quota) or quotas (a list), or mode: copy with source_path")
    seen = {}
    for spec in specs:
        key = identity(spec) + (spec.get("include_snapshots"),)
        if key in seen:
            raise InputError("%s is given twice in quotas: merge the two entries" % describe(spec))
        seen[key] = True
    return specs


def run_manage(module):
    params = module.params
    for option in ("source_path", "target_path", "partner"):
        if params.get(option):
            raise InputError("%s is only used with mode: copy" % option)
    if params["delete_source"]:
        raise InputError("delete_source is only used with mode: copy")
    specs = manage_specs(params)
    client = module.client
    current = client.list(client.api("quota/quotas"), "quotas", query=list_scope([s["path"] for s in specs]))
    plan = Plan("target", client)
    if params["state"] == "present":
        plan_present(plan, specs, current, params["recreate"])
    else:
        plan_absent(plan, specs, current)
    runner = Runner(module)
    runner.execute(plan)
    return runner.result()


def run_copy(module):
    params = module.params
    if params["state"] != "present":
        raise InputError("mode: copy takes state: present (delete_source: true removes the quotas on the source)")
    for option in ("path", "persona", "quotas", "type", "thresholds", "include_snapshots", "enforced", "container",
                   "thresholds_on", "description"):
        if params.get(option) is not None:
            raise InputError("%s is not used with mode: copy (the quotas are copied from the partner as they are)" % option)
    source_root = normalize_path(params["source_path"], "source_path")
    target_root = normalize_path(params.get("target_path") or params["source_path"], "target_path")
    source = module.partner_client()
    target = module.client
    scope = {"recurse_path_children": True}
    source_quotas = source.list(source.api("quota/quotas"), "quotas", query=dict(scope, path=source_root))
    source_quotas = [q for q in source_quotas if not q.get("linked") and translate_path(q.get("path") or "", source_root, target_root)]
    target_quotas = target.list(target.api("quota/quotas"), "quotas", query=dict(scope, path=target_root))
    specs = []
    for quota in source_quotas:
        if quota.get("type") not in QUOTA_TYPES:
            raise InputError("source quota %s has a type this module does not know: %r" % (quota.get("id"), quota.get("type")))
        specs.append(spec_from_quota(quota, translate_path(quota["path"], source_root, target_root)))
    target_plan = Plan("target", target)
    plan_present(target_plan, specs, target_quotas, params["recreate"])
    source_plan = Plan("source", source)
    if params["delete_source"]:
        for spec, quota in zip(specs, source_quotas):
            source_spec = dict(spec, path=quota["path"])
            source_plan.deletes.append((source_spec, quota))
    runner = Runner(module)
    runner.execute(target_plan)
    runner.execute(source_plan)
    return runner.result()


def run(module):
    if module.params["mode"] == "copy":
        return run_copy(module)
    return run_manage(module)


def main():
    module = OneFSModule(
        argument_spec(),
        mutually_exclusive=[["path", "quotas"], ["persona", "quotas"]],
        required_if=[["mode", "copy", ["partner", "source_path"]]],
    )
    module.run(run)


if __name__ == "__main__":
    main()

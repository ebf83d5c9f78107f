#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_smb_share_acl
short_description: Manage the share-level ACEs of one SMB share or many shares at once
version_added: 0.1.0
description:
  - Manages the share-level permissions (ACL) of one SMB share or many shares of an access
    zone in one call. The shares are named in O(shares), or are every share of O(zone) whose
    path is O(path) or lies under it. The zone's shares are read with one paged list.
  - O(state=present) adds or updates the given O(aces), O(state=absent) removes them, and
    O(state=exact) makes each share's ACL exactly O(aces).
  - The data-integrity lockout of a failover and the restore of the original ACLs from its
    journal are the job of M(onefs.dr.onefs_smb_share_lockout).
  - Every share write goes through the collection's cross-process share-write limiter and
    retries C(409 AEC_CONFLICT) answers with backoff (see O(share_write_limit) and
    O(retry_deadline)).
author:
  - onefs.dr contributors (@onefs-dr)
options:
  zone:
    description:
      - Access zone of the shares.
    type: str
    default: System
  shares:
    description:
      - Names of the shares to manage. Names that do not exist are reported with outcome
        C(skipped) and a warning.
      - Exactly one of O(shares) and O(path) is required.
    type: list
    elements: str
  path:
    description:
      - Manage every share of O(zone) whose path is this path or lies under it, for example
        the zone's base path or a SyncIQ policy's C(source_root_path).
    type: str
  state:
    description:
      - V(present) makes sure each ACE of O(aces) is in the ACL. An ACE is identified by its
        trustee and O(aces[].permission_type); an existing one gets the given permission in
        place. A new deny ACE goes after the last deny ACE, a new allow ACE at the end.
      - V(absent) removes the ACEs of O(aces) (matched by trustee and permission type, and by
        permission when given).
      - V(exact) makes the ACL exactly O(aces), deny ACEs first (the order Windows expects),
        otherwise in the given order.
    type: str
    choices: [present, absent, exact]
    required: true
  aces:
    description:
      - The ACEs for O(state). V([]) with O(state=exact) empties the ACL.
    type: list
    elements: dict
    required: true
    suboptions:
      trustee:
        description:
          - The user, group or well-known principal. Give O(aces[].trustee.id), or
            O(aces[].trustee.name) and O(aces[].trustee.type).
        type: dict
        required: true
        suboptions:
          id:
            description:
              - Identifier such as C(SID:S-1-5-21-...), C(UID:2000) or C(GID:2000).
                A bare C(S-1-...) gets the C(SID:) prefix.
            type: str
          name:
            description:
              - Name such as C(AD\\alice) or C(Everyone).
            type: str
          type:
            description:
              - Kind of principal.
            type: str
            choices: [user, group, wellknown]
      permission:
        description:
          - Access granted or denied. Required with O(state=present) and O(state=exact).
        type: str
        choices: [full, change, read]
      permission_type:
        description:
          - Allow or deny.
        type: str
        choices: [allow, deny]
        default: allow
  parallel:
    description:
      - How many share writes this call keeps in flight. The default V(1) writes one share at
        a time, so the play's C(throttle) across hosts bounds the cluster-wide concurrency.
      - Above V(1), the call takes the cluster's bulk-writer turn on this controller before its
        first write and gives it back when its last write has started. The limiter bounds the
        writes in flight either way.
      - At most O(share_write_limit) (default 10).
    type: int
    default: 1
  summary:
    description:
      - Return a short result for bulk runs whose registered result is only counted. Each entry
        of RV(shares) keeps C(name), C(outcome), C(retries), C(conflicts_409) and C(message),
        and C(diff) is returned only in diff mode.
    type: bool
    default: false
extends_documentation_fragment:
  - onefs.dr.connection
  - onefs.dr.attributes
attributes:
  check_mode:
    support: full
    details: Reads the shares, reports what would change, writes nothing.
  diff_mode:
    support: full
    details: C(before) and C(after) hold the ACL of each share that changes.
  idempotent:
    support: full
    details: A second run writes no share.
notes:
  - ACE order matters to Windows, which evaluates deny ACEs before allow ACEs only when the
    ACL is in canonical order. V(exact) therefore puts deny ACEs first; V(present) inserts new
    deny ACEs after the existing deny ACEs. ACLs are compared in order.
  - The API user needs the SMB privilege (read and write).
seealso:
  - module: onefs.dr.onefs_smb_share_lockout
  - module: onefs.dr.onefs_smb_share
"""

EXAMPLES = r"""
- name: Give the finance group change access on two shares
  onefs.dr.onefs_smb_share_acl:
    zone: zone01
    shares: [finance, finance-archive]
    state: present
    aces:
      - trustee: {name: 'AD\finance', type: group}
        permission: change

- name: Exact ACL on one share
  onefs.dr.onefs_smb_share_acl:
    zone: zone01
    shares: [public]
    state: exact
    aces:
      - trustee: {id: 'SID:S-1-1-0'}
        permission: read
      - trustee: {name: 'AD\contractors', type: group}
        permission: full
        permission_type: deny

- name: No share under /ifs/zone01/projects grants anything to Everyone any more
  onefs.dr.onefs_smb_share_acl:
    zone: zone01
    path: /ifs/zone01/projects
    state: absent
    aces:
      - trustee: {id: 'SID:S-1-1-0'}
"""

RETURN = r"""
shares:
  description: One entry per share the call considered.
  returned: always
  type: list
  elements: dict
  sample:
    - name: data1
      outcome: changed
      retries: 1
      conflicts_409: 1
      before: [{permission: read, permission_type: allow, trustee: {id: 'SID:S-1-1-0', name: Everyone, type: wellknown}}]
      after: [{permission: change, permission_type: allow, trustee: {id: 'SID:S-1-1-0', name: Everyone, type: wellknown}}]
      message: null
  contains:
    name:
      description: Share name.
      type: str
    outcome:
      description:
        - C(changed) (written, or would be in check mode), C(unchanged), C(failed), or
          C(skipped) (not found).
      type: str
    retries:
      description: Retries of this share's write (409 conflicts, throttling, dropped connections).
      type: int
    conflicts_409:
      description: C(409 AEC_CONFLICT) answers to this share's write.
      type: int
    before:
      description: ACL before the call (null when the share was not found). Not with O(summary).
      type: list
    after:
      description: ACL after the call (the intended one for C(failed)). Not with O(summary).
      type: list
    message:
      description: Why the share was skipped or failed; null otherwise.
      type: str
failed_shares:
  description: Names of the shares whose write failed. The module fails when this is not empty.
  returned: always
  type: list
  elements: str
  sample: []
api_stats:
  description: API calls, retries, 409 conflicts and share writes of the call.
  returned: always
  type: dict
  sample: {api_calls: 4, retries: 0, conflicts_409: 0, share_writes: 2}
"""

from ansible_collections.onefs.dr.plugins.module_utils._paths import ifs_path
from ansible_collections.onefs.dr.plugins.module_utils._share_acl import SCOPE_EXCLUSIVE, Plan, ShareAclRun
from ansible_collections.onefs.dr.plugins.module_utils.acl import (
    AclError,
    TrusteeResolver,
    ace_spec,
    acl_equal,
    merge_absent,
    merge_present,
    normalize_ace,
    order_acl,
    to_api,
    validate_ace,
)
from ansible_collections.onefs.dr.plugins.module_utils.common import (
    DEFAULT_SHARE_WRITE_LIMIT,
    InputError,
    OneFSModule,
)

ACE_SPEC = ace_spec(permission_required=False)


def argument_spec():
    return dict(
        zone=dict(type="str", default="System"),
        shares=dict(type="list", elements="str"),
        path=dict(type="str"),
        state=dict(type="str", choices=["present", "absent", "exact"], required=True),
        aces=dict(type="list", elements="dict", options=ACE_SPEC, required=True),
        parallel=dict(type="int", default=1),
        summary=dict(type="bool", default=False),
    )


ARGUMENT_CONSTRAINTS = dict(
    mutually_exclusive=SCOPE_EXCLUSIVE,
    required_one_of=[("shares", "path")],
)


class ShareAcl(ShareAclRun):
    def validate(self):
        """Value checks (the argument spec holds the constraints between options)."""
        p = self.params
        if p.get("shares") is not None and not [s for s in p["shares"] if s]:
            raise InputError("shares is empty: name at least one share, or use path")
        if p.get("path") is not None:
            ifs_path(p["path"], "path", InputError)
        for index, ace in enumerate(p["aces"]):
            try:
                validate_ace(ace, "aces[%d]" % index, need_permission=p["state"] != "absent")
            except AclError as err:
                raise InputError(str(err)) from None
        limit = p.get("share_write_limit") or DEFAULT_SHARE_WRITE_LIMIT
        if p["parallel"] < 1 or p["parallel"] > limit:
            raise InputError("parallel must be between 1 and share_write_limit (%d), got %d" % (limit, p["parallel"]))

    def plan(self, selected):
        p = self.params
        resolver = TrusteeResolver([s.get("permissions") for dummy, s in selected if s])
        aces = [normalize_ace(a, resolver) for a in p["aces"]]
        plans = []
        for name, share in selected:
            if share is None:
                plans.append(self.missing(name))
                continue
            current = share.get("permissions") or []
            if p["state"] == "present":
                desired = merge_present(current, aces)
            elif p["state"] == "absent":
                desired = merge_absent(current, aces)
            else:
                desired = order_acl([to_api(a) for a in aces])
            plan = Plan(name, current, desired)
            if not acl_equal(current, desired):
                plan.write = True
            plans.append(plan)
        return plans

    def run(self):
        self.validate()
        plans = self.plan(self.select(self.list_shares()))
        self.execute(plans)
        return self.finish(plans, {})


def main():
    module = OneFSModule(argument_spec(), supports_check_mode=True, **ARGUMENT_CONSTRAINTS)
    module.run(lambda mod: ShareAcl(mod).run())


if __name__ == "__main__":
    main()

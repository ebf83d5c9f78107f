#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_smb_share
short_description: Create, modify, rename or delete an SMB share on OneFS
version_added: 0.1.0
description:
  - Makes one SMB share of an access zone look as described. Only the options given are
    managed; the others keep their current value (or the OneFS default on create).
  - O(new_name) renames the share, for example for the DFS-mode renames of a failover. The
    rename is idempotent; when O(name) no longer exists and O(new_name) does, there is
    nothing to rename and O(new_name) is managed.
  - Flags shares that have oplocks on and continuous availability off (RV(oplocks_risk)),
    because clients caching writes under oplocks lose them when the TCP session drops at failover.
  - Share writes go through the collection's cross-process share-write limiter and retry
    C(409 AEC_CONFLICT) answers.
author:
  - onefs.dr contributors (@onefs-dr)
options:
  zone:
    description:
      - Access zone of the share.
    type: str
    default: System
  name:
    description:
      - Name of the share (its current name when renaming).
    type: str
    required: true
  new_name:
    description:
      - Rename the share to this name (with O(state=present)).
      - When both O(name) and O(new_name) exist the module fails without writing; when neither
        exists it creates O(new_name) (O(path) is then required).
    type: str
  state:
    description:
      - V(present) creates the share when it does not exist (O(path) required) and updates the
        given settings; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  path:
    description:
      - Directory shared, an absolute path under C(/ifs). Required to create the share; changes
        the path of an existing share.
    type: str
  create_path:
    description:
      - Create O(path) when it does not exist. Only used when the share is created.
    type: bool
  description:
    description:
      - Description of the share.
    type: str
  permissions:
    description:
      - The exact share-level ACL. Deny ACEs are put before allow ACEs (the order Windows
        expects); the ACL is compared in that order. Leave out to not manage the ACL. For
        adding or removing single ACEs, or the data-integrity lockout, use
        M(onefs.dr.onefs_smb_share_acl).
    type: list
    elements: dict
    suboptions:
      trustee:
        description:
          - The principal, by O(permissions[].trustee.id) or by O(permissions[].trustee.name)
            and O(permissions[].trustee.type).
        type: dict
        required: true
        suboptions:
          id:
            description: Identifier such as C(SID:S-1-5-21-...), C(UID:2000) or C(GID:2000).
            type: str
          name:
            description: Name such as C(AD\\alice) or C(Everyone).
            type: str
          type:
            description: Kind of principal.
            type: str
            choices: [user, group, wellknown]
      permission:
        description: Access granted or denied.
        type: str
        required: true
        choices: [full, change, read]
      permission_type:
        description: Allow or deny.
        type: str
        choices: [allow, deny]
        default: allow
  oplocks:
    description:
      - Allow clients to cache data with opportunistic locks.
    type: bool
  continuously_available:
    description:
      - SMB3 continuous availability (persistent handles), so clients survive a node failover.
    type: bool
  ca_timeout:
    description:
      - Seconds a persistent handle is kept after a client disconnects.
    type: int
  strict_ca_lockout:
    description:
      - Lock out other clients from a file while a persistent handle of a disconnected client is kept.
    type: bool
  access_based_enumeration:
    description:
      - Show users only the files and folders they can access.
    type: bool
  browsable:
    description:
      - Show the share in network browsing.
    type: bool
  host_acl:
    description:
      - The exact host ACL, in order (for example V(allow:192.0.2.0/24), V(deny:ALL)). V([])
        clears it.
    type: list
    elements: str
  file_create_mask:
    description:
      - Mask of the UNIX mode bits of new files, as an octal string (V("0700")) or an integer
        (V(448)). A string is always read as octal.
    type: raw
  file_create_mode:
    description:
      - UNIX mode bits always set on new files, octal string or integer (see O(file_create_mask)).
    type: raw
  directory_create_mask:
    description:
      - Mask of the UNIX mode bits of new directories, octal string or integer.
    type: raw
  directory_create_mode:
    description:
      - UNIX mode bits always set on new directories, octal string or integer.
    type: raw
  run_as_root:
    description:
      - Exact list of the principals that get root access through this share. V([]) clears it.
    type: list
    elements: dict
    suboptions:
      id:
        description: Identifier such as C(SID:S-1-5-21-...), C(UID:0).
        type: str
      name:
        description: Name of the user or group.
        type: str
      type:
        description: Kind of principal.
        type: str
        choices: [user, group, wellknown]
  smb3_encryption_enabled:
    description:
      - Require SMB3 encryption for this share.
    type: bool
  impersonate_guest:
    description:
      - When to map users to the guest account.
    type: str
    choices: [always, bad user, never]
extends_documentation_fragment:
  - onefs.dr.connection
  - onefs.dr.attributes
attributes:
  check_mode:
    support: full
    details: Reads the share and reports what would change; writes nothing.
  diff_mode:
    support: full
    details: C(before) and C(after) hold only the settings that change (all of them on create and delete).
  idempotent:
    support: full
    details: A second run writes nothing, also after a rename.
notes:
  - Reads the share with one GET (two when renaming).
  - OneFS replaces the whole ACL, host ACL and run-as-root list on a write; the module sends
    only the settings that differ.
"""

EXAMPLES = r"""
- name: A share for finance, deny before allow
  onefs.dr.onefs_smb_share:
    zone: zone01
    name: finance
    path: /ifs/zone01/finance
    create_path: true
    description: Finance department
    continuously_available: true
    oplocks: false
    access_based_enumeration: true
    file_create_mask: "0700"
    directory_create_mask: "0700"
    permissions:
      - trustee: {name: 'AD\finance', type: group}
        permission: change
      - trustee: {name: 'AD\contractors', type: group}
        permission: full
        permission_type: deny

- name: DFS mode - rename the share on the source so only the target's UNC answers
  onefs.dr.onefs_smb_share:
    zone: zone01
    name: finance
    new_name: finance-dr-disabled

- name: Remove a share
  onefs.dr.onefs_smb_share:
    zone: zone01
    name: old-share
    state: absent
"""

RETURN = r"""
share:
  description: The share as it is after the call (as it would be, in check mode); null when absent.
  returned: always
  type: dict
  sample:
    name: finance
    path: /ifs/zone01/finance
    oplocks: false
    continuously_available: true
    permissions: [{permission: change, permission_type: allow, trustee: {id: 'SID:S-1-5-21-1004-2001', name: 'AD\finance', type: group}}]
renamed:
  description: Whether the share was renamed (or would be, in check mode).
  returned: always
  type: bool
  sample: false
oplocks_risk:
  description:
    - True when the share has oplocks on and continuous availability off, so writes cached by
      clients can be lost at failover (a warning is issued too). False when absent.
  returned: always
  type: bool
  sample: true
api_stats:
  description: API calls, retries, 409 conflicts and share writes of the call.
  returned: always
  type: dict
  sample: {api_calls: 3, retries: 0, conflicts_409: 0, share_writes: 1}
"""

import copy

from ansible_collections.onefs.dr.plugins.module_utils._paths import clean_path, ifs_path
from ansible_collections.onefs.dr.plugins.module_utils.acl import (
    AclError,
    ace_spec,
    acl_equal,
    normalize_id,
    order_acl,
    same_trustee,
    to_api,
    trustee_spec,
    validate_ace,
)
from ansible_collections.onefs.dr.plugins.module_utils.common import InputError, OneFSModule

TRUSTEE_SPEC = trustee_spec()
ACE_SPEC = ace_spec(permission_required=True)

MODE_KEYS = ("file_create_mask", "file_create_mode", "directory_create_mask", "directory_create_mode")
PLAIN_KEYS = (
    "description",
    "oplocks",
    "continuously_available",
    "ca_timeout",
    "strict_ca_lockout",
    "access_based_enumeration",
    "browsable",
    "smb3_encryption_enabled",
    "impersonate_guest",
)


def argument_spec():
    return dict(
        zone=dict(type="str", default="System"),
        name=dict(type="str", required=True),
        new_name=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        path=dict(type="str"),
        create_path=dict(type="bool"),
        description=dict(type="str"),
        permissions=dict(type="list", elements="dict", options=ACE_SPEC),
        oplocks=dict(type="bool"),
        continuously_available=dict(type="bool"),
        ca_timeout=dict(type="int"),
        strict_ca_lockout=dict(type="bool"),
        access_based_enumeration=dict(type="bool"),
        browsable=dict(type="bool"),
        host_acl=dict(type="list", elements="str"),
        file_create_mask=dict(type="raw"),
        file_create_mode=dict(type="raw"),
        directory_create_mask=dict(type="raw"),
        directory_create_mode=dict(type="raw"),
        run_as_root=dict(type="list", elements="dict", options=TRUSTEE_SPEC),
        smb3_encryption_enabled=dict(type="bool"),
        impersonate_guest=dict(type="str", choices=["always", "bad user", "never"]),
    )


def parse_mode(value, field):
    """'0755' / '755' / '0o755' (octal) or 493 (int) -> 493; raises InputError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError('%s must be an octal string such as "0755" or an integer, got %r' % (field, value))
    if isinstance(value, int):
        number = value
        if number > 0o777:
            raise InputError('%s is %d, more than 0777 (511): an octal value must be quoted, e.g. "0%d"' % (field, number, number))
    else:
        text = str(value).strip().lower()
        if text.startswith("0o"):
            text = text[2:]
        if not text or any(c not in "01234567" for c in text):
            raise InputError('%s must be an octal string such as "0755" or an integer, got %r' % (field, value))
        number = int(text, 8)
    if number < 0 or number > 0o777:
        raise InputError("%s must be between 0 and 0777, got %r" % (field, value))
    return number


def _trustee_api(trustee):
    trustee = dict(trustee)
    if trustee.get("id"):
        trustee["id"] = normalize_id(trustee["id"])
    return dict((k, v) for k, v in trustee.items() if v not in (None, ""))


def _personas_equal(current, desired):
    current = list(current or [])
    desired = list(desired or [])
    if len(current) != len(desired):
        return False
    remaining = list(current)
    for want in desired:
        for index, have in enumerate(remaining):
            if same_trustee(have, want):
                del remaining[index]
                break
        else:
            return False
    return True


class Share:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.client = module.client
        self.zone = self.params["zone"]
        self.shares = self.client.smb_shares(self.zone)

    # ------------------------------------------------------------------ input
    def desired(self):
        p = self.params
        for key in ("name", "new_name"):
            value = p.get(key)
            if value is not None and (not value.strip() or any(c in value for c in '/\\:*?"<>|')):
                raise InputError('%s %r is not a valid SMB share name (no / \\ : * ? " < > |, not empty)' % (key, value))
        if p.get("new_name") and p["state"] == "absent":
            raise InputError("new_name is used with state=present only")
        if p.get("ca_timeout") is not None and p["ca_timeout"] < 1:
            raise InputError("ca_timeout must be a positive number of seconds, got %d" % p["ca_timeout"])
        want = {}
        if p.get("path") is not None:
            want["path"] = ifs_path(p["path"], "path", InputError)
        for key in PLAIN_KEYS:
            if p.get(key) is not None:
                want[key] = p[key]
        for key in MODE_KEYS:
            value = parse_mode(p.get(key), key)
            if value is not None:
                want[key] = value
        if p.get("host_acl") is not None:
            want["host_acl"] = [h.strip() for h in p["host_acl"]]
        if p.get("run_as_root") is not None:
            for index, persona in enumerate(p["run_as_root"]):
                if not persona.get("id") and not (persona.get("name") and persona.get("type")):
                    raise InputError("run_as_root[%d] needs id, or name and type" % index)
            want["run_as_root"] = [_trustee_api(t) for t in p["run_as_root"]]
        if p.get("permissions") is not None:
            for index, ace in enumerate(p["permissions"]):
                try:
                    validate_ace(ace, "permissions[%d]" % index)
                except AclError as err:
                    raise InputError(str(err)) from None
            want["permissions"] = order_acl([to_api(a) for a in p["permissions"]])
        return want

    # ------------------------------------------------------------------ cluster
    def read(self, name):
        return self.shares.get(name)

    @staticmethod
    def differences(want, current):
        changes = {}
        for key, value in want.items():
            have = current.get(key)
            if key == "permissions":
                same = acl_equal(have, value)
            elif key == "run_as_root":
                same = _personas_equal(have, value)
            elif key == "path":
                same = clean_path(have) == value
            else:
                same = have == value
            if not same:
                changes[key] = value
        return changes

    # ------------------------------------------------------------------ run
    def run(self):
        p = self.params
        want = self.desired()
        name = p["name"]
        current = self.read(name)
        renamed = False
        if p.get("new_name") and p["new_name"] != name:
            target = self.read(p["new_name"])
            if current is not None and target is not None:
                raise InputError("cannot rename %r to %r in zone %s: both shares exist. Delete or rename one of them first" % (name, p["new_name"], self.zone))
            if current is not None:
                renamed = True
            else:
                current = target
            name = p["new_name"]
        if p["state"] == "absent":
            return self.absent(name, current)
        if current is None:
            return self.create(name, want)
        return self.update(p["name"], name, current, want, renamed)

    def absent(self, name, current):
        if current is None:
            return {"changed": False, "share": None, "renamed": False, "oplocks_risk": False}
        if not self.module.check_mode:
            self.shares.delete(name)
        return {
            "changed": True,
            "share": None,
            "renamed": False,
            "oplocks_risk": False,
            "diff": {"before": current, "after": {}},
        }

    def create(self, name, want):
        if "path" not in want:
            raise InputError("share %r does not exist in zone %s: give path to create it" % (name, self.zone))
        body = dict(want)
        body["name"] = name
        if self.params.get("create_path") is not None:
            body["create_path"] = self.params["create_path"]
        share = dict(body)
        share.pop("create_path", None)
        if not self.module.check_mode:
            self.shares.create(body, verify=lambda: self.read(name) is not None)
            share = self.read(name) or share
        return self.finish(share, {"before": {}, "after": dict(body)}, changed=True, renamed=False)

    def update(self, old_name, name, current, want, renamed):
        changes = self.differences(want, current)
        after = copy.deepcopy(current)
        after.update(changes)
        before = dict((k, current.get(k)) for k in changes)
        if renamed:
            before["name"] = old_name
            after["name"] = name
            after["id"] = name
        if not self.module.check_mode:
            if renamed:
                self.shares.update(
                    old_name, {"name": name}, verify=lambda: self.read(name) is not None and self.read(old_name) is None
                )
            if changes:
                self.shares.update(name, changes)
            if changes or renamed:
                after = self.read(name) or after
        diff_after = dict(changes)
        if renamed:
            diff_after["name"] = name
        diff = {"before": before, "after": diff_after} if (changes or renamed) else None
        return self.finish(after, diff, changed=bool(changes or renamed), renamed=renamed)

    def finish(self, share, diff, changed, renamed):
        risk = bool(share.get("oplocks", True)) and not share.get("continuously_available", False)
        if risk:
            self.module.module.warn(
                "share %s (zone %s) has oplocks on and continuously_available off: writes cached by clients "
                "under oplocks are lost when the SMB session drops at failover. Set oplocks: false or "
                "continuously_available: true for data that must survive a failover" % (share.get("name"), self.zone)
            )
        result = {"changed": changed, "share": share, "renamed": renamed, "oplocks_risk": risk}
        if diff:
            result["diff"] = diff
        return result


def main():
    module = OneFSModule(argument_spec(), supports_check_mode=True)
    module.run(lambda mod: Share(mod).run())


if __name__ == "__main__":
    main()

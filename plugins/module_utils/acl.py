# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""SMB share ACEs: one canonical form, comparison, ordering and the data-integrity lockout ACE.

A OneFS share ACE is ``{"permission": "full|change|read", "permission_type": "allow|deny",
"trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}``. Input may name
a trustee by ``id`` only, or by ``name`` + ``type``; the cluster answers with all three.

Public API (used by onefs_smb_share, onefs_smb_share_acl, onefs_smb_share_lockout and onefs_config_sync):

- ``normalize_ace(ace, trustee_resolver=None)`` -> canonical dict
  ``{"permission", "permission_type", "trustee": {"id", "name", "type"}}`` (missing parts are
  None; ``id`` is ``SID:S-1-...``/``UID:n``/``GID:n`` with the prefix upper-case; permission and
  type lower-case). ``trustee_resolver(trustee) -> id or None`` fills a missing id.
- ``acl_equal(a, b)`` -> bool: same ACEs in the same order (trustees match by id when both
  sides have one, else by case-insensitive name and type).
- ``LOCKOUT_ACE``: the data-integrity lockout, deny full to Everyone (``SID:S-1-1-0``).
- ``strip_lockout(acl)`` -> the ACL without any lockout ACE; ``has_lockout(acl)``.
- ``order_acl(acl)``: deny ACEs before allow ACEs (stable), the order Windows expects.
- ``TrusteeResolver``: name+type -> id learnt from ACLs read from the cluster, plus the
  well-known SIDs.
- ``validate_ace(ace, where)`` raises ``AclError`` naming the bad field.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

PERMISSIONS = ("full", "change", "read")
PERMISSION_TYPES = ("allow", "deny")
TRUSTEE_TYPES = ("user", "group", "wellknown")

EVERYONE_SID = "SID:S-1-1-0"

LOCKOUT_ACE = {
    "permission": "full",
    "permission_type": "deny",
    "trustee": {"id": EVERYONE_SID, "name": "Everyone", "type": "wellknown"},
}

# Well-known names OneFS accepts with type "wellknown", lower-case -> SID.
WELL_KNOWN_SIDS = {
    "everyone": "SID:S-1-1-0",
    "creator owner": "SID:S-1-3-0",
    "creator group": "SID:S-1-3-1",
    "network": "SID:S-1-5-2",
    "interactive": "SID:S-1-5-4",
    "anonymous logon": "SID:S-1-5-7",
    "authenticated users": "SID:S-1-5-11",
    "local system": "SID:S-1-5-18",
    "system": "SID:S-1-5-18",
}


class AclError(ValueError):
    """An ACE given by the user that cannot be used; the message names the field."""


def normalize_id(value):
    """'s-1-1-0' / 'sid:S-1-1-0' -> 'SID:S-1-1-0'; 'uid:10' -> 'UID:10'; None stays None."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    prefix, sep, rest = text.partition(":")
    if sep and prefix.upper() in ("SID", "UID", "GID"):
        prefix = prefix.upper()
        if prefix == "SID":
            rest = rest.strip().upper()
        return "%s:%s" % (prefix, rest.strip())
    if text.upper().startswith("S-1-"):
        return "SID:" + text.upper()
    return text


def normalize_trustee(trustee, trustee_resolver=None):
    """Canonical ``{"id", "name", "type"}`` of a trustee dict (or a bare id string)."""
    if isinstance(trustee, str):
        trustee = {"id": trustee}
    trustee = trustee or {}
    name = trustee.get("name")
    name = str(name).strip() if name not in (None, "") else None
    ttype = trustee.get("type")
    ttype = str(ttype).strip().lower() if ttype not in (None, "") else None
    tid = normalize_id(trustee.get("id"))
    if tid is None and name is not None:
        if trustee_resolver is not None:
            tid = normalize_id(trustee_resolver({"name": name, "type": ttype}))
        if tid is None and ttype in (None, "wellknown"):
            tid = WELL_KNOWN_SIDS.get(name.lower())
    return {"id": tid, "name": name, "type": ttype}


def normalize_ace(ace, trustee_resolver=None):
    """The canonical form of one ACE (see module docstring)."""
    ace = ace or {}
    perm = ace.get("permission")
    ptype = ace.get("permission_type")
    return {
        "permission": str(perm).strip().lower() if perm not in (None, "") else None,
        "permission_type": str(ptype).strip().lower() if ptype not in (None, "") else None,
        "trustee": normalize_trustee(ace.get("trustee"), trustee_resolver),
    }


def normalize_acl(acl, trustee_resolver=None):
    return [normalize_ace(ace, trustee_resolver) for ace in (acl or [])]


def same_trustee(a, b):
    """True when two trustees (any form) denote the same principal."""
    a = normalize_trustee(a)
    b = normalize_trustee(b)
    if a["id"] and b["id"]:
        return a["id"] == b["id"]
    if a["name"] and b["name"]:
        if a["name"].lower() != b["name"].lower():
            return False
        return a["type"] is None or b["type"] is None or a["type"] == b["type"]
    return False


def ace_equal(a, b):
    """Same trustee, permission and permission type (None on either side = any)."""
    a = normalize_ace(a)
    b = normalize_ace(b)
    for key in ("permission", "permission_type"):
        if a[key] is not None and b[key] is not None and a[key] != b[key]:
            return False
    return same_trustee(a["trustee"], b["trustee"])


def acl_equal(a, b):
    """Same ACEs in the same order (the order matters to Windows)."""
    a = a or []
    b = b or []
    if len(a) != len(b):
        return False
    return all(ace_equal(x, y) for x, y in zip(a, b))


def is_lockout(ace):
    """Deny full to Everyone: the data-integrity lockout ACE."""
    ace = normalize_ace(ace)
    return ace["permission"] == "full" and ace["permission_type"] == "deny" and same_trustee(ace["trustee"], LOCKOUT_ACE["trustee"])


def has_lockout(acl):
    return any(is_lockout(ace) for ace in (acl or []))


def strip_lockout(acl):
    """A copy of ``acl`` without its lockout ACE(s) (deny full Everyone), other ACEs as given."""
    return [copy.deepcopy(ace) for ace in (acl or []) if not is_lockout(ace)]


def with_lockout(acl):
    """``acl`` with the lockout ACE at the top (nothing added when it already has one)."""
    if has_lockout(acl):
        return copy.deepcopy(list(acl or []))
    return [copy.deepcopy(LOCKOUT_ACE)] + copy.deepcopy(list(acl or []))


def order_acl(acl):
    """Deny ACEs first, then allow ACEs; otherwise the given order (stable)."""
    acl = list(acl or [])
    deny = [a for a in acl if normalize_ace(a)["permission_type"] == "deny"]
    rest = [a for a in acl if normalize_ace(a)["permission_type"] != "deny"]
    return deny + rest


def to_api(ace):
    """An ACE as sent to OneFS: canonical values, trustee keys that are unknown left out."""
    ace = normalize_ace(ace)
    trustee = dict((k, v) for k, v in ace["trustee"].items() if v is not None)
    return {"permission": ace["permission"], "permission_type": ace["permission_type"], "trustee": trustee}


def validate_ace(ace, where, need_permission=True):
    """Raise AclError unless ``ace`` can be sent to OneFS. ``where`` names it (e.g. 'aces[2]')."""
    if not isinstance(ace, dict):
        raise AclError("%s must be a dict with permission, permission_type and trustee" % where)
    perm = ace.get("permission")
    if perm is None:
        if need_permission:
            raise AclError("%s.permission is required: one of %s" % (where, ", ".join(PERMISSIONS)))
    elif str(perm).lower() not in PERMISSIONS:
        raise AclError("%s.permission is %r: use one of %s" % (where, perm, ", ".join(PERMISSIONS)))
    ptype = ace.get("permission_type")
    if ptype is not None and str(ptype).lower() not in PERMISSION_TYPES:
        raise AclError("%s.permission_type is %r: use allow or deny" % (where, ptype))
    trustee = ace.get("trustee")
    if not isinstance(trustee, dict):
        raise AclError("%s.trustee is required: give id (SID:S-1-...) or name and type" % where)
    ttype = trustee.get("type")
    if ttype is not None and str(ttype).lower() not in TRUSTEE_TYPES:
        raise AclError("%s.trustee.type is %r: use user, group or wellknown" % (where, ttype))
    tid = trustee.get("id")
    if tid:
        norm = normalize_id(tid)
        if not (norm.startswith("SID:S-1-") or norm.startswith("UID:") or norm.startswith("GID:")):
            raise AclError("%s.trustee.id is %r: use SID:S-1-..., UID:<n> or GID:<n>" % (where, tid))
    elif not (trustee.get("name") and ttype):
        raise AclError("%s.trustee needs id (SID:S-1-...) or both name and type" % where)


class TrusteeResolver:
    """name+type -> id, learnt from ACLs read from the cluster (call ``learn`` with them)."""

    def __init__(self, acls=None):
        self._ids = {}
        for acl in acls or []:
            self.learn(acl)

    def learn(self, acl):
        for ace in acl or []:
            trustee = (ace or {}).get("trustee") or {}
            tid = normalize_id(trustee.get("id"))
            name = trustee.get("name")
            if tid and name:
                self._ids.setdefault((str(name).lower(), (trustee.get("type") or "").lower()), tid)
                self._ids.setdefault((str(name).lower(), ""), tid)

    def __call__(self, trustee):
        name = (trustee.get("name") or "").lower()
        ttype = (trustee.get("type") or "").lower()
        return self._ids.get((name, ttype)) or (self._ids.get((name, "")) if not ttype else None)


def merge_present(acl, aces):
    """``acl`` with every ACE of ``aces`` present: an ACE of the same trustee and permission
    type gets the new permission in place; a new deny goes after the last deny, a new allow at
    the end."""
    result = copy.deepcopy(list(acl or []))
    for ace in aces:
        want = normalize_ace(ace)
        for index, cur in enumerate(result):
            ncur = normalize_ace(cur)
            if ncur["permission_type"] == want["permission_type"] and same_trustee(ncur["trustee"], want["trustee"]):
                if ncur["permission"] != want["permission"]:
                    updated = copy.deepcopy(cur)
                    updated["permission"] = want["permission"]
                    result[index] = updated
                break
        else:
            if want["permission_type"] == "deny":
                last_deny = -1
                for index, cur in enumerate(result):
                    if normalize_ace(cur)["permission_type"] == "deny":
                        last_deny = index
                result.insert(last_deny + 1, to_api(ace))
            else:
                result.append(to_api(ace))
    return result


def merge_absent(acl, aces):
    """``acl`` without the ACEs matching ``aces`` (trustee + permission type, and the
    permission when given)."""
    result = []
    for cur in acl or []:
        if any(ace_equal(cur, ace) for ace in aces):
            continue
        result.append(copy.deepcopy(cur))
    return result


def trustee_spec():
    """Argument spec of a trustee: by SID (``id``) or by ``name`` + ``type``."""
    return dict(
        id=dict(type="str"),
        name=dict(type="str"),
        type=dict(type="str", choices=["user", "group", "wellknown"]),
    )


def ace_spec(permission_required):
    """Argument spec of one ACE (``permission`` optional where removal by trustee is allowed)."""
    permission = dict(type="str", choices=["full", "change", "read"])
    if permission_required:
        permission["required"] = True
    return dict(
        trustee=dict(type="dict", required=True, options=trustee_spec()),
        permission=permission,
        permission_type=dict(type="str", choices=["allow", "deny"], default="allow"),
    )

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Configuration sync: SMB shares, NFS exports and aliases, snapshot schedules and dedupe paths
under one path, from a source cluster to a target cluster (failover step 5).

``ConfigSync(source, target, ...)`` reads each object type once per side (one paged list per
type per zone), plans every create, update and delete with paths translated from
``source_path`` to ``target_path`` and zones from ``source_zone`` to ``target_zone``, then
applies the plan (nothing in check mode). Name collisions and paths that cannot be mapped are
collected as conflicts, never skipped silently; API errors on one object are recorded and the
others still sync.

Also here: the suspend marker of a configuration-sync unit
(``/ifs/.onefs_dr/suspend/<unit>.json`` on the source) and small JSON-file helpers for the
OneFS file namespace API.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re
import time

from ansible_collections.onefs.dr.plugins.module_utils._paths import clean_path, ifs_path, is_under, namespace_url, rebase
from ansible_collections.onefs.dr.plugins.module_utils.acl import acl_equal, has_lockout
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError
from ansible_collections.onefs.dr.plugins.module_utils.common import InputError
from ansible_collections.onefs.dr.plugins.module_utils.journal import (
    JournalError,
    journal_path,
    read_doc,
    read_json,
    write_doc,
)

OBJECT_TYPES = ("smb_shares", "nfs_exports", "nfs_aliases", "snapshot_schedules", "dedupe")
ZONED_TYPES = ("smb_shares", "nfs_exports", "nfs_aliases")

STATE_ROOT = "/ifs/.onefs_dr"
SUSPEND_DIR = STATE_ROOT + "/suspend"

# Writable share settings (OneFS SDK SmbShareCreateParams, 9.5 - 9.12), without the identity
# (name), the path (translated) and create-only flags.
SHARE_FIELDS = (
    "access_based_enumeration", "access_based_enumeration_root_only", "allow_delete_readonly",
    "allow_execute_always", "allow_variable_expansion", "auto_create_directory", "browsable",
    "ca_timeout", "ca_write_integrity", "change_notify", "continuously_available",
    "create_permissions", "csc_policy", "description", "directory_create_mask",
    "directory_create_mode", "file_create_mask", "file_create_mode", "file_filter_extensions",
    "file_filter_type", "file_filtering_enabled", "hide_dot_files", "host_acl",
    "impersonate_guest", "impersonate_user", "inheritable_path_acl", "mangle_byte_start",
    "mangle_map", "ntfs_acl_support", "oplocks", "permissions", "run_as_root",
    "smb3_encryption_enabled", "sparse_file", "strict_ca_lockout", "strict_flush", "strict_locking",
)

# Writable export settings (SDK NfsExportCreateParams) without paths and zone.
EXPORT_FIELDS = (
    "all_dirs", "block_size", "can_set_time", "case_insensitive", "case_preserving",
    "chown_restricted", "clients", "commit_asynchronous", "description", "directory_transfer_size",
    "encoding", "link_max", "map_all", "map_failure", "map_full", "map_lookup_uid", "map_non_root",
    "map_retry", "map_root", "max_file_size", "name_max_size", "no_truncate", "read_only",
    "read_only_clients", "read_transfer_max_size", "read_transfer_multiple", "read_transfer_size",
    "read_write_clients", "readdirplus", "readdirplus_prefetch", "return_32bit_file_ids",
    "root_clients", "security_flavors", "setattr_asynchronous", "snapshot", "symlinks",
    "time_delta", "write_datasync_action", "write_datasync_reply", "write_filesync_action",
    "write_filesync_reply", "write_transfer_max_size", "write_transfer_multiple",
    "write_transfer_size", "write_unstable_action", "write_unstable_reply",
)
# Lists whose order OneFS does not care about.
UNORDERED_FIELDS = ("clients", "root_clients", "read_only_clients", "read_write_clients", "security_flavors")

SCHEDULE_FIELDS = ("pattern", "schedule", "alias", "duration")
DEDUPE_LISTS = ("paths", "assess_paths")

UNIT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


# ---------------------------------------------------------------------------------- paths
def check_path(path, field):
    """A user-given /ifs path, normalized; InputError naming ``field`` otherwise."""
    return ifs_path(path, field, InputError)


class PathMap:
    """Translate paths under ``source`` to the same place under ``target``."""

    def __init__(self, source, target):
        self.source = clean_path(source)
        self.target = clean_path(target)

    def in_source(self, path):
        return is_under(path, self.source)

    def in_target(self, path):
        return is_under(path, self.target)

    def translate(self, path):
        return rebase(path, self.source, self.target)


# ---------------------------------------------------------------------------------- namespace
def namespace_path(path):
    """'/ifs/x/y.json' -> '/namespace/ifs/x/y.json' (quoted)."""
    return namespace_url(clean_path(path))


def read_json_file(client, path):
    """The JSON document stored at ``path`` on the cluster, or None when there is no such file."""
    try:
        return read_json(client, clean_path(path))
    except ValueError:
        raise InputError("%s on %s is not a JSON document: move it aside and re-run" % (path, client.host)) from None


def delete_file(client, path):
    """Delete the file at ``path`` (a missing file is no error: OneFS answers 204 either way)."""
    try:
        client.request("DELETE", namespace_path(path))
    except OneFSError as err:
        if err.status != 404:  # older simulators and proxies answer 404
            raise


# ---------------------------------------------------------------------------------- suspend marker
def check_unit(unit):
    if not unit or not UNIT_RE.match(unit):
        raise InputError(
            "unit %r is not a valid unit name: use letters, digits, '_', '.' and '-' (a policy or zone name)" % (unit,)
        )
    return unit


def suspend_marker_path(unit):
    return "%s/%s.json" % (SUSPEND_DIR, check_unit(unit))


def read_suspend(client, unit):
    """The suspend marker of ``unit`` (a dict), or None when the unit is not suspended."""
    doc = read_json_file(client, suspend_marker_path(unit))
    if doc is None:
        return None
    return doc if isinstance(doc, dict) else {"unit": unit}


def set_suspend(client, unit, suspend, reason=None, check_mode=False):
    """Set (``suspend`` True) or clear the marker. Returns (changed, marker-after-or-None)."""
    path = suspend_marker_path(unit)
    # A read first, also to clear: OneFS answers 204 to the DELETE of a missing file, so the
    # DELETE's answer cannot tell whether a marker was there (changed or not).
    current = read_suspend(client, unit)
    if suspend:
        if current is not None:
            return False, current
        marker = {
            "unit": unit,
            "suspended": True,
            "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "reason": reason or "",
        }
        if not check_mode:
            write_doc(client, path, marker)
        return True, marker
    if current is None:
        return False, None
    if not check_mode:
        delete_file(client, path)
    return True, None


# ---------------------------------------------------------------------------------- lockout journal
def read_journal(client, zone):
    """Share name (lower case) -> entry of the zone's lockout journal on ``client`` (module_utils/journal.py)."""
    try:
        doc = read_doc(client, journal_path(zone))
    except JournalError as err:
        raise InputError(str(err)) from None
    entries = (doc or {}).get("entries") or {}
    return dict((str(name).lower(), entry) for name, entry in entries.items() if isinstance(entry, dict))


def journalled_original(entry):
    """The ACL to replicate from a journal entry, or None when the share's own ACL is right.

    The journal holds the ACL a share had before this project locked it. When the entry says
    the lockout is (or may be) in place and the share had no Deny Everyone of its own, the
    original ACL is the one that belongs on the target; once unlocked, or when the deny was
    there before, the share's current ACL is replicated as it is.
    """
    if not entry or entry.get("had_deny"):
        return None
    if str(entry.get("state") or "").lower() == "restored":
        return None
    original = entry.get("original_permissions")
    return original if isinstance(original, list) else None


# ---------------------------------------------------------------------------------- values
def _is_persona(value):
    return isinstance(value, dict) and value.get("id") and set(value) <= {"id", "name", "type"}


def canon(value):
    """A value in comparable form: personas by upper-cased id, None as an empty string."""
    if value is None:
        return ""
    if _is_persona(value):
        prefix, dummy, rest = str(value["id"]).partition(":")
        return "persona:%s:%s" % (prefix.upper(), rest.upper() if prefix.upper() == "SID" else rest)
    if isinstance(value, dict):
        return dict((k, canon(v)) for k, v in value.items())
    if isinstance(value, list):
        return [canon(v) for v in value]
    return value


def outbound(value):
    """A value read from one cluster, made fit to send to the other: personas by id only."""
    if _is_persona(value):
        return {"id": value["id"]}
    if isinstance(value, dict):
        return dict((k, outbound(v)) for k, v in value.items())
    if isinstance(value, list):
        return [outbound(v) for v in value]
    return copy.deepcopy(value)


def ace_out(ace):
    """An ACE to send to the target: trustee by id when it has one, else name and type."""
    trustee = (ace or {}).get("trustee") or {}
    if trustee.get("id"):
        trustee = {"id": trustee["id"]}
    else:
        trustee = dict((k, trustee[k]) for k in ("name", "type") if trustee.get(k))
    return {"permission": ace.get("permission"), "permission_type": ace.get("permission_type"), "trustee": trustee}


def same_value(field, wanted, have):
    if field == "path":
        return clean_path(wanted) == clean_path(have)
    if field == "permissions":
        return acl_equal(wanted, have)
    if field in UNORDERED_FIELDS:
        return sorted(canon(wanted or [])) == sorted(canon(have or []))
    if field == "duration":
        return (wanted or 0) == (have or 0)
    return canon(wanted) == canon(have)


def changed_fields(wanted, have, fields):
    """Fields of ``wanted`` whose value differs on ``have`` (fields the target lacks are skipped)."""
    out = {}
    for field in fields:
        if field not in wanted or field not in have:
            continue
        if not same_value(field, wanted[field], have[field]):
            out[field] = wanted[field]
    return out


# ---------------------------------------------------------------------------------- plan
class Op:
    """One planned write: ``run()`` performs it."""

    def __init__(self, otype, action, key, before, after, run):
        self.otype = otype
        self.action = action
        self.key = key
        self.before = before
        self.after = after
        self.run = run


ORDER = {"delete": 0, "update": 1, "create": 2}


class ConfigSync:
    """Plan and apply the configuration sync of one policy or zone."""

    def __init__(self, source, target, source_zone, target_zone, source_path=None, target_path=None,
                 objects=None, prune=False, lockout_aware=True, check_mode=False, warn=None, zone_paths=None):
        self.source = source
        self.target = target
        # {"source": path, "target": path}: zone base paths the caller read already (no zone GET).
        self.zone_paths = dict((k, v) for k, v in (zone_paths or {}).items() if v)
        self.source_zone = source_zone
        self.target_zone = target_zone or source_zone
        self.source_path = source_path
        self.target_path = target_path
        self.objects = list(objects or OBJECT_TYPES)
        self.prune = prune
        self.lockout_aware = lockout_aware
        self.check_mode = check_mode
        self.warn = warn or (lambda msg: None)
        self.ops = []
        self.conflicts = []
        self.errors = []
        self.lockout_restored = []
        self.paths = None

    # ------------------------------------------------------------ resolve and validate
    def _zone_path(self, client, zone, side):
        if side in self.zone_paths:
            return check_path(self.zone_paths[side], "%s_zone_path" % side)
        found = client.item(client.api("zones", zone), "zones")
        if not found:
            raise InputError("%s_zone %s does not exist on the %s cluster %s; give an existing access zone"
                             % (side, zone, side, client.host))
        return clean_path(found.get("path") or "/ifs")

    def resolve(self):
        """Fix source_path/target_path and check them against the zones (reads only)."""
        unknown = [o for o in self.objects if o not in OBJECT_TYPES]
        if unknown:
            raise InputError("objects: %s unknown; use %s" % (", ".join(unknown), ", ".join(OBJECT_TYPES)))
        zoned = [o for o in self.objects if o in ZONED_TYPES]
        src_base = tgt_base = None
        if zoned or self.source_path is None:
            src_base = self._zone_path(self.source, self.source_zone, "source")
        if zoned or (self.source_path is None and self.target_path is None):
            tgt_base = self._zone_path(self.target, self.target_zone, "target")
        if self.source_path is None:
            self.source_path = src_base
        else:
            self.source_path = check_path(self.source_path, "source_path")
        if self.target_path is None:
            self.target_path = self.source_path
        else:
            self.target_path = check_path(self.target_path, "target_path")
        if zoned:
            if not is_under(self.source_path, src_base):
                raise InputError(
                    "source_path %s is outside %s, the base path of source_zone %s: no %s of that zone can lie "
                    "under it; fix source_path or source_zone" % (self.source_path, src_base, self.source_zone, "/".join(zoned))
                )
            if not is_under(self.target_path, tgt_base):
                raise InputError(
                    "target_path %s is outside %s, the base path of target_zone %s on the target; set target_path "
                    "under it or choose another target_zone" % (self.target_path, tgt_base, self.target_zone)
                )
        self.paths = PathMap(self.source_path, self.target_path)

    # ------------------------------------------------------------ bookkeeping
    def conflict(self, otype, name, reason, **extra):
        item = {"type": otype, "name": name, "reason": reason}
        item.update(extra)
        self.conflicts.append(item)

    def add(self, otype, action, key, before, after, run):
        self.ops.append(Op(otype, action, key, before, after, run))

    # ------------------------------------------------------------ SMB shares
    def plan_shares(self):
        src, tgt = self.source, self.target
        shares = src.smb_shares(self.source_zone).list()
        theirs = tgt.smb_shares(self.target_zone).list()
        journal = {}
        if self.lockout_aware and any(self.paths.in_source(s.get("path") or "/") for s in shares):
            journal = read_journal(src, self.source_zone)
        by_name = dict((str(s.get("name")).lower(), s) for s in theirs)
        wanted_names = set()
        for share in shares:
            name = share.get("name")
            path = share.get("path") or "/"
            if not self.paths.in_source(path):
                continue
            wanted_names.add(name.lower())
            desired = dict((k, outbound(share[k])) for k in SHARE_FIELDS if k in share and k != "permissions")
            perms = share.get("permissions") or []
            if self.lockout_aware:
                original = journalled_original(journal.get(name.lower()))
                if original is not None:
                    perms = original
                    self.lockout_restored.append(name)
                elif has_lockout(perms):
                    self.warn(
                        "share %s carries Deny Everyone with no lockout recorded in the journal of zone %s: "
                        "replicated as it is" % (name, self.source_zone)
                    )
            if "permissions" in share:
                desired["permissions"] = [ace_out(a) for a in perms]
            desired["path"] = self.paths.translate(path)
            have = by_name.get(name.lower())
            if have is not None and not self.paths.in_target(have.get("path") or "/"):
                self.conflict(
                    "smb_shares", name,
                    "a share of this name exists in target zone %s with path %s, outside target_path %s"
                    % (self.target_zone, have.get("path"), self.target_path),
                    source_path=path, target_path=desired["path"],
                )
                continue
            if have is None:
                body = dict(desired, name=name)
                self.add("smb_shares", "create", name, None, body, self._share_create(name, body))
                continue
            changes = changed_fields(desired, have, SHARE_FIELDS + ("path",))
            if changes:
                before = dict((k, have.get(k)) for k in changes)
                self.add("smb_shares", "update", name, before, changes, self._share_update(have.get("name") or name, changes))
        if self.prune:
            for have in theirs:
                name = have.get("name")
                if name.lower() in wanted_names or not self.paths.in_target(have.get("path") or "/"):
                    continue
                before = {"path": have.get("path")}
                self.add("smb_shares", "delete", name, before, None, self._share_delete(name))

    def _share_create(self, name, body):
        shares = self.target.smb_shares(self.target_zone)

        def exists():
            found = shares.get(name)
            return bool(found) and clean_path(found.get("path")) == body["path"]

        return lambda: shares.create(body, verify=exists)

    def _share_update(self, name, changes):
        shares = self.target.smb_shares(self.target_zone)
        return lambda: shares.update(name, changes)

    def _share_delete(self, name):
        shares = self.target.smb_shares(self.target_zone)
        return lambda: shares.delete(name)

    # ------------------------------------------------------------ NFS exports
    def plan_exports(self):
        src, tgt = self.source, self.target
        exports = src.list(src.api("protocols/nfs/exports"), "exports", query={"zone": self.source_zone})
        theirs = tgt.list(tgt.api("protocols/nfs/exports"), "exports", query={"zone": self.target_zone})
        wanted = {}
        for export in exports:
            paths = [clean_path(p) for p in export.get("paths") or []]
            inside = [p for p in paths if self.paths.in_source(p)]
            if not inside:
                continue
            if len(inside) != len(paths):
                outside = [p for p in paths if not self.paths.in_source(p)]
                self.conflict(
                    "nfs_exports", ",".join(paths),
                    "export %s has paths outside source_path %s (%s): it cannot be mapped to the target"
                    % (export.get("id"), self.source_path, ", ".join(outside)),
                    source_id=export.get("id"),
                )
                continue
            desired = dict((k, outbound(export[k])) for k in EXPORT_FIELDS if k in export)
            desired["paths"] = [self.paths.translate(p) for p in paths]
            wanted.setdefault(tuple(sorted(set(desired["paths"]))), []).append(desired)
        mine = {}
        for export in theirs:
            paths = [clean_path(p) for p in export.get("paths") or []]
            if paths and all(self.paths.in_target(p) for p in paths):
                mine.setdefault(tuple(sorted(set(paths))), []).append(export)
        for key in sorted(set(wanted) | set(mine)):
            self._pair_exports(key, wanted.get(key, []), sorted(mine.get(key, []), key=lambda e: e.get("id") or 0))

    def _pair_exports(self, key, desired_list, target_list):
        label = ",".join(key)
        left = list(target_list)
        pending = []
        # Exports already identical pair first, so reordering never causes writes.
        for desired in desired_list:
            match = next((t for t in left if not changed_fields(desired, t, EXPORT_FIELDS)), None)
            if match is not None:
                left.remove(match)
            else:
                pending.append(desired)
        for count, desired in enumerate(pending, start=1):
            name = label if len(desired_list) == 1 else "%s#%d" % (label, count)
            if left:
                have = left.pop(0)
                changes = changed_fields(desired, have, EXPORT_FIELDS)
                before = dict((k, have.get(k)) for k in changes)
                self.add("nfs_exports", "update", name, before, changes, self._export_update(have["id"], changes))
            else:
                self.add("nfs_exports", "create", name, None, desired, self._export_create(desired))
        if self.prune:
            for have in left:
                name = "%s#id%s" % (label, have.get("id"))
                self.add("nfs_exports", "delete", name, {"id": have.get("id"), "paths": have.get("paths")}, None,
                         self._export_delete(have["id"]))

    def _export_create(self, body):
        tgt, query = self.target, {"zone": self.target_zone}
        return lambda: tgt.post(tgt.api("protocols/nfs/exports"), body, query=query)

    def _export_update(self, export_id, changes):
        tgt, query = self.target, {"zone": self.target_zone}
        return lambda: tgt.put(tgt.api("protocols/nfs/exports", export_id), changes, query=query)

    def _export_delete(self, export_id):
        tgt, query = self.target, {"zone": self.target_zone}
        return lambda: tgt.delete(tgt.api("protocols/nfs/exports", export_id), query=query)

    # ------------------------------------------------------------ NFS aliases
    def plan_aliases(self):
        src, tgt = self.source, self.target
        sq, tq = {"zone": self.source_zone}, {"zone": self.target_zone}
        aliases = src.list(src.api("protocols/nfs/aliases"), "aliases", query=sq)
        theirs = dict((a.get("name"), a) for a in tgt.list(tgt.api("protocols/nfs/aliases"), "aliases", query=tq))
        names = set()
        for alias in aliases:
            name, path = alias.get("name"), alias.get("path") or "/"
            if not self.paths.in_source(path):
                continue
            names.add(name)
            want = self.paths.translate(path)
            have = theirs.get(name)
            if have is not None and not self.paths.in_target(have.get("path") or "/"):
                self.conflict(
                    "nfs_aliases", name,
                    "an alias of this name exists in target zone %s with path %s, outside target_path %s"
                    % (self.target_zone, have.get("path"), self.target_path),
                    source_path=path, target_path=want,
                )
            elif have is None:
                body = {"name": name, "path": want}
                self.add("nfs_aliases", "create", name, None, body,
                         self._call("POST", tgt.api("protocols/nfs/aliases"), body, tq))
            elif clean_path(have.get("path")) != want:
                self.add("nfs_aliases", "update", name, {"path": have.get("path")}, {"path": want},
                         self._call("PUT", tgt.api("protocols/nfs/aliases", name), {"path": want}, tq))
        if self.prune:
            for name, have in sorted(theirs.items()):
                if name in names or not self.paths.in_target(have.get("path") or "/"):
                    continue
                self.add("nfs_aliases", "delete", name, {"path": have.get("path")}, None,
                         self._call("DELETE", tgt.api("protocols/nfs/aliases", name), None, tq))

    def _call(self, method, path, body, query=None):
        tgt = self.target
        return lambda: tgt.request(method, path, query=query, body=body)

    # ------------------------------------------------------------ snapshot schedules
    def plan_schedules(self):
        src, tgt = self.source, self.target
        schedules = src.list(src.api("snapshot/schedules"), "schedules")
        theirs = tgt.list(tgt.api("snapshot/schedules"), "schedules")
        by_name = dict((s.get("name"), s) for s in theirs)
        names = set()
        for sched in schedules:
            name, path = sched.get("name"), sched.get("path") or "/"
            if not self.paths.in_source(path):
                continue
            names.add(name)
            desired = dict((k, copy.deepcopy(sched[k])) for k in SCHEDULE_FIELDS if k in sched)
            desired["path"] = self.paths.translate(path)
            have = by_name.get(name)
            if have is not None and not self.paths.in_target(have.get("path") or "/"):
                self.conflict(
                    "snapshot_schedules", name,
                    "a snapshot schedule of this name exists on the target with path %s, outside target_path %s"
                    % (have.get("path"), self.target_path),
                    source_path=path, target_path=desired["path"],
                )
                continue
            if have is None:
                body = dict(desired, name=name)
                for key in ("alias", "duration"):
                    if body.get(key) in (None, ""):
                        body.pop(key, None)
                self.add("snapshot_schedules", "create", name, None, body,
                         self._call("POST", tgt.api("snapshot/schedules"), body))
                continue
            changes = changed_fields(desired, have, SCHEDULE_FIELDS + ("path",))
            if changes:
                before = dict((k, have.get(k)) for k in changes)
                self.add("snapshot_schedules", "update", name, before, changes,
                         self._call("PUT", tgt.api("snapshot/schedules", have["id"]), changes))
        if self.prune:
            for have in theirs:
                name = have.get("name")
                if name in names or not self.paths.in_target(have.get("path") or "/"):
                    continue
                self.add("snapshot_schedules", "delete", name, {"path": have.get("path")}, None,
                         self._call("DELETE", tgt.api("snapshot/schedules", have["id"]), None))

    # ------------------------------------------------------------ dedupe paths
    def plan_dedupe(self):
        src, tgt = self.source, self.target
        mine = (src.get(src.api("dedupe/settings")) or {}).get("settings") or {}
        theirs = (tgt.get(tgt.api("dedupe/settings")) or {}).get("settings") or {}
        body, before, delta = {}, {}, {}
        for key in DEDUPE_LISTS:
            if key not in mine and key not in theirs:
                continue
            wanted = []
            for path in mine.get(key) or []:
                if self.paths.in_source(path):
                    translated = self.paths.translate(path)
                    if translated not in wanted:
                        wanted.append(translated)
            have = [clean_path(p) for p in theirs.get(key) or []]
            result = [p for p in have if not self.paths.in_target(p) or p in wanted or not self.prune]
            result += [p for p in wanted if p not in result]
            added = [p for p in result if p not in have]
            removed = [p for p in have if p not in result]
            if added or removed:
                body[key] = result
                before[key] = theirs.get(key) or []
                delta[key] = (added, removed)
                for path in added:
                    self.add("dedupe", "create", "%s:%s" % (key, path), None, None, None)
                for path in removed:
                    self.add("dedupe", "delete", "%s:%s" % (key, path), None, None, None)
        if body:
            # One PUT carries every path change; it runs with the first dedupe operation.
            first = next(op for op in self.ops if op.otype == "dedupe")
            first.run = self._dedupe_writer(delta)
            self.dedupe_diff = (before, body)

    def _dedupe_writer(self, delta):
        """Apply the planned additions/removals to the dedupe lists as they are at write time.

        OneFS replaces the lists whole, and other units may sync to the same cluster at
        once: the read and the write happen under the cluster's controller-wide lock.
        """
        tgt = self.target
        path = tgt.api("dedupe/settings")

        def write():
            with tgt.lock("dedupe/settings"):
                current = (tgt.get(path) or {}).get("settings") or {}
                body = {}
                for key, (added, removed) in delta.items():
                    have = [clean_path(p) for p in current.get(key) or []]
                    result = [p for p in have if p not in removed] + [p for p in added if p not in have]
                    if result != have:
                        body[key] = result
                if body:
                    tgt.put(path, body)

        return write

    # ------------------------------------------------------------ driver
    def plan(self):
        self.resolve()
        self.dedupe_diff = None
        planners = {
            "smb_shares": self.plan_shares,
            "nfs_exports": self.plan_exports,
            "nfs_aliases": self.plan_aliases,
            "snapshot_schedules": self.plan_schedules,
            "dedupe": self.plan_dedupe,
        }
        for otype in OBJECT_TYPES:
            if otype in self.objects:
                planners[otype]()

    def apply(self):
        """Run the plan (not in check mode). Errors on one object do not stop the others."""
        if self.check_mode:
            return
        for otype in OBJECT_TYPES:
            ops = sorted((op for op in self.ops if op.otype == otype), key=lambda op: ORDER[op.action])
            for op in ops:
                if op.run is None:
                    continue
                try:
                    op.run()
                except OneFSError as err:
                    if err.status is None or err.status in (401, 403):
                        raise
                    op.failed = True
                    self.errors.append({"type": otype, "name": op.key, "action": op.action,
                                        "message": str(err), "onefs_error": err.to_dict()})
                    if otype == "dedupe":
                        # One PUT carries every dedupe path change: none of them happened.
                        for other in ops:
                            other.failed = True

    def result(self, diff=True):
        done = [op for op in self.ops if not getattr(op, "failed", False)]
        out = {
            "changed": bool(done),
            "source_zone": self.source_zone,
            "target_zone": self.target_zone,
            "source_path": self.source_path,
            "target_path": self.target_path,
            "created": dict((o, []) for o in self.objects),
            "updated": dict((o, []) for o in self.objects),
            "deleted": dict((o, []) for o in self.objects),
            "conflicts": self.conflicts,
            "errors": self.errors,
            "lockout_restored": self.lockout_restored,
        }
        bucket = {"create": "created", "update": "updated", "delete": "deleted"}
        for op in done:
            out[bucket[op.action]][op.otype].append(op.key)
        if diff and done:
            before = dict((o, {}) for o in self.objects)
            after = dict((o, {}) for o in self.objects)
            for op in done:
                if op.otype == "dedupe":
                    continue
                if op.before is not None:
                    before[op.otype][op.key] = op.before
                if op.after is not None:
                    after[op.otype][op.key] = op.after
            if self.dedupe_diff and any(op.otype == "dedupe" for op in done):
                before["dedupe"], after["dedupe"] = copy.deepcopy(self.dedupe_diff[0]), copy.deepcopy(self.dedupe_diff[1])
            out["diff"] = {
                "before": dict((k, v) for k, v in before.items() if v or after.get(k)),
                "after": dict((k, v) for k, v in after.items() if v or before.get(k)),
            }
        return out

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_smb_share_lockout
short_description: Lock SMB shares out for a failover, unlock them, or restore their ACLs from the lockout journal
version_added: 0.2.0
description:
  - The data-integrity lockout of a failover on many SMB shares of an access zone at once. The
    shares are named in O(shares), or are every share of O(zone) whose path is O(path) or lies
    under it. The zone's shares are read with one paged list.
  - O(lockout=locked) puts the data-integrity lockout, deny C(full) to C(Everyone)
    (C(SID:S-1-1-0)), at the top of each share's ACL before a failover. Before its first write
    the module records every share's original ACL in a lockout journal on the cluster itself
    (C(/ifs/.onefs_dr/journal/<zone>.json)), and copies the journal to O(partner) when given.
  - O(lockout=unlocked) restores exactly the journalled ACL, and only on shares the journal
    says this collection locked. A share that already denied Everyone before the lockout keeps
    its ACL as it was.
  - O(restore_from=journal) runs on the failover target after replication (post-failover
    permission restoration) and gives the target's shares of the same names their original
    ACL, read from the journal copy on the target, or from O(partner) (the source) when the
    target has no copy. It works while the source is down.
  - Share ACLs in general (add, remove, set ACEs) are the job of M(onefs.dr.onefs_smb_share_acl).
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
      - Names of the shares. Names that do not exist are reported with outcome C(skipped) and a
        warning.
      - Mutually exclusive with O(path). O(lockout=locked) needs one of them; with
        O(lockout=unlocked) or O(restore_from), leaving both out means every share in the journal.
    type: list
    elements: str
  path:
    description:
      - Every share of O(zone) whose path is this path or lies under it, for example the zone's
        base path or a SyncIQ policy's C(source_root_path).
    type: str
  lockout:
    description:
      - V(locked) adds deny C(full) to C(Everyone) at the top of each share's ACL, after
        recording the original ACLs in the journal. A share that already has that ACE is not
        written; the journal marks it C(had_deny) and unlocking leaves it as it is.
      - V(unlocked) restores the journalled original ACL of each share whose journal entry is
        C(locked) or C(locking), when the current ACL differs from it.
      - Exactly one of O(lockout) and O(restore_from) is required.
    type: str
    choices: [locked, unlocked]
  restore_from:
    description:
      - V(journal) restores, on this (target) cluster, the original ACLs recorded by the source
        cluster's lockout, on the shares of the same names.
      - The journal is read from this cluster's copy
        C(/ifs/.onefs_dr/journal/<journal_source>/<journal_zone>.json); when that does not
        exist, from O(partner) at C(/ifs/.onefs_dr/journal/<journal_zone>.json).
      - Entries the source has already unlocked (C(restored)) and shares that denied Everyone
        before the lockout are not written.
    type: str
    choices: [journal]
  journal_zone:
    description:
      - With O(restore_from), the source zone whose journal to use, when it differs from O(zone).
      - Not with O(lockout).
    type: str
  journal_source:
    description:
      - With O(restore_from), the name of the cluster that wrote the journal (the source).
      - Default the name O(partner) reports when it answers, else the only folder under
        C(/ifs/.onefs_dr/journal) on this cluster that holds a journal of O(journal_zone).
      - Not with O(lockout).
    type: str
  parallel:
    description:
      - How many share writes this call keeps in flight. The default V(1) writes one share at
        a time, so the play's C(throttle) across hosts bounds the cluster-wide concurrency.
      - Above V(1), the call takes the cluster's bulk-writer turn on this controller before its
        first write and gives it back when its last write has started, so parallel units
        write one after the other at full width (each finishes early and goes on with its
        next steps) instead of all together. The limiter bounds the writes in flight either
        way; a call that waits more than O(retry_deadline) for the turn goes on without it.
      - At most O(share_write_limit) (default 10).
    type: int
    default: 1
  summary:
    description:
      - Return a short result for bulk runs whose registered result is only counted (the
        failover roles). Each entry of RV(shares) keeps C(name), C(outcome), C(retries),
        C(conflicts_409) and C(message), RV(journal) is null (the journal stays on the cluster
        at RV(journal_path)), and C(diff) is returned only in diff mode.
      - Ten units of a hundred shares each otherwise register and pass around several copies
        of every ACL on the controller.
    type: bool
    default: false
extends_documentation_fragment:
  - onefs.dr.connection
  - onefs.dr.connection.partner
  - onefs.dr.attributes
attributes:
  check_mode:
    support: full
    details: Reads the shares and the journal, reports what would change, writes nothing (no journal either).
  diff_mode:
    support: full
    details: C(before) and C(after) hold the ACL of each share that changes.
  idempotent:
    support: full
    details:
      - A second run writes no share and no journal. A run interrupted at any point (even
        killed) leaves the journal consistent, and running it again finishes the work.
notes:
  - The journal is written once before the first share write (entries in state C(locking))
    and once at the end (C(locked) or C(restored)), also when some shares fail. A crash between
    leaves C(locking) entries, which O(lockout=unlocked) treats as "maybe locked" and restores
    the original where the current ACL differs. See C(docs/lockout-journal.md).
  - Concurrent runs on the same zone journal from one controller merge their entries under a
    lock file in the limiter's state directory. Runs from two controllers on the same zone at
    the same time are not protected; do not do that.
  - The partner copy is written when O(partner) is given and answers; when it does not, the
    module warns and goes on.
  - The API user needs the SMB privilege (read and write) and namespace access to
    C(/ifs/.onefs_dr) on every cluster the journal is written to or read from.
seealso:
  - module: onefs.dr.onefs_smb_share_acl
"""

EXAMPLES = r"""
- name: Lock out every SMB share of zone01 before failover; journal copied to the target
  onefs.dr.onefs_smb_share_lockout:
    host: alpha.example.com
    zone: zone01
    path: /ifs/zone01
    lockout: locked
    partner:
      host: beta.example.com
  throttle: 2

- name: Roll back - restore the original ACLs on the source
  onefs.dr.onefs_smb_share_lockout:
    host: alpha.example.com
    zone: zone01
    lockout: unlocked

- name: After failover - restore the original ACLs on the target (works with the source down)
  onefs.dr.onefs_smb_share_lockout:
    host: beta.example.com
    zone: zone01
    restore_from: journal
    journal_source: alpha
    partner:
      host: alpha.example.com
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
      after:
        - {permission: full, permission_type: deny, trustee: {id: 'SID:S-1-1-0', name: Everyone, type: wellknown}}
        - {permission: read, permission_type: allow, trustee: {id: 'SID:S-1-1-0', name: Everyone, type: wellknown}}
      message: null
  contains:
    name:
      description: Share name.
      type: str
    outcome:
      description:
        - C(changed) (written, or would be in check mode), C(unchanged), C(failed), or
          C(skipped) (not found, or not locked by this collection).
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
      description: Why the share was skipped or failed, or a note; null otherwise.
      type: str
failed_shares:
  description: Names of the shares whose write failed. The module fails when this is not empty.
  returned: always
  type: list
  elements: str
  sample: []
journal:
  description:
    - The lockout journal document of the zone after the call (as it would be, in check mode).
      Null with O(summary), and when no journal was found to restore from.
  returned: always
  type: dict
  sample:
    version: 1
    zone: zone01
    cluster: {guid: 0050568d1a2b, name: alpha}
    updated_at: '2026-05-27T10:00:00Z'
    entries:
      data1:
        original_permissions: [{permission: read, permission_type: allow, trustee: {id: 'SID:S-1-1-0', name: Everyone, type: wellknown}}]
        locked_at: '2026-05-27T10:00:00Z'
        state: locked
        had_deny: false
journal_path:
  description: Where the journal used by the call lives (an C(/ifs) path), null when none was found.
  returned: always
  type: str
  sample: /ifs/.onefs_dr/journal/zone01.json
partner_copy:
  description:
    - The partner copy of the journal, when O(partner) is given with O(lockout).
      C(status) is C(copied), C(unchanged), C(failed) (see C(error); a warning is issued) or C(skipped).
  returned: when O(partner) is given with O(lockout)
  type: dict
  sample: {host: beta.example.com, path: /ifs/.onefs_dr/journal/alpha/zone01.json, status: copied, error: null}
api_stats:
  description: API calls, retries, 409 conflicts and share writes of the call.
  returned: always
  type: dict
  sample: {api_calls: 104, retries: 3, conflicts_409: 3, share_writes: 103}
"""

import copy

from ansible_collections.onefs.dr.plugins.module_utils._paths import ifs_path
from ansible_collections.onefs.dr.plugins.module_utils._share_acl import SCOPE_EXCLUSIVE, Plan, ShareAclRun
from ansible_collections.onefs.dr.plugins.module_utils.acl import acl_equal, has_lockout, with_lockout
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError
from ansible_collections.onefs.dr.plugins.module_utils.common import (
    DEFAULT_SHARE_WRITE_LIMIT,
    InputError,
    OneFSModule,
    partner_argument_spec,
)
from ansible_collections.onefs.dr.plugins.module_utils.journal import (
    JOURNAL_DIR,
    JournalError,
    ZoneJournal,
    cluster_identity,
    journal_path,
    namespace_url,
    read_doc,
    utc_now,
)


def argument_spec():
    return dict(
        zone=dict(type="str", default="System"),
        shares=dict(type="list", elements="str"),
        path=dict(type="str"),
        lockout=dict(type="str", choices=["locked", "unlocked"]),
        restore_from=dict(type="str", choices=["journal"]),
        journal_zone=dict(type="str"),
        journal_source=dict(type="str"),
        parallel=dict(type="int", default=1),
        summary=dict(type="bool", default=False),
        partner=partner_argument_spec(),
    )


ARGUMENT_CONSTRAINTS = dict(
    mutually_exclusive=SCOPE_EXCLUSIVE + [
        ("lockout", "restore_from"), ("lockout", "journal_zone"), ("lockout", "journal_source")],
    required_one_of=[("lockout", "restore_from")],
    required_if=[("lockout", "locked", ("shares", "path"), True)],
)


class ShareLockout(ShareAclRun):
    def write_first(self):
        # A lockout's writes go before other bulk writers' (its unit's SyncIQ steps wait for it).
        return self.params.get("lockout") == "locked"

    def what(self):
        return "shares locked" if self.write_first() else "shares restored"

    def fail_hint(self):
        return "The journal is consistent; re-run the task to finish the work"

    # ------------------------------------------------------------------ input
    def validate(self):
        """Value checks (the argument spec holds the constraints between options)."""
        p = self.params
        if p.get("shares") is not None and not [s for s in p["shares"] if s]:
            raise InputError("shares is empty: name at least one share, or use path")
        if p.get("path") is not None:
            ifs_path(p["path"], "path", InputError)
        for key in ("journal_zone", "journal_source"):
            if p.get(key) and ("/" in p[key] or p[key] in (".", "..")):
                raise InputError("%s must be a plain name, got %r" % (key, p[key]))
        limit = p.get("share_write_limit") or DEFAULT_SHARE_WRITE_LIMIT
        if p["parallel"] < 1 or p["parallel"] > limit:
            raise InputError("parallel must be between 1 and share_write_limit (%d), got %d" % (limit, p["parallel"]))

    # ------------------------------------------------------------------ planning
    def plan_lock(self, selected, journal):
        now = utc_now()
        plans = []
        for name, share in selected:
            if share is None:
                plans.append(self.missing(name))
                continue
            current = share.get("permissions") or []
            entry = journal.entry(name)
            ours = entry is not None and entry.get("state") in ("locking", "locked")
            plan = Plan(name, current)
            if has_lockout(current):
                if ours and not entry.get("had_deny") and entry.get("state") == "locking":
                    # Crash after the write and before the journal said so.
                    plan.post_entry = dict(entry, state="locked")
                elif not ours:
                    plan.message = "already denies Everyone: recorded as had_deny, unlock will leave it as it is"
                    plan.pre_entry = {
                        "original_permissions": copy.deepcopy(current),
                        "locked_at": now,
                        "state": "locked",
                        "had_deny": True,
                    }
                plans.append(plan)
                continue
            # Not locked now: record the current ACL as the original and lock.
            plan.after = with_lockout(current)
            plan.write = True
            plan.pre_entry = {
                "original_permissions": copy.deepcopy(current),
                "locked_at": now,
                "state": "locking",
                "had_deny": False,
            }
            plan.post_entry = dict(plan.pre_entry, state="locked")
            plans.append(plan)
        return plans

    def plan_unlock(self, selected, journal, source_side=True):
        plans = []
        for name, share in selected:
            entry = journal.entry(name) if source_side else (journal.get("entries") or {}).get(name)
            if share is None:
                plans.append(self.missing(name))
                continue
            current = share.get("permissions") or []
            plan = Plan(name, current)
            if entry is None:
                plan.outcome = "skipped"
                plan.message = "no journal entry: not locked by this collection, left as it is"
            elif entry.get("state") == "restored":
                plan.message = "journal entry already restored"
                if not source_side:
                    plan.outcome = "skipped"
                    plan.message = "the source unlocked this share already; left as it is"
            elif entry.get("had_deny"):
                plan.message = "denied Everyone before the lockout: left as it is"
                if source_side:
                    plan.post_entry = dict(entry, state="restored")
            else:
                original = entry.get("original_permissions") or []
                if source_side:
                    plan.post_entry = dict(entry, state="restored")
                if not acl_equal(current, original):
                    plan.after = copy.deepcopy(original)
                    plan.write = True
            plans.append(plan)
        return plans

    # ------------------------------------------------------------------ modes
    def run(self):
        self.validate()
        shares = self.list_shares()
        if self.params.get("lockout"):
            plans, extra = self.run_lockout(shares)
        else:
            plans, extra = self.run_restore(shares)
        result = {"journal": None, "journal_path": None}
        result.update(extra)
        return self.finish(plans, result)

    def run_lockout(self, shares):
        journal = ZoneJournal(self.client, self.zone)
        # One read of the journal serves both commits and the partner copy (the zone's
        # controller lock is held throughout).
        with journal.held():
            return self._run_lockout(shares, journal)

    def _run_lockout(self, shares, journal):
        extra = {"journal_path": journal.path}
        if self.params["lockout"] == "locked":
            plans = self.plan_lock(self.select(shares), journal)
        else:
            plans = self.plan_unlock(self.select(shares, default_names=journal.doc["entries"].keys()), journal)
            if not journal.exists:
                self.warnings.append("no lockout journal for zone %s on this cluster: nothing to unlock" % self.zone)
        pre = dict((p.name, p.pre_entry) for p in plans if p.pre_entry is not None)
        if self.module.check_mode:
            post = dict((p.name, p.post_entry) for p in plans if p.post_entry is not None)
            merged = dict(pre)
            merged.update(post)
            self.execute(plans)
            extra["journal"] = journal.preview(merged)
            extra["journal_changed"] = bool(merged) and extra["journal"]["entries"] != journal.doc["entries"]
            if self.params.get("partner"):
                extra["partner_copy"] = {"host": self.params["partner"]["host"], "path": None, "status": "skipped", "error": "check mode"}
            return plans, extra
        changed_journal = journal.commit(pre)  # durable BEFORE the first share write
        try:
            self.execute(plans)
            if self.params["lockout"] == "unlocked":
                self.verify_restored(plans)
        finally:
            # Only what is known to be true: written shares, and shares that needed no write.
            post = dict((p.name, p.post_entry) for p in plans if p.post_entry is not None and (p.outcome == "changed" or not p.write))
            changed_journal = journal.commit(post) or changed_journal
        extra["journal"] = journal.doc
        extra["journal_changed"] = changed_journal
        if self.params.get("partner"):
            extra["partner_copy"] = self.copy_to_partner(journal)
        return plans, extra

    def copy_to_partner(self, journal):
        try:
            partner = self.module.partner_client()
            status = journal.sync_partner(partner)
        except OneFSError as err:
            status = {"host": self.params["partner"]["host"], "path": None, "status": "failed", "error": str(err)}
        if status["status"] == "failed":
            self.warnings.append(
                "the lockout journal was not copied to partner %s: %s. The source keeps it; re-run with the "
                "partner reachable to copy it" % (status["host"], status["error"])
            )
        return status

    def run_restore(self, shares):
        jzone = self.params.get("journal_zone") or self.zone
        doc, where = self.find_journal(jzone)
        if doc is None:
            # Nothing was ever locked by this project in that zone (e.g. the source died before
            # the lockout, or this is a check-mode plan before it): nothing to restore.
            self.warnings.append(where)
            return [], {"journal": None, "journal_path": None}
        names = (doc.get("entries") or {}).keys()
        plans = self.plan_unlock(self.select(shares, default_names=names), doc, source_side=False)
        self.execute(plans)
        self.verify_restored(plans)
        return plans, {"journal": doc, "journal_path": where}

    def find_journal(self, jzone):
        """(journal document, where) for restore_from=journal (see the option's docs).

        (None, why) when no copy exists anywhere it looked.
        """
        source = self.params.get("journal_source")
        partner = None
        partner_error = None
        if self.params.get("partner"):
            try:
                partner = self.module.partner_client()
                if not source:
                    source = cluster_identity(partner)["name"]
            except OneFSError as err:
                partner_error = err
                partner = None
        tried = []
        candidates = [source] if source else self.local_sources(jzone)
        for name in candidates:
            path = journal_path(jzone, name)
            tried.append("%s on %s" % (path, self.client.host))
            doc = read_doc(self.client, path)
            if doc is not None:
                return doc, path
        if partner is not None:
            path = journal_path(jzone)
            tried.append("%s on %s" % (path, partner.host))
            try:
                doc = read_doc(partner, path)
            except OneFSError as err:
                doc = None
                partner_error = err
            if doc is not None:
                return doc, "%s:%s" % (partner.host, path)
        message = "no lockout journal for zone %s found (tried: %s)" % (jzone, "; ".join(tried) or "nothing")
        if partner_error is not None:
            message += "; partner unreachable: %s" % partner_error
        if not source and not self.params.get("partner"):
            message += "; give journal_source (the source cluster's name) or partner"
        return None, message + ": nothing restored"

    def local_sources(self, jzone):
        """Folders under the journal directory of this cluster that hold a <jzone>.json."""
        try:
            body = self.client.request("GET", namespace_url(JOURNAL_DIR))
        except OneFSError as err:
            if err.status == 404:
                return []
            raise
        children = (body or {}).get("children") or [] if isinstance(body, dict) else []
        folders = [c.get("name") for c in children if c.get("type") in ("container", "dir", "directory") and c.get("name")]
        found = []
        for folder in folders:
            if read_doc(self.client, journal_path(jzone, folder)) is not None:
                found.append(folder)
        if len(found) > 1:
            raise InputError(
                "journals of zone %s from several clusters are on %s (%s): choose one with journal_source" % (jzone, self.client.host, ", ".join(sorted(found)))
            )
        return found


def main():
    module = OneFSModule(argument_spec(), supports_check_mode=True, **ARGUMENT_CONSTRAINTS)

    def run(mod):
        try:
            return ShareLockout(mod).run()
        except JournalError as err:
            raise InputError(str(err)) from None

    module.run(run)


if __name__ == "__main__":
    main()

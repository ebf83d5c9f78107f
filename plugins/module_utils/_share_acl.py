# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the share-ACL modules share: selecting shares, one plan per share, bulk writes, results.

Private to the collection (the ``_`` prefix). Used by onefs_smb_share_acl (ACL state) and
onefs_smb_share_lockout (the data-integrity lockout, its journal and the restore from it).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Dict, Iterable, List, Optional, Tuple

from ansible_collections.onefs.dr.plugins.module_utils._paths import clean_path, is_under
from ansible_collections.onefs.dr.plugins.module_utils.acl import acl_equal, has_lockout, to_api
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError

Share = Dict[str, Any]
Selected = List[Tuple[str, Optional[Share]]]

# Argument spec constraints of the share selection (``shares`` or ``path``).
SCOPE_EXCLUSIVE = [("shares", "path")]


class Plan:
    """What happens to one share."""

    def __init__(self, name: str, before: Optional[List[Any]], after: Optional[List[Any]] = None,
                 outcome: str = "unchanged", message: Optional[str] = None) -> None:
        self.name = name
        self.before = before
        self.after = after if after is not None else before
        self.outcome = outcome
        self.message = message
        self.write = False
        self.counters = {}  # type: Dict[str, int]
        self.error = None  # type: Optional[OneFSError]
        self.pre_entry = None  # type: Optional[Dict[str, Any]]  # journal entry recorded before the write
        self.post_entry = None  # type: Optional[Dict[str, Any]]  # after a successful write (or no write)

    def result(self, summary: bool = False) -> Dict[str, Any]:
        out = {
            "name": self.name,
            "outcome": self.outcome,
            "retries": self.counters.get("retries", 0),
            "conflicts_409": self.counters.get("conflicts_409", 0),
            "message": self.message,
        }  # type: Dict[str, Any]
        if not summary:
            out["before"] = self.before
            out["after"] = self.after
        return out


class ShareAclRun:
    """One module call over the shares of one zone: read, select, plan (subclass), write, result."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self.params = module.params
        self.client = module.client
        self.zone = self.params["zone"]
        self.shares = self.client.smb_shares(self.zone)
        self.warnings = []  # type: List[str]

    # ------------------------------------------------------------------ subclass hooks
    def write_first(self) -> bool:
        """Whether this call's bulk writes go before other bulk writers' (``client.write_many``)."""
        return False

    def what(self) -> str:
        """What the writes are called in the progress line."""
        return "share ACLs written"

    # ------------------------------------------------------------------ reading
    def list_shares(self) -> Dict[str, Share]:
        return dict((s["name"], s) for s in self.shares.list())

    def select(self, shares: Dict[str, Share], default_names: Optional[Iterable[str]] = None) -> Selected:
        """[(name, share or None)] in a stable order."""
        p = self.params
        by_lower = dict((n.lower(), n) for n in shares)
        if p.get("shares") is not None:
            picked = []  # type: Selected
            for name in p["shares"]:
                real = name if name in shares else by_lower.get(name.lower())
                picked.append((real or name, shares.get(real) if real else None))
            return picked
        if p.get("path") is not None:
            root = clean_path(p["path"])
            return [(n, s) for n, s in sorted(shares.items()) if is_under(s.get("path"), root)]
        names = sorted(default_names or [])
        return [(n, shares.get(n if n in shares else by_lower.get(n.lower(), n))) for n in names]

    def missing(self, name: str) -> Plan:
        plan = Plan(name, None, None, outcome="skipped", message="no share of this name in zone %s" % self.zone)
        self.warnings.append("share %r not found in zone %s: skipped" % (name, self.zone))
        return plan

    # ------------------------------------------------------------------ writing
    def write_one(self, plan: Plan) -> None:
        try:
            self.shares.update(plan.name, {"permissions": [to_api(a) for a in plan.after or []]}, counters=plan.counters)
            plan.outcome = "changed"
        except OneFSError as err:
            plan.outcome = "failed"
            plan.error = err
            plan.message = str(err)

    def execute(self, plans: List[Plan]) -> None:
        todo = [p for p in plans if p.write]
        if self.module.check_mode or not todo:
            for plan in todo:
                plan.outcome = "changed"
            return
        for plan in todo:
            plan.outcome = "pending"
        self.client.write_many(todo, self.write_one, self.params["parallel"], first=self.write_first(), what=self.what())

    def verify_restored(self, plans: List[Plan]) -> None:
        """Read the zone's shares back after a restore (one paged list): a share whose ACL is not
        the journalled original (a write that reported success but did not stick, or a writer
        that is not us) is failed, and its journal entry is not marked restored. The journal
        never says restored for a share that still carries our deny."""
        written = [p for p in plans if p.write and p.outcome == "changed"]
        if self.module.check_mode or not written:
            return
        current = self.list_shares()
        by_lower = dict((n.lower(), n) for n in current)
        for plan in written:
            share = current.get(plan.name) or current.get(by_lower.get(plan.name.lower(), ""))
            now = (share or {}).get("permissions") if share else None
            if share is None or not acl_equal(now or [], plan.after):
                plan.outcome = "failed"
                plan.message = (
                    "read back after the restore, the ACL is not the journalled original%s; the journal keeps the "
                    "entry locked: re-run to restore it" % (" (it still denies Everyone)" if has_lockout(now or []) else "")
                )

    # ------------------------------------------------------------------ result
    def finish(self, plans: List[Plan], result: Dict[str, Any]) -> Dict[str, Any]:
        failed = [p.name for p in plans if p.outcome == "failed"]
        changed_plans = [p for p in plans if p.outcome in ("changed", "failed") and p.write]
        summary = self.params["summary"]
        result["shares"] = [p.result(summary) for p in plans]
        result["failed_shares"] = failed
        copied = (result.get("partner_copy") or {}).get("status") == "copied"
        result["changed"] = any(p.outcome == "changed" for p in plans) or bool(result.pop("journal_changed", False)) or copied
        if summary and "journal" in result:
            result["journal"] = None
        if changed_plans and (not summary or self.module.module._diff):
            result["diff"] = {
                "before": {"shares": dict((p.name, p.before) for p in changed_plans)},
                "after": {"shares": dict((p.name, p.after) for p in changed_plans)},
            }
        for warning in self.warnings:
            self.module.module.warn(warning)
        if failed:
            self.module.fail(
                "%d of %d share(s) failed: %s. %s" % (len(failed), len(plans), ", ".join(failed), self.fail_hint()),
                **result,
            )
        return result

    def fail_hint(self) -> str:
        return "Re-run the task to finish the work"

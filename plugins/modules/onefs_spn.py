#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_spn
short_description: Manage the Kerberos SPNs of SmartConnect names on a OneFS cluster's AD machine account
version_added: 0.1.0
description:
  - Adds or removes the service principal names (SPNs) of SmartConnect names on the machine
    account of a cluster's Active Directory provider. For each name in O(names) both forms are
    managed, C(HOST/<short name>) and C(HOST/<fully qualified name>); for example
    V(data.example.com) gives C(HOST/data) and C(HOST/data.example.com).
  - O(state=check) writes nothing and reports in RV(missing) the SPNs the cluster recommends
    (C(recommended_spns), computed by OneFS from its host name and SmartConnect names, plus
    C(extra_expected_spns) and the forms of O(names)) that the account lacks, and in
    RV(unexpected) those it has beyond them.
  - An SPN may be registered on one account only in the forest; duplicates break Kerberos
    (the KDC cannot tell whose key to use and clients fail to authenticate). The module never
    adds an SPN another account holds. It refuses before writing when the account is the
    partner's; when AD refuses (another account of the forest holds it; OneFS answers 409) the
    task fails saying how to find that account (C(setspn -Q)).
  - With O(remove_from_partner=true) the SPNs move from the machine account of O(partner) (the
    failover source) to this one, and no SPN is ever on two accounts nor left on none. First the
    receiving side is verified, before any write; an SPN the partner holds that OneFS's
    duplicate-SPN check (C(dup_spns)) shows on a third account too is refused (AD would refuse it
    here, and refuse to put it back on the partner). Then the forms no account we see holds are
    added here first (if AD refuses one, nothing has been removed). Then the partner's SPNs leave
    its account and are added here; if that add fails, both accounts are written back exactly as
    they were and the task fails saying so. Only if that restore fails too are SPNs on no account;
    the failure lists them in RV(stranded), and C(playbooks/rollback.yml) puts them back.
  - OneFS has no SPN endpoint; the provider's whole SPN list is written with the AD
    credentials O(ad_user) and O(ad_password).
author:
  - onefs.dr contributors (@onefs-dr)
options:
  provider:
    description:
      - Name of the Active Directory provider, such as V(AD.EXAMPLE.COM).
    type: str
    required: true
  names:
    description:
      - SmartConnect names, preferably fully qualified, whose SPNs are managed.
      - Required with O(state=present) and O(state=absent); with O(state=check) they are added
        to the SPNs expected.
    type: list
    elements: str
  spns:
    description:
      - Exact SPNs (C(<service>/<host>)) to manage besides the forms of O(names); for example the
        SPNs a rollback puts back, exactly those that left the account.
      - With O(state=present) or O(state=absent), O(names) or O(spns) is required.
    type: list
    elements: str
  state:
    description:
      - V(present) adds the SPNs of O(names) that the account lacks; V(absent) removes them;
        V(check) only reports RV(missing) and RV(unexpected).
    type: str
    choices: [present, absent, check]
    default: present
  ad_user:
    description:
      - AD user allowed to change the machine account (for example a domain admin). Required
        when SPNs are written, on this cluster and on O(partner).
    type: str
  ad_password:
    description:
      - Password of O(ad_user).
    type: str
  remove_from_partner:
    description:
      - Before adding, remove the SPNs of O(names) from the machine account of the AD provider
        of O(partner), the cluster the names are moving from. Needs O(partner) and
        O(state=present).
    type: bool
    default: false
  partner_provider:
    description:
      - Name of the AD provider on O(partner). O(provider) when not set.
    type: str
attributes:
  check_mode:
    support: full
    details: Reads and reports what would be added and removed; writes nothing.
  diff_mode:
    support: full
    details: C(diff) shows the SPN lists of the accounts that change, before and after.
  idempotent:
    support: full
    details: Writes only when an SPN is missing (present) or still there (absent).
extends_documentation_fragment:
  - onefs.dr.connection
  - onefs.dr.connection.partner
  - onefs.dr.attributes
notes:
  - The RBAC privilege C(ISI_PRIV_AUTH) (read and write) is needed on the cluster and on O(partner).
  - Without O(partner), an SPN held by another account is found when OneFS refuses the write
    (C(409 AEC_CONFLICT), AD's error 8467 "not unique forest-wide", which names no account); nothing
    is changed and the task fails. AD checks only the SPNs a write adds; an old duplicate the
    account already holds does not block a write that keeps it.
    With O(partner) but without O(remove_from_partner), SPNs the partner holds are refused
    before any write.
  - The same O(ad_user) and O(ad_password) are used on O(partner) (the same forest).
"""

EXAMPLES = r"""
- name: Failover - move the source's SmartConnect SPNs to the target's machine account
  onefs.dr.onefs_spn:
    host: beta.example.com
    provider: AD.EXAMPLE.COM
    names: "{{ renamed.names }}"
    state: present
    remove_from_partner: true
    partner:
      host: alpha.example.com
    ad_user: administrator
    ad_password: "{{ vault_ad_password }}"

- name: Remove the SPNs of names this cluster no longer serves
  onefs.dr.onefs_spn:
    provider: AD.EXAMPLE.COM
    names: [finance.example.com]
    state: absent
    ad_user: administrator
    ad_password: "{{ vault_ad_password }}"

- name: Readiness - which SPNs are missing or unexpected
  onefs.dr.onefs_spn:
    provider: AD.EXAMPLE.COM
    state: check
  register: spn_check
"""

RETURN = r"""
machine_account:
  description: The machine account of the provider on this cluster.
  returned: always
  type: str
  sample: BETA$
spns:
  description: The SPNs of the machine account before and after the task (after = as planned in check mode).
  returned: always
  type: dict
  sample: {before: [HOST/beta, HOST/beta.ad.example.com], after: [HOST/beta, HOST/beta.ad.example.com, HOST/finance, HOST/finance.example.com]}
added:
  description: SPNs added to this cluster's machine account.
  returned: always
  type: list
  elements: str
  sample: [HOST/finance, HOST/finance.example.com]
removed:
  description: SPNs removed from this cluster's machine account.
  returned: always
  type: list
  elements: str
  sample: []
removed_from_partner:
  description: SPNs removed from the partner's machine account with O(remove_from_partner).
  returned: always
  type: list
  elements: str
  sample: [HOST/finance, HOST/finance.example.com]
missing:
  description: Expected SPNs (recommended, extra expected, and O(names) with O(state=check) or O(state=present)) the account lacks after the task.
  returned: always
  type: list
  elements: str
  sample: []
unexpected:
  description: SPNs of the account beyond the expected ones, after the task.
  returned: always
  type: list
  elements: str
  sample: [HOST/old-name]
stranded:
  description:
    - On a failed move only, SPNs that left the partner's account and could not be put back (on
      no account of the forest now); empty when the move was undone.
  returned: failure of a move
  type: list
  elements: str
  sample: []
duplicates:
  description: SPNs of this account that OneFS reports as also registered on another account (C(dup_spns)).
  returned: always
  type: list
  elements: str
  sample: []
diff:
  description: SPN lists that changed, per account.
  returned: when changed and diff mode is on
  type: dict
  sample: {before: {"BETA$": [HOST/beta]}, after: {"BETA$": [HOST/beta, HOST/finance]}}
api_stats:
  description: API calls, retries and 409 answers of the task.
  returned: always
  type: dict
  sample: {api_calls: 3, retries: 0, conflicts_409: 0, share_writes: 0}
"""

from contextlib import ExitStack

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError
from ansible_collections.onefs.dr.plugins.module_utils.common import InputError, OneFSModule, partner_argument_spec
from ansible_collections.onefs.dr.plugins.module_utils.spn import both, contains, forms_of, minus, union

WHY = (
    "an SPN may be registered on one account only in the forest: with duplicates Kerberos breaks "
    "(the KDC cannot tell whose key to use and clients fail to authenticate)"
)


def argument_spec():
    return dict(
        provider=dict(type="str", required=True),
        names=dict(type="list", elements="str"),
        spns=dict(type="list", elements="str"),
        state=dict(type="str", choices=["present", "absent", "check"], default="present"),
        ad_user=dict(type="str"),
        ad_password=dict(type="str", no_log=True),
        remove_from_partner=dict(type="bool", default=False),
        partner_provider=dict(type="str"),
        partner=partner_argument_spec(),
    )


def read_provider(client, name, duplicates):
    query = {"check_duplicates": True} if duplicates else None
    try:
        prov = client.item(client.api("auth/providers/ads", name), "ads", query=query)
    except OneFSError as err:
        if err.status != 404:
            raise
        prov = None
    if prov is None:
        raise InputError("Active Directory provider %s does not exist on %s: check provider (the AD domain name)" % (name, client.host))
    return prov


def check_input(params):
    state = params["state"]
    names = params.get("names")
    exact = params.get("spns") or []
    if state in ("present", "absent") and not names and not exact:
        # The argument spec requires names or spns; this is for empty lists.
        raise InputError("state: %s needs at least one name in names (the SmartConnect names whose SPNs to %s) or "
                         "one SPN in spns" % (state, "add" if state == "present" else "remove"))
    for index, spn in enumerate(exact):
        service, host = (str(spn).split("/", 1) + [""])[:2]
        if not service or not host or any(c.isspace() for c in spn):
            raise InputError("spns[%d]: %r is not an SPN (<service>/<host>, such as HOST/data.example.com)" % (index, spn))
    wanted = union(forms_of(names or []), exact)
    if params["remove_from_partner"] and state != "present":
        raise InputError("remove_from_partner is used with state: present (it moves SPNs to this cluster)")
    return wanted


def need_credentials(params):
    if not params.get("ad_user") or not params.get("ad_password"):
        raise InputError(
            "SPNs must change but ad_user and ad_password are not set: OneFS writes SPNs to Active Directory "
            "with the credentials of an AD user allowed to modify the machine account"
        )


def write_spns(client, provider, spns, params):
    body = {"spns": spns, "user": params["ad_user"], "password": params["ad_password"]}
    client.put(client.api("auth/providers/ads", provider), body, verify=_verify(client, provider, spns))


def _verify(client, provider, spns):
    def check():
        prov = client.item(client.api("auth/providers/ads", provider), "ads")
        have = (prov or {}).get("spns") or []
        return not minus(spns, have) and not minus(have, spns)

    return check


def run(module):
    """Hold the SPN list lock of every provider touched, in one global order, then act."""
    params = module.params
    check_input(params)
    locks = [(module.client, params["provider"])]
    if params.get("partner"):
        locks.append((module.partner_client(), params.get("partner_provider") or params["provider"]))
    locks.sort(key=lambda item: (item[0].lock_key, item[1]))
    with ExitStack() as stack:
        for client, provider in locks:
            stack.enter_context(client.lock("ads/" + provider))
        return _run(module)


def _held_elsewhere(spns, dup_spns):
    """SPNs of ``spns`` that OneFS's duplicate-SPN check (dup_spns) shows on another account too."""
    return both(spns, dup_spns or [])


def _run(module):
    params = module.params
    wanted = check_input(params)
    state = params["state"]
    client = module.client
    provider = params["provider"]
    local = read_provider(client, provider, duplicates=state != "absent")
    account = local.get("machine_account")
    before = list(local.get("spns") or [])
    partner = module.partner_client() if params.get("partner") else None
    partner_name = params.get("partner_provider") or provider
    moving = state == "present" and params["remove_from_partner"]
    partner_prov = read_provider(partner, partner_name, duplicates=moving) if partner else None
    partner_before = list(partner_prov.get("spns") or []) if partner_prov else []
    partner_account = (partner_prov or {}).get("machine_account")

    added, removed, moved = [], [], []
    if state == "present":
        added = minus(wanted, before)
        held = both(wanted, partner_before)
        if held and not params["remove_from_partner"]:
            blocked = both(added, held)
            if blocked:
                raise InputError(
                    "refusing to add %s: already registered on machine account %s of %s; %s. Remove them there "
                    "first (onefs_spn state: absent on that cluster), or set remove_from_partner: true to move them"
                    % (", ".join(blocked), partner_account, partner.host, WHY)
                )
        if moving:
            moved = both(added, held)
            # Verify the receiving side can take them before anything is removed: an SPN the
            # partner holds that a third account holds too (OneFS's duplicate-SPN check) would be
            # refused here by AD, and AD would refuse to put it back on the partner as well.
            third = _held_elsewhere(moved, partner_prov.get("dup_spns"))
            if third:
                raise InputError(
                    "refusing to move %s from %s: also registered on another account of the forest (OneFS's duplicate-SPN "
                    "check of %s); AD would refuse them on %s and refuse to put them back on %s, leaving them on no "
                    "account. Remove the duplicate first ('setspn -Q <spn>' names the account); %s. Nothing was changed"
                    % (", ".join(third), partner_account, partner_account, account, partner_account, WHY)
                )
    elif state == "absent":
        removed = both(before, wanted)
    fresh = minus(added, moved)
    after = union(minus(before, removed), added)
    partner_after = minus(partner_before, moved)

    if added or removed or moved:
        need_credentials(params)
    if not module.check_mode:
        if moved:
            _move(module, client, provider, account, before, fresh, after, partner, partner_name, partner_account,
                  partner_before, partner_after, moved)
        elif added or removed:
            try:
                write_spns(client, provider, after, params)
            except OneFSError as err:
                if err.status != 409:
                    raise
                raise _refused(err, account, added) from err

    expected = union(local.get("recommended_spns"), local.get("extra_expected_spns"), wanted if state != "absent" else [])
    if state == "absent":
        expected = minus(expected, wanted)
    result = {
        "changed": bool(added or removed or moved),
        "machine_account": account,
        "spns": {"before": before, "after": after},
        "added": added,
        "removed": removed,
        "removed_from_partner": moved,
        "missing": minus(expected, after),
        "unexpected": minus(after, expected),
        "duplicates": [s for s in local.get("dup_spns") or [] if contains(after, s)],
    }
    if result["changed"] and module.module._diff:
        diff_before, diff_after = {}, {}
        if added or removed:
            diff_before[account] = before
            diff_after[account] = after
        if moved:
            diff_before[partner_account] = partner_before
            diff_after[partner_account] = partner_after
        result["diff"] = {"before": diff_before, "after": diff_after}
    return result


def _refused(err, account, spns):
    """A 409 from OneFS on an SPN write: AD refused an SPN another account holds."""
    return OneFSError(
        "refusing to add SPNs to %s: %s; %s. One of %s is registered on another account of the forest; remove it there "
        "first ('setspn -Q <spn>' names the account; at failover: from the source cluster, with onefs_spn state: absent "
        "there or remove_from_partner: true here)" % (account, err.message, WHY, ", ".join(spns)),
        status=err.status, code=err.code, field=err.field, method=err.method, url=err.url,
    )


def _move(module, client, provider, account, before, fresh, after, partner, partner_name, partner_account,
          partner_before, partner_after, moved):
    """Move ``moved`` from the partner's account to this one, adding first where AD allows it.

    1. ``fresh`` (SPNs of the names that no account we see holds) are added here first: AD takes
       them now or refuses them (another account of the forest holds one) before anything is
       removed from the partner.
    2. ``moved`` leave the partner's account (AD allows an SPN on one account only), then are
       added here.
    3. If step 2's add fails, both accounts get back exactly the SPN lists they had (the
       partner's first, its SPNs are on no account now, so AD takes them back), and the task
       fails saying so; only if that restore fails too are SPNs left on no account, and the
       failure names them (``stranded``) and the rollback to run.
    """
    params = module.params
    if fresh:
        try:
            write_spns(client, provider, union(before, fresh), params)
        except OneFSError as err:
            if err.status != 409:
                raise
            raise _refused(err, account, fresh) from err
    undo = [(client, provider, before)] if fresh else []
    left = False
    try:
        write_spns(partner, partner_name, partner_after, params)
        left = True
        undo.insert(0, (partner, partner_name, partner_before))
        write_spns(client, provider, after, params)
    except OneFSError as err:
        first = _refused(err, account, moved) if err.status == 409 else err
        restore_errors = []
        # The partner's first: its SPNs are on no account now, so AD takes them back.
        for c, name, spns in undo:
            try:
                write_spns(c, name, spns, params)
            except OneFSError as again:
                restore_errors.append("%s: %s" % (c.host, again))
        gone = moved if left else []
        if restore_errors and gone:
            module.fail(
                "%s. Restoring the SPNs failed too (%s): %s may be on no account of the forest now, Kerberos to those "
                "names fails. Run playbooks/rollback.yml for the unit (it puts them back on %s), or add them to %s by hand"
                % (first, "; ".join(restore_errors), ", ".join(gone), partner_account, partner_account),
                onefs_error=first.to_dict(), stranded=gone, machine_account=account, changed=True,
            )
        if restore_errors:
            module.fail(
                "%s. Taking back the SPNs just added to %s failed too (%s): it still holds %s; %s holds its SPNs as before"
                % (first, account, "; ".join(restore_errors), ", ".join(fresh), partner_account),
                onefs_error=first.to_dict(), stranded=[], machine_account=account, changed=True,
            )
        module.fail(
            "%s. The move was undone: %s and %s have exactly the SPNs they had before (%s stay on %s)"
            % (first, partner_account, account, ", ".join(moved), partner_account),
            onefs_error=first.to_dict(), stranded=[], machine_account=account, changed=False,
        )


def main():
    module = OneFSModule(
        argument_spec(),
        required_if=[
            ["state", "present", ["names", "spns"], True],
            ["state", "absent", ["names", "spns"], True],
            ["remove_from_partner", True, ["partner"]],
        ],
        required_together=[["ad_user", "ad_password"]],
        required_by={"partner_provider": ["partner"]},
    )
    module.run(run)


if __name__ == "__main__":
    main()

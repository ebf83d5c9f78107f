# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_smb_share_lockout: the exact PAPI and namespace exchanges (tests/unit/_calls.py) of the
lockout in check mode and for real with its journal, the unlock from the journal, the restore on
the target from the journal copy, and option combinations the argument spec refuses."""

from _calls import ANY, Call, budget_give_back, budget_take, connect

MODULE = "onefs_smb_share_lockout"
SHARES = "/platform/12/protocols/smb/shares"
JOURNAL = "/namespace/ifs/.onefs_dr/journal/System.json"
COPY = "/namespace/ifs/.onefs_dr/journal/alpha/System.json"
EVERYONE_READ = {"permission": "read", "permission_type": "allow",
                 "trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}
EVERYONE_DENY = {"permission": "full", "permission_type": "deny",
                 "trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}
CLUSTER = {"guid": "005056a1b2c3d4e5f60718293a4b5c6d7e8f", "name": "alpha"}
LOCK = {"zone": "System", "shares": ["public"], "lockout": "locked"}


def share(name, *permissions):
    return {"id": name, "name": name, "zid": 1, "path": "/ifs/home/" + name, "permissions": list(permissions)}


def listing(*shares):
    return Call("GET", SHARES).query(zone="System", limit=1000).reply({"shares": list(shares), "resume": None})


def journal(state, stamp=ANY):
    return {
        "version": 1, "zone": "System", "cluster": CLUSTER, "updated_at": stamp,
        "entries": {"public": {"original_permissions": [EVERYONE_READ], "locked_at": stamp, "state": state,
                               "had_deny": False}},
    }


def test_check_mode_reads_the_journal_and_writes_nothing(papi):
    result = papi(MODULE, LOCK, [
        *connect(),
        listing(share("public", EVERYONE_READ)),
        Call("GET", JOURNAL).error(404, "AEC_NOT_FOUND", "Path /ifs/.onefs_dr/journal/System.json not found"),
    ], check_mode=True)
    assert result["changed"] is True and result["shares"][0]["outcome"] == "changed"
    assert result["journal"]["entries"]["public"]["state"] == "locked"
    assert result["diff"]["after"] == {"shares": {"public": [EVERYONE_DENY, EVERYONE_READ]}}


def test_lockout_journals_before_it_denies(papi):
    """The journal (with state locking) is on the cluster before the deny ACE; then it says locked."""
    result = papi(MODULE, LOCK, [
        *connect(),
        listing(share("public", EVERYONE_READ)),
        Call("GET", JOURNAL).error(404, "AEC_NOT_FOUND", "Path /ifs/.onefs_dr/journal/System.json not found"),
        Call("GET", "/platform/3/cluster/config").reply(dict(CLUSTER, description="primary site")),
        Call("PUT", JOURNAL).json(journal("locking")).error(404, "AEC_NOT_FOUND", "Parent directory /ifs/.onefs_dr/journal not found"),
        Call("PUT", "/namespace/ifs/.onefs_dr").reply(None, 200),
        Call("PUT", "/namespace/ifs/.onefs_dr/journal").reply(None, 200),
        Call("PUT", JOURNAL).json(journal("locking")).reply(None, 200),
        *budget_take(),
        Call("PUT", SHARES + "/public").query(zone="System").json({"permissions": [EVERYONE_DENY, EVERYONE_READ]}).reply(),
        *budget_give_back(),
        Call("PUT", JOURNAL).json(journal("locked")).reply(None, 200),
    ])
    assert result["changed"] is True and result["journal_changed"] is True
    assert result["journal_path"] == "/ifs/.onefs_dr/journal/System.json"


def test_lockout_again_writes_nothing(papi):
    result = papi(MODULE, LOCK, [
        *connect(),
        listing(share("public", EVERYONE_DENY, EVERYONE_READ)),
        Call("GET", JOURNAL).reply(journal("locked", "2026-12-03T16:43:22Z")),
    ])
    assert result["changed"] is False and result["shares"][0]["outcome"] == "unchanged"


def test_unlock_restores_the_journalled_acl(papi):
    result = papi(MODULE, {"zone": "System", "shares": ["public"], "lockout": "unlocked"}, [
        *connect(),
        listing(share("public", EVERYONE_DENY, EVERYONE_READ)),
        Call("GET", JOURNAL).reply(journal("locked", "2026-12-03T16:43:22Z")),
        *budget_take(),
        Call("PUT", SHARES + "/public").query(zone="System").json({"permissions": [EVERYONE_READ]}).reply(),
        *budget_give_back(),
        # Read back: the journal says restored only for a share whose ACL is the original again.
        listing(share("public", EVERYONE_READ)),
        Call("PUT", JOURNAL).json(journal("restored")).reply(None, 200),
    ])
    assert result["changed"] is True and result["shares"][0]["after"] == [EVERYONE_READ]


def test_restore_on_the_target_from_the_journal_copy(papi):
    """restore_from=journal with journal_source: the copy on this cluster; every share of the journal."""
    result = papi(MODULE, {"zone": "System", "restore_from": "journal", "journal_source": "alpha"}, [
        *connect(),
        listing(share("public", EVERYONE_DENY, EVERYONE_READ)),
        Call("GET", COPY).reply(journal("locked", "2026-12-03T16:43:22Z")),
        *budget_take(),
        Call("PUT", SHARES + "/public").query(zone="System").json({"permissions": [EVERYONE_READ]}).reply(),
        *budget_give_back(),
        listing(share("public", EVERYONE_READ)),
    ])
    assert result["changed"] is True and result["journal_path"] == "/ifs/.onefs_dr/journal/alpha/System.json"
    assert [s["outcome"] for s in result["shares"]] == ["changed"]


def test_constraints_fail_before_any_call(papi):
    """Declared in the argument spec: checked before the module makes any call."""
    cases = [
        ({"lockout": "locked", "restore_from": "journal", "shares": ["public"]}, "mutually exclusive: lockout|restore_from"),
        ({"shares": ["public"]}, "one of the following is required: lockout, restore_from"),
        ({"lockout": "locked"}, "lockout is locked but any of the following are missing: shares, path"),
        ({"lockout": "unlocked", "journal_source": "alpha"}, "mutually exclusive: lockout|journal_source"),
        ({"lockout": "locked", "shares": ["public"], "path": "/ifs/home"}, "mutually exclusive: shares|path"),
    ]
    for args, words in cases:
        result = papi(MODULE, dict(args, zone="System"), [])
        assert result["failed"] is True and words in result["msg"], (args, result["msg"])

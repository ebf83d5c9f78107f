# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_smb_share_acl: the exact PAPI and namespace exchanges (tests/unit/_calls.py) of an ACE
added in check mode, applied, already there, the lockout and its journal, the unlock from the
journal, and an error envelope."""

from _calls import ANY, Call, budget_give_back, budget_take, connect

MODULE = "onefs_smb_share_acl"
SHARES = "/platform/12/protocols/smb/shares"
JOURNAL = "/namespace/ifs/.onefs_dr/journal/System.json"
EVERYONE_READ = {"permission": "read", "permission_type": "allow",
                 "trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}
EVERYONE_DENY = {"permission": "full", "permission_type": "deny",
                 "trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}
USERS_CHANGE = {"permission": "change", "permission_type": "allow", "trustee": {"id": "SID:S-1-5-21-1004-513"}}
ARGS = {"zone": "System", "shares": ["public"], "state": "present",
        "aces": [{"trustee": {"id": "SID:S-1-5-21-1004-513"}, "permission": "change"}]}
CLUSTER = {"guid": "005056a1b2c3d4e5f60718293a4b5c6d7e8f", "name": "alpha"}


def share(name, *permissions):
    return {"id": name, "name": name, "zid": 1, "path": "/ifs/home/" + name, "permissions": list(permissions)}


def listing(*shares):
    return Call("GET", SHARES).query(zone="System", limit=1000).reply({"shares": list(shares), "resume": None})


def journal(state):
    return {
        "version": 1, "zone": "System", "cluster": CLUSTER, "updated_at": ANY,
        "entries": {"public": {"original_permissions": [EVERYONE_READ], "locked_at": ANY, "state": state,
                               "had_deny": False}},
    }


def test_check_mode_lists_and_writes_nothing(papi):
    result = papi(MODULE, ARGS, [*connect(), listing(share("public", EVERYONE_READ), share("home"))], check_mode=True)
    assert result["changed"] is True and result["shares"][0]["outcome"] == "changed"
    assert result["diff"]["after"] == {"shares": {"public": [EVERYONE_READ, USERS_CHANGE]}}


def test_present_puts_the_share_acl_with_the_ace_added(papi):
    result = papi(MODULE, ARGS, [
        *connect(),
        listing(share("public", EVERYONE_READ), share("home")),
        *budget_take(),
        Call("PUT", SHARES + "/public").query(zone="System").json({"permissions": [EVERYONE_READ, USERS_CHANGE]}).reply(),
        *budget_give_back(),
    ])
    assert result["changed"] is True and result["failed_shares"] == []
    assert result["api_stats"]["share_writes"] == 1


def test_no_op_sends_no_write(papi):
    result = papi(MODULE, ARGS, [*connect(), listing(share("public", EVERYONE_READ, dict(USERS_CHANGE)))])
    assert result["changed"] is False and result["shares"][0]["outcome"] == "unchanged"


def test_lockout_journals_before_it_denies(papi):
    """The journal (with state locking) is on the cluster before the deny ACE; then it says locked."""
    result = papi(MODULE, {"zone": "System", "shares": ["public"], "lockout": "locked"}, [
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


def test_unlock_restores_the_journalled_acl(papi):
    locked = {"version": 1, "zone": "System", "cluster": CLUSTER, "updated_at": "2026-12-03T16:43:22Z",
              "entries": {"public": {"original_permissions": [EVERYONE_READ], "locked_at": "2026-12-03T16:43:22Z",
                                     "state": "locked", "had_deny": False}}}
    result = papi(MODULE, {"zone": "System", "shares": ["public"], "lockout": "unlocked"}, [
        *connect(),
        listing(share("public", EVERYONE_DENY, EVERYONE_READ)),
        Call("GET", JOURNAL).reply(locked),
        *budget_take(),
        Call("PUT", SHARES + "/public").query(zone="System").json({"permissions": [EVERYONE_READ]}).reply(),
        *budget_give_back(),
        # Read back: the journal says restored only for a share whose ACL is the original again.
        listing(share("public", EVERYONE_READ)),
        Call("PUT", JOURNAL).json(journal("restored")).reply(None, 200),
    ])
    assert result["changed"] is True and result["shares"][0]["after"] == [EVERYONE_READ]


def test_error_envelope_fails_with_the_onefs_message(papi):
    result = papi(MODULE, dict(ARGS, zone="nozone"), [
        *connect(),
        Call("GET", SHARES).query(zone="nozone", limit=1000).error(404, "AEC_NOT_FOUND", "Zone nozone not found", field="zone"),
    ])
    assert result["failed"] is True
    assert result["msg"] == "GET https://cluster.example.com:8080%s: HTTP 404 AEC_NOT_FOUND: Zone nozone not found (field: zone)" % SHARES

# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_smb_share_acl: the exact PAPI exchanges (tests/unit/_calls.py) of an ACE added in check
mode, applied, already there, bad option combinations, and an error envelope. The lockout is
onefs_smb_share_lockout's (test_calls_onefs_smb_share_lockout.py)."""

from _calls import Call, budget_give_back, budget_take, connect

MODULE = "onefs_smb_share_acl"
SHARES = "/platform/12/protocols/smb/shares"
EVERYONE_READ = {"permission": "read", "permission_type": "allow",
                 "trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}
USERS_CHANGE = {"permission": "change", "permission_type": "allow", "trustee": {"id": "SID:S-1-5-21-1004-513"}}
ARGS = {"zone": "System", "shares": ["public"], "state": "present",
        "aces": [{"trustee": {"id": "SID:S-1-5-21-1004-513"}, "permission": "change"}]}


def share(name, *permissions):
    return {"id": name, "name": name, "zid": 1, "path": "/ifs/home/" + name, "permissions": list(permissions)}


def listing(*shares):
    return Call("GET", SHARES).query(zone="System", limit=1000).reply({"shares": list(shares), "resume": None})


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


def test_constraints_fail_before_any_call(papi):
    """shares and path are mutually exclusive, one of them is required (argument spec): no call is made."""
    both = papi(MODULE, dict(ARGS, path="/ifs/home"), [])
    assert both["failed"] is True and "mutually exclusive: shares|path" in both["msg"]
    neither = papi(MODULE, {"zone": "System", "state": "present", "aces": ARGS["aces"]}, [])
    assert neither["failed"] is True and "one of the following is required: shares, path" in neither["msg"]


def test_error_envelope_fails_with_the_onefs_message(papi):
    result = papi(MODULE, dict(ARGS, zone="nozone"), [
        *connect(),
        Call("GET", SHARES).query(zone="nozone", limit=1000).error(404, "AEC_NOT_FOUND", "Zone nozone not found", field="zone"),
    ])
    assert result["failed"] is True
    assert result["msg"] == "GET https://cluster.example.com:8080%s: HTTP 404 AEC_NOT_FOUND: Zone nozone not found (field: zone)" % SHARES

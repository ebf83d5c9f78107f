# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_smb_share: the exact PAPI exchanges (tests/unit/_calls.py) of check mode, create,
update, no-op, a share-write conflict that is retried and an error envelope."""

from _calls import Call, budget_give_back, budget_take, connect

MODULE = "onefs_smb_share"
SHARES = "/platform/12/protocols/smb/shares"  # OneFS 9.5 (latest 16): handler 12
EVERYONE_READ = {"permission": "read", "permission_type": "allow", "trustee": {"id": "SID:S-1-1-0"}}
ARGS = {
    "zone": "zone01",
    "name": "finance",
    "path": "/ifs/zone01/finance",
    "description": "Finance",
    "continuously_available": True,
    "permissions": [{"trustee": {"id": "SID:S-1-1-0"}, "permission": "read"}],
}
EXISTING = {
    "id": "finance", "name": "finance", "zid": 2, "path": "/ifs/zone01/finance", "description": "Finance",
    "continuously_available": True, "oplocks": True, "browsable": True,
    "permissions": [{"permission": "read", "permission_type": "allow",
                     "trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}],
}
CREATED = {"name": "finance", "path": "/ifs/zone01/finance", "description": "Finance",
           "continuously_available": True, "permissions": [EVERYONE_READ]}


def read(answer):
    call = Call("GET", SHARES + "/finance").query(zone="zone01")
    if answer is None:
        return call.error(404, "AEC_NOT_FOUND", "SMB Share not found: finance")
    return call.reply({"shares": [answer]})


def test_check_mode_reads_and_writes_nothing(papi):
    result = papi(MODULE, ARGS, [*connect(), read(None)], check_mode=True)
    assert result["changed"] is True
    assert result["diff"] == {"before": {}, "after": CREATED}


def test_create_posts_the_share_once_and_reads_it_back(papi):
    result = papi(MODULE, ARGS, [
        *connect(),
        read(None),
        *budget_take(),  # the controller's entry on the share-write budget, used until the module ends
        Call("POST", SHARES).query(zone="zone01").json(CREATED).reply({"id": "finance"}, 201),
        read(EXISTING),
        *budget_give_back(),
    ])
    assert result["changed"] is True
    assert result["share"] == EXISTING


def test_no_op_sends_no_write(papi):
    result = papi(MODULE, ARGS, [*connect(), read(EXISTING)])
    assert result["changed"] is False and "diff" not in result
    assert result["api_stats"]["share_writes"] == 0


def test_update_puts_only_what_differs(papi):
    result = papi(MODULE, dict(ARGS, description="Finance (DR)"), [
        *connect(),
        read(EXISTING),
        *budget_take(),
        Call("PUT", SHARES + "/finance").query(zone="zone01").json({"description": "Finance (DR)"}).reply(),
        read(dict(EXISTING, description="Finance (DR)")),
        *budget_give_back(),
    ])
    assert result["changed"] is True
    assert result["diff"] == {"before": {"description": "Finance"}, "after": {"description": "Finance (DR)"}}


def test_share_write_conflict_is_retried(papi):
    """409 AEC_CONFLICT on a share write is OneFS's busy share store: the same PUT again."""
    put = Call("PUT", SHARES + "/finance").query(zone="zone01").json({"description": "Finance (DR)"})
    busy = Call("PUT", SHARES + "/finance").query(zone="zone01").json({"description": "Finance (DR)"})
    result = papi(MODULE, dict(ARGS, description="Finance (DR)"), [
        *connect(),
        read(EXISTING),
        *budget_take(),  # taken once, before the first attempt
        busy.error(409, "AEC_CONFLICT", "Conflict updating share(s): File exists"),
        put.reply(),
        read(dict(EXISTING, description="Finance (DR)")),
        *budget_give_back(),
    ])
    assert result["changed"] is True
    assert result["api_stats"]["retries"] == 1 and result["api_stats"]["conflicts_409"] == 1


def test_rename_puts_only_the_new_name(papi):
    result = papi(MODULE, {"zone": "zone01", "name": "finance", "new_name": "finance-dr-disabled"}, [
        *connect(),
        read(EXISTING),
        Call("GET", SHARES + "/finance-dr-disabled").query(zone="zone01").error(404, "AEC_NOT_FOUND", "not found"),
        *budget_take(),
        Call("PUT", SHARES + "/finance").query(zone="zone01").json({"name": "finance-dr-disabled"}).reply(),
        Call("GET", SHARES + "/finance-dr-disabled").query(zone="zone01").reply(
            {"shares": [dict(EXISTING, id="finance-dr-disabled", name="finance-dr-disabled")]}),
        *budget_give_back(),
    ])
    assert result["changed"] is True and result["renamed"] is True
    assert result["diff"] == {"before": {"name": "finance"}, "after": {"name": "finance-dr-disabled"}}


def test_error_envelope_fails_with_code_message_and_field(papi):
    result = papi(MODULE, ARGS, [
        *connect(),
        read(None),
        *budget_take(),
        Call("POST", SHARES).query(zone="zone01").json(CREATED).error(
            400, "AEC_BAD_REQUEST", "Path /ifs/zone01/finance does not exist", field="path"),
        *budget_give_back(),  # given back on the way out, also when the module fails
    ])
    assert result["failed"] is True
    assert result["msg"] == (
        "POST https://cluster.example.com:8080%s: HTTP 400 AEC_BAD_REQUEST: "
        "Path /ifs/zone01/finance does not exist (field: path)" % SHARES)
    assert result["onefs_error"]["code"] == "AEC_BAD_REQUEST" and result["onefs_error"]["field"] == "path"
    assert "hunter2" not in repr(result)


def test_bad_input_fails_before_any_request(papi):
    result = papi(MODULE, dict(ARGS, path="/data/finance"), [])
    assert result["failed"] is True and "path must be an absolute path under /ifs" in result["msg"]

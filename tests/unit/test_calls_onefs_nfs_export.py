# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_nfs_export: the exact PAPI exchanges (tests/unit/_calls.py) of check mode, create,
no-op, update, delete and an error envelope. Exports are found by their paths in the zone's list."""

from _calls import Call, connect

MODULE = "onefs_nfs_export"
EXPORTS = "/platform/4/protocols/nfs/exports"  # OneFS 9.5 (latest 16): handler 4
ARGS = {"zone": "System", "paths": ["/ifs/home/new"], "clients": ["10.1.0.0/16"], "description": "new"}
OTHER = {"id": 1, "zone": "System", "paths": ["/ifs/home"], "clients": ["10.0.0.0/8"], "description": "home over NFS"}
NEW = {"id": 5, "zone": "System", "paths": ["/ifs/home/new"], "clients": ["10.1.0.0/16"], "description": "new",
       "read_only": False, "root_clients": [], "map_root": {"enabled": True, "user": {"id": "USER:nobody"}}}


def listing(*exports):
    return Call("GET", EXPORTS).query(zone="System", limit=1000).reply({"exports": list(exports), "total": len(exports)})


def test_check_mode_lists_and_writes_nothing(papi):
    result = papi(MODULE, ARGS, [*connect(), listing(OTHER)], check_mode=True)
    assert result["changed"] is True and result["export_id"] is None
    assert result["diff"]["after"] == {"export": {"paths": ["/ifs/home/new"], "description": "new", "clients": ["10.1.0.0/16"]}}


def test_create_posts_the_export(papi):
    result = papi(MODULE, ARGS, [
        *connect(),
        listing(OTHER),
        Call("POST", EXPORTS).query(zone="System").json(
            {"paths": ["/ifs/home/new"], "description": "new", "clients": ["10.1.0.0/16"]}).reply({"id": 5}, 201),
    ])
    assert result["changed"] is True and result["export_id"] == 5


def test_no_op_sends_no_write(papi):
    result = papi(MODULE, ARGS, [*connect(), listing(OTHER, NEW)])
    assert result["changed"] is False and result["export_id"] == 5


def test_update_puts_only_what_differs_by_id(papi):
    result = papi(MODULE, dict(ARGS, description="changed"), [
        *connect(),
        listing(OTHER, NEW),
        Call("PUT", EXPORTS + "/5").query(zone="System").json({"description": "changed"}).reply(),
    ])
    assert result["changed"] is True and result["export"]["description"] == "changed"


def test_absent_deletes_by_id(papi):
    result = papi(MODULE, {"zone": "System", "paths": ["/ifs/home/new"], "state": "absent"}, [
        *connect(),
        listing(OTHER, NEW),
        Call("DELETE", EXPORTS + "/5").query(zone="System").reply(),
    ])
    assert result["changed"] is True


def test_error_envelope_fails_with_the_onefs_message(papi):
    result = papi(MODULE, ARGS, [
        *connect(),
        listing(OTHER),
        Call("POST", EXPORTS).query(zone="System").json(
            {"paths": ["/ifs/home/new"], "description": "new", "clients": ["10.1.0.0/16"]}).error(
            400, "AEC_BAD_REQUEST", "Export path /ifs/home/new does not exist", field="paths"),
    ])
    assert result["failed"] is True
    assert "HTTP 400 AEC_BAD_REQUEST: Export path /ifs/home/new does not exist (field: paths)" in result["msg"]
    assert result["onefs_error"]["status"] == 400

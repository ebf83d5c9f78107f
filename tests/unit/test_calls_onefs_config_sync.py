# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_config_sync: the exact PAPI and namespace exchanges (tests/unit/_calls.py) on both
clusters of an NFS export copied in check mode and for real, a no-op, the suspend marker and an
error envelope on the target."""

from _calls import ANY, Call, connect, login

MODULE = "onefs_config_sync"
DR = "dr.example.com"
EXPORTS = "/platform/4/protocols/nfs/exports"
ARGS = {"target": {"host": DR}, "source_zone": "finance", "source_path": "/ifs/finance", "objects": ["nfs_exports"]}
ZONE = {"id": "finance", "name": "finance", "path": "/ifs/finance", "zone_id": 2, "system": False}
REPORTS = {"id": 1, "zone": "finance", "paths": ["/ifs/finance/reports"], "clients": ["10.1.0.0/16"],
           "read_only": True, "description": ""}
COPY = {"paths": ["/ifs/finance/reports"], "clients": ["10.1.0.0/16"], "read_only": True, "description": ""}


def zones():
    return [
        Call("GET", "/platform/3/zones/finance").reply({"zones": [ZONE]}),
        *connect(host=DR),
        Call("GET", "/platform/3/zones/finance", DR).reply({"zones": [ZONE]}),
    ]


def exports(host, *items):
    return Call("GET", EXPORTS, host).query(zone="finance", limit=1000).reply({"exports": list(items), "resume": None})


def test_check_mode_reads_both_clusters_and_writes_nothing(papi):
    result = papi(MODULE, ARGS, [*connect(), *zones(), exports("cluster.example.com", REPORTS), exports(DR)],
                  check_mode=True)
    assert result["changed"] is True and result["created"] == {"nfs_exports": ["/ifs/finance/reports"]}


def test_copy_posts_the_export_on_the_target_only(papi):
    result = papi(MODULE, ARGS, [
        *connect(), *zones(),
        exports("cluster.example.com", REPORTS),
        exports(DR),
        Call("POST", EXPORTS, DR).query(zone="finance").json(COPY).reply({"id": 7}, 201),
    ])
    assert result["changed"] is True and result["errors"] == []


def test_no_op_sends_no_write(papi):
    result = papi(MODULE, ARGS, [
        *connect(), *zones(), exports("cluster.example.com", REPORTS), exports(DR, dict(REPORTS, id=7)),
    ])
    assert result["changed"] is False and result["created"] == {"nfs_exports": []}


def test_suspend_writes_the_unit_marker_in_the_namespace(papi):
    marker = "/namespace/ifs/.onefs_dr/suspend/u1.json"
    result = papi(MODULE, {"unit": "u1", "suspend": True, "suspend_reason": "failover"}, [
        login(),
        Call("GET", marker).error(404, "AEC_NOT_FOUND", "Path /ifs/.onefs_dr/suspend/u1.json not found"),
        Call("PUT", marker).json({"unit": "u1", "suspended": True, "since": ANY, "reason": "failover"}).error(
            404, "AEC_NOT_FOUND", "Parent directory /ifs/.onefs_dr/suspend not found"),
        Call("PUT", "/namespace/ifs/.onefs_dr").reply(None, 200),
        Call("PUT", "/namespace/ifs/.onefs_dr/suspend").reply(None, 200),
        Call("PUT", marker).json({"unit": "u1", "suspended": True, "since": ANY, "reason": "failover"}).reply(None, 200),
    ])
    assert result["changed"] is True and result["suspended"] is True
    assert result["diff"] == {"before": {"suspended": False}, "after": {"suspended": True}}


def test_error_envelope_on_the_target_is_reported_per_object(papi):
    """One object that fails does not stop the others: the error is in ``errors`` with its envelope."""
    result = papi(MODULE, ARGS, [
        *connect(), *zones(),
        exports("cluster.example.com", REPORTS),
        exports(DR),
        Call("POST", EXPORTS, DR).query(zone="finance").json(COPY).error(
            400, "AEC_BAD_REQUEST", "Export path /ifs/finance/reports does not exist", field="paths"),
    ])
    assert result["changed"] is False and result["created"] == {"nfs_exports": []}
    assert [(e["type"], e["name"], e["action"], e["onefs_error"]["code"], e["onefs_error"]["field"]) for e in result["errors"]] == [
        ("nfs_exports", "/ifs/finance/reports", "create", "AEC_BAD_REQUEST", "paths")]

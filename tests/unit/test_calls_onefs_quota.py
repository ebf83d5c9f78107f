# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_quota: the exact PAPI exchanges (tests/unit/_calls.py) of check mode, create, update,
no-op and an error envelope. A quota is found by listing the quotas of its path."""

from _calls import Call, connect

MODULE = "onefs_quota"
QUOTAS = "/platform/15/quota/quotas"  # OneFS 9.5 (latest 16): handler 15
ARGS = {"path": "/ifs/home", "type": "directory", "include_snapshots": False, "thresholds": {"hard": "20G"}}
QUOTA_ID = "LOHPXOX7DF2R5G2YDKAYDLINNAZMBMV7"
TEN_TIB = 10995116277760
TWENTY_GIB = 21474836480


def quota(hard):
    return {
        "id": QUOTA_ID, "type": "directory", "path": "/ifs/home", "persona": None, "container": False,
        "description": "", "enforced": True, "include_snapshots": False, "thresholds_on": "applogicalsize",
        "thresholds": {"advisory": None, "hard": hard, "percent_advisory": None, "percent_soft": None,
                       "soft": None, "soft_grace": None, "hard_exceeded": False},
    }


def listing(path, *quotas):
    return Call("GET", QUOTAS).query(path=path, limit=1000).reply({"quotas": list(quotas), "resume": None})


def test_check_mode_lists_and_writes_nothing(papi):
    result = papi(MODULE, ARGS, [*connect(), listing("/ifs/home", quota(TEN_TIB))], check_mode=True)
    assert result["changed"] is True and result["updated"][0]["id"] == QUOTA_ID
    assert result["quotas"][0]["after"]["thresholds"] == {"hard": TWENTY_GIB}


def test_update_puts_the_thresholds_by_id(papi):
    """Thresholds are replaced as a whole: the ones not given are cleared (null)."""
    result = papi(MODULE, ARGS, [
        *connect(),
        listing("/ifs/home", quota(TEN_TIB)),
        Call("PUT", QUOTAS + "/" + QUOTA_ID).json(
            {"thresholds": {"hard": TWENTY_GIB, "soft": None, "advisory": None, "soft_grace": None}}).reply(),
    ])
    assert result["changed"] is True and result["quotas"][0]["action"] == "updated"


def test_no_op_sends_no_write(papi):
    result = papi(MODULE, ARGS, [*connect(), listing("/ifs/home", quota(TWENTY_GIB))])
    assert result["changed"] is False and result["quotas"][0]["action"] == "unchanged"


def test_create_posts_the_quota(papi):
    args = dict(ARGS, path="/ifs/home/x", thresholds={"hard": "1G"})
    result = papi(MODULE, args, [
        *connect(),
        listing("/ifs/home/x"),
        Call("POST", QUOTAS).json({"type": "directory", "path": "/ifs/home/x", "include_snapshots": False,
                                   "thresholds": {"hard": 1073741824}}).reply({"id": "NEWQUOTA"}, 201),
    ])
    assert result["changed"] is True and result["created"][0]["id"] == "NEWQUOTA"


def test_error_envelope_fails_with_the_onefs_message(papi):
    args = dict(ARGS, path="/ifs/home/x", thresholds={"hard": "1G"})
    result = papi(MODULE, args, [
        *connect(),
        listing("/ifs/home/x"),
        Call("POST", QUOTAS).json({"type": "directory", "path": "/ifs/home/x", "include_snapshots": False,
                                   "thresholds": {"hard": 1073741824}}).error(
            400, "AEC_BAD_REQUEST", "Path /ifs/home/x does not exist", field="path"),
    ])
    assert result["failed"] is True
    assert "POST https://cluster.example.com:8080%s: HTTP 400 AEC_BAD_REQUEST" % QUOTAS in result["msg"]

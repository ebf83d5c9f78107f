# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_info: the exact PAPI exchanges (tests/unit/_calls.py) of a subset read, in check mode
and not (a read-only module reads the same either way), and an error envelope."""

import pytest
from _calls import Call, connect

MODULE = "onefs_info"
SYSTEM = {"id": "System", "name": "System", "path": "/ifs", "zone_id": 1, "system": True}
FINANCE = {"id": "finance", "name": "finance", "path": "/ifs/finance", "zone_id": 2, "system": False}
HOME = {"id": "d1", "name": "home_policy", "enabled": True, "action": "sync", "source_root_path": "/ifs/home",
        "target_host": "beta", "target_path": "/ifs/home", "schedule": "every 1 days at 10:00 PM"}


@pytest.mark.parametrize("check_mode", [False, True])
def test_sync_policies_read_zones_then_policies_and_change_nothing(papi, check_mode):
    result = papi(MODULE, {"gather_subset": ["sync_policies"]}, [
        *connect(),
        Call("GET", "/platform/3/zones").reply({"zones": [SYSTEM, FINANCE]}),
        Call("GET", "/platform/14/sync/policies").query(limit=1000).reply({"policies": [HOME], "resume": None}),
    ], check_mode=check_mode)
    assert result["changed"] is False
    assert [p["name"] for p in result["sync_policies"]] == ["home_policy"]


def test_smb_shares_of_one_zone_follow_resume_tokens(papi):
    public = {"id": "public", "name": "public", "path": "/ifs/home/public", "permissions": [],
              "oplocks": False, "continuously_available": True}
    home = dict(public, id="home", name="home", path="/ifs/home")
    result = papi(MODULE, {"gather_subset": ["smb_shares"], "zones": ["System"]}, [
        *connect(),
        Call("GET", "/platform/3/zones").reply({"zones": [SYSTEM, FINANCE]}),
        Call("GET", "/platform/12/protocols/smb/shares").query(zone="System", limit=1000).reply(
            {"shares": [home], "resume": "token-2"}),
        Call("GET", "/platform/12/protocols/smb/shares").query(resume="token-2").reply({"shares": [public], "resume": None}),
    ])
    assert [s["name"] for s in result["smb_shares"]] == ["home", "public"]


def test_error_envelope_fails_with_the_onefs_message(papi):
    result = papi(MODULE, {"gather_subset": ["sync_policies"]}, [
        *connect(),
        Call("GET", "/platform/3/zones").error(403, "AEC_FORBIDDEN", "Privilege ISI_PRIV_AUTH is required"),
    ])
    assert result["failed"] is True
    assert result["msg"].endswith("HTTP 403 AEC_FORBIDDEN: Privilege ISI_PRIV_AUTH is required")

# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""onefs_smartconnect_zone: the exact PAPI exchanges (tests/unit/_calls.py) of check mode, adding
an alias, no-op and an error envelope. The aliases list is written whole (OneFS replaces it)."""

from _calls import Call, connect

MODULE = "onefs_smartconnect_zone"
POOL = "/platform/16/network/groupnets/groupnet0/subnets/subnet0/pools/pool0"  # latest 16: handler 16
ARGS = {"pool": "groupnet0.subnet0.pool0", "aliases": ["x.example.com"], "aliases_state": "present"}


def pool(*aliases):
    return {"id": "groupnet0.subnet0.pool0", "name": "pool0", "groupnet": "groupnet0", "subnet": "subnet0",
            "access_zone": "System", "sc_dns_zone": "alpha.example.com", "sc_dns_zone_aliases": list(aliases)}


def read(*aliases):
    return Call("GET", POOL).reply({"pools": [pool(*aliases)]})


def test_check_mode_reads_and_writes_nothing(papi):
    result = papi(MODULE, ARGS, [*connect(), read("files.example.com")], check_mode=True)
    assert result["changed"] is True
    assert result["diff"]["after"] == {"groupnet0.subnet0.pool0": {"sc_dns_zone_aliases": ["files.example.com", "x.example.com"]}}


def test_present_puts_the_whole_alias_list(papi):
    result = papi(MODULE, ARGS, [
        *connect(),
        read("files.example.com"),
        Call("PUT", POOL).json({"sc_dns_zone_aliases": ["files.example.com", "x.example.com"]}).reply(),
    ])
    assert result["changed"] is True
    assert result["names"] == ["alpha.example.com", "files.example.com", "x.example.com"]


def test_no_op_sends_no_write(papi):
    result = papi(MODULE, ARGS, [*connect(), read("files.example.com", "x.example.com")])
    assert result["changed"] is False


def test_error_envelope_fails_with_the_onefs_message(papi):
    result = papi(MODULE, ARGS, [
        *connect(),
        read("files.example.com"),
        Call("PUT", POOL).json({"sc_dns_zone_aliases": ["files.example.com", "x.example.com"]}).error(
            409, "AEC_CONFLICT", "SmartConnect alias x.example.com is used by pool groupnet0.subnet0.pool9",
            field="sc_dns_zone_aliases"),
    ])
    assert result["failed"] is True
    assert "HTTP 409 AEC_CONFLICT: SmartConnect alias x.example.com is used" in result["msg"]

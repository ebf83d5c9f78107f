# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/placement.py: which names and addresses a target cluster answers to (issue 14 point 3)."""

import pytest

from ansible_collections.onefs.dr.plugins.filter.inventory_units import inventory_units
from ansible_collections.onefs.dr.plugins.module_utils.placement import TargetIdentity

BETA = {"name": "beta", "guid": "005056F1E2D3", "pools": [
    {"sc_dns_zone": "beta.example.com", "sc_dns_zone_aliases": ["files-dr.example.com"],
     "ranges": [{"low": "192.0.2.110", "high": "192.0.2.119"}, {"low": "2001:db8::10", "high": "2001:db8::1f"}]}],
    "subnets": [{"sc_service_name": "ssip-beta.example.com", "sc_service_addrs": [{"low": "192.0.2.6", "high": "192.0.2.6"}]}],
    "target_policies": [{"id": "abc", "source_cluster_guid": "0050AAAA"}]}


@pytest.mark.parametrize("host,what", [
    ("beta", "cluster name"), ("BETA.corp.example.", "FQDN of cluster name beta"), ("005056f1e2d3", "cluster GUID"),
    ("Files-DR.example.com", "SmartConnect alias"), ("files-dr", "short form of SmartConnect alias files-dr.example.com"),
    ("192.0.2.119", "IP pool range"), ("192.0.2.6", "SmartConnect service IP"), ("[2001:db8::1a]", "IP pool range"),
    ("ssip-beta.example.com", "SmartConnect service name"), ("dr.example.com", "connection host"),
])
def test_names_and_addresses(host, what):
    assert TargetIdentity(BETA, ["dr.example.com"]).match(host) == what


@pytest.mark.parametrize("host", ["192.0.2.120", "gamma.example.com", "", None, "2001:db8::20", "files"])
def test_other_clusters(host):
    assert TargetIdentity(BETA, ["dr.example.com"]).match(host) == ""


def test_every_policy_placed_or_reported():
    src = {"guid": "0050AAAA", "policies": [
        {"name": "a", "id": "x1", "enabled": True, "target_host": "192.0.2.115", "zone": "z1", "action": "sync"},
        {"name": "b", "id": "abc", "enabled": True, "target_host": "cname.example.net", "zone": "z2", "action": "copy"},
        {"name": "c", "id": "x3", "enabled": False, "target_host": "beta", "zone": "z3"},
        {"name": "d", "id": "x4", "enabled": True, "target_host": "gamma", "zone": "z4"},
        {"name": "e", "id": "x5", "enabled": True, "target_host": "beta", "zone": "System"},
        {"name": "a_mirror", "id": "x6", "enabled": True, "target_host": "beta", "zone": "z1"}]}
    out = inventory_units(src, BETA, {"mode": "zone"})
    assert sorted(out["units"]) == ["z1", "z2"]
    assert {u["policy"]: u["reason"].split(" (")[0] for u in out["unplaced"]} == {
        "a_mirror": "a mirror policy", "c": "disabled", "d": "target_host 'gamma' is not a name or address of beta",
        "e": "in the System zone"}
    assert [n["policy"] for n in out["notes"]] == ["b"]
    # The same target policy id from another source cluster does not count.
    src["guid"] = "0050BBBB"
    assert "z2" not in inventory_units(src, BETA, {"mode": "zone"})["units"]
    assert sorted(inventory_units(src, BETA, {"mode": "policy"})["units"]) == ["a", "e"]

# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit_plan / unit_clash filters (runbook step 2), on onefs_info-shaped data.

The orchestration tests run them through r01_unit against the simulator; these pin the rules
(which policies a unit holds, their state per direction, scopes, overlaps) case by case.
"""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.onefs.dr.plugins.filter.unit_plan import unit_clash, unit_plan

ZONES = [{"name": "System", "path": "/ifs"}, {"name": "zone01", "path": "/ifs/zone01"},
         {"name": "zone02", "path": "/ifs/zone02"}]


def policy(name, root, target=None, enabled=True, schedule="every 1 days"):
    return {"name": name, "source_root_path": root, "target_path": target or root, "enabled": enabled, "schedule": schedule}


def target_policy(name, path, state="writes_disabled"):
    return {"name": name, "target_path": path, "failover_failback_state": state}


def unit(**kw):
    u = {"mode": "zone", "direction": "failover", "uncontrolled": False, "mirror_suffix": "_mirror", "zone": "zone01",
         "from_zone": "zone01", "to_zone": "zone01", "source": "alpha", "target": "beta"}
    u.update(kw)
    return u


@pytest.fixture()
def clusters():
    src = {"zones": ZONES, "sync_policies": [
        policy("z1_data", "/ifs/zone01/data"), policy("z1_home", "/ifs/zone01/home"),
        policy("z1_data_mirror", "/ifs/zone01/data", enabled=False),  # an earlier mirror: never a base policy
        policy("z2_data", "/ifs/zone02/data"), policy("zone01x", "/ifs/zone01x/data")]}
    tgt = {"zones": ZONES, "sync_policies": [],
           "sync_target_policies": [target_policy("z1_data", "/ifs/zone01/data"),
                                    target_policy("z1_home", "/ifs/zone01/home", "writes_enabled"),
                                    target_policy("z2_data", "/ifs/zone02/data")]}
    return src, tgt


def test_zone_mode_failover(clusters):
    src, tgt = clusters
    plan = unit_plan(src, tgt, unit())
    # Sorted by name; /ifs/zone01x is not under /ifs/zone01; the mirror suffix is left out.
    assert [b["name"] for b in plan["base_policies"]] == ["z1_data", "z1_home"]
    data, home = plan["unit_policies"]
    assert data == {"base": "z1_data", "name": "z1_data", "counterpart": "z1_data_mirror",
                    "from_path": "/ifs/zone01/data", "to_path": "/ifs/zone01/data", "from_enabled": True,
                    "from_schedule": "every 1 days", "target_state": "writes_disabled", "counterpart_enabled": None,
                    "writes_on": False, "resynced": False, "action": "sync", "failback": True}
    assert home["writes_on"] is True and plan["past_ponr"] is True
    assert plan["scopes"] == [{"zone": "zone01", "path": "/ifs/zone01", "to_zone": "zone01", "to_path": "/ifs/zone01"}]
    assert plan["source_zones"] == ZONES and plan["target_zones"] == ZONES


def test_failback_runs_the_mirrors_from_the_target(clusters):
    src, tgt = clusters
    # After a failover and resync-prep: the original disabled on alpha, the mirror on beta.
    src["sync_policies"][0]["enabled"] = False
    src["sync_target_policies"] = [target_policy("z1_data_mirror", "/ifs/zone01/data", "writes_disabled")]
    tgt["sync_policies"] = [policy("z1_data_mirror", "/ifs/zone01/data")]
    plan = unit_plan(src, tgt, unit(direction="failback"))
    data = plan["unit_policies"][0]
    assert (data["name"], data["counterpart"]) == ("z1_data_mirror", "z1_data")
    assert data["from_enabled"] is True and data["target_state"] == "writes_disabled"
    assert data["counterpart_enabled"] is False and data["resynced"] is False
    # A policy the receiving side knows nothing about has an unknown state.
    assert plan["unit_policies"][1]["target_state"] == "unknown"


def test_resynced_means_policy_off_and_counterpart_on(clusters):
    src, tgt = clusters
    src["sync_policies"][0]["enabled"] = False
    tgt["sync_policies"] = [policy("z1_data_mirror", "/ifs/zone01/data", enabled=True)]
    plan = unit_plan(src, tgt, unit())
    assert plan["unit_policies"][0]["resynced"] is True and plan["unit_policies"][1]["resynced"] is False


def test_policy_mode_scopes_are_the_zones_around_the_policy_path(clusters):
    src, tgt = clusters
    plan = unit_plan(src, tgt, unit(mode="policy", policy="z2_data", zone="", from_zone="", to_zone=""))
    assert [b["name"] for b in plan["base_policies"]] == ["z2_data"]
    # /ifs (System) holds the path, zone02 holds it; zone01 does not.
    assert [s["zone"] for s in plan["scopes"]] == ["System", "zone02"]
    assert all(s["path"] == "/ifs/zone02/data" for s in plan["scopes"])


def test_uncontrolled_takes_the_targets_target_policies(clusters):
    _, tgt = clusters
    plan = unit_plan({}, tgt, unit(uncontrolled=True))
    assert [(b["name"], b["source_path"]) for b in plan["base_policies"]] == [("z1_data", ""), ("z1_home", "")]
    assert plan["source_zones"] == []


def test_nothing_read_gives_an_empty_unit():
    plan = unit_plan({}, {}, unit())
    assert plan["base_policies"] == [] and plan["unit_policies"] == [] and plan["past_ponr"] is False
    assert plan["scopes"] == [{"zone": "zone01", "path": "", "to_zone": "zone01", "to_path": ""}]


def test_a_bad_unit_is_refused():
    with pytest.raises(AnsibleFilterError, match="needs mode"):
        unit_plan({}, {}, {"direction": "failover"})
    with pytest.raises(AnsibleFilterError, match="must be a dict"):
        unit_plan({}, {}, "zone01")


def test_clash(clusters):
    src, tgt = clusters
    me = unit()
    base = unit_plan(src, tgt, me)["base_policies"]
    others = [
        {"unit": "p1", "mode": "policy", "policy": "z1_home", "source": "alpha", "target": "beta"},
        {"unit": "z1b", "mode": "zone", "zone": "zone01", "source": "alpha", "target": "beta"},
        {"unit": "sys", "mode": "zone", "zone": "System", "source": "alpha", "target": "beta"},
        {"unit": "z2", "mode": "zone", "zone": "zone02", "source": "alpha", "target": "beta"},
        {"unit": "other-pair", "mode": "policy", "policy": "z1_data", "source": "gamma", "target": "beta"},
    ]
    assert unit_clash(base, others, me, src) == [
        "policy z1_home is also unit p1",
        "zone zone01 is also unit z1b",
        "policy z1_data lies under zone System (/ifs), unit sys",
        "policy z1_home lies under zone System (/ifs), unit sys",
    ]
    assert unit_clash(base, [], me, src) == []


def test_copy_policies_fail_over_but_not_back(clusters):
    """A copy policy without allow_copy_fb fails over (no resync-prep: failback False) and is left
    out of a failback (one_way_policies); with allow_copy_fb it is a policy like any other."""
    src, tgt = clusters
    src["sync_policies"][0].update(action="copy")  # z1_data
    plan = unit_plan(src, tgt, unit())
    data, home = plan["unit_policies"]
    assert (data["action"], data["failback"], data["resynced"]) == ("copy", False, False)
    assert (home["action"], home["failback"]) == ("sync", True)
    assert plan["one_way_policies"] == []
    # Writes allowed on the target: as far as OneFS fails a copy policy over.
    tgt["sync_target_policies"][0]["failover_failback_state"] = "writes_enabled"
    assert unit_plan(src, tgt, unit())["unit_policies"][0]["resynced"] is True
    back = unit_plan(src, tgt, unit(direction="failback"))
    assert [p["name"] for p in back["unit_policies"]] == ["z1_home_mirror"]
    assert back["one_way_policies"] == [{"base": "z1_data", "name": "z1_data", "action": "copy",
                                         "target_state": "writes_enabled", "writes_on": True,
                                         "from_path": "/ifs/zone01/data", "to_path": "/ifs/zone01/data"}]
    src["sync_policies"][0].update(allow_copy_fb=True)
    back = unit_plan(src, tgt, unit(direction="failback"))
    assert [p["name"] for p in back["unit_policies"]] == ["z1_data_mirror", "z1_home_mirror"]
    assert back["unit_policies"][0]["failback"] is True and back["one_way_policies"] == []


def test_exclude_policies(clusters):
    src, tgt = clusters
    plan = unit_plan(src, tgt, unit(exclude_policies=["z1_home"]))
    assert [b["name"] for b in plan["base_policies"]] == ["z1_data"]
    assert [p["name"] for p in plan["unit_policies"]] == ["z1_data"]
    assert plan["excluded_policies"] == ["z1_home"] and plan["unit_errors"] == []
    # Wrong input is named, before any write.
    assert unit_plan(src, tgt, unit(exclude_policies=["z2_data", "nope"]))["unit_errors"] == [
        "onefs_dr_exclude_policies: z2_data, nope are not a policy of zone zone01 (its policies: z1_data, z1_home)"]
    assert unit_plan(src, tgt, unit(exclude_policies="z1_home"))["unit_errors"] == [
        "onefs_dr_exclude_policies must be a list of policy names, not 'z1_home'"]
    assert unit_plan(src, tgt, unit(mode="policy", policy="z1_home", exclude_policies=["z1_home"]))["unit_errors"] == [
        "onefs_dr_exclude_policies applies to zone units only (a policy unit is its one policy)"]
    # A policy left out of its zone unit may be a policy unit of its own.
    others = [{"unit": "z1", "mode": "zone", "zone": "zone01", "source": "alpha", "target": "beta", "exclude": ["z1_home"]}]
    me = unit(mode="policy", policy="z1_home")
    base = unit_plan(src, tgt, me)["base_policies"]
    assert unit_clash(base, others, me, src) == []
    others[0]["exclude"] = []
    assert unit_clash(base, others, me, src) == ["policy z1_home lies under zone zone01 (/ifs/zone01), unit z1"]

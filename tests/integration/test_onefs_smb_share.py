"""onefs_smb_share: create / modify / rename / delete, check mode, idempotence, bad input, oplocks risk."""

import pytest
from _smb_helpers import conn, shares, start, writes

ZONE = "zone01"


@pytest.fixture
def pair(sim_factory):
    return start(sim_factory, zones=1, shares=3)


def test_create_check_apply_again(pair, ansible):
    sim, control = pair
    args = dict(
        conn(sim, "alpha"),
        zone=ZONE,
        name="finance",
        path="/ifs/zone01/finance",
        create_path=True,
        description="Finance",
        oplocks=False,
        continuously_available=True,
        ca_timeout=300,
        access_based_enumeration=True,
        browsable=False,
        host_acl=["allow:192.0.2.0/24", "deny:ALL"],
        file_create_mask="0700",
        file_create_mode="0600",
        directory_create_mask=493,
        directory_create_mode="0o755",
        smb3_encryption_enabled=True,
        impersonate_guest="never",
        run_as_root=[{"id": "SID:S-1-5-21-1004-1101"}],
        permissions=[
            {"trustee": {"name": "AD\\zone01-users", "type": "group"}, "permission": "change"},
            {"trustee": {"id": "S-1-5-21-1004-1102"}, "permission": "full", "permission_type": "deny"},
        ],
    )
    control.reset_counters("alpha")
    check, apply, again = ansible.idempotence("onefs_smb_share", args)
    assert check["changed"] and not check.get("failed"), check
    assert apply["changed"] and not apply.get("failed"), apply
    assert not again["changed"] and not again.get("failed"), again
    # check mode and the second apply wrote nothing: the only write is the create.
    assert writes(control, "alpha") == 1
    share = shares(control, "alpha", ZONE)["finance"]
    assert share["path"] == "/ifs/zone01/finance"
    assert share["file_create_mask"] == 0o700 and share["file_create_mode"] == 0o600
    assert share["directory_create_mask"] == 0o755 and share["directory_create_mode"] == 0o755
    assert share["host_acl"] == ["allow:192.0.2.0/24", "deny:ALL"]
    assert share["oplocks"] is False and share["continuously_available"] is True and share["ca_timeout"] == 300
    # deny first, as Windows expects, whatever the given order
    assert [a["permission_type"] for a in share["permissions"]] == ["deny", "allow"]
    assert share["permissions"][0]["trustee"]["id"] == "SID:S-1-5-21-1004-1102"
    assert share["permissions"][1]["trustee"]["id"] == "SID:S-1-5-21-1004-2001"
    assert [p["id"] for p in share["run_as_root"]] == ["SID:S-1-5-21-1004-1101"]
    assert apply["oplocks_risk"] is False
    assert apply["diff"]["before"] == {} and apply["diff"]["after"]["name"] == "finance"


def test_modify_only_what_differs_and_oplocks_risk(pair, ansible):
    sim, control = pair
    name = "zone01_share001"
    before = shares(control, "alpha", ZONE)[name]
    args = dict(conn(sim, "alpha"), zone=ZONE, name=name, description="changed", host_acl=[], file_create_mask="0750")
    control.reset_counters("alpha")
    check, apply, again = ansible.idempotence("onefs_smb_share", args)
    assert check["changed"] and apply["changed"] and not again["changed"], (check, apply, again)
    assert writes(control, "alpha") == 1
    assert set(apply["diff"]["after"]) == {"description", "file_create_mask"}
    assert apply["diff"]["before"]["description"] == before["description"]
    after = shares(control, "alpha", ZONE)[name]
    assert after["description"] == "changed" and after["file_create_mask"] == 0o750
    assert after["permissions"] == before["permissions"]  # not managed, not touched
    # Generated shares have oplocks on and CA off: flagged, with a warning.
    assert again["oplocks_risk"] is True
    assert any("oplocks" in w for w in again.get("warnings", [])), again.get("warnings")


def test_rename_is_idempotent_and_refuses_collisions(pair, ansible):
    sim, control = pair
    base = conn(sim, "alpha")
    control.reset_counters("alpha")
    rename = dict(base, zone=ZONE, name="zone01_share002", new_name="zone01_share002-dr")
    collide = dict(base, zone=ZONE, name="zone01_share001", new_name="zone01_share003")
    check, apply, again, clash = ansible.tasks(
        [
            {"module": "onefs_smb_share", "args": rename, "check": True},
            {"module": "onefs_smb_share", "args": rename},
            {"module": "onefs_smb_share", "args": rename},
            {"module": "onefs_smb_share", "args": collide},
        ]
    )
    assert check["changed"] and check["renamed"], check
    assert apply["changed"] and apply["renamed"] and apply["share"]["name"] == "zone01_share002-dr", apply
    assert not again["changed"] and not again["renamed"], again
    assert clash.get("failed") and "both shares exist" in clash["msg"], clash
    assert writes(control, "alpha") == 1
    names = set(shares(control, "alpha", ZONE))
    assert "zone01_share002-dr" in names and "zone01_share002" not in names
    assert {"zone01_share001", "zone01_share003"} <= names


def test_delete(pair, ansible):
    sim, control = pair
    args = dict(conn(sim, "alpha"), zone=ZONE, name="zone01_share003", state="absent")
    control.reset_counters("alpha")
    check, apply, again = ansible.idempotence("onefs_smb_share", args)
    assert check["changed"] and apply["changed"] and not again["changed"], (check, apply, again)
    assert writes(control, "alpha") == 1
    assert "zone01_share003" not in shares(control, "alpha", ZONE)
    assert apply["diff"]["after"] == {} and apply["diff"]["before"]["name"] == "zone01_share003"


BAD_INPUT = [
    ({"name": "new1", "path": "/ifs/zone01/new1", "file_create_mask": "0899"}, "file_create_mask"),
    ({"name": "new1", "path": "/ifs/zone01/new1", "directory_create_mode": 755}, "must be quoted"),
    ({"name": "new1", "path": "/data/new1"}, "path must be an absolute path under /ifs"),
    ({"name": "new1"}, "give path to create it"),
    ({"name": "bad/name", "path": "/ifs/zone01/x"}, "not a valid SMB share name"),
    (
        {"name": "zone01_share001", "permissions": [{"trustee": {"name": "bob"}, "permission": "read"}]},
        "permissions[0].trustee needs id",
    ),
    ({"name": "zone01_share001", "new_name": "x", "state": "absent"}, "new_name is used with state=present"),
    ({"name": "zone01_share001", "impersonate_guest": "sometimes"}, "impersonate_guest"),
]


def test_bad_input_fails_before_any_write(pair, ansible):
    sim, control = pair
    control.reset_counters("alpha")
    results = ansible.tasks([{"module": "onefs_smb_share", "args": dict(conn(sim, "alpha"), zone=ZONE, **extra)} for extra, _ in BAD_INPUT])
    for (extra, words), result in zip(BAD_INPUT, results, strict=True):
        assert result.get("failed"), (extra, result)
        assert words in result["msg"], (extra, result["msg"])
    assert writes(control, "alpha") == 0

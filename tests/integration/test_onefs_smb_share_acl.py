"""onefs_smb_share_acl: ACE states, check -> apply -> again, and bad input (the lockout: test_onefs_smb_share_lockout.py)."""


from _smb_helpers import acls, conn, start, writes

ZONE = "zone01"
MODULE = "onefs_smb_share_acl"
FAULT_409 = {
    "method": "PUT",
    "path": r"^/protocols/smb/shares/",
    "status": 409,
    "code": "AEC_CONFLICT",
    "message": "Conflict updating share(s): File exists",
    "rate": 0.3,
}


def _ids(acl):
    return [(a["permission_type"], a["permission"], a["trustee"]["id"]) for a in acl]


def _outcomes(result):
    counts = {}
    for share in result["shares"]:
        counts[share["outcome"]] = counts.get(share["outcome"], 0) + 1
    return counts


def test_ace_states_check_apply_again(sim_factory, ansible):
    sim, control = start(sim_factory, zones=1, shares=3)
    base = dict(conn(sim, "alpha"), zone=ZONE)
    present = dict(
        base,
        shares=["zone01_share001", "ZONE01_SHARE002"],
        state="present",
        aces=[
            {"trustee": {"name": "AD\\user01", "type": "user"}, "permission": "read", "permission_type": "deny"},
            {"trustee": {"id": "SID:S-1-1-0"}, "permission": "change"},
        ],
    )
    absent = dict(
        base,
        path="/ifs/zone01",
        state="absent",
        aces=[{"trustee": {"id": "S-1-5-21-1004-1101"}, "permission_type": "deny"}],
    )
    exact = dict(
        base,
        shares=["zone01_share003"],
        state="exact",
        aces=[
            {"trustee": {"name": "Everyone", "type": "wellknown"}, "permission": "read"},
            {"trustee": {"name": "AD\\user02", "type": "user"}, "permission": "full", "permission_type": "deny"},
        ],
    )
    control.reset_counters("alpha")
    results = ansible.tasks(
        [{"module": MODULE, "args": args, "check": check} for args in (present,) for check in (True, False)] + [{"module": MODULE, "args": present}]
    )
    check, apply, again = results
    assert check["changed"] and _outcomes(check) == {"changed": 2}, check
    assert apply["changed"] and _outcomes(apply) == {"changed": 2} and apply["failed_shares"] == [], apply
    assert not again["changed"] and _outcomes(again) == {"unchanged": 2}, again
    assert writes(control, "alpha") == 2
    state = acls(control, "alpha", ZONE)
    for name in ("zone01_share001", "zone01_share002"):
        # the new deny goes first; Everyone's existing allow ACE gets the new permission in place
        assert _ids(state[name]) == [
            ("deny", "read", "SID:S-1-5-21-1004-1101"),
            ("allow", "change", "SID:S-1-5-21-1004-2001"),
            ("allow", "change", "SID:S-1-1-0"),
        ], state[name]
    assert set(apply["diff"]["after"]["shares"]) == {"zone01_share001", "zone01_share002"}

    control.reset_counters("alpha")
    results = ansible.tasks(
        [
            {"module": MODULE, "args": absent, "check": True},
            {"module": MODULE, "args": absent},
            {"module": MODULE, "args": absent},
            {"module": MODULE, "args": exact, "check": True},
            {"module": MODULE, "args": exact},
            {"module": MODULE, "args": exact},
        ]
    )
    a_check, a_apply, a_again, e_check, e_apply, e_again = results
    assert a_check["changed"] and a_apply["changed"] and not a_again["changed"], results[:3]
    assert _outcomes(a_apply) == {"changed": 2, "unchanged": 1}
    assert e_check["changed"] and e_apply["changed"] and not e_again["changed"], results[3:]
    assert writes(control, "alpha") == 3
    state = acls(control, "alpha", ZONE)
    assert _ids(state["zone01_share001"]) == [
        ("allow", "change", "SID:S-1-5-21-1004-2001"),
        ("allow", "change", "SID:S-1-1-0"),
    ]
    # exact: deny before allow, whatever the given order
    assert _ids(state["zone01_share003"]) == [("deny", "full", "SID:S-1-5-21-1004-1102"), ("allow", "read", "SID:S-1-1-0")]


def test_bad_input_fails_before_any_write(sim_factory, ansible):
    sim, control = start(sim_factory, zones=1, shares=2)
    base = dict(conn(sim, "alpha"), zone=ZONE)
    ace = {"trustee": {"id": "SID:S-1-1-0"}, "permission": "read"}
    cases = [
        # Declared in the argument spec.
        ({"shares": ["zone01_share001"]}, "missing required arguments: aces, state"),
        ({"shares": ["zone01_share001"], "state": "present"}, "missing required arguments: aces"),
        ({"state": "present", "aces": [ace]}, "one of the following is required: shares, path"),
        ({"shares": ["zone01_share001"], "path": "/ifs/zone01", "state": "present", "aces": [ace]}, "mutually exclusive: shares|path"),
        ({"shares": ["zone01_share001"], "state": "present", "aces": [ace], "lockout": "locked"}, "Unsupported parameters"),
        # Checked by the module, before any write.
        ({"path": "zone01", "state": "present", "aces": [ace]}, "path must be an absolute path under /ifs"),
        ({"path": "/ifs/zone01", "state": "present", "aces": [ace], "parallel": 11}, "parallel must be between 1 and"),
        (
            {"shares": ["zone01_share001"], "state": "present", "aces": [{"trustee": {"name": "x"}, "permission": "read"}]},
            "aces[0].trustee needs id",
        ),
        (
            {"shares": ["zone01_share001"], "state": "exact", "aces": [{"trustee": {"id": "S-1-1-0"}}]},
            "aces[0].permission is required",
        ),
        (
            {"shares": ["zone01_share001"], "state": "exact", "aces": [{"trustee": {"id": "bob"}, "permission": "read"}]},
            "aces[0].trustee.id",
        ),
    ]
    control.reset_counters("alpha")
    results = ansible.tasks([{"module": MODULE, "args": dict(base, **extra)} for extra, _ in cases])
    for (extra, words), result in zip(cases, results, strict=True):
        assert result.get("failed"), (extra, result)
        assert words in result["msg"], (extra, result["msg"])
    assert writes(control, "alpha") == 0

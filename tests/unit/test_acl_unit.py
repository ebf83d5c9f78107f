"""Pure unit tests of module_utils/acl.py (ACE canonical form, comparison, lockout helpers)."""

import pytest

from ansible_collections.onefs.dr.plugins.module_utils.acl import (
    LOCKOUT_ACE,
    AclError,
    TrusteeResolver,
    acl_equal,
    has_lockout,
    merge_absent,
    merge_present,
    normalize_ace,
    order_acl,
    strip_lockout,
    validate_ace,
    with_lockout,
)

GROUP = {"id": "SID:S-1-5-21-1004-2001", "name": "AD\\zone01-users", "type": "group"}
READ_ALL = {"permission": "read", "permission_type": "allow", "trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}
CHANGE_GROUP = {"permission": "change", "permission_type": "allow", "trustee": GROUP}


def test_normalize_ace_canonical_form():
    ace = normalize_ace({"permission": "FULL", "permission_type": "Deny", "trustee": {"id": "sid:s-1-1-0"}})
    assert ace == {"permission": "full", "permission_type": "deny", "trustee": {"id": "SID:S-1-1-0", "name": None, "type": None}}
    assert normalize_ace({"trustee": {"id": "S-1-5-11"}})["trustee"]["id"] == "SID:S-1-5-11"
    assert normalize_ace({"trustee": {"name": "everyone", "type": "wellknown"}})["trustee"]["id"] == "SID:S-1-1-0"
    resolver = TrusteeResolver([[CHANGE_GROUP]])
    assert normalize_ace({"trustee": {"name": "ad\\ZONE01-users", "type": "group"}}, resolver)["trustee"]["id"] == GROUP["id"]


def test_acl_equal_is_ordered_and_matches_trustees_by_id_or_name():
    by_name = {"permission": "change", "permission_type": "allow", "trustee": {"name": "AD\\Zone01-Users", "type": "group"}}
    assert acl_equal([CHANGE_GROUP, READ_ALL], [by_name, {"permission": "read", "permission_type": "allow", "trustee": {"id": "S-1-1-0"}}])
    assert not acl_equal([CHANGE_GROUP, READ_ALL], [READ_ALL, CHANGE_GROUP])
    assert not acl_equal([CHANGE_GROUP], [dict(CHANGE_GROUP, permission="full")])
    assert not acl_equal([CHANGE_GROUP], [dict(CHANGE_GROUP, trustee={"id": "SID:S-1-5-21-9"})])
    assert not acl_equal([CHANGE_GROUP], [CHANGE_GROUP, READ_ALL])


def test_lockout_helpers():
    locked = with_lockout([CHANGE_GROUP, READ_ALL])
    assert locked[0] == LOCKOUT_ACE and has_lockout(locked)
    assert with_lockout(locked) == locked  # never twice
    assert strip_lockout(locked) == [CHANGE_GROUP, READ_ALL]
    assert not has_lockout([dict(LOCKOUT_ACE, permission="read")])  # deny read is not the lockout


def test_order_and_merge():
    deny = {"permission": "full", "permission_type": "deny", "trustee": {"id": "SID:S-1-5-21-1004-1101"}}
    assert order_acl([READ_ALL, deny, CHANGE_GROUP]) == [deny, READ_ALL, CHANGE_GROUP]
    merged = merge_present([CHANGE_GROUP, READ_ALL], [deny, dict(READ_ALL, permission="change")])
    assert [(a["permission_type"], a["permission"]) for a in merged] == [("deny", "full"), ("allow", "change"), ("allow", "change")]
    assert merge_absent(merged, [{"trustee": {"id": "S-1-5-21-1004-1101"}, "permission_type": "deny"}]) == merged[1:]


@pytest.mark.parametrize(
    "ace, words",
    [
        ({"permission": "write", "trustee": {"id": "S-1-1-0"}}, "permission is 'write'"),
        ({"permission": "read", "trustee": {"name": "bob"}}, "needs id"),
        ({"permission": "read", "trustee": {"id": "bob"}}, "trustee.id"),
        ({"permission": "read", "permission_type": "maybe", "trustee": {"id": "S-1-1-0"}}, "allow or deny"),
        ({"trustee": {"id": "S-1-1-0"}}, "permission is required"),
    ],
)
def test_validate_ace_names_the_field(ace, words):
    with pytest.raises(AclError) as err:
        validate_ace(ace, "aces[3]")
    assert "aces[3]" in str(err.value) and words in str(err.value)

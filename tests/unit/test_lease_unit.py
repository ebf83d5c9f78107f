"""Lease names, directories and renewal timing (plugins/module_utils/_lease.py), and the limiter's
width (the claim of the controller's budget entry): no cluster involved."""

import pytest

from ansible_collections.onefs.dr.plugins.module_utils._lease import (
    LEASE_ROOT,
    LeaseError,
    lease_directory,
    parse_entry,
    renew_interval,
)
from ansible_collections.onefs.dr.plugins.module_utils._limiter import LimiterTimeout, ShareWriteLimiter

TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("name, expected", [
    ("unit.fin.%s.1.60.lease" % TOKEN, ("unit.fin", TOKEN, 1, 60)),
    ("unit.fin.eu.%s.1.60.lease" % TOKEN, ("unit.fin.eu", TOKEN, 1, 60)),
    ("budget.%s.10.60.lease" % TOKEN, ("budget", TOKEN, 10, 60)),
    ("%s.1.60.lease" % TOKEN, None),  # the layout before one directory per kind: ignored
    ("unit.fin.%s.1.60.lease.tmp" % TOKEN, None),
    ("unit.fin.XYZ.1.60.lease", None),
])
def test_entry_names_carry_resource_token_claim_and_ttl(name, expected):
    assert parse_entry(name) == expected


def test_one_directory_per_kind():
    assert lease_directory("unit.fin") == LEASE_ROOT + "/unit"
    assert lease_directory("unit.fin.eu") == LEASE_ROOT + "/unit"
    assert lease_directory("budget") == LEASE_ROOT + "/budget"
    assert lease_directory("unit.a/b") == LEASE_ROOT + "/unit"  # made safe as one segment first
    with pytest.raises(LeaseError):
        lease_directory("..")


@pytest.mark.parametrize("ttl", [3, 10, 30, 60, 120, 600])
def test_renewals_leave_a_retry_window_before_the_lease_runs_out(ttl):
    margin = max(1.0, ttl / 6.0)  # ClusterLease._margin: the holder counts on ttl - margin
    interval = renew_interval(ttl)
    assert interval >= 0.5
    if ttl >= 10:
        assert ttl - margin - interval >= 2.0  # retries every second fit before the end
        assert interval > ttl / 2.0  # fewer renewals than at ttl / 2
    assert interval < ttl - margin
    assert renew_interval(60) == 40.0


def test_limiter_width_keeps_the_writes_in_flight_within_the_claim(tmp_path):
    limiter = ShareWriteLimiter("c", slots=10, directory=str(tmp_path))
    limiter.width = 2
    with limiter.slot(timeout=5), limiter.slot(timeout=5):
        with pytest.raises(LimiterTimeout):
            with limiter.slot(timeout=0.2):
                pass
    limiter.width = None
    held = []
    try:
        for _ in range(10):
            cm = limiter.slot(timeout=5)
            cm.__enter__()
            held.append(cm)
    finally:
        for cm in held:
            cm.__exit__(None, None, None)
    assert len(held) == 10

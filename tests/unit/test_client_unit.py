"""Pure unit tests of the client's helpers (no network)."""

import multiprocessing
import time

import pytest

from ansible_collections.onefs.dr.plugins.module_utils._limiter import LimiterTimeout, ShareWriteLimiter
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient, OneFSError, is_subset


def test_error_renders_status_code_message_field_and_url_only():
    err = OneFSError(
        "Conflict updating share(s): File exists",
        status=409,
        code="AEC_CONFLICT",
        field="permissions",
        method="PUT",
        url="https://c1:8080/platform/12/protocols/smb/shares/a",
    )
    text = str(err)
    assert text == (
        "PUT https://c1:8080/platform/12/protocols/smb/shares/a: HTTP 409 AEC_CONFLICT: "
        "Conflict updating share(s): File exists (field: permissions)"
    )
    assert err.to_dict()["code"] == "AEC_CONFLICT"
    assert err.to_dict()["status"] == 409


@pytest.mark.parametrize(
    "latest, resource, expected",
    [
        (16, "protocols/smb/shares", 12),  # OneFS 9.5
        (21, "protocols/smb/shares/data1", 12),  # 9.10
        (22, "protocols/smb/shares", 22),  # 9.11
        (23, "protocols/smb/shares", 22),  # 9.12
        (16, "sync/policies/p1/reset", 14),
        (18, "sync/policies", 18),
        (16, "sync/target/policies", 1),
        (19, "quota/quotas", 19),
        (16, "network/pools", 16),
        (21, "network/groupnets/groupnet0/subnets/subnet0/pools", 21),
        (16, "cluster/config", 3),
        (17, "cluster/config", 17),
    ],
)
def test_version_negotiation_picks_highest_known_handler_not_above_latest(latest, resource, expected):
    client = OneFSClient("127.0.0.1", 1, "u", "p")
    client._latest = latest
    assert client.version_for(resource) == expected
    assert client.api(resource).startswith("/platform/%d/" % expected)


def test_api_quotes_names():
    client = OneFSClient("127.0.0.1", 1, "u", "p")
    client._latest = 16
    assert client.api("protocols/smb/shares", "a b/c") == "/platform/12/protocols/smb/shares/a%20b%2Fc"


def test_is_subset_matches_partial_trustee_and_ordered_lists():
    actual = {
        "permissions": [
            {"permission": "full", "permission_type": "deny", "trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}
        ],
        "oplocks": True,
    }
    assert is_subset({"permissions": [{"permission": "full", "permission_type": "deny", "trustee": {"id": "SID:S-1-1-0"}}]}, actual)
    assert not is_subset({"permissions": []}, actual)
    assert not is_subset({"oplocks": False}, actual)
    assert not is_subset({"missing": 1}, actual)


def _hold(path, slots, queue, release):
    """Take a slot, say so, and keep it until ``release`` is set (or the process is killed)."""
    limiter = ShareWriteLimiter("c", slots=slots, directory=path)
    with limiter.slot(timeout=60):
        queue.put("in")
        release.wait(120)


def _start_holders(path, slots, count):
    queue, release = multiprocessing.Queue(), multiprocessing.Event()
    procs = [multiprocessing.Process(target=_hold, args=(path, slots, queue, release)) for _ in range(count)]
    for proc in procs:
        proc.start()
    return procs, queue, release


def _slot_is_free(path, slots):
    try:
        with ShareWriteLimiter("c", slots=slots, directory=path).slot(timeout=0.05):
            return True
    except LimiterTimeout:
        return False


def test_limiter_bounds_concurrency_across_processes(tmp_path):
    """Two holders of a two-slot limiter hold at once, and then no third process gets in.

    No timing: each holder keeps its slot until released, so "both are in" and "the limiter
    is full" are states, not overlaps of sleeps (which a busy machine can pull apart)."""
    path = str(tmp_path)
    procs, queue, release = _start_holders(path, 2, 2)
    try:
        assert [queue.get(timeout=60) for _ in procs] == ["in", "in"]
        assert not _slot_is_free(path, 2), "a third process got a slot while two held both"
    finally:
        release.set()
        for proc in procs:
            proc.join(60)
    assert _slot_is_free(path, 2)


def test_limiter_slot_is_released_when_holder_dies(tmp_path):
    path = str(tmp_path)
    procs, queue, _release = _start_holders(path, 1, 1)
    assert queue.get(timeout=60) == "in"  # the child holds the only slot now
    assert not _slot_is_free(path, 1), "the slot a live process holds was given out"
    procs[0].kill()
    procs[0].join(60)
    with ShareWriteLimiter("c", slots=1, directory=path).slot(timeout=30):
        pass


def test_limiter_refuses_zero_slots(tmp_path):
    with pytest.raises(ValueError, match="share_write_limit"):
        ShareWriteLimiter("c", slots=0, directory=str(tmp_path))


def _increment(directory, path, rounds):
    from ansible_collections.onefs.dr.plugins.module_utils._limiter import resource_lock

    for _ in range(rounds):
        with resource_lock("c", "ads/AD.EXAMPLE.COM", timeout=30, directory=directory):
            with open(path) as handle:
                value = int(handle.read())
            time.sleep(0.001)
            with open(path, "w") as handle:
                handle.write(str(value + 1))


def test_resource_lock_serializes_read_modify_write_across_processes(tmp_path):
    counter = tmp_path / "counter"
    counter.write_text("0")
    procs = [
        multiprocessing.Process(target=_increment, args=(str(tmp_path), str(counter), 40)) for _ in range(4)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert counter.read_text() == "160"

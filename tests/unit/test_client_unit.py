"""Pure unit tests of the client's helpers (no network)."""

import multiprocessing
import time

import pytest

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient, OneFSError, is_subset
from ansible_collections.onefs.dr.plugins.module_utils.limiter import LimiterTimeout, ShareWriteLimiter


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


def _hold(path, slots, hold, queue):
    limiter = ShareWriteLimiter("c", slots=slots, directory=path)
    with limiter.slot(timeout=30):
        queue.put(("in", time.monotonic()))
        time.sleep(hold)
        queue.put(("out", time.monotonic()))


def test_limiter_bounds_concurrency_across_processes(tmp_path):
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_hold, args=(str(tmp_path), 2, 0.2, queue)) for _ in range(5)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
    events = sorted((queue.get() for _ in range(10)), key=lambda e: (e[1], e[0] == "in"))
    level = peak = 0
    for kind, _ in events:
        level += 1 if kind == "in" else -1
        peak = max(peak, level)
    assert peak == 2


def test_limiter_slot_is_released_when_holder_dies(tmp_path):
    proc = multiprocessing.Process(target=_hold, args=(str(tmp_path), 1, 60, multiprocessing.Queue()))
    proc.start()
    limiter = ShareWriteLimiter("c", slots=1, directory=str(tmp_path))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with limiter.slot(timeout=0.05):
                pass
        except LimiterTimeout:
            break  # the child holds it now
        time.sleep(0.05)
    proc.kill()
    proc.join()
    with limiter.slot(timeout=5):
        pass


def test_limiter_refuses_zero_slots(tmp_path):
    with pytest.raises(ValueError, match="share_write_limit"):
        ShareWriteLimiter("c", slots=0, directory=str(tmp_path))


def _increment(directory, path, rounds):
    from ansible_collections.onefs.dr.plugins.module_utils.limiter import resource_lock

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

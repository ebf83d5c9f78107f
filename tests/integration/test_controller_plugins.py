"""Controller-side plugins of the step roles: the unit_state action and the step_record filter."""

import json
import stat

import pytest

from ansible_collections.onefs.dr.plugins.filter.step_record import step_record


def test_unit_state_check_apply_apply_again(ansible, tmp_path):
    path = tmp_path / "state" / "units" / "zone01.json"
    state = {"unit": "zone01", "schedules": {"zone01_policy": "every 1 days"}}
    check, first, second = ansible.idempotence("unit_state", {"state": state, "path": str(path)})
    assert check["changed"] is True and not check.get("failed")
    assert first["changed"] is True and not first.get("failed"), first
    assert second["changed"] is False, second
    assert json.loads(path.read_text()) == state
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "zone01_policy" in first["diff"]["after"]


def test_unit_state_check_mode_writes_nothing(ansible, tmp_path):
    path = tmp_path / "units" / "zone02.json"
    result = ansible.run("unit_state", {"state": {"unit": "zone02"}, "path": str(path)}, check=True)
    assert result["changed"] is True
    assert not path.exists()


def test_unit_state_mode(ansible, tmp_path):
    """The run report is written world-readable (mode 0644); unit state files stay 0600."""
    report = tmp_path / "reports" / "run.json"
    result = ansible.run("unit_state", {"state": {"units": {}}, "path": str(report), "mode": "0644"})
    assert result["changed"] is True and (report.stat().st_mode & 0o777) == 0o644
    state = tmp_path / "units" / "zone03.json"
    ansible.run("unit_state", {"state": {"unit": "zone03"}, "path": str(state)})
    assert (state.stat().st_mode & 0o777) == 0o600


def test_unit_state_directory(ansible, tmp_path):
    """directory: true makes the state directory (0700), in check mode too; then unchanged."""
    path = tmp_path / "state" / "units"
    check = ansible.run("unit_state", {"path": str(path), "directory": True}, check=True)
    assert check["changed"] is True and path.is_dir(), check
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    again = ansible.run("unit_state", {"path": str(path), "directory": True})
    assert again["changed"] is False and not again.get("failed"), again
    assert list(path.iterdir()) == []  # the write probe is removed


def test_unit_state_directory_permissions_are_narrowed(ansible, tmp_path):
    """An existing state directory open to others is set back to 0700 (it holds ACL journals)."""
    path = tmp_path / "units"
    path.mkdir(mode=0o755)
    path.chmod(0o755)
    result = ansible.run("unit_state", {"path": str(path), "directory": True})
    assert result["changed"] is True and not result.get("failed"), result
    assert stat.S_IMODE(path.stat().st_mode) == 0o700


def test_unit_state_directory_not_writable(ansible, tmp_path):
    """A state directory under a plain file cannot be made: the error names the variable to set."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = ansible.run("unit_state", {"path": str(blocker / "units"), "directory": True})
    assert result.get("failed"), result
    assert "cannot write in the directory" in result["msg"] and "onefs_dr_state_dir" in result["msg"], result["msg"]


@pytest.mark.parametrize("args, words", [
    ({"state": "not a dict", "path": "/tmp/x.json"}, ["state must be a dict"]),
    ({"state": {}, "path": "/tmp/x", "directory": True}, ["takes no state"]),
    ({"path": "/tmp/x", "directory": "sometimes"}, ["directory must be true or false"]),
    ({"state": {}}, ["path is required"]),
    ({"state": {}, "path": "/tmp/x.json", "owner": "root"}, ["unknown option", "owner"]),
    ({"state": {}, "path": "/tmp/x.json", "mode": "rw-r--r--"}, ["mode", "octal"]),
])
def test_unit_state_bad_input(ansible, args, words):
    result = ansible.run("unit_state", args)
    assert result.get("failed"), result
    for word in words:
        assert word in result["msg"], result["msg"]


def test_step_record_sums_and_derives_the_status():
    lockout = {"results": [
        {"changed": True, "api_stats": {"api_calls": 110, "retries": 3, "conflicts_409": 3, "share_writes": 100},
         "warnings": ["share x not found"]},
        {"skipped": True},
    ]}
    other = {"changed": False, "api_stats": {"api_calls": 2, "share_write_busy": {"100.5": 0.25, "100.0": 0.5}}}
    lockout["results"][0]["api_stats"]["share_write_busy"] = {"100.5": 0.5}
    record = step_record([lockout, other], "r03_smb_lockout", 100.0, 102.5,
                         changes=["100 shares locked"], note="n")
    assert record == {
        "step": "r03_smb_lockout", "direction": "failover", "status": "changed", "duration_s": 2.5, "api_calls": 112,
        "retries": 3, "conflicts_409": 3, "share_writes": 100, "changes": ["100 shares locked"],
        "note": "n; WARNING: share x not found", "started": 100.0, "ended": 102.5,
        "share_write_busy": {"100.0": 0.5, "100.5": 0.75},
    }
    assert step_record([{"skipped": True}], "s", 0, 0)["status"] == "skipped"
    assert step_record([{"failed": True}, {"changed": True}], "s", 0, 0)["status"] == "failed"
    assert step_record([{"changed": False}], "s", 0, 0)["status"] == "ok"
    assert step_record([{"changed": True}], "s", 0, 0, status="warning")["status"] == "warning"


def test_step_record_refuses_bad_input():
    from ansible.errors import AnsibleFilterError

    with pytest.raises(AnsibleFilterError, match="list of registered results"):
        step_record({"changed": True}, "s", 0, 0)
    with pytest.raises(AnsibleFilterError, match="status must be one of"):
        step_record([], "s", 0, 0, status="done")

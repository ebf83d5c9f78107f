"""The rehearsal as code (docs/rehearsal.md): the command the example pipelines run (GitHub
Actions and GitLab CI, docs/examples/rehearsal-repo) is one and the same, and run against the
example repository's small twin it rehearses readiness -> failover -> failback and reports an
end state equal to the twin. twin_check finds what a failback did not restore."""

import copy
import json
import shlex
import shutil
import subprocess

import pytest
import yaml
from _twin_helpers import REPO, env

EXAMPLE = REPO / "docs" / "examples" / "rehearsal-repo"


def _commands(node):
    """Every shell command line of a pipeline file (GitHub `run`, GitLab `script`)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                yield from (line for line in value.splitlines() if line.strip())
            elif key in ("script", "before_script") and isinstance(value, list):
                yield from value
            else:
                yield from _commands(value)
    elif isinstance(node, list):
        for item in node:
            yield from _commands(item)


def pipeline_command():
    github = yaml.safe_load((EXAMPLE / ".github" / "workflows" / "dr-rehearsal.yml").read_text())
    gitlab = yaml.safe_load((EXAMPLE / ".gitlab-ci.yml").read_text())
    found = []
    for doc in (github, gitlab):
        found.append([c for c in _commands(doc) if "rehearse" in c.split()])
    assert all(len(f) == 1 for f in found), found
    assert found[0] == found[1], "the two pipelines must run the same rehearsal command"
    return found[0][0]


def test_pipelines_run_the_same_rehearsal_command():
    words = shlex.split(pipeline_command())
    assert words[:4] == ["make", "-C", "onefs.dr", "rehearse"]
    args = dict(w.split("=", 1) for w in words[4:])
    assert set(args) >= {"TWIN", "INVENTORY", "EXPECT", "REPORT_DIR"}
    for key in ("TWIN", "INVENTORY", "EXPECT"):
        assert (EXAMPLE / args[key].replace("$PWD/", "")).exists(), args[key]


def test_pipeline_rehearsal_on_the_example_twin(tmp_path):
    team = tmp_path / "dr-repo"
    shutil.copytree(EXAMPLE, team)
    (team / "onefs.dr").symlink_to(REPO)
    full = env(tmp_path)
    for key in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "ANSIBLE_COLLECTIONS_PATH"):
        full.pop(key, None)
    proc = subprocess.run(["bash", "-c", pipeline_command()], cwd=str(team), env=full, capture_output=True,
                          text=True, timeout=1500)
    report_dir = team / "rehearsal-report"
    logs = "".join((report_dir / n).read_text()[-3000:] for n in ("readiness.log", "failover.log", "failback.log",
                                                                  "rehearse.log") if (report_dir / n).exists())
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:] + logs
    report = json.loads((report_dir / "rehearsal.json").read_text())
    assert report["as_expected"] is True and report["mismatches"] == []
    assert [(p["name"], p["rc"]) for p in report["phases"]] == [("readiness", 0), ("failover", 0), ("failback", 0)]
    assert all(p["report"] for p in report["phases"])
    assert report["check"]["ok"] is True
    assert report["check"]["checked"]["shares"] == 6 and report["check"]["checked"]["policies"] == 1
    # The failover really happened on the twin: the failover report names the unit as failed over.
    with open(report["phases"][1]["report"]) as handle:
        failover = json.load(handle)
    assert "projects" in json.dumps(failover)
    end = json.loads((report_dir / "end-state.json").read_text())
    assert any(p["name"] == "projects_policy_mirror" for p in end["clusters"]["beta"]["policies"])


def _twin():
    return json.loads((EXAMPLE / "twin" / "pair.json").read_text())


@pytest.mark.parametrize("change, expected", [
    (lambda s: s["clusters"]["alpha"]["shares"][0]["permissions"].append(
        {"permission": "full", "permission_type": "deny", "trustee": {"id": "SID:S-1-1-0", "name": "Everyone",
                                                                       "type": "wellknown"}}),
     "alpha: share projects/projects001: permissions is"),
    (lambda s: s["clusters"]["alpha"]["policies"][0].update(enabled=False),
     "alpha: policy projects_policy: enabled is False, was True"),
    (lambda s: s["clusters"]["beta"]["target_policies"][0].update(failover_failback_state="writes_enabled"),
     "beta: target policy projects_policy: failover_failback_state is 'writes_enabled', was 'writes_disabled'"),
    (lambda s: s["clusters"]["alpha"]["groupnets"][0]["subnets"][0]["pools"][1].update(sc_dns_zone="x.example.com"),
     "alpha: pool pool-projects: sc_dns_zone is 'x.example.com'"),
    (lambda s: s["ad"]["machine_accounts"]["ALPHA$"]["spns"].pop(), "AD: ALPHA$ no longer holds SPN"),
    (lambda s: s["clusters"]["beta"]["shares"].pop(), "beta: share projects/projects003 is gone"),
])
def test_twin_check_finds_what_was_not_restored(change, expected):
    from ansible_collections.onefs.dr.plugins.filter.twin_scenario import twin_check

    twin = _twin()
    assert twin_check(copy.deepcopy(twin), twin) == {"ok": True, "checked": twin_check(twin, twin)["checked"],
                                                      "differences": []}
    end = copy.deepcopy(twin)
    change(end)
    result = twin_check(end, twin)
    assert result["ok"] is False
    assert any(d.startswith(expected) for d in result["differences"]), result["differences"]

"""Progress a person can watch: the onefs.dr.onefs_progress callback shows the modules' progress
while they run (a bulk share lockout, a wait for a SyncIQ job), with the default stdout callback
and under ansible-runner; the step roles' SyncIQ waits print what they wait for instead of
FAILED - RETRYING."""

import re
import subprocess
import sys
from pathlib import Path

import yaml
from _awx_helpers import REPO, runner_job  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from _smb_helpers import conn, start  # noqa: E402

# The lockout says what its writes do ("shares locked"); other bulk writers "share writes".
SHARES_LINE = re.compile(r"^\S+: (\d+)/(\d+) (?:shares locked|shares restored|share writes), (\d+) x 409, (\d+) s$", re.M)
JOB_LINE = re.compile(r"^\S+: waiting for (?:job \S+|the sync job) of policy (\S+) \((\d+) s\)$", re.M)


def _play(tmp_path, tasks):
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "tasks": [dict({"name": "task %d" % i}, **t) for i, t in enumerate(tasks)]}]
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return path


def _env(collections_root, tmp_path, **extra):
    import os

    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(collections_root),
        "ANSIBLE_CALLBACKS_ENABLED": "onefs.dr.onefs_progress",
        "ONEFS_DR_PROGRESS_INTERVAL": "1",
        "ONEFS_DR_STATE_DIR": str(tmp_path / "state"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
    })
    env.update(extra)
    return env


def _lockout_task(sim, shares):
    return {"onefs.dr.onefs_smb_share_lockout": dict(conn(sim, "alpha"), zone="zone01", path="/ifs/zone01",
                                                      lockout="locked", parallel=10),
            "register": "locked"}


def test_share_lockout_and_synciq_wait_show_progress_in_a_terminal(sim_factory, collections_root, tmp_path):
    # 200 shares at 25 ms each (OneFS applies share writes one at a time): about 5 s of writes.
    sim, control = start(sim_factory, zones=1, shares=200, share_write_service_ms=25, job_seconds=4)
    policy = control.state("alpha")["policies"][0]["name"]
    tasks = [
        _lockout_task(sim, 200),
        {"onefs.dr.onefs_synciq_job": dict(conn(sim, "alpha"), name=policy, job="run", poll_interval=1,
                                           job_report=False)},
    ]
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,",
                           str(_play(tmp_path, tasks))], env=_env(collections_root, tmp_path),
                          capture_output=True, text=True, timeout=600, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    lines = SHARES_LINE.findall(proc.stdout)
    assert lines, proc.stdout[-3000:]
    assert all(int(total) == 200 and int(done) <= 200 for done, total, _c, _s in lines), lines
    assert any(0 < int(done) < 200 for done, _t, _c, _s in lines), lines  # seen while it ran
    jobs = JOB_LINE.findall(proc.stdout)
    assert jobs and all(name == policy for name, _s in jobs), proc.stdout[-3000:]
    # Nothing is left behind once the operations ended.
    assert list((tmp_path / "state" / "progress").glob("*.json")) == []


def test_progress_reaches_ansible_runner_job_output(sim_factory, collections_root, tmp_path):
    import ansible_runner

    sim, _control = start(sim_factory, zones=1, shares=200, share_write_service_ms=25)
    pdd = tmp_path / "pdd"
    pdd.mkdir()
    env = _env(collections_root, tmp_path)
    job = ansible_runner.run(private_data_dir=str(pdd), playbook=str(_play(tmp_path, [_lockout_task(sim, 200)])),
                             inventory="localhost,", envvars={k: env[k] for k in (
                                 "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_CALLBACKS_ENABLED", "ONEFS_DR_PROGRESS_INTERVAL",
                                 "ONEFS_DR_STATE_DIR", "ANSIBLE_PYTHON_INTERPRETER", "ANSIBLE_LOCALHOST_WARNING", "PATH")},
                             quiet=True, timeout=600)
    assert job.status == "successful", job.stdout.read()[-4000:]
    stdout = job.stdout.read()
    assert SHARES_LINE.search(stdout), stdout[-3000:]
    # AWX shows a job's output from its events: the lines are in them too.
    assert any(SHARES_LINE.search(e.get("stdout", "")) for e in job.events)

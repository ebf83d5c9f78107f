"""Helpers of the SMB share / ACL / lockout tests (simulator state, journal reads, killable runs)."""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from support import Control, connection, kill_run

from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient, OneFSError

EVERYONE = {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}
LOCKOUT = {"permission": "full", "permission_type": "deny", "trustee": EVERYONE}


def scenario(zones=1, shares=10):
    """A generated DR pair alpha -> beta, ``shares`` shares per zone on both clusters."""
    return {"generate": {"zones": zones, "shares_per_zone": shares}}


def start(sim_factory, zones=1, shares=10, **options):
    options.setdefault("share_write_service_ms", 1)
    options.setdefault("job_seconds", 0.2)
    sim = sim_factory(scenario(zones, shares), **options)
    return sim, Control(sim.control_url)


def acls(control, cluster, zone):
    """{share name: permissions} as the simulator holds them."""
    return {s["name"]: s["permissions"] for s in control.state(cluster)["shares"].get(zone, [])}


def shares(control, cluster, zone):
    return {s["name"]: s for s in control.state(cluster)["shares"].get(zone, [])}


def writes(control, cluster):
    return control.counters(cluster)["writes"]


def client(cluster):
    return OneFSClient(
        cluster.host,
        port=cluster.port,
        username=cluster.username,
        password=cluster.password,
        ca_path=cluster.ca,
        validate_certs=bool(cluster.ca),
        limiter_dir=tempfile.mkdtemp(prefix="limiter-"),
    )


def read_file(cluster, ifs_path):
    """A namespace file of a simulator cluster, parsed as JSON (None when absent)."""
    with client(cluster) as api:
        try:
            resp = api.request("GET", "/namespace" + ifs_path, raw=True)
        except OneFSError as err:
            if err.status == 404:
                return None
            raise
        return json.loads(resp.content.decode("utf-8"))


def journal(cluster, zone, source=None):
    path = "/ifs/.onefs_dr/journal/%s%s.json" % (source + "/" if source else "", zone)
    return read_file(cluster, path)


def conn(sim, name, **extra):
    return connection(sim.clusters[name], **extra)


def write_playbook(ansible, tasks):
    """A playbook file running ``tasks`` ([{module, args}]) on localhost; returns its path."""
    out = Path(tempfile.mkdtemp(prefix="play-", dir=str(ansible.workdir)))
    play = [
        {
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "tasks": [{"name": "task %d" % i, "onefs.dr." + t["module"]: t["args"]} for i, t in enumerate(tasks)],
        }
    ]
    path = out / "play.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return path


def popen_playbook(ansible, tasks, env=None):
    """Start ansible-playbook in a session of its own (kill_run then takes its workers and modules too)."""
    path = write_playbook(ansible, tasks)
    # Output goes to a file, never a pipe nobody reads while the run goes on (a full pipe
    # would block ansible-playbook and the kill would land on a stalled run).
    log = open(path.with_suffix(".log"), "wb")  # noqa: SIM115 - closed by kill_after_share_writes
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(path)],
        env=ansible.base_env(env),
        cwd=str(ansible.workdir),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proc.log_path = log.name
    proc.log_file = log
    return proc


def _kill(proc):
    kill_run(proc)
    proc.log_file.close()


def kill_after_share_writes(proc, control, cluster, count, timeout=120):
    """SIGKILL ``proc`` and every process it started once the cluster has seen ``count`` share writes.

    Returns the share-write counter read just before the kill (the kill lands within a few ms),
    after checking that nothing of the killed run writes any more (a crash, not a detach)."""
    deadline = time.monotonic() + timeout
    try:
        while True:
            seen = control.counters(cluster)["share_writes"]
            if seen >= count:
                break
            if proc.poll() is not None:
                out = Path(proc.log_path).read_text(errors="replace")
                raise AssertionError("the run ended after %d share writes, before %d:\n%s" % (seen, count, out[-3000:]))
            if time.monotonic() >= deadline:
                raise AssertionError("never reached %d share writes" % count)
            time.sleep(0.003)
    finally:
        # Whatever happened above, the run never outlives the test.
        _kill(proc)
    after = control.counters(cluster)["share_writes"]
    time.sleep(0.3)
    assert control.counters(cluster)["share_writes"] == after, "the killed run went on writing after the kill"
    return seen

"""Many concurrent keep-alive clients (as parallel Ansible forks) without leaking threads, and
`onefs-sim serve --state-dir` restarts (clean and killed) that keep every piece of state."""
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

from sim_helpers import Control, Papi

from onefs_sim import Simulator

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", "..", "simulator"))


def _handler_threads():
    return [t for t in threading.enumerate() if "process_request" in t.name]


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_parallel_forks_keepalive_no_thread_leak():
    sim = Simulator.from_scenario("demo").start()
    try:
        ep = sim.clusters["alpha"]
        server = ep.server
        baseline = len(_handler_threads())
        args = [ep.host, str(ep.port), ep.ca, ep.username, ep.password]
        procs = [subprocess.Popen([sys.executable, os.path.join(HERE, "load_client.py")] + args + ["200", "15"],
                                  stdout=subprocess.PIPE, text=True) for _ in range(10)]
        # A fork that dies with connections open (SIGKILL): the server must not keep their threads.
        hog = subprocess.Popen([sys.executable, "-c", (
            "import http.client, ssl, sys, time\n"
            "ctx = ssl.create_default_context(cafile=sys.argv[3])\n"
            "conns = []\n"
            "for _ in range(20):\n"
            "    c = http.client.HTTPSConnection(sys.argv[1], int(sys.argv[2]), context=ctx)\n"
            "    c.request('GET', '/platform/latest'); c.getresponse().read(); conns.append(c)\n"
            "print('ready', flush=True)\n"
            "time.sleep(60)\n"), ep.host, str(ep.port), ep.ca], stdout=subprocess.PIPE, text=True)
        assert hog.stdout.readline().strip() == "ready"
        assert len(server.conns) >= 20  # 20 idle keep-alive connections held open, one thread each
        hog.send_signal(signal.SIGKILL)
        hog.wait(timeout=10)

        results = []
        for p in procs:
            out, _ = p.communicate(timeout=120)
            assert p.returncode == 0
            results.append(json.loads(out))
        total = sum(r["requests"] for r in results)
        assert total == 10 * (200 + 15 * 8)
        for r in results:
            assert set(r["statuses"]) <= {"200", "201", "204"}, r["statuses"]
        counters = Control(sim.control_url).call("GET", "/sim/v1/clusters/alpha/counters")[1]
        assert counters["requests"] == total + 20
        assert counters["by_endpoint"]["POST /session/1/session"] == 150
        assert counters["by_endpoint"]["DELETE /session/1/session"] == 150
        # Every connection is closed: handler threads, tracked sockets and sessions are gone.
        assert _wait_for(lambda: len(_handler_threads()) <= baseline), [t.name for t in _handler_threads()]
        assert _wait_for(lambda: not server.conns)
        assert ep.cluster.sessions == {}
    finally:
        sim.stop()


# ---- serve --state-dir ----------------------------------------------------------------------------
class _Ep:
    def __init__(self, info):
        self.host, self.port, self.ca = info["host"], info["port"], info["ca"]
        self.username, self.password = info["username"], info["password"]


def _serve(state_dir, *extra):
    exe = shutil.which("onefs-sim")
    cmd = [exe] if exe else [sys.executable, "-m", "onefs_sim.cli"]
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen(cmd + ["serve", "--scenario", "demo", "--state-dir", state_dir, "--job-seconds", "0.05"]
                            + list(extra), stdout=subprocess.PIPE, env=env, text=True)
    ready = json.loads(proc.stdout.readline())
    return proc, ready


def _dumps(control):
    out = {}
    for name in ("alpha", "beta"):
        status, dump = control.call("GET", "/sim/v1/clusters/%s/state" % name)
        assert status == 200
        out[name] = dump
    return out


def _wait_jobs_done(control):
    assert _wait_for(lambda: not any(d["jobs"] for d in _dumps(control).values()))


def _change_everything(alpha, beta, control):
    """One write of (nearly) every kind the simulator stores."""
    acl = [{"permission": "change", "permission_type": "allow", "trustee": {"name": "AD\\alice", "type": "user"}}]
    assert alpha.post("/platform/12/protocols/smb/shares?zone=finance",
                      {"name": "persisted", "path": "/ifs/finance/persisted", "permissions": acl,
                       "create_path": True})[0] == 201
    assert alpha.put("/platform/12/protocols/smb/shares/home", {"oplocks": False, "name": "home2"}) == (204, None)
    assert alpha.post("/platform/3/zones", {"name": "newzone", "path": "/ifs/newzone", "create_path": True})[0] == 201
    assert alpha.request("PUT", "/namespace/ifs/eng/p", headers={"x-isi-ifs-target-type": "container"})[0] == 200
    assert alpha.post("/platform/4/protocols/nfs/exports?zone=eng", {"paths": ["/ifs/eng/p"], "clients": ["1.2.3.4"]})[
        0] == 201
    assert alpha.post("/platform/15/protocols/nfs/aliases?zone=eng", {"name": "/p", "path": "/ifs/eng/p"})[0] == 201
    assert alpha.post("/platform/15/quota/quotas", {"type": "directory", "path": "/ifs/eng/p", "include_snapshots": False,
                                                    "thresholds": {"hard": 1000, "percent_soft": 50}})[0] == 201
    assert alpha.put("/platform/21/network/groupnets/groupnet0/subnets/subnet0/pools/pool-eng",
                     {"sc_dns_zone_aliases": ["p.example.com"], "nfs_rroce_only": True}) == (204, None)
    spns = alpha.get("/platform/14/auth/providers/ads/AD.EXAMPLE.COM")[1]["ads"][0]["spns"] + ["HOST/p.example.com"]
    assert alpha.put("/platform/14/auth/providers/ads/AD.EXAMPLE.COM",
                     {"spns": spns, "user": "administrator", "password": "AdPass1!"}) == (204, None)
    assert alpha.post("/platform/3/snapshot/schedules", {"name": "p", "path": "/ifs/eng/p", "pattern": "p_%Y",
                                                         "schedule": "every day at 1:00 AM"})[0] == 201
    assert alpha.put("/platform/1/dedupe/settings", {"paths": ["/ifs/eng/p"]}) == (204, None)
    assert alpha.put("/platform/17/protocols/smb/settings/global", {"service": False}) == (204, None)
    assert alpha.put("/platform/5/cluster/identity", {"description": "persisted"}) == (204, None)
    assert alpha.request("PUT", "/namespace/ifs/.onefs_dr", headers={"x-isi-ifs-target-type": "container"})[0] == 200
    assert alpha.request("PUT", "/namespace/ifs/.onefs_dr/j.json", b"{}",
                         headers={"x-isi-ifs-target-type": "object"})[0] == 200
    assert control.call("POST", "/sim/v1/data/write", {"cluster": "alpha", "path": "/ifs/finance"})[0] == 200
    assert alpha.post("/platform/18/sync/policies", {"name": "p_pol", "action": "sync", "source_root_path": "/ifs/eng/p",
                                                     "target_host": "beta", "target_path": "/ifs/eng/p"})[0] == 201
    assert alpha.post("/platform/20/sync/jobs", {"id": "p_pol"})[0] == 201
    assert alpha.post("/platform/20/sync/jobs", {"id": "finance_policy"})[0] == 201
    _wait_jobs_done(control)
    assert beta.post("/platform/20/sync/jobs", {"id": "finance_policy", "action": "allow_write"})[0] == 201
    _wait_jobs_done(control)


def test_serve_state_dir_restart_keeps_everything(tmp_path):
    state_dir = str(tmp_path / "state")
    proc, ready = _serve(state_dir)
    try:
        control = Control(ready["control"])
        alpha, beta = Papi(_Ep(ready["clusters"]["alpha"])), Papi(_Ep(ready["clusters"]["beta"]))
        _change_everything(alpha, beta, control)
        before = _dumps(control)
        assert before["beta"]["target_policies"] and any(
            tp["failover_failback_state"] == "writes_enabled" for tp in before["beta"]["target_policies"])
        alpha.close()
        beta.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0

    proc, ready2 = _serve(state_dir)
    try:
        # Same ports and the same CA file: clients keep working without reconfiguration.
        for name in ("alpha", "beta"):
            for key in ("url", "ca", "port"):
                assert ready2["clusters"][name][key] == ready["clusters"][name][key]
        control = Control(ready2["control"])
        after = _dumps(control)
        assert after == before
        alpha = Papi(_Ep(ready2["clusters"]["alpha"]))
        assert alpha.get("/platform/12/protocols/smb/shares/persisted?zone=finance")[0] == 200
        # Work continues where it stopped: a new job runs on the restored policies.
        assert alpha.post("/platform/20/sync/jobs", {"id": "p_pol"})[0] == 201
        _wait_jobs_done(control)
        reports = alpha.get("/platform/20/sync/reports?policy_name=p_pol")[1]["reports"]
        assert [r["state"] for r in reports] == ["finished", "finished"]
        alpha.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


def _wait_saved(state_dir, ready, timeout=120):
    """Wait until the debounced save has written what ``ready(state)`` looks for (a state on
    disk, not a guess at how long the save takes on a busy machine)."""
    path = os.path.join(state_dir, "state.json")
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(path) as handle:
                if ready(json.load(handle)):
                    return
        except (OSError, ValueError, KeyError):
            pass
        assert time.monotonic() < deadline, "the simulator never saved the expected state to %s" % path
        time.sleep(0.02)


def test_serve_state_dir_survives_kill_and_resumes_running_job(tmp_path):
    state_dir = str(tmp_path / "state")
    proc, ready = _serve(state_dir)
    try:
        control = Control(ready["control"])
        alpha = Papi(_Ep(ready["clusters"]["alpha"]))
        assert alpha.post("/platform/12/protocols/smb/shares?zone=eng",
                          {"name": "killed", "path": "/ifs/eng/killed", "create_path": True})[0] == 201
        # A job that is still running when the process dies, and after the restart: an hour of
        # simulated time, however slow the machine (it is let go below).
        control.call("PUT", "/sim/v1/clusters/alpha/settings", {"job_seconds": 3600})
        assert alpha.post("/platform/20/sync/jobs", {"id": "home_policy"})[0] == 201
        alpha.close()
        _wait_saved(state_dir, lambda s: "killed" in s["clusters"]["alpha"]["shares"]["eng"] and s["clusters"]["alpha"]["jobs"])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=15)

    proc, ready = _serve(state_dir)
    try:
        control = Control(ready["control"])
        alpha = Papi(_Ep(ready["clusters"]["alpha"]))
        assert alpha.get("/platform/12/protocols/smb/shares/killed?zone=eng")[0] == 200
        jobs = alpha.get("/platform/20/sync/jobs")[1]["jobs"]
        assert [j["policy_name"] for j in jobs] == ["home_policy"] and jobs[0]["state"] == "running"
        control.call("PUT", "/sim/v1/clusters/alpha/settings", {"job_seconds": 0.2})  # the job ends now
        _wait_jobs_done(control)
        policy = alpha.get("/platform/18/sync/policies/home_policy")[1]["policies"][0]
        assert policy["last_job_state"] == "finished"
        alpha.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0

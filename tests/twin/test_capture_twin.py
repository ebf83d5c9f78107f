"""playbooks/capture_twin.yml: a simulated pair captured through onefs_info, served again by a
second simulator, gives the same state (but for the documented differences); the capture holds
no secret; anonymized names are consistent; the twin's job history sets its jobs' durations."""

import json
import re
import ssl
import time
import urllib.request

import pytest
import yaml
from _twin_helpers import capture, differences

from onefs_sim import Simulator
from onefs_sim.control_client import Control

SECRETS = ("Password123!", "Audit123!", "AdPass1!")


@pytest.fixture(scope="module")
def demo_pair(tmp_path_factory):
    """The demo pair with SyncIQ history (two finished jobs of home_policy), captured twice:
    plain and anonymized (one simulator, one module: the captures share it)."""
    tmp = tmp_path_factory.mktemp("demo_twin")
    sim = Simulator.from_scenario("demo", share_write_service_ms=2, job_seconds=0.05)
    sim.start()
    try:
        alpha = sim.clusters["alpha"]
        ctx = ssl.create_default_context(cafile=alpha.ca)
        for _ in range(2):
            _papi(alpha, ctx, "POST", "/platform/14/sync/jobs", {"id": "home_policy"})
            _wait_idle(Control(sim.control_url), "alpha")
        plain = capture(sim, tmp, tmp / "twin.yaml")
        anon = capture(sim, tmp, tmp / "anon.yaml", "-e", "onefs_dr_twin_anonymize=true",
                       "-e", "onefs_dr_twin_anonymize_key=team-secret")
        control = Control(sim.control_url)
        yield {"sim": sim, "plain": plain, "anon": anon, "tmp": tmp,
               "state": {c: control.state(c) for c in ("alpha", "beta")}}
    finally:
        sim.stop()


def _papi(cluster, ctx, method, path, body=None):
    import base64
    req = urllib.request.Request(cluster.url + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    token = base64.b64encode(("%s:%s" % (cluster.username, cluster.password)).encode()).decode()
    req.add_header("Authorization", "Basic " + token)
    with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


def _wait_idle(control, cluster, timeout=60):
    deadline = time.monotonic() + timeout
    while control.state(cluster)["jobs"]:
        assert time.monotonic() < deadline, "SyncIQ job still running"
        time.sleep(0.05)


def _strings(value, key=None):
    if isinstance(value, dict):
        for k, v in value.items():
            if key == "machine_accounts" or k in ("clusters",):
                pass
            yield from _strings(v, k)
        if key in ("clusters", "machine_accounts"):
            yield from value.keys()
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, str):
        yield value


def _served_state(path):
    with Simulator.from_scenario(str(path), tls=False) as twin:
        control = Control(twin.control_url)
        return {c: control.state(c) for c in twin.clusters}


def test_demo_twin_serves_the_same_state(demo_pair):
    proc = demo_pair["plain"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    twin_file = demo_pair["tmp"] / "twin.yaml"
    twin = yaml.safe_load(twin_file.read_text())
    assert sorted(twin["clusters"]) == ["alpha", "beta"]
    assert [r["policy_name"] for r in twin["clusters"]["alpha"]["reports"]] == ["home_policy", "home_policy"]
    served = _served_state(twin_file)
    for name in ("alpha", "beta"):
        assert differences(demo_pair["state"][name], served[name]) == [], name
    # Every share, policy and report of the original is there (the comparison saw them).
    assert len(served["alpha"]["reports"]) == 2
    assert sum(len(v) for v in served["alpha"]["shares"].values()) == 20


def test_capture_holds_no_secret(demo_pair):
    for name in ("twin.yaml", "anon.yaml"):
        text = (demo_pair["tmp"] / name).read_text()
        for secret in SECRETS:
            assert secret not in text, (name, secret)
        assert not re.search(r"isisessid|isicsrf|\bpassword\s*:", text), name
    for proc in (demo_pair["plain"], demo_pair["anon"]):
        for secret in SECRETS:
            assert secret not in proc.stdout + proc.stderr


def test_anonymized_twin_is_consistent(demo_pair):
    proc = demo_pair["anon"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = (demo_pair["tmp"] / "anon.yaml").read_text()
    twin = yaml.safe_load(text)
    values = " ".join(_strings(twin)).lower()  # every value and mapping key below clusters/ad
    for word in ("alpha", "beta", "finance", "audit", "alice", "example", "home_policy", "eng-users", "scratch"):
        assert word not in values, word
    assert twin["anonymized"] is True
    (src, src_spec), = [(n, c) for n, c in twin["clusters"].items() if c["policies"]]
    zones = {z["name"]: z["path"] for z in src_spec["zones"]}
    # A zone's name and the path component naming it get the same pseudonym.
    named = [n for n in zones if n != "System"]
    assert len(named) == 2 and all(zones[n] == "/ifs/" + n for n in named)
    # SPNs are built from the same pseudonyms as the pools' SmartConnect names.
    sc_names = {p["sc_dns_zone"].lower() for g in src_spec["groupnets"] for s in g["subnets"] for p in s["pools"]}
    spns = {s.split("/", 1)[1].lower() for a in twin["ad"]["machine_accounts"].values() for s in a["spns"]}
    assert sc_names & spns
    # The anonymized twin serves: same counts, same policies' states.
    served = _served_state(demo_pair["tmp"] / "anon.yaml")
    assert sum(len(v) for v in served[src]["shares"].values()) == 20
    assert sorted(p["enabled"] for p in served[src]["policies"]) == sorted(
        p["enabled"] for p in demo_pair["state"]["alpha"]["policies"])
    assert served[src]["reports"][0]["id"].endswith(served[src]["reports"][0]["policy_name"])


def test_scale_twin_serves_the_same_state(tmp_path):
    sim = Simulator.from_scenario("scale", share_write_service_ms=2, job_seconds=0.05)
    sim.start()
    try:
        control = Control(sim.control_url)
        original = {c: control.state(c) for c in ("alpha", "beta")}
        proc = capture(sim, tmp_path, tmp_path / "scale.json")
    finally:
        sim.stop()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    served = _served_state(tmp_path / "scale.json")
    for name in ("alpha", "beta"):
        assert differences(original[name], served[name]) == [], name
    assert sum(len(v) for v in served["beta"]["shares"].values()) == 1000


def test_job_durations_come_from_history():
    """timing.job_seconds_from_history: a job of a policy takes the median duration of its
    finished jobs in the history, divided by time_scale; a failback's <P>_mirror uses P's."""
    reports = [{"id": "%d-p" % i, "job_id": i, "policy_name": "p", "action": "run", "state": "finished",
                "start_time": 1000 * i, "end_time": 1000 * i + d, "duration": d}
               for i, d in enumerate((300, 500, 400, 9000), start=1)]
    reports.append({"id": "5-p", "job_id": 5, "policy_name": "p", "action": "run", "state": "failed",
                    "start_time": 9000, "end_time": 9001, "duration": 1})
    scenario = {"timing": {"job_seconds_from_history": True, "time_scale": 1000, "job_seconds": 2000},
                "clusters": {"a": {"policies": [{"name": "p", "source_root_path": "/ifs/p", "target_host": "b",
                                                 "target_path": "/ifs/p"}], "reports": reports},
                             "b": {}}}
    with Simulator.from_scenario(scenario, tls=False) as sim:
        a = sim.world.clusters["a"]
        assert a.job_duration("p", "run") == pytest.approx(0.45)   # median of 300, 500, 400, 9000
        assert a.job_duration("p_mirror", "run") == pytest.approx(0.45)
        assert a.job_duration("other", "run") == pytest.approx(2.0)  # no history: job_seconds / scale
        assert a.s["next_job_id"] == 6
        before = time.time()
        body = json.dumps({"id": "p"}).encode()
        req = urllib.request.Request(sim.clusters["a"].url + "/platform/14/sync/jobs", data=body, method="POST")
        req.add_header("Authorization", "Basic YWRtaW46UGFzc3dvcmQxMjMh")  # admin:Password123!
        req.add_header("Content-Type", "application/json")
        urllib.request.urlopen(req, timeout=30).read()
        job = a.s["jobs"][next(iter(a.s["jobs"]))]
        assert job["job_id"] == 6
        assert before + 0.45 <= job["_due"] <= time.time() + 0.45
        Control(sim.control_url).settings("a", job_seconds=0.01)  # an explicit value replaces history
        assert a.job_duration("p", "run") == pytest.approx(0.01)

"""SyncIQ failover and failback choreography with raw PAPI calls and data generations."""
import time

P = "finance_policy"
M = "finance_policy_mirror"
PATH = "/ifs/finance"
POL = "/platform/14/sync/policies/"
JOBS = "/platform/15/sync/jobs"
TPOL = "/platform/14/sync/target/policies/"


def wait_job(client, name, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if client.get(JOBS + "/" + name)[0] == 404:
            return
        time.sleep(0.02)
    raise AssertionError("job %s did not end" % name)


def run(client, name, action=None):
    body = {"id": name}
    if action:
        body["action"] = action
    status, out = client.post(JOBS, body)
    assert status == 201, out
    wait_job(client, name)


def data(control, cluster):
    return control.call("GET", "/sim/v1/data?cluster=%s&path=%s" % (cluster, PATH))[1]


def write(control, cluster):
    return control.call("POST", "/sim/v1/data/write", {"cluster": cluster, "path": PATH})


def tp_state(client, name):
    status, body = client.get(TPOL + name)
    assert status == 200, body
    return body["policies"][0]["failover_failback_state"]


def policy(client, name):
    status, body = client.get(POL + name)
    assert status == 200, body
    return body["policies"][0]


def test_failover_failback(demo, control, alpha, beta):
    # Steady state: alpha is the source, beta's copy is read-only.
    assert data(control, "alpha") == {"cluster": "alpha", "path": PATH, "generation": 1, "writable": True}
    assert data(control, "beta")["writable"] is False
    assert write(control, "beta")[0] == 409
    assert tp_state(beta, P) == "writes_disabled"
    assert write(control, "alpha")[1]["generation"] == 2

    # resync_prep before allow_write is refused.
    status, body = alpha.post(JOBS, {"id": P, "action": "resync_prep"})
    assert status == 409 and body["errors"][0]["code"] == "AEC_CONFLICT"
    assert alpha.post(JOBS, {"id": P, "action": "run"})[0] == 400

    # allow_write while a sync of the policy runs is refused; cancel the job.
    control.call("PUT", "/sim/v1/clusters/alpha/settings", {"job_seconds": 5})
    assert alpha.post(JOBS, {"id": P}) == (201, {"id": P})
    job = alpha.get(JOBS + "/" + P)[1]["jobs"][0]
    assert job["state"] == "running" and job["action"] == "run" and job["policy_name"] == P
    assert alpha.post(JOBS, {"id": P})[0] == 409
    status, body = beta.post(JOBS, {"id": P, "action": "allow_write"})
    assert status == 409 and "running" in body["errors"][0]["message"]
    assert alpha.put(JOBS + "/" + P, {"state": "canceled"}) == (204, None)
    assert alpha.get(JOBS + "/" + P)[0] == 404
    assert policy(alpha, P)["last_job_state"] == "canceled"
    control.call("PUT", "/sim/v1/clusters/alpha/settings", {"job_seconds": 0.05})

    # Final sync: the target receives generation 2.
    before = int(time.time())
    run(alpha, P)
    pol = policy(alpha, P)
    assert pol["last_job_state"] == "finished" and pol["last_success"] >= before
    assert data(control, "beta")["generation"] == 2
    reports = alpha.get("/platform/15/sync/reports?policy_name=" + P)[1]["reports"]
    assert reports[0]["state"] == "finished"
    treports = beta.get("/platform/15/sync/target/reports?policy_name=" + P)[1]["reports"]
    assert treports[0]["state"] == "finished" and treports[0]["source_host"] == "alpha"

    # Failover: allow_write on the target (enabling_writes -> writes_enabled).
    control.call("PUT", "/sim/v1/clusters/beta/settings", {"job_seconds": 0.4})
    assert beta.post(JOBS, {"id": P, "action": "allow_write"})[0] == 201
    assert tp_state(beta, P) == "enabling_writes"
    assert write(control, "beta")[0] == 409
    wait_job(beta, P)
    assert tp_state(beta, P) == "writes_enabled"
    assert write(control, "beta") == (200, {"cluster": "beta", "path": PATH, "generation": 3})

    # Revert (writes_disabled again, target back to the last replicated data), then allow writes again.
    assert beta.post(JOBS, {"id": P, "action": "allow_write_revert"})[0] == 201
    assert tp_state(beta, P) == "disabling_writes"
    wait_job(beta, P)
    assert tp_state(beta, P) == "writes_disabled"
    assert data(control, "beta") == {"cluster": "beta", "path": PATH, "generation": 2, "writable": False}
    control.call("PUT", "/sim/v1/clusters/beta/settings", {"job_seconds": 0.05})
    run(beta, P, "allow_write")
    assert tp_state(beta, P) == "writes_enabled"
    assert write(control, "beta")[1]["generation"] == 3
    # A write on the old source after the final sync is not replicated and is reverted by resync-prep.
    assert write(control, "alpha")[1]["generation"] == 3

    # Resync-prep on the source: quirk (action outside copy|sync while the job exists), then the mirror.
    control.call("PUT", "/sim/v1/clusters/alpha/settings", {"job_seconds": 0.4})
    assert alpha.post(JOBS, {"id": P, "action": "resync_prep"})[0] == 201
    assert policy(alpha, P)["action"] == "resync_prep"
    assert tp_state(beta, P) == "creating_resync_policy"
    wait_job(alpha, P)
    control.call("PUT", "/sim/v1/clusters/alpha/settings", {"job_seconds": 0.05})
    assert policy(alpha, P)["action"] == "sync"
    assert policy(alpha, P)["enabled"] is False
    assert tp_state(beta, P) == "resync_policy_created"
    mirror = policy(beta, M)
    assert mirror["enabled"] is True and mirror["target_host"] == "alpha"
    assert mirror["source_root_path"] == PATH and mirror["target_path"] == PATH
    assert tp_state(alpha, M) == "writes_disabled"
    assert data(control, "alpha") == {"cluster": "alpha", "path": PATH, "generation": 2, "writable": False}
    assert data(control, "beta")["writable"] is True
    status, body = alpha.post(JOBS, {"id": P})
    assert status == 409 and "disabled" in body["errors"][0]["message"]

    # The mirror runs in the new direction.
    assert write(control, "beta")[1]["generation"] == 4
    run(beta, M)
    assert policy(beta, M)["last_job_state"] == "finished"
    assert data(control, "alpha")["generation"] == 4

    # Failback: allow_write for the mirror on alpha, resync_prep of the mirror on beta.
    run(alpha, M, "allow_write")
    assert tp_state(alpha, M) == "writes_enabled"
    run(beta, M, "resync_prep")
    assert policy(beta, M)["enabled"] is False
    assert policy(alpha, P)["enabled"] is True
    assert tp_state(alpha, M) == "resync_policy_created"
    assert tp_state(beta, P) == "writes_disabled"
    assert data(control, "alpha") == {"cluster": "alpha", "path": PATH, "generation": 4, "writable": True}
    assert data(control, "beta") == {"cluster": "beta", "path": PATH, "generation": 4, "writable": False}

    # The original direction works again, and a second failover reuses the mirror.
    assert write(control, "alpha")[1]["generation"] == 5
    run(alpha, P)
    assert data(control, "beta")["generation"] == 5
    mirror_id = mirror["id"]
    run(beta, P, "allow_write")
    run(alpha, P, "resync_prep")
    assert policy(beta, M)["id"] == mirror_id and policy(beta, M)["enabled"] is True
    assert tp_state(alpha, M) == "writes_disabled"
    assert data(control, "alpha")["writable"] is False and data(control, "beta")["writable"] is True

    state = control.call("GET", "/sim/v1/clusters/beta/state")[1]
    assert state["generations"][PATH] == 5
    assert any(p["name"] == M for p in state["policies"])


def test_job_failure_fault(demo, control, alpha):
    control.call("PUT", "/sim/v1/clusters/alpha/faults", {"rules": [
        {"method": "JOB", "path": "^home_policy$", "message": "simulated worker failure", "count": 1}]})
    run(alpha, "home_policy")
    assert policy(alpha, "home_policy")["last_job_state"] == "failed"
    rep = alpha.get("/platform/15/sync/reports?policy_name=home_policy")[1]["reports"][0]
    assert rep["state"] == "failed" and rep["errors"] == ["simulated worker failure"]
    run(alpha, "home_policy")
    assert policy(alpha, "home_policy")["last_job_state"] == "finished"


def test_policy_crud(alpha):
    body = {"name": "p_new", "action": "sync", "source_root_path": "/ifs/eng/new", "target_host": "beta",
            "target_path": "/ifs/eng/new"}
    status, out = alpha.post("/platform/14/sync/policies", body)
    assert status == 201 and len(out["id"]) == 32
    assert alpha.post("/platform/14/sync/policies", body)[0] == 409
    assert alpha.post("/platform/14/sync/policies", {"name": "x"})[0] == 400
    assert alpha.put(POL + "p_new", {"schedule": "when-source-modified", "zzz": 1})[0] == 400
    assert alpha.put(POL + "p_new", {"schedule": "when-source-modified"}) == (204, None)
    assert policy(alpha, "p_new")["schedule"] == "when-source-modified"
    assert alpha.post(POL + "p_new/reset", {})[0] == 201
    assert alpha.delete(POL + "p_new") == (204, None)
    assert alpha.get(POL + "p_new")[0] == 404


def test_probe(demo, control, alpha):
    alice = "S-1-5-21-1004-1101"
    r = control.call("POST", "/sim/v1/probe", {"name": "fin.example.com", "share": "ledger", "sid": alice})[1]
    assert r["cluster"] == "alpha" and r["can_read"] and r["can_write"]
    r = control.call("POST", "/sim/v1/probe", {"name": "fin.example.com", "share": "audit", "sid": alice})[1]
    assert not r["can_read"] and not r["can_write"]
    deny = [{"permission": "full", "permission_type": "deny", "trustee": {"id": "SID:S-1-1-0"}},
            {"permission": "change", "permission_type": "allow", "trustee": {"id": "SID:S-1-5-21-1004-2001"}}]
    assert alpha.put("/platform/12/protocols/smb/shares/ledger?zone=finance", {"permissions": deny})[0] == 204
    r = control.call("POST", "/sim/v1/probe", {"name": "alpha", "zone": "finance", "share": "ledger", "sid": alice})[1]
    assert not r["can_write"] and r["reasons"]
    r = control.call("POST", "/sim/v1/probe", {"name": "finance-dr.example.com", "path": "/ifs/finance",
                                               "sid": alice})[1]
    assert r["cluster"] == "beta" and not r["can_write"]
    assert alpha.put("/platform/7/protocols/smb/settings/global", {"service": False}) == (204, None)
    r = control.call("POST", "/sim/v1/probe", {"name": "eng.example.com", "share": "src",
                                               "sid": "S-1-5-21-1004-1102"})[1]
    assert not r["can_read"] and any("SMB service" in x for x in r["reasons"])

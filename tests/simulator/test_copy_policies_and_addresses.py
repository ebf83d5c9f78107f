"""Issue 14: copy policies at failover (allow-write yes, resync-prep only with allow_copy_fb) and a
SyncIQ target named by an IP address of the target cluster."""
from test_synciq import JOBS, POL, TPOL, policy, run, tp_state, wait_job


def test_copy_policy_fails_over_but_resync_prep_needs_allow_copy_fb(demo, control, alpha, beta):
    name = "eng_builds_policy"  # the demo's copy policy; it sets allow_copy_fb
    assert policy(alpha, name)["action"] == "copy" and policy(alpha, name)["allow_copy_fb"] is True
    assert alpha.put(POL + name, {"allow_copy_fb": False})[0] == 204
    run(alpha, name)
    run(beta, name, "allow_write")  # failover: allowed for a copy policy
    assert tp_state(beta, name) == "writes_enabled"
    jobs_before = control.call("GET", "/sim/v1/clusters/alpha/state")[1]["next_job_id"]
    status, body = alpha.post(JOBS, {"id": name, "action": "resync_prep"})
    assert status == 409 and body["errors"][0]["code"] == "AEC_CONFLICT", body
    assert "failback is not supported for copy policies" in body["errors"][0]["message"]
    # Refused before anything changed: no job, target still writes_enabled, no mirror, policy still on.
    assert control.call("GET", "/sim/v1/clusters/alpha/state")[1]["next_job_id"] == jobs_before
    assert tp_state(beta, name) == "writes_enabled" and policy(alpha, name)["enabled"] is True
    assert beta.get(POL + name + "_mirror")[0] == 404
    # With allow_copy_fb the same resync-prep goes through; the mirror carries the setting.
    assert alpha.put(POL + name, {"allow_copy_fb": True})[0] == 204
    run(alpha, name, "resync_prep")
    mirror = policy(beta, name + "_mirror")
    assert mirror["action"] == "copy" and mirror["allow_copy_fb"] is True and policy(alpha, name)["enabled"] is False


def test_target_host_by_address_and_subnets(demo, control, alpha, beta):
    # beta: pool range 192.0.2.110-119 (a node address), SmartConnect service IP 192.0.2.6.
    for name, host in (("by_node_ip", "192.0.2.115"), ("by_ssip", "192.0.2.6"), ("by_fqdn_dot", "BETA.example.com.")):
        body = {"name": name, "action": "sync", "source_root_path": "/ifs/home", "target_host": host,
                "target_path": "/ifs/dr/" + name}
        assert alpha.post(POL, body)[0] == 201
        run(alpha, name)
        assert policy(alpha, name)["last_job_state"] == "finished", name
        assert beta.get(TPOL + name)[0] == 200, name
    # An address no cluster holds: the job fails.
    body = {"name": "nowhere", "action": "sync", "source_root_path": "/ifs/home", "target_host": "198.18.0.1",
            "target_path": "/ifs/dr/nowhere"}
    assert alpha.post(POL, body)[0] == 201
    assert alpha.post(JOBS, {"id": "nowhere"})[0] == 201
    wait_job(alpha, "nowhere")
    assert policy(alpha, "nowhere")["last_job_state"] == "failed"
    status, body = beta.get("/platform/21/network/subnets")
    assert status == 200 and body["total"] == 1
    assert body["subnets"][0]["sc_service_addrs"] == [{"low": "192.0.2.6", "high": "192.0.2.6"}]

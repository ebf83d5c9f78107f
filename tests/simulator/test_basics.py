"""Envelopes, errors, paging, sessions, versions."""
import http.client
import json

from sim_helpers import Control, Papi

from onefs_sim import Simulator
from onefs_sim.scenario import generate_scenario

SHARES = "/platform/12/protocols/smb/shares"


def test_latest_and_versions(alpha):
    assert alpha.get("/platform/latest") == (200, {"latest": "21"})
    assert alpha.get("/platform/21/protocols/smb/shares")[0] == 200
    assert alpha.get("/platform/22/protocols/smb/shares")[0] == 404
    status, body = alpha.get("/platform/1/no/such/thing")
    assert status == 404 and body["errors"][0]["code"] == "AEC_NOT_FOUND"


def test_share_crud_and_errors(alpha):
    status, body = alpha.post(SHARES + "?zone=finance", {"name": "x1", "path": "/ifs/finance/x1", "bogus": True})
    assert status == 400
    assert body["errors"][0]["code"] == "AEC_BAD_REQUEST" and body["errors"][0]["field"] == "bogus"
    assert "bogus" in body["errors"][0]["message"]
    status, body = alpha.post(SHARES + "?zone=finance", {"name": "x1"})
    assert status == 400 and body["errors"][0]["code"] == "AEC_ARG_REQUIRED" and body["errors"][0]["field"] == "path"
    acl = [{"permission": "full", "permission_type": "deny", "trustee": {"name": "Everyone", "type": "wellknown"}},
           {"permission": "change", "permission_type": "allow", "trustee": {"name": "AD\\alice", "type": "user"}}]
    assert alpha.post(SHARES + "?zone=finance", {"name": "x1", "path": "/ifs/finance/x1", "permissions": acl,
                                                "create_path": True}) == (
        201, {"id": "x1"})
    status, body = alpha.post(SHARES + "?zone=finance", {"name": "x1", "path": "/ifs/finance/x1"})
    assert status == 409 and body["errors"][0]["code"] == "AEC_CONFLICT"
    status, body = alpha.get(SHARES + "/x1?zone=finance")
    share = body["shares"][0]
    assert share["permissions"][0]["trustee"] == {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}
    assert share["permissions"][1]["trustee"]["id"] == "SID:S-1-5-21-1004-1101"
    assert share["zid"] == 2 and share["id"] == "x1"
    status, body = alpha.put(SHARES + "/x1?zone=finance", {"nope": 1})
    assert status == 400 and body["errors"][0]["field"] == "nope"
    assert alpha.put(SHARES + "/x1?zone=finance", {"name": "x2", "oplocks": False}) == (204, None)
    assert alpha.get(SHARES + "/x1?zone=finance")[0] == 404
    assert alpha.get(SHARES + "/x2?zone=finance")[1]["shares"][0]["oplocks"] is False
    status, body = alpha.post(SHARES + "?zone=finance", {"name": "x3", "path": "/ifs/eng/x3"})
    assert status == 400 and body["errors"][0]["field"] == "path"
    assert alpha.delete(SHARES + "/x2?zone=finance") == (204, None)
    status, body = alpha.delete(SHARES + "/x2?zone=finance")
    assert status == 404 and body["errors"][0]["code"] == "AEC_NOT_FOUND"
    status, body = alpha.get(SHARES + "?zone=nozone")
    assert status == 404


def test_readonly_user_forbidden(demo):
    ep = demo.clusters["alpha"]
    ro = Papi(ep, ep.readonly_username, ep.readonly_password)
    assert ro.get(SHARES)[0] == 200
    status, body = ro.post(SHARES, {"name": "r", "path": "/ifs/r"})
    assert status == 403 and body["errors"][0]["code"] == "AEC_FORBIDDEN"
    bad = Papi(ep, ep.username, "wrong")
    assert bad.get(SHARES)[0] == 401
    ro.close()
    bad.close()


def test_paging_2500_shares():
    sim = Simulator.from_scenario(generate_scenario(zones=1, shares_per_zone=2500, replicated=False),
                                  tls=False).start()
    try:
        c = Papi(sim.clusters["alpha"])
        names, path, pages = [], SHARES + "?zone=zone01&limit=1000", 0
        while True:
            status, body = c.get(path)
            assert status == 200 and body["total"] == 2500 and body["digest"]
            names += [s["name"] for s in body["shares"]]
            pages += 1
            if not body["resume"]:
                break
            path = SHARES + "?resume=" + body["resume"]
        assert pages == 3 and len(names) == 2500 and len(set(names)) == 2500
        assert names == sorted(names)
        status, body = c.get(SHARES + "?zone=zone01&limit=5001")
        assert status == 400
        c.close()
    finally:
        sim.stop()


def test_session_flow(demo, control):
    ep = demo.clusters["alpha"]
    c = Papi(ep)
    status, raw, resp = c.request("POST", "/session/1/session", {"username": ep.username, "password": ep.password,
                                                                  "services": ["platform", "namespace"]},
                                  raw=True, auth=False)
    assert status == 201
    body = json.loads(raw)
    assert body["timeout_absolute"] == 14400 and body["timeout_inactive"] == 900 and body["username"] == "admin"
    cookies = resp.headers.get_all("Set-Cookie")
    assert cookies[0].startswith("isisessid=") and "HttpOnly" in cookies[0] and "SameSite=strict" in cookies[0]
    assert cookies[1].startswith("isicsrf=")
    sid = cookies[0].split(";")[0]
    csrf = cookies[1].split(";")[0].split("=", 1)[1]
    c.cookies = sid
    assert c.get("/session/1/session")[1]["username"] == "admin"
    assert c.get(SHARES)[0] == 200
    c.csrf = None
    assert c.put(SHARES + "/home", {"description": "x"})[0] == 401
    c.csrf = csrf
    assert c.put(SHARES + "/home", {"description": "x"}) == (204, None)
    assert control.call("POST", "/sim/v1/clusters/alpha/sessions/expire")[0] == 200
    status, body = c.get(SHARES)
    assert status == 401 and body == {"errors": [{"message": "authorization required"}]}
    c.cookies, c.csrf = None, None
    status, raw, resp = c.request("POST", "/session/1/session", {"username": ep.username, "password": "bad"},
                                  raw=True, auth=False)
    assert status == 401
    status, raw, resp = c.request("POST", "/session/1/session", {"username": ep.username, "password": ep.password},
                                  raw=True, auth=False)
    c.cookies = resp.headers.get_all("Set-Cookie")[0].split(";")[0]
    assert c.request("DELETE", "/session/1/session")[0] == 204
    assert c.get(SHARES)[0] == 401
    c.close()


def test_state_dir_restart(tmp_path):
    state = str(tmp_path / "state")
    sim = Simulator.from_scenario("demo", state_dir=state).start()
    ca = sim.clusters["alpha"].ca
    port = sim.clusters["alpha"].port
    c = Papi(sim.clusters["alpha"])
    assert c.post(SHARES + "?zone=eng", {"name": "persist", "path": "/ifs/eng/persist",
                                                  "create_path": True})[0] == 201
    assert c.put("/platform/3/zones/eng", {"netbios_name": "ENGNB"}) == (204, None)
    c.close()
    sim.stop()
    sim2 = Simulator.from_scenario("demo", state_dir=state).start()
    try:
        assert sim2.clusters["alpha"].ca == ca
        assert sim2.clusters["alpha"].port == port
        c = Papi(sim2.clusters["alpha"])
        assert c.get(SHARES + "/persist?zone=eng")[0] == 200
        assert c.get("/platform/3/zones/eng")[1]["zones"][0]["netbios_name"] == "ENGNB"
        c.close()
    finally:
        sim2.stop()


def test_namespace(alpha, beta):
    st, _ = alpha.request("PUT", "/namespace/ifs/.onefs_dr", headers={"x-isi-ifs-target-type": "container"})
    assert st == 200
    st, _ = alpha.request("PUT", "/namespace/ifs/.onefs_dr/state.json", b'{"a": 1}',
                          headers={"x-isi-ifs-target-type": "object"})
    assert st == 200
    st, raw, _ = alpha.request("GET", "/namespace/ifs/.onefs_dr/state.json", raw=True)
    assert st == 200 and raw == b'{"a": 1}'
    st, body = alpha.get("/namespace/ifs/.onefs_dr")
    assert body == {"children": [{"name": "state.json", "type": "object"}]}
    st, _ = alpha.request("PUT", "/namespace/ifs/nodir/file", b"x", headers={"x-isi-ifs-target-type": "object"})
    assert st == 404
    # beta's /ifs/finance is a read-only SyncIQ target, but hidden dot-folders under /ifs are not.
    st, body = beta.request("PUT", "/namespace/ifs/finance/f.txt", b"x", headers={"x-isi-ifs-target-type": "object"})
    assert st == 403
    st, _ = beta.request("PUT", "/namespace/ifs/.onefs_dr", headers={"x-isi-ifs-target-type": "container"})
    assert st == 200
    assert alpha.request("DELETE", "/namespace/ifs/.onefs_dr/state.json")[0] == 204


def test_cli_ready_line():
    import os
    import shutil
    import subprocess
    import sys
    exe = shutil.which("onefs-sim")
    cmd = [exe] if exe else [sys.executable, "-m", "onefs_sim.cli"]
    env = dict(os.environ)
    src = os.path.join(os.path.dirname(__file__), "..", "..", "simulator")
    env["PYTHONPATH"] = os.path.abspath(src) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen(cmd + ["serve", "--scenario", "demo", "--port", "0"], stdout=subprocess.PIPE,
                            env=env, text=True)
    try:
        line = proc.stdout.readline()
        ready = json.loads(line)
        assert set(ready["clusters"]) == {"alpha", "beta"}
        a = ready["clusters"]["alpha"]
        assert set(a) >= {"url", "ca", "username", "password", "host", "port"}
        assert a["url"].startswith("https://127.0.0.1:") and ready["control"].startswith("http://127.0.0.1:")

        class Ep:
            host, port, ca, username, password = a["host"], a["port"], a["ca"], a["username"], a["password"]
        c = Papi(Ep)
        assert c.get("/platform/latest")[0] == 200
        c.close()
        assert Control(ready["control"]).call("GET", "/sim/v1/clusters")[0] == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_ads_spns(alpha, beta):
    path = "/platform/14/auth/providers/ads/AD.EXAMPLE.COM"
    status, body = alpha.get(path)
    item = body["ads"][0]
    assert item["machine_account"] == "ALPHA$" and "HOST/fin.example.com" in item["spns"]
    assert "HOST/build.example.com" in item["recommended_spns"]
    status, body = beta.put(path, {"spns": ["HOST/beta"]})
    assert status == 400
    status, body = beta.put(path, {"spns": ["HOST/beta", "HOST/fin.example.com"], "user": "administrator",
                                   "password": "AdPass1!"})
    # AD's answer (error 8467) names no account.
    assert status == 409 and "not unique forest-wide" in body["errors"][0]["message"]
    spns = [s for s in item["spns"] if "fin" not in s]
    assert alpha.put(path, {"spns": spns, "user": "administrator", "password": "AdPass1!"}) == (204, None)
    assert beta.put(path, {"spns": ["HOST/beta", "HOST/fin.example.com"], "user": "administrator",
                           "password": "AdPass1!"}) == (204, None)
    assert beta.get(path + "?check_duplicates=true")[1]["ads"][0]["dup_spns"] == []


def test_pools_and_quotas(alpha):
    st, body = alpha.get("/platform/16/network/pools")
    assert st == 200 and len(body["pools"]) == 3
    p = "/platform/16/network/groupnets/groupnet0/subnets/subnet0/pools/pool-eng"
    assert alpha.put(p, {"sc_dns_zone_aliases": ["x.example.com"]}) == (204, None)
    assert alpha.get(p)[1]["pools"][0]["sc_dns_zone_aliases"] == ["x.example.com"]
    st, body = alpha.get("/platform/15/quota/quotas?path=/ifs/finance")
    assert st == 200 and len(body["quotas"]) == 1 and "total" not in body
    qid = body["quotas"][0]["id"]
    assert len(qid) == 32
    st, body = alpha.put("/platform/15/quota/quotas/" + qid, {"path": "/ifs/x"})
    assert st == 400
    assert alpha.put("/platform/15/quota/quotas/" + qid, {"thresholds": {"hard": 5}}) == (204, None)
    st, body = alpha.get("/platform/15/quota/quotas?path=/ifs&recurse_path_children=true")
    assert len(body["quotas"]) == 4
    st, body = alpha.post("/platform/15/quota/quotas", {"type": "directory", "path": "/ifs/finance",
                                                          "include_snapshots": False})
    assert st == 409


def test_connection_keepalive_many_gets(alpha):
    for _ in range(50):
        assert alpha.get(SHARES + "/home")[0] == 200


def test_http_no_tls():
    sim = Simulator.from_scenario("demo", tls=False).start()
    try:
        ep = sim.clusters["beta"]
        assert ep.ca is None and ep.url.startswith("http://")
        conn = http.client.HTTPConnection(ep.host, ep.port)
        conn.request("POST", "/session/1/session", body=json.dumps({"username": ep.username,
                                                                    "password": ep.password}))
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 201
        conn.close()
    finally:
        sim.stop()

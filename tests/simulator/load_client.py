"""A load client for the concurrency test: one process = one Ansible fork.

Usage: python load_client.py HOST PORT CA USER PASSWORD KEEPALIVE_GETS MODULE_RUNS
Each "module run" opens a new HTTPS connection, logs in (session + CSRF), makes a few GETs and a
PUT, logs out and closes, like a module does; the keep-alive part reuses one connection for many
GETs. Prints one JSON line: {"requests": n, "statuses": {code: count}}.
"""
import base64
import http.client
import json
import ssl
import sys

PATHS = ("/platform/12/protocols/smb/shares?zone=finance&limit=5", "/platform/3/zones",
         "/platform/18/sync/policies", "/platform/3/cluster/config", "/platform/21/network/pools",
         "/platform/1/protocols/smb/openfiles")


def main():
    host, port, ca, user, password = sys.argv[1:6]
    keepalive, runs = int(sys.argv[6]), int(sys.argv[7])
    ctx = ssl.create_default_context(cafile=ca)
    statuses = {}
    count = 0

    def call(conn, method, path, body=None, headers=None):
        nonlocal count
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers or {})
        resp = conn.getresponse()
        resp.read()
        count += 1
        statuses[resp.status] = statuses.get(resp.status, 0) + 1
        return resp

    basic = {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()}
    conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=60)
    for i in range(keepalive):
        call(conn, "GET", PATHS[i % len(PATHS)], headers=basic)
    conn.close()
    for i in range(runs):
        conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=60)
        resp = call(conn, "POST", "/session/1/session", {"username": user, "password": password,
                                                         "services": ["platform"]},
                    {"Content-Type": "application/json"})
        cookies = resp.headers.get_all("Set-Cookie")
        sid = cookies[0].split(";")[0]
        csrf = cookies[1].split(";")[0].split("=", 1)[1]
        hdrs = {"Cookie": sid, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
        for j in range(5):
            call(conn, "GET", PATHS[(i + j) % len(PATHS)], headers=hdrs)
        call(conn, "PUT", "/platform/5/cluster/identity", {"description": "run %d" % i}, hdrs)
        call(conn, "DELETE", "/session/1/session", headers=hdrs)
        conn.close()
    print(json.dumps({"requests": count, "statuses": statuses}))


if __name__ == "__main__":
    main()

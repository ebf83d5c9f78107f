"""Benchmark: GET requests/s of one simulator process pinned to one core, and its resident memory.

Run: ``onefs-sim bench [--scenario scale] [--seconds 5] [--no-tls]`` or ``python -m onefs_sim.bench``;
prints one JSON object.
"""
import base64
import http.client
import json
import os
import ssl
import subprocess
import sys
import threading
import time


def _rss_mb(pid):
    with open("/proc/%d/status" % pid) as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024.0, 1)
    return None


def _cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(scenario="scale", seconds=5.0, tls=True, clients=4):
    cpus = sorted(os.sched_getaffinity(0))
    server_cpu = cpus[0]
    client_cpus = set(cpus[1:]) or {server_cpu}
    cmd = [sys.executable, "-m", "onefs_sim.cli", "serve", "--scenario", scenario, "--port", "0"]
    if not tls:
        cmd.append("--no-tls")
    env = dict(os.environ)
    pkg_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = pkg_root + os.pathsep + env.get("PYTHONPATH", "")
    t_start = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: os.sched_setaffinity(0, {server_cpu}))
    try:
        ready = json.loads(proc.stdout.readline())
        startup = time.time() - t_start
        rss_loaded = _rss_mb(proc.pid)
        os.sched_setaffinity(0, client_cpus)
        ep = ready["clusters"]["alpha"]
        auth = "Basic " + base64.b64encode(("%s:%s" % (ep["username"], ep["password"])).encode()).decode()
        ctx = ssl.create_default_context(cafile=ep["ca"]) if ep.get("ca") else None
        paths = ["/platform/latest", "/platform/14/sync/policies/zone01_policy", "/platform/3/zones/zone02",
                 "/platform/3/cluster/config"]
        paths += ["/platform/12/protocols/smb/shares/zone%02d_share%03d?zone=zone%02d" % (z, s, z)
                  for z in (1, 5, 10) for s in (1, 50, 100)]
        counts, errors = [0] * clients, [0] * clients
        stop = threading.Event()

        def worker(i):
            if ctx is not None:
                conn = http.client.HTTPSConnection(ep["host"], ep["port"], context=ctx, timeout=30)
            else:
                conn = http.client.HTTPConnection(ep["host"], ep["port"], timeout=30)
            n = 0
            while not stop.is_set():
                path = paths[n % len(paths)]
                conn.request("GET", path, headers={"Authorization": auth})
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    errors[i] += 1
                n += 1
                counts[i] = n
            conn.close()

        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
        for t in threads:
            t.start()
        time.sleep(0.5)  # warm-up (TLS handshakes)
        c0, cpu0, t0 = sum(counts), _cpu_seconds(proc.pid), time.time()
        time.sleep(seconds)
        c1, cpu1, t1 = sum(counts), _cpu_seconds(proc.pid), time.time()
        stop.set()
        for t in threads:
            t.join(timeout=5)
        elapsed = t1 - t0
        return {
            "scenario": scenario, "tls": tls, "seconds": round(elapsed, 2), "clients": clients,
            "server_cpus": [server_cpu], "requests": c1 - c0, "errors": sum(errors),
            "get_per_second": round((c1 - c0) / elapsed, 1),
            "server_cpu_utilization": round((cpu1 - cpu0) / elapsed, 2),
            "rss_mb_loaded": rss_loaded, "rss_mb_after": _rss_mb(proc.pid),
            "startup_seconds": round(startup, 2),
            "target": {"get_per_second_min": 1000, "rss_mb_max": 200},
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    print(json.dumps(run()))

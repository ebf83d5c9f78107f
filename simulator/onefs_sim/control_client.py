"""A small client of the simulator's control API (``/sim/v1``, plain HTTP, JSON).

Used by the project's tests and benchmarks; see README.md, "Control API".
"""

import json
import urllib.request


class Control:
    """The simulator's control API, over HTTP."""

    def __init__(self, url, timeout=60):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def counters(self, cluster):
        return self.call("GET", "/sim/v1/clusters/%s/counters" % cluster)

    def reset_counters(self, cluster):
        return self.call("POST", "/sim/v1/clusters/%s/counters/reset" % cluster, {})

    def faults(self, cluster, rules):
        return self.call("PUT", "/sim/v1/clusters/%s/faults" % cluster, {"rules": rules})

    def clear_faults(self, cluster):
        return self.call("DELETE", "/sim/v1/clusters/%s/faults" % cluster)

    def down(self, cluster, down=True):
        return self.call("PUT", "/sim/v1/clusters/%s/down" % cluster, {"down": down})

    def settings(self, cluster, **settings):
        """Change settings (keyword arguments), or read them (none given)."""
        if not settings:
            return self.call("GET", "/sim/v1/clusters/%s/settings" % cluster)
        return self.call("PUT", "/sim/v1/clusters/%s/settings" % cluster, settings)

    def expire_sessions(self, cluster):
        return self.call("POST", "/sim/v1/clusters/%s/sessions/expire" % cluster, {})

    def state(self, cluster):
        return self.call("GET", "/sim/v1/clusters/%s/state" % cluster)

    def probe(self, **body):
        return self.call("POST", "/sim/v1/probe", body)

    def write_data(self, cluster, path):
        return self.call("POST", "/sim/v1/data/write", {"cluster": cluster, "path": path})

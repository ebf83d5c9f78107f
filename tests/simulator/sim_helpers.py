"""Test helpers for the simulator's own tests (a tiny PAPI client and control API client)."""
import base64
import http.client
import json
import os
import ssl
import sys

try:
    import onefs_sim  # noqa: F401
except ImportError:  # not pip-installed: use the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "simulator"))


class Papi:
    """A tiny keep-alive PAPI client for tests (Basic auth unless a session is set)."""

    def __init__(self, ep, username=None, password=None):
        self.ep = ep
        self.username = username or ep.username
        self.password = password or ep.password
        self.cookies = None
        self.csrf = None
        self.conn = None

    def _connect(self):
        if self.ep.ca:
            ctx = ssl.create_default_context(cafile=self.ep.ca)
            return http.client.HTTPSConnection(self.ep.host, self.ep.port, context=ctx, timeout=30)
        return http.client.HTTPConnection(self.ep.host, self.ep.port, timeout=30)

    def request(self, method, path, body=None, headers=None, raw=False, auth=True):
        if self.conn is None:
            self.conn = self._connect()
        h = {"Content-Type": "application/json"}
        if self.cookies:
            h["Cookie"] = self.cookies
            if self.csrf:
                h["X-CSRF-Token"] = self.csrf
        elif auth:
            h["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % (self.username, self.password)).encode()).decode()
        h.update(headers or {})
        data = body if isinstance(body, bytes) or body is None else json.dumps(body)
        try:
            self.conn.request(method, path, body=data, headers=h)
            resp = self.conn.getresponse()
            payload = resp.read()
        except Exception:
            self.close()
            raise
        if raw:
            return resp.status, payload, resp
        return resp.status, (json.loads(payload) if payload else None)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body)

    def put(self, path, body):
        return self.request("PUT", path, body)

    def delete(self, path):
        return self.request("DELETE", path)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Control:
    def __init__(self, url):
        self.host, port = url.rsplit("/", 1)[-1].split(":")
        self.port = int(port)

    def call(self, method, path, body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None,
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, (json.loads(data) if data else None)
        finally:
            conn.close()

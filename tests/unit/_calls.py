# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exact-call tests: the PAPI exchanges a module makes, stated call by call.

The simulator tests say what a module does to a cluster; these say how: each test lists the
HTTP requests the module must send (method, path with its handler version, query, JSON body)
and the answer each one gets, in order. ``requests``' transport (``HTTPAdapter.send``) is
replaced by that script, so everything above it runs for real: the module, ``OneFSClient``
(login, version negotiation, retries, the OneFS error envelope), the share-write limiter.
A request that is not the next one of the script, or a script not used up, fails the test.

    def test_update(papi):                 # papi: tests/unit/conftest.py, run_module below
        result = papi("onefs_smb_share", {"zone": "System", "name": "x", "path": "/ifs/x"}, [
            *connect(16),                    # login, then GET /platform/latest -> 16 (OneFS 9.5)
            Call("GET", "/platform/12/protocols/smb/shares/x").query(zone="System").reply({"shares": [...]}),
            Call("PUT", "/platform/12/protocols/smb/shares/x").query(zone="System").json({"path": "/ifs/x"}).reply(),
            ...
        ])

In the style of community.hrobot's FetchUrlCall tests, one level lower (their modules use
fetch_url; ours use requests through one client).
"""

import importlib
import json
import re
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from requests.adapters import HTTPAdapter
from requests.cookies import cookiejar_from_dict
from requests.structures import CaseInsensitiveDict

USERNAME = "admin"
PASSWORD = "hunter2"
SESSION = "sess-1"
CSRF = "csrf-1"
# The connection options of every call in these tests (a cluster that is never reached).
HOST = "cluster.example.com"
CONNECTION = {"host": HOST, "port": 8080, "username": USERNAME, "password": PASSWORD}
_NO_BODY = object()


class _Any:
    """Matches any value in an expected body (e.g. a timestamp the module writes)."""

    def __repr__(self):
        return "ANY"


ANY = _Any()
REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
           404: "Not Found", 409: "Conflict", 500: "Internal Server Error", 503: "Service Unavailable"}


class Call:
    """One expected request and the answer it gets."""

    def __init__(self, method, path, host=HOST):
        self.method = method
        self.path = path
        self.host = host
        self.expected_query = {}
        self.expected_body = _NO_BODY
        self.status = 200
        self.answer = None
        self.cookies = {}

    def query(self, **query):
        """The exact query string (values as sent: booleans are ``"true"``/``"false"``)."""
        self.expected_query = {k: "true" if v is True else "false" if v is False else str(v) for k, v in query.items()}
        return self

    def json(self, body):
        """The exact JSON body (compared as parsed JSON; ``ANY`` matches any value)."""
        self.expected_body = body
        return self

    def reply(self, body=None, status=None):
        """Answer with ``body`` as JSON (None: an empty body, 204 unless ``status`` says otherwise)."""
        self.answer = body
        self.status = status if status is not None else (200 if body is not None else 204)
        return self

    def error(self, status, code, message, field=None):
        """Answer with the OneFS error envelope ``{"errors": [{"code", "message"[, "field"]}]}``."""
        item = {"code": code, "message": message}
        if field:
            item["field"] = field
        return self.reply({"errors": [item]}, status)

    def set_cookies(self, **cookies):
        self.cookies = cookies
        return self

    def path_matches(self, path):
        """``path`` is a string (exact) or a compiled pattern (the whole path must match it: a
        lease entry's name carries a random token)."""
        if isinstance(self.path, re.Pattern):
            return self.path.fullmatch(path) is not None
        return path == self.path

    def __repr__(self):
        where = "" if self.host == HOST else "//%s" % self.host
        path = self.path.pattern if isinstance(self.path, re.Pattern) else self.path
        return "%s %s%s%s" % (self.method, where, path, "?%s" % self.expected_query if self.expected_query else "")


def login(username=USERNAME, password=PASSWORD, host=HOST):
    """``POST /session/1/session``: a session cookie and its CSRF token."""
    return (
        Call("POST", "/session/1/session", host)
        .json({"username": username, "password": password, "services": ["platform", "namespace"]})
        .set_cookies(isisessid=SESSION, isicsrf=CSRF)
        .reply({"services": ["platform", "namespace"], "timeout_absolute": 14400, "timeout_inactive": 900,
                "username": username}, 201)
    )


def latest(version=16, host=HOST):
    """``GET /platform/latest`` (16 = OneFS 9.5)."""
    return Call("GET", "/platform/latest", host).reply({"latest": str(version)})


def connect(version=16, host=HOST):
    """What every module's first API call starts with on a fresh controller: login, then the
    handler version (both are cached in the controller state directory afterwards)."""
    return [login(host=host), latest(version, host)]


BUDGET = "/namespace/ifs/.onefs_dr/leases/budget"


def _entry(claim):
    return re.compile(re.escape(BUDGET) + r"/budget\.[0-9a-f]{32}\.%d\.[0-9]+\.lease" % claim)


def budget_take(claim=10):
    """The controller's entry on the cluster's share-write budget (docs/leases.md), taken by the
    module before its first share write when no writer of the controller holds one: our entry
    created with overwrite=false, asking for the whole budget (share_write_limit, 10), then one
    look at the other holders (none here)."""
    return [
        Call("PUT", _entry(claim)).query(overwrite="false").json(ANY).reply(None, 200),
        Call("GET", BUDGET).query(detail="last_modified").reply({"children": []}),
    ]


def budget_give_back(claim=10):
    """The entry given back by its last user (after the last share write of a bulk write, or at
    the module's end)."""
    return [Call("DELETE", _entry(claim)).reply()]


class Script:
    """Stands in for ``HTTPAdapter.send``: checks each request against the next call."""

    def __init__(self, calls):
        self.calls = list(calls)
        self.sent = []
        self.problems = []
        self.lock = threading.Lock()

    def _problem(self, text):
        self.problems.append(text)
        raise AssertionError(text)

    def send(self, adapter, request, **kwargs):
        with self.lock:
            index = len(self.sent)
            url = urlsplit(request.url)
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            body = request.body
            if isinstance(body, bytes):
                body = body.decode("utf-8")
            parsed = _NO_BODY if body is None else json.loads(body)
            self.sent.append("%s //%s%s %s" % (request.method, url.hostname, url.path, query or ""))
            if index >= len(self.calls):
                self._problem("request %d not in the script: %s %s %s body=%s"
                              % (index + 1, request.method, url.path, query, body))
            call = self.calls[index]
            where = "request %d (%r)" % (index + 1, call)
            if (request.method, url.hostname) != (call.method, call.host) or not call.path_matches(url.path):
                self._problem("%s: got %s //%s%s" % (where, request.method, url.hostname, url.path))
            if query != call.expected_query:
                self._problem("%s: query %s, expected %s" % (where, query, call.expected_query))
            if not _matches(call.expected_body, parsed):
                self._problem("%s: body %s, expected %s" % (where, body, _show(call.expected_body)))
            if call.path != "/session/1/session":
                # After the login every request carries the session and, for a write, its CSRF token.
                cookie = request.headers.get("Cookie", "")
                if "isisessid=%s" % SESSION not in cookie:
                    self._problem("%s: no session cookie (headers %s)" % (where, dict(request.headers)))
                if request.method != "GET" and request.headers.get("X-CSRF-Token") != CSRF:
                    self._problem("%s: no X-CSRF-Token" % where)
            return _response(request, call)

    def check_done(self):
        assert not self.problems, self.problems[0]
        assert len(self.sent) == len(self.calls), "the module sent %d of the %d scripted requests; next: %r\nsent: %s" % (
            len(self.sent), len(self.calls), self.calls[len(self.sent)], "\n  ".join(self.sent))


def _matches(expected, actual):
    if expected is ANY:
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and expected.keys() == actual.keys() and all(
            _matches(value, actual[key]) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            _matches(e, a) for e, a in zip(expected, actual, strict=True))
    return expected == actual


def _show(body):
    return "no body" if body is _NO_BODY else json.dumps(body, sort_keys=True, default=repr)


def _response(request, call):
    resp = requests.Response()
    resp.status_code = call.status
    resp.reason = REASONS.get(call.status, "")
    resp.url = request.url
    resp.request = request
    resp.encoding = "utf-8"
    if call.answer is None:
        resp._content = b""
        resp.headers = CaseInsensitiveDict()
    else:
        resp._content = json.dumps(call.answer).encode("utf-8")
        resp.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
    resp.cookies = cookiejar_from_dict(call.cookies)
    return resp


class _Exit(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


def run_module(monkeypatch, name, args, calls, check_mode=False, diff=True):
    """Run ``plugins/modules/<name>.py`` in this process against the scripted exchanges.

    Returns the module's result (``failed: True`` when it called ``fail_json``) once every
    scripted call was made, in order, and no other.
    """
    script = Script(calls)
    monkeypatch.setattr(HTTPAdapter, "send", lambda adapter, request, **kwargs: script.send(adapter, request, **kwargs))

    def exit_json(module, **result):
        result.setdefault("changed", False)
        raise _Exit(result)

    def fail_json(module, msg, **result):
        result.update(failed=True, msg=msg)
        raise _Exit(result)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    module = importlib.import_module("ansible_collections.onefs.dr.plugins.modules.%s" % name)
    params = dict(CONNECTION)
    params.update(args)
    params.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(params), pytest.raises(_Exit) as raised:
        module.main()
    script.check_done()
    return raised.value.result

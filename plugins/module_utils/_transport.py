# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The transport layer of the PAPI client: one HTTP(S) exchange with OneFS, done right.

Private to the collection (the ``_`` prefix); modules use ``client.OneFSClient``, which adds
handler versions, resources, the share-write limiter and budget on top of this.

Owns: the HTTP session and TLS verification, login (session cookie + CSRF header, or HTTP
Basic), the shared session (``_caches.SessionCache``), retries with exponential backoff and
full jitter, paging (``resume`` tokens), the OneFS error envelope as one typed exception
(``OneFSError``), write verification after a lost answer (``_verify``), and the counters.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import random
import threading
import time
from contextlib import suppress
from typing import Any, Callable, Dict, List, Optional

try:
    from urllib.parse import urlencode
except ImportError:  # pragma: no cover - Python 2 is not supported
    from urllib import urlencode

try:
    import requests
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import ConnectTimeout, ReadTimeout, SSLError

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module runner
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.onefs.dr.plugins.module_utils._caches import SessionCache, endpoint_key
from ansible_collections.onefs.dr.plugins.module_utils._verify import delete_check, put_check

RETRY_STATUSES = (429, 502, 503, 504)
AUTH_MODES = ("session", "private_session", "basic")
Query = Optional[Dict[str, Any]]
Check = Optional[Callable[[], bool]]


class OneFSError(Exception):
    """A OneFS API call that failed, with everything needed to act on it.

    Never carries credentials: the URL holds no userinfo and bodies are not kept.
    """

    def __init__(self, message: Optional[str], status: Optional[int] = None, code: Optional[str] = None,
                 field: Optional[str] = None, method: Optional[str] = None, url: Optional[str] = None,
                 errors: Optional[List[Dict[str, Any]]] = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.method = method
        self.url = url
        self.errors = errors or []
        super(OneFSError, self).__init__(self.__str__())

    def __str__(self) -> str:
        parts = []
        if self.method and self.url:
            parts.append("%s %s" % (self.method, self.url))
        head = []
        if self.status is not None:
            head.append("HTTP %s" % self.status)
        if self.code:
            head.append(self.code)
        text = " ".join(head)
        if text:
            parts.append(text)
        msg = self.message or ""
        if self.field:
            msg = "%s (field: %s)" % (msg, self.field)
        parts.append(msg)
        return ": ".join(p for p in parts if p)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "field": self.field,
            "method": self.method,
            "url": self.url,
        }


class Interrupted(OneFSError):
    """A bulk write stopped before its end: the playbook is gone or a lease was lost."""


class ApplyUnknown(Exception):
    """Raised internally when a connection dropped and we cannot know whether it applied."""


def parse_errors(response: Any) -> List[Dict[str, Any]]:
    """The OneFS error envelope ``{"errors": [{code, message, field}]}`` of an answer."""
    try:
        body = response.json()
    except ValueError:
        body = None
    errors = []
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        for item in body["errors"]:
            if isinstance(item, dict):
                errors.append(
                    {"code": item.get("code"), "message": item.get("message"), "field": item.get("field")}
                )
    if not errors:
        text = (response.text or "").strip()
        errors.append({"code": None, "message": text[:500] or response.reason, "field": None})
    return errors


def is_refused(exc: Exception) -> bool:
    text = repr(exc)
    return "ConnectionRefused" in text or "Errno 111" in text or "Connection refused" in text


def _not_found(err: Exception) -> bool:
    return isinstance(err, OneFSError) and err.status == 404


class Transport:
    """HTTP(S) calls to one cluster endpoint, with login, retries and the error envelope."""

    def __init__(
        self,
        host: str,
        port: int = 8080,
        username: Optional[str] = None,
        password: Optional[str] = None,
        validate_certs: bool = True,
        ca_path: Optional[str] = None,
        auth_mode: str = "session",
        timeout: float = 60,
        retry_deadline: float = 300,
        retry_attempts: int = 40,
        scheme: str = "https",
        backoff_base: float = 0.05,
        backoff_cap: float = 5.0,
        connect_retries: int = 2,
    ) -> None:
        if not HAS_REQUESTS:
            raise OneFSError("the Python library 'requests' is required: %s" % REQUESTS_IMPORT_ERROR)
        if auth_mode not in AUTH_MODES:
            raise ValueError("auth_mode must be one of %s, got %r" % (", ".join(AUTH_MODES), auth_mode))
        self.host = host
        self.port = int(port)
        self.scheme = scheme
        self.base_url = "%s://%s:%d" % (scheme, host, self.port)
        self.username = username
        self.password = password
        self.auth_mode = auth_mode
        self.timeout = timeout
        self.retry_deadline = float(retry_deadline)
        self.retry_attempts = int(retry_attempts)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.connect_retries = connect_retries
        self.stats = {"api_calls": 0, "retries": 0, "conflicts_409": 0, "share_writes": 0, "limiter_wait_s": 0.0}
        self._session = requests.Session()
        self._session.trust_env = False
        if not validate_certs:
            self._session.verify = False
            with suppress(AttributeError):
                requests.packages.urllib3.disable_warnings()  # pylint: disable=no-member
        elif ca_path:
            self._session.verify = ca_path
        else:
            self._session.verify = True
        self._session.headers.update({"Accept": "application/json", "User-Agent": "onefs.dr"})
        if auth_mode == "basic":
            self._session.auth = (username or "", password or "")
        self._sessid = None  # type: Optional[str]
        self._csrf = None  # type: Optional[str]
        self._identity = None  # type: Optional[Dict[str, Any]]  # {"guid", "name"}, kept with the shared session
        self._session_ok = False  # a request has succeeded with the current session
        self._login_lock = threading.Lock()
        self._sessions = (
            SessionCache(self.base_url, endpoint_key(host, self.port), username, password)
            if auth_mode == "session" else None
        )

    # ------------------------------------------------------------------ session
    def _close_transport(self) -> None:
        """Log out unless the session is the shared one (then its last use is refreshed);
        release the connection pool."""
        if self._sessid:
            if not self._keep_shared_session():
                with suppress(Exception):  # logout is best effort
                    self._send("DELETE", "/session/1/session", None, None)
            self._sessid = None
            self._csrf = None
        self._session.close()

    def _load_shared_session(self) -> bool:
        """Adopt the shared session of these credentials when it was used recently."""
        cached = self._sessions.load() if self._sessions else None
        if not cached:
            return False
        self._sessid, self._csrf = cached["sessid"], cached["csrf"]
        if cached["cluster"]:
            self._identity = cached["cluster"]
        return True

    def _store_shared_session(self) -> None:
        if self._sessions:
            self._sessions.store(self._sessid, self._csrf, self._identity)

    def _drop_shared_session(self, sessid: str) -> None:
        if self._sessions:
            self._sessions.drop(sessid)

    def _keep_shared_session(self) -> bool:
        return bool(self._sessions) and self._sessions.keep(self._sessid)

    def _login(self) -> None:
        url = self.base_url + "/session/1/session"
        payload = {"username": self.username, "password": self.password, "services": ["platform", "namespace"]}
        self.stats["api_calls"] += 1
        try:
            resp = self._session.post(url, json=payload, timeout=self.timeout)
        except SSLError as exc:
            raise OneFSError(
                "TLS verification failed for %s: %s. Set ca_path to the cluster's CA bundle "
                "(or validate_certs=false for a lab only)" % (self.base_url, exc),
                method="POST",
                url=url,
            ) from exc
        except (RequestsConnectionError, ConnectTimeout) as exc:
            raise OneFSError("cannot connect to %s: %s" % (self.base_url, exc), method="POST", url=url) from exc
        if resp.status_code not in (200, 201):
            err = parse_errors(resp)[0]
            raise OneFSError(
                "login as %r failed: %s" % (self.username, err["message"] or "check username and password"),
                status=resp.status_code,
                code=err["code"] or ("AEC_UNAUTHORIZED" if resp.status_code == 401 else None),
                method="POST",
                url=url,
            )
        self._sessid = resp.cookies.get("isisessid")
        self._csrf = resp.cookies.get("isicsrf")
        if not self._sessid:
            # Some proxies drop Secure cookies on plain HTTP; read the raw headers.
            for header in resp.raw.headers.getlist("Set-Cookie") if hasattr(resp.raw.headers, "getlist") else []:
                name, rest = (header.split("=", 1) + [""])[:2]
                value = rest.split(";", 1)[0]
                if name.strip() == "isisessid":
                    self._sessid = value
                elif name.strip() == "isicsrf":
                    self._csrf = value
        self._session.cookies.clear()
        if not self._sessid:
            raise OneFSError("login succeeded but no isisessid cookie was returned", method="POST", url=url)
        self._store_shared_session()

    # ------------------------------------------------------------------ one exchange
    def _url(self, path: str, query: Query) -> str:
        url = self.base_url + path
        if query:
            pairs = [(k, "true" if v is True else "false" if v is False else v) for k, v in query.items() if v is not None]
            if pairs:
                url += "?" + urlencode(pairs)
        return url

    def _headers(self, has_body: bool, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        headers = {}
        if has_body:
            headers["Content-Type"] = "application/json"
        if extra:
            headers.update(extra)
        if self.auth_mode != "basic" and self._sessid:
            headers["Cookie"] = "isisessid=%s" % self._sessid
            if self._csrf:
                headers["X-CSRF-Token"] = self._csrf
            headers["Referer"] = self.base_url
        return headers

    def _send(self, method: str, path: str, query: Query, body: Any, headers: Optional[Dict[str, str]] = None) -> Any:
        url = self._url(path, query)
        if body is None or isinstance(body, (bytes, bytearray)):
            data = body
        else:
            data = json.dumps(body)
        self.stats["api_calls"] += 1
        return self._session.request(
            method, url, data=data, headers=self._headers(data is not None, headers), timeout=self.timeout
        )

    def _send_share_write(self, method: str, path: str, query: Query, body: Any, headers: Optional[Dict[str, str]],
                          attempt: int, elapsed: float) -> Any:
        """One attempt of an SMB share configuration write. The client (client.py) wraps it in
        the share-write budget and a limiter slot; the transport alone just sends it."""
        self.stats["share_writes"] += 1
        return self._send(method, path, query, body, headers)

    def _backoff(self, attempt: int, retry_after: Optional[str] = None) -> float:
        if retry_after:
            try:
                return min(float(retry_after), self.backoff_cap * 4)
            except ValueError:
                pass
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * (2 ** attempt)))

    def request(
        self, method: str, path: str, query: Query = None, body: Any = None, share_write: bool = False,
        verify: Check = None, raw: bool = False, headers: Optional[Dict[str, str]] = None,
        counters: Optional[Dict[str, int]] = None,
    ) -> Any:
        """One PAPI call with retries. Returns the parsed JSON body (None when empty).

        share_write: an SMB share configuration write; it takes a limiter slot and its
        409 AEC_CONFLICT answers are retried. Resources (``_resources``) set it, not callers.
        verify: callable -> bool, asked when the outcome of a write is unknown (dropped
        connection) or a create answered 409: True means the write is already applied.
        body: a dict/list is sent as JSON; bytes are sent as they are (namespace files).
        headers: extra request headers (e.g. ``x-isi-ifs-target-type`` for the namespace).
        raw: return the ``requests`` response instead of the parsed body.
        counters: optional dict that receives this call's own ``retries`` and ``conflicts_409``
        (``stats`` sums every call; this one is per call, e.g. per share in a thread pool).
        """
        method = method.upper()
        url_for_errors = self.base_url + path
        if self.auth_mode != "basic" and not self._sessid and not path.startswith("/session/"):
            with self._login_lock:
                if not self._sessid and not self._load_shared_session():
                    self._login()
        if verify is None and method == "PUT" and body is not None:
            verify = put_check(self.request, path, query, body)
        elif verify is None and method == "DELETE":
            verify = delete_check(self.request, path, query, _not_found)
        start = time.monotonic()
        attempt = 0
        relogged = False
        connect_failures = 0
        last_conflict = None
        while True:
            attempt += 1
            elapsed = time.monotonic() - start
            if attempt > 1 and (attempt > self.retry_attempts or elapsed > self.retry_deadline):
                if last_conflict is not None:
                    raise OneFSError(
                        "%s (still AEC_CONFLICT after %d attempts in %.1f s; OneFS's share-configuration "
                        "store is saturated: lower share_write_limit or the play's throttle, or raise "
                        "retry_deadline)" % (last_conflict.message, attempt - 1, elapsed),
                        status=409,
                        code="AEC_CONFLICT",
                        method=method,
                        url=url_for_errors,
                    )
                raise OneFSError(
                    "gave up after %d attempts in %.1f s" % (attempt - 1, elapsed), method=method, url=url_for_errors
                )
            if attempt > 1:
                self.stats["retries"] += 1
                if counters is not None:
                    counters["retries"] = counters.get("retries", 0) + 1
            try:
                if share_write:
                    resp = self._send_share_write(method, path, query, body, headers, attempt, elapsed)
                else:
                    resp = self._send(method, path, query, body, headers)
            except SSLError as exc:
                raise OneFSError(
                    "TLS verification failed for %s: %s. Set ca_path to the cluster's CA bundle" % (self.base_url, exc),
                    method=method,
                    url=url_for_errors,
                ) from exc
            except ConnectTimeout as exc:
                connect_failures += 1
                if connect_failures > self.connect_retries:
                    raise OneFSError("cannot connect to %s: %s" % (self.base_url, exc), method=method, url=url_for_errors) from exc
                time.sleep(self._backoff(attempt))
                continue
            except (RequestsConnectionError, ReadTimeout) as exc:
                if is_refused(exc):
                    connect_failures += 1
                    if connect_failures > self.connect_retries:
                        raise OneFSError(
                            "cannot connect to %s (connection refused): is the cluster up and the port right?"
                            % self.base_url,
                            method=method,
                            url=url_for_errors,
                        ) from exc
                    time.sleep(self._backoff(attempt))
                    continue
                # The request may have reached the cluster and been applied.
                if method != "GET":
                    if verify is not None:
                        if self._safe_verify(verify):
                            return None
                    elif method == "POST":
                        raise OneFSError(
                            "connection lost during a create; it may have been applied. Re-run the task: "
                            "it reads current state first and converges (%s)" % exc,
                            method=method,
                            url=url_for_errors,
                        ) from exc
                time.sleep(self._backoff(attempt))
                continue

            status = resp.status_code
            if status < 300:
                self._session_ok = True
                if raw:
                    return resp
                if not resp.content:
                    return None
                try:
                    return resp.json()
                except ValueError:
                    return resp.content
            errors = parse_errors(resp)
            first = errors[0]
            if status == 401 and self.auth_mode != "basic" and not relogged and self._sessid:
                # Session expired (inactivity or absolute timeout), or a shared session OneFS
                # no longer knows: log in once more (another thread may have done it already).
                relogged = True
                refused = self._sessid
                with self._login_lock:
                    if self._sessid == refused:
                        self._drop_shared_session(refused)
                        self._sessid = None
                        self._identity = None  # it came with the refused session
                        self._session_ok = False
                        self._login()
                continue
            if status == 409:
                self.stats["conflicts_409"] += 1
                if counters is not None:
                    counters["conflicts_409"] = counters.get("conflicts_409", 0) + 1
                if share_write and first["code"] == "AEC_CONFLICT":
                    if method == "POST" and verify is not None and self._safe_verify(verify):
                        return None
                    last_conflict = OneFSError(first["message"], status=409, code="AEC_CONFLICT")
                    time.sleep(self._backoff(attempt))
                    continue
            if status in RETRY_STATUSES:
                time.sleep(self._backoff(attempt, resp.headers.get("Retry-After")))
                continue
            if status == 404 and method == "DELETE" and attempt > 1:
                # A retried delete whose first attempt was applied.
                return None
            message = "; ".join(e["message"] or "" for e in errors if e.get("message")) or resp.reason
            raise OneFSError(
                message,
                status=status,
                code=first["code"],
                field=first["field"],
                method=method,
                url=resp.url.split("?", 1)[0] if resp.url else url_for_errors,
                errors=errors,
            )

    def _safe_verify(self, verify: Callable[[], bool]) -> bool:
        try:
            return bool(verify())
        except OneFSError:
            return False

    # ------------------------------------------------------------------ verbs and paging
    def get(self, path: str, query: Query = None) -> Any:
        return self.request("GET", path, query=query)

    def post(self, path: str, body: Any = None, query: Query = None, share_write: bool = False, verify: Check = None) -> Any:
        return self.request("POST", path, query=query, body=body, share_write=share_write, verify=verify)

    def put(self, path: str, body: Any = None, query: Query = None, share_write: bool = False, verify: Check = None,
            counters: Optional[Dict[str, int]] = None) -> Any:
        return self.request(
            "PUT", path, query=query, body=body, share_write=share_write, verify=verify, counters=counters
        )

    def delete(self, path: str, query: Query = None, share_write: bool = False, verify: Check = None) -> Any:
        return self.request("DELETE", path, query=query, share_write=share_write, verify=verify)

    def list(self, path: str, key: str, query: Query = None, limit: Optional[int] = 1000) -> List[Any]:
        """Every item of a PAPI collection, following ``resume`` tokens."""
        items = []  # type: List[Any]
        params = dict(query or {})
        if limit:
            params["limit"] = limit
        seen = set()
        while True:
            body = self.request("GET", path, query=params) or {}
            items.extend(body.get(key) or [])
            token = body.get("resume")
            if not token:
                return items
            if token in seen:
                raise OneFSError("paging loop: resume token repeated", method="GET", url=self.base_url + path)
            seen.add(token)
            # OneFS: "resume cannot be used with other options".
            params = {"resume": token}

    def item(self, path: str, key: str, query: Query = None) -> Any:
        """The single object of an item GET (OneFS wraps it in a one-element list), or None on 404."""
        try:
            body = self.request("GET", path, query=query)
        except OneFSError as err:
            if err.status == 404:
                return None
            raise
        values = (body or {}).get(key)
        if isinstance(values, list):
            return values[0] if values else None
        return values

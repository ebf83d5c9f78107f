"""HTTP(S) listeners for the simulated clusters, and the Simulator facade."""
import json
import os
import shutil
import socket
import ssl
import tempfile
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import namespace, queryargs
from .errors import ApiError, forbidden, unauthorized
from .papi import ROUTER, Req
from .scenario import build_world, history_durations, load_scenario, scenario_timing
from .synciq import Engine
from .tlsgen import ensure_certs
from .world import Cluster, World

REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
           429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}
JSON = "application/json"
_NOT_FOUND_BODY = None


# ONEFS_SIM_TRACE=<file>: append one line per request ("<epoch> <cluster> <METHOD> <path>?<query>"),
# to see which calls a playbook makes and in what order (docs: simulator/README.md).
_TRACE = os.environ.get("ONEFS_SIM_TRACE")
_TRACE_LOCK = threading.Lock()


def _trace(cluster, method, path, qs):
    import time
    line = "%.3f %s %s %s%s\n" % (time.time(), cluster, method, path, ("?" + qs) if qs else "")
    with _TRACE_LOCK, open(_TRACE, "a") as fh:
        fh.write(line)


class DropConnection(Exception):
    """Close the client connection without answering."""


def parse_query(qs):
    out = {}
    if not qs:
        return out
    from urllib.parse import unquote_plus
    for part in qs.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        out[unquote_plus(k)] = unquote_plus(v)
    return out


def _cookie(header, name):
    if not header:
        return None
    for part in header.split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, addr, handler, owner, ssl_ctx=None):
        self.owner = owner
        self.ssl_ctx = ssl_ctx
        self.conns = set()
        self.conns_lock = threading.Lock()
        super().__init__(addr, handler)

    def finish_request(self, request, client_address):
        if self.ssl_ctx is not None:
            try:
                request.settimeout(30)
                request = self.ssl_ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                try:
                    request.close()
                except OSError:
                    pass
                return
        with self.conns_lock:
            self.conns.add(request)
        try:
            self.RequestHandlerClass(request, client_address, self)
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        finally:
            with self.conns_lock:
                self.conns.discard(request)
            try:
                request.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):  # pragma: no cover - quiet
        pass

    def drop_all(self):
        with self.conns_lock:
            conns = list(self.conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _BaseHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""
    timeout = 120

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, body=b"", ctype=JSON, headers=()):
        # Header order of OneFS's web server (Apache httpd in front of the PAPI handlers): Date and
        # Server first, then the handler's own headers (the two Set-Cookie of a login), then
        # Content-Length and Content-Type last (issue 16, point 9).
        parts = ["HTTP/1.1 %d %s\r\n" % (status, REASONS.get(status, "Status")),
                 "Date: %s\r\n" % formatdate(usegmt=True), "Server: Apache\r\n"]
        for k, v in headers:
            parts.append("%s: %s\r\n" % (k, v))
        if status != 204:
            parts.append("Content-Length: %d\r\n" % len(body or b""))
        if self.close_connection:
            parts.append("Connection: close\r\n")
        if status != 204:
            parts.append("Content-Type: %s\r\n" % ctype)
        parts.append("\r\n")
        data = "".join(parts).encode("latin-1")
        if status != 204 and body:
            data += body
        self.wfile.write(data)

    def _read_body(self):
        n = self.headers.get("Content-Length")
        if n:
            return self.rfile.read(int(n))
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return b""


class PapiHandler(_BaseHandler):
    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")

    def do_HEAD(self):
        self._handle("HEAD")

    def do_PATCH(self):
        self._handle("PATCH")

    def _handle(self, method):
        cluster = self.server.owner
        counters = cluster.counters
        path, _, qs = self.path.partition("?")
        raw = self._read_body()
        try:
            status, body, ctype, headers = self._route(cluster, method, path, qs, raw)
        except ApiError as e:
            status, body, ctype, headers = e.status, json.dumps(e.body()).encode(), JSON, ()
        except DropConnection:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        except Exception as e:  # an internal error must still answer in the OneFS envelope
            err = ApiError(500, "AEC_EXCEPTION", "Internal simulator error: %s: %s" % (type(e).__name__, e))
            status, body, ctype, headers = 500, json.dumps(err.body()).encode(), JSON, ()
        if status == 409:
            with counters.lock:
                counters.conflicts_409 += 1
        if method == "HEAD":
            body = b""
        self._send(status, body, ctype, headers)

    def _route(self, cluster, method, path, qs, raw):
        counters = cluster.counters
        if path.startswith("/platform/"):
            rest = path[10:]
            ver, _, rest = rest.partition("/")
            rest = rest.rstrip("/")
            key = "%s /platform/%s" % (method, rest) if ver != "latest" else "%s /platform/latest" % method
        elif path.startswith("/namespace/"):
            key = "%s %s" % (method, path.rstrip("/"))
        elif path.rstrip("/") == "/session/1/session":
            key = "%s /session/1/session" % method
        elif path.rstrip("/") == "/platform":
            ver, rest, key = "", "", "%s /platform" % method
        else:
            key = "%s %s" % (method, path)
        with counters.lock:
            counters.requests += 1
            counters.by_endpoint[key] = counters.by_endpoint.get(key, 0) + 1
        if _TRACE:
            _trace(cluster.name, method, path, qs)
        if key.endswith(" /session/1/session"):
            return self._session(cluster, method, raw)
        user = self._auth(cluster, method)
        query = parse_query(qs)
        if path.startswith("/platform/"):
            return self._platform(cluster, method, ver, rest, query, raw, user)
        if path.startswith("/namespace/"):
            if method not in ("GET", "HEAD") and user["role"] != "admin":
                raise forbidden()
            from urllib.parse import unquote
            ns_path = unquote(path[len("/namespace"):])
            rule = cluster.match_fault(method, path)
            self._pre_fault(rule)
            hdrs = {k.lower(): v for k, v in self.headers.items()}
            # The collection's leases and unit state documents: bookkeeping, counted apart.
            lease = ns_path.startswith(("/ifs/.onefs_dr/leases", "/ifs/.onefs_dr/units"))
            if lease:
                with counters.lock:
                    counters.bookkeeping_requests += 1
            with cluster.world.lock:
                status, body, ctype = namespace.handle(cluster, method, ns_path, query, hdrs, raw)
                if method in ("PUT", "DELETE") and status < 300:
                    with counters.lock:
                        if lease:
                            counters.bookkeeping_writes += 1
                        else:
                            counters.writes += 1
                    cluster.world.mark_dirty()
            self._post_fault(rule)
            return status, body, ctype, ()
        raise ApiError(404, "AEC_NOT_FOUND", "Path '%s' not found" % path)

    def _auth(self, cluster, method):
        sid = _cookie(self.headers.get("Cookie"), "isisessid")
        if sid:
            sess = cluster.session(sid)
            if sess is None:
                raise unauthorized()
            if method not in ("GET", "HEAD") and self.headers.get("X-CSRF-Token") != sess["csrf"]:
                raise ApiError(401, None, "CSRF token invalid")
            return sess["user"]
        auth = self.headers.get("Authorization")
        if auth and auth[:6].lower() == "basic ":
            user = cluster.check_auth_basic(auth)
            if user is not None:
                return user
        raise unauthorized()

    def _session(self, cluster, method, raw):
        if method == "POST":
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                raise ApiError(400, "AEC_BAD_REQUEST", "Invalid JSON body")
            services = body.get("services") or ["platform", "namespace"]
            if not isinstance(services, list) or not all(x in ("platform", "namespace", "remote-service")
                                                         for x in services):
                raise ApiError(400, "AEC_BAD_REQUEST", "Field: services must be a list of platform, namespace",
                               "services")
            res = cluster.login(body.get("username"), body.get("password"), services)
            if res is None:
                raise ApiError(401, None, "Username or password is incorrect.")
            sid, csrf = res
            secure = "; Secure" if cluster.endpoint is not None and cluster.endpoint.tls else ""
            headers = (("Set-Cookie", "isisessid=%s; path=/; HttpOnly%s; SameSite=strict" % (sid, secure)),
                       ("Set-Cookie", "isicsrf=%s; path=/%s" % (csrf, secure)))
            out = {"services": services, "timeout_absolute": 14400,
                   "timeout_inactive": cluster.session_timeout_inactive, "username": body.get("username")}
            return 201, json.dumps(out).encode(), JSON, headers
        sid = _cookie(self.headers.get("Cookie"), "isisessid")
        sess = cluster.session(sid) if sid else None
        if method == "GET":
            if sess is None:
                raise unauthorized()
            # The session's own user and services; timeout_absolute counts down from login (14400 s).
            import time
            left = max(0, int(14400 - (time.time() - sess["created"])))
            out = {"services": sess.get("services", ["platform", "namespace"]), "timeout_absolute": left,
                   "timeout_inactive": cluster.session_timeout_inactive, "username": sess["user"]["name"]}
            return 200, json.dumps(out).encode(), JSON, ()
        if method == "DELETE":
            if sess is None:
                raise unauthorized()
            cluster.logout(sid)
            return 204, None, JSON, ()
        raise ApiError(405, "AEC_BAD_REQUEST", "Method not allowed")

    def _platform(self, cluster, method, ver, rest, query, raw, user):
        world = cluster.world
        latest = cluster.s["latest"]
        if ver == "latest" and not rest:
            return 200, ('{"latest": "%d"}' % latest).encode(), JSON, ()
        try:
            v = int(ver)
        except ValueError:
            raise ApiError(404, "AEC_NOT_FOUND", "Path '/platform/%s/%s' not found" % (ver, rest))
        if v < 1 or v > latest:
            raise ApiError(404, "AEC_NOT_FOUND", "Path '/platform/%s/%s' not found" % (ver, rest))
        hit = ROUTER.match(rest)
        if hit is None or v < hit[0]:
            raise ApiError(404, "AEC_NOT_FOUND", "Path '/platform/%s/%s' not found" % (ver, rest))
        minv, table, params = hit
        queryargs.check(table["QUERY"], method, query)
        if method == "GET" and "describe" in query:
            return self._describe(table, ver, rest, query)
        entry = table.get("GET" if method == "HEAD" else method)
        if entry is None:
            raise ApiError(405, "AEC_BAD_REQUEST", "Method %s not allowed on /platform/%s/%s" % (method, ver, rest))
        if method not in ("GET", "HEAD") and user["role"] != "admin":
            raise forbidden("User %s does not have the privilege to %s %s" % (user["name"], method, rest))
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                raise ApiError(400, "AEC_BAD_REQUEST", "Invalid JSON in request body")
        rule = cluster.match_fault(method, "/" + rest)
        self._pre_fault(rule)
        handler, locked = entry
        req = Req(cluster, method, v, rest, query, body, user, params)
        if locked:
            with world.lock:
                result = handler(req)
                status, out = (result if isinstance(result, tuple) else (200, result))
                data = json.dumps(out).encode() if out is not None else b""
                if method != "GET" and status < 300:
                    world.mark_dirty()
        else:
            status, out = handler(req)
            data = json.dumps(out).encode() if out is not None else b""
            if status < 300:
                world.mark_dirty()
        if method not in ("GET", "HEAD") and status < 300:
            with cluster.counters.lock:
                cluster.counters.writes += 1
        self._post_fault(rule)
        return status, data, JSON, ()

    @staticmethod
    def _describe(table, ver, rest, query):
        """`?describe[&json]`: the resource's argument and input/output schemas (simulated for
        protocols/smb/shares[/<name>] and sync/policies[/<id>] only)."""
        entry = table.get("DESCRIBE")
        if entry is None:
            raise ApiError(400, "AEC_BAD_REQUEST", "?describe is simulated only for protocols/smb/shares and "
                           "sync/policies, not for /platform/%s/%s" % (ver, rest))
        doc = entry[0](None)
        if "json" in query:
            return 200, json.dumps(doc).encode(), JSON, ()
        from .papi import describe_text
        return 200, describe_text(doc, "/platform/%s/%s" % (ver, rest)).encode(), "text/plain", ()

    def _pre_fault(self, rule):
        if rule is None:
            return
        if rule.latency_ms:
            import time
            time.sleep(rule.latency_ms / 1000.0)
        if rule.drop_before_apply:
            raise DropConnection()
        if rule.status and not rule.drop_after_apply:
            raise rule.error()

    def _post_fault(self, rule):
        if rule is not None and rule.drop_after_apply:
            raise DropConnection()


class ClusterEndpoint:
    """Connection facts for one simulated cluster (what tests and clients need)."""

    def __init__(self, cluster, tls, ca, cert, key, port):
        self.cluster = cluster
        self.name = cluster.name
        self.tls = tls
        self.ca = ca if tls else None
        self._cert, self._key = cert, key
        self.host = "127.0.0.1"
        self.port = port
        admins = [u for u in cluster.s["users"].values() if u["role"] == "admin"]
        ro = [u for u in cluster.s["users"].values() if u["role"] != "admin"]
        self.username = admins[0]["name"] if admins else None
        self.password = admins[0]["password"] if admins else None
        self.readonly_username = ro[0]["name"] if ro else None
        self.readonly_password = ro[0]["password"] if ro else None
        self.server = None
        self.thread = None
        self.dns = None          # DnsEndpoint when the simulator serves SmartConnect DNS
        self.lock = threading.Lock()

    @property
    def url(self):
        return "%s://%s:%d" % ("https" if self.tls else "http", self.host, self.port)

    def to_dict(self):
        out = {"url": self.url, "ca": self.ca, "username": self.username, "password": self.password,
               "host": self.host, "port": self.port}
        if self.dns is not None:
            out["dns"] = self.dns.to_dict()
        return out

    def _ssl_ctx(self):
        if not self.tls:
            return None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self._cert, self._key)
        return ctx

    def start(self):
        with self.lock:
            if self.server is not None:
                return
            srv = _Server(("127.0.0.1", self.port), PapiHandler, self.cluster, self._ssl_ctx())
            self.port = srv.server_address[1]
            self.cluster.s["_port"] = self.port
            self.server = srv
            self.thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                                           name="onefs-sim-%s" % self.name, daemon=True)
            self.thread.start()
            self.cluster.down = False

    def stop(self):
        with self.lock:
            srv = self.server
            self.server = None
            if srv is None:
                return
            self.cluster.down = True
            srv.shutdown()
            srv.server_close()
            srv.drop_all()

    def set_down(self, down):
        if down:
            self.stop()
        else:
            self.start()


class Simulator:
    """In-process OneFS simulator: every cluster of a scenario on its own loopback port."""

    def __init__(self, world, tls=True, state_dir=None, port=0, dns=False, dns_port=0):
        self.world = world
        self.dns = dns or bool(dns_port)
        self._dns_port = dns_port
        self.tls = tls
        self.state_dir = state_dir
        self._base_port = port
        self._tmpdir = None
        self.clusters = {}
        self.control = None
        self._control_thread = None
        self.control_url = None
        self.ca = None

    @classmethod
    def from_scenario(cls, scenario="demo", tls=True, state_dir=None, share_write_service_ms=None,
                      share_write_capacity=None, job_seconds=None, port=0, job_seconds_from_history=None,
                      time_scale=None, dns=False, dns_port=0):
        # Simulator knobs: an argument given here wins over the scenario's `timing` block,
        # which wins over the defaults (30 ms, 10 writes in flight, 1 s jobs, no history, scale 1).
        data = None if state_dir and os.path.exists(os.path.join(state_dir, "state.json")) else \
            load_scenario(scenario)
        timing = scenario_timing(data or {})

        scale = float(time_scale if time_scale is not None else timing.get("time_scale", 1.0))

        def pick(arg, key, default):
            """An argument as given (wall-clock), else the scenario's value (real time) / scale."""
            if arg is not None:
                return float(arg)
            return float(timing[key]) / scale if key in timing else float(default)

        world = World(service_ms=pick(share_write_service_ms, "share_write_service_ms", 30),
                      capacity=int(share_write_capacity if share_write_capacity is not None
                                   else timing.get("share_write_capacity", 10)),
                      job_seconds=pick(job_seconds, "job_seconds", 1.0), state_dir=state_dir)
        world.engine = Engine(world)
        loaded = False
        if state_dir:
            os.makedirs(state_dir, exist_ok=True)
            path = os.path.join(state_dir, "state.json")
            if os.path.exists(path):
                with open(path) as fh:
                    data = json.load(fh)
                world.forest = data["forest"]
                world.index_identities()
                for name, s in data["clusters"].items():
                    world.clusters[name] = Cluster(world, s)
                loaded = True
        if not loaded:
            dns = dns or bool(data.get("dns"))      # a scenario may turn SmartConnect DNS on
            build_world(world, data)
        from_history = job_seconds_from_history
        if from_history is None:
            from_history = bool(timing.get("job_seconds_from_history"))
        if from_history:
            last = int(timing.get("history_jobs") or 10)
            for c in world.clusters.values():
                c.job_durations = history_durations(c.s["reports"], scale, last)
        return cls(world, tls=tls, state_dir=state_dir, port=port, dns=dns, dns_port=dns_port)

    def start(self):
        world = self.world
        cert = key = None
        if self.tls:
            if self.state_dir:
                certdir = os.path.join(self.state_dir, "tls")
            else:
                self._tmpdir = tempfile.mkdtemp(prefix="onefs-sim-")
                certdir = self._tmpdir
            self.ca, cert, key = ensure_certs(certdir)
        for i, (name, c) in enumerate(world.clusters.items()):
            port = self._base_port + i if self._base_port else (c.s.get("_port") or 0 if self.state_dir else 0)
            ep = ClusterEndpoint(c, self.tls, self.ca, cert, key, port)
            c.endpoint = ep
            try:
                ep.start()
            except OSError:
                if not port or self._base_port:
                    raise
                ep.port = 0
                ep.start()
            self.clusters[name] = ep
            if self.dns:
                # SmartConnect DNS (dns.py): off unless asked for; one UDP+TCP port per cluster.
                from .dns import DnsEndpoint
                ep.dns = DnsEndpoint(c, port=self._dns_port + i if self._dns_port else 0).start()
        from .control import ControlHandler
        cport = self._base_port + len(world.clusters) if self._base_port else 0
        self.control = _Server(("127.0.0.1", cport), ControlHandler, self)
        self.control_url = "http://127.0.0.1:%d" % self.control.server_address[1]
        self._control_thread = threading.Thread(target=self.control.serve_forever, kwargs={"poll_interval": 0.05},
                                                name="onefs-sim-control", daemon=True)
        self._control_thread.start()
        world.engine.reschedule_all()
        world.start_saver()
        world.mark_dirty()
        return self

    def stop(self):
        self.world.engine.stop()
        for ep in self.clusters.values():
            ep.stop()
            if ep.dns is not None:
                ep.dns.stop()
        if self.control is not None:
            self.control.shutdown()
            self.control.server_close()
            self.control = None
        self.world.stop_saver()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def ready_line(self):
        return {"clusters": {n: ep.to_dict() for n, ep in self.clusters.items()}, "control": self.control_url}

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

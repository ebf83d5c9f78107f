"""The RAN file namespace: /namespace/ifs/... files and directories."""
import base64
import json

from .errors import ApiError, bad_request, not_found
from .scenario import _mkdirs
from .util import norm_path


def _writable(cluster, path):
    parts = path.split("/")
    # Hidden dot-folders directly under /ifs are never SyncIQ targets (e.g. /ifs/.onefs_dr).
    if len(parts) > 2 and parts[1] == "ifs" and parts[2].startswith("."):
        return
    ok, why = cluster.path_writable(path)
    if not ok:
        raise ApiError(403, "AEC_FORBIDDEN", "Read-only file system: %s" % why)


def handle(cluster, method, path, query, headers, body):
    """Return (status, body bytes or None, content type); raise ApiError."""
    path = norm_path(path)
    if not (path == "/ifs" or path.startswith("/ifs/")):
        raise not_found("Path %s not found" % path)
    files = cluster.s["files"]
    if method == "GET":
        entry = files.get(path)
        if entry is None:
            raise not_found("Path %s not found" % path)
        if entry["type"] == "container":
            prefix = path + "/"
            children = []
            for p, e in files.items():
                if p.startswith(prefix) and "/" not in p[len(prefix):]:
                    children.append({"name": p[len(prefix):], "type": e["type"]})
            children.sort(key=lambda x: x["name"])
            return 200, json.dumps({"children": children}).encode(), "application/json"
        return 200, base64.b64decode(entry.get("data", "")), "application/octet-stream"
    if method == "HEAD":
        if path not in files:
            raise not_found("Path %s not found" % path)
        return 200, None, "application/json"
    if method == "PUT":
        ttype = (headers.get("x-isi-ifs-target-type") or "").lower()
        if ttype not in ("object", "container"):
            raise bad_request("Header x-isi-ifs-target-type must be 'object' or 'container'")
        _writable(cluster, path)
        existing = files.get(path)
        if ttype == "container":
            if existing is not None and existing["type"] != "container":
                raise ApiError(409, "AEC_CONFLICT", "Path %s exists and is a file" % path)
            _mkdirs(cluster.s, path)
            return 200, b"", "application/json"
        parent = path.rsplit("/", 1)[0]
        pe = files.get(parent)
        if pe is None or pe["type"] != "container":
            raise not_found("Parent directory %s not found" % parent)
        if existing is not None and existing["type"] == "container":
            raise ApiError(409, "AEC_CONFLICT", "Path %s exists and is a directory" % path)
        files[path] = {"type": "object", "data": base64.b64encode(body or b"").decode()}
        return 200, b"", "application/json"
    if method == "DELETE":
        entry = files.get(path)
        if entry is None:
            raise not_found("Path %s not found" % path)
        if path == "/ifs":
            raise ApiError(403, "AEC_FORBIDDEN", "Cannot delete /ifs")
        _writable(cluster, path)
        prefix = path + "/"
        kids = [p for p in files if p.startswith(prefix)]
        if kids and query.get("recursive", "").lower() != "true":
            raise ApiError(409, "AEC_CONFLICT", "Directory %s not empty" % path)
        for p in kids:
            del files[p]
        del files[path]
        return 204, None, "application/json"
    raise ApiError(405, "AEC_BAD_REQUEST", "Method %s not supported" % method)

"""The RAN file namespace: /namespace/ifs/... files and directories.

Answers follow OneFS's RAN handlers (isi_object's ``ns_object_handler`` / ``object_handler``
and ``oapi_error_handler``, OneFS API reference "Create a file object", "Create a directory",
"Delete a file or directory"):

- ``PUT`` of a file (``x-isi-ifs-target-type: object``) takes ``overwrite`` (default true). With
  ``overwrite=false`` and an existing file the create fails as a whole, nothing written:
  ``403 AEC_FORBIDDEN "Unable to create object -- object already exists"`` (the ostore's
  object-exists error class maps to AEC_FORBIDDEN). This is the compare-and-set primitive
  that the collection's cluster leases stand on.
- ``PUT`` of a directory takes ``overwrite`` (default true) and ``recursive`` (default false:
  the parent must exist). With ``overwrite=false`` an existing directory answers
  ``403 AEC_FORBIDDEN "... container already exists"``.
- ``DELETE`` of a path that does not exist answers ``204`` (the handler swallows ENOENT /
  AEC_NOT_FOUND); a non-empty directory without ``recursive=true`` answers ``403 AEC_FORBIDDEN``.
"""
import base64
import json
import time
from email.utils import formatdate

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


def _flag(query, name, default):
    """A boolean query argument as OneFS reads it (true/false, 1/0); absent -> ``default``."""
    value = query.get(name)
    if value is None:
        return default
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", ""):
        return True
    if text in ("false", "0", "no"):
        return False
    raise bad_request("Invalid value '%s' for argument '%s'." % (value, name))


# "Get the contents of a directory" (OneFS API reference): without ``detail`` only names are
# returned; ``detail=default`` gives name, size, owner, last_modified, type, group and mode; a
# CSV list names the attributes wanted. last_modified is an HTTP date (RFC 1123, GMT).
DEFAULT_DETAIL = ("name", "size", "owner", "last_modified", "type", "group", "mode")


def _detail_fields(detail):
    if detail is None:
        return ("name",)
    if detail.strip().lower() == "default":
        return DEFAULT_DETAIL
    wanted = tuple(f.strip() for f in detail.split(",") if f.strip())
    return ("name",) + tuple(f for f in wanted if f != "name")


def _child(name, entry, fields):
    data = entry.get("data", "")
    values = {
        "name": name,
        "type": entry["type"],
        "size": len(base64.b64decode(data)) if entry["type"] == "object" else 0,
        "owner": "root",
        "group": "wheel",
        "mode": "0600" if entry["type"] == "object" else "0700",
        "last_modified": formatdate(entry.get("mtime") or 0, usegmt=True),
    }
    # The name-only listing of earlier releases also carries the type: keep it (clients use it).
    out = {"name": name, "type": entry["type"]}
    for field in fields:
        if field in values:
            out[field] = values[field]
    return out


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
            fields = _detail_fields(query.get("detail"))
            children = []
            for p, e in files.items():
                if p.startswith(prefix) and "/" not in p[len(prefix):]:
                    children.append(_child(p[len(prefix):], e, fields))
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
        overwrite = _flag(query, "overwrite", True)
        if ttype == "container":
            if existing is not None and existing["type"] != "container":
                raise ApiError(403, "AEC_FORBIDDEN", "Unable to create directory as requested -- Is a file: %s" % path)
            if existing is not None and not overwrite:
                raise ApiError(403, "AEC_FORBIDDEN",
                               "Unable to create directory as requested -- container already exists")
            parent = path.rsplit("/", 1)[0] or "/ifs"
            if parent not in files and not _flag(query, "recursive", False):
                raise bad_request("A component of path '%s' does not exist." % path)
            _mkdirs(cluster.s, path)
            return 200, b"", "application/json"
        parent = path.rsplit("/", 1)[0]
        pe = files.get(parent)
        if pe is None or pe["type"] != "container":
            raise not_found("Parent directory %s not found" % parent)
        if existing is not None and existing["type"] == "container":
            raise ApiError(403, "AEC_FORBIDDEN", "The target exists as a directory.")
        if existing is not None and not overwrite:
            raise ApiError(403, "AEC_FORBIDDEN", "Unable to create object -- object already exists")
        files[path] = {"type": "object", "data": base64.b64encode(body or b"").decode(), "mtime": time.time()}
        return 200, b"", "application/json"
    if method == "DELETE":
        if path == "/ifs":
            raise ApiError(403, "AEC_FORBIDDEN", "'ifs' is system namespace store, operation is not allowed.")
        entry = files.get(path)
        if entry is None:
            return 204, None, "application/json"  # OneFS: a missing target is not an error
        _writable(cluster, path)
        prefix = path + "/"
        kids = [p for p in files if p.startswith(prefix)]
        if kids and not _flag(query, "recursive", False):
            raise ApiError(403, "AEC_FORBIDDEN", "The directory '%s' is not empty." % path)
        for p in kids:
            del files[p]
        del files[path]
        return 204, None, "application/json"
    raise ApiError(405, "AEC_BAD_REQUEST", "Method %s not supported" % method)

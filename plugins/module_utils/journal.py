# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The SMB lockout journal: each share's original ACL, kept on the cluster itself.

One JSON document per access zone, in the cluster's file namespace::

    /ifs/.onefs_dr/journal/<zone>.json                 written by the cluster's own lockouts
    /ifs/.onefs_dr/journal/<source>/<zone>.json        copy of <source>'s journal on its partner

    {"version": 1, "zone": "zone01", "cluster": {"guid": "...", "name": "alpha"},
     "updated_at": "2026-...Z",
     "entries": {"share1": {"original_permissions": [...], "locked_at": "2026-...Z",
                            "state": "locking|locked|restored", "had_deny": false}}}

``locking`` means "recorded, write maybe sent": the share may or may not carry the lockout.
Every change is a read-modify-write of the whole document under a controller-side lock
file (in the limiter's state directory) and only touches the entries of the shares the
caller names, so two modules working on the same zone at once never lose each other's
entries. See docs/lockout-journal.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os
import re
import time
from contextlib import contextmanager

try:
    import fcntl

    HAS_FCNTL = True
except ImportError:  # pragma: no cover
    HAS_FCNTL = False

from ansible_collections.onefs.dr.plugins.module_utils._limiter import cluster_key, default_state_dir, wait_flock
from ansible_collections.onefs.dr.plugins.module_utils._paths import namespace_url  # noqa: F401 - re-exported
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError

VERSION = 1
JOURNAL_DIR = "/ifs/.onefs_dr/journal"
STATES = ("locking", "locked", "restored")
LOCK_TIMEOUT = 300.0

OBJECT = {"x-isi-ifs-target-type": "object"}
CONTAINER = {"x-isi-ifs-target-type": "container"}


class JournalError(Exception):
    """The journal cannot be read or written safely (message says what to do)."""


def utc_now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def journal_path(zone, source=None):
    """/ifs path of a zone's journal; ``source`` = the partner copy of that cluster's journal."""
    parts = [JOURNAL_DIR]
    if source:
        parts.append(_safe_segment(source, "source cluster name"))
    parts.append(_safe_segment(zone, "zone") + ".json")
    return "/".join(parts)


def _safe_segment(value, what):
    text = str(value)
    if not text or "/" in text or text in (".", ".."):
        raise JournalError("cannot use %r as a journal path segment (%s)" % (value, what))
    return text


def cluster_identity(client):
    """{"guid", "name"} of the cluster behind ``client`` (one GET per session, see the client)."""
    return client.cluster_identity()


def empty_doc(zone, cluster=None):
    return {"version": VERSION, "zone": zone, "cluster": dict(cluster or {}), "updated_at": None, "entries": {}}


def read_json(client, ifs_path):
    """The JSON document stored at ``ifs_path`` (namespace API); None when there is no such
    file (404). Raises ValueError when the file is not JSON."""
    try:
        body = client.request("GET", namespace_url(ifs_path))
    except OneFSError as err:
        if err.status == 404:
            return None
        raise
    if isinstance(body, (bytes, bytearray)):
        body = json.loads(body.decode("utf-8"))
    return body


def read_doc(client, ifs_path):
    """The journal document at ``ifs_path`` or None when there is none (404)."""
    try:
        body = read_json(client, ifs_path)
    except ValueError:
        body = False
    if body is None:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("entries"), dict):
        raise JournalError(
            "the lockout journal %s on %s is not a journal document; move it aside (it may hold original "
            "ACLs worth keeping) and re-run" % (ifs_path, client.host)
        )
    if body.get("version", VERSION) > VERSION:
        raise JournalError(
            "the lockout journal %s has version %s, newer than this collection understands (%d): upgrade onefs.dr" % (ifs_path, body.get("version"), VERSION)
        )
    return body


def write_doc(client, ifs_path, doc):
    """Write ``doc`` as one file; create the missing directories when the first try says 404."""
    data = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")
    url = namespace_url(ifs_path)
    try:
        client.request("PUT", url, body=data, headers=OBJECT)
        return
    except OneFSError as err:
        if err.status != 404:
            raise
    parent = ifs_path.rsplit("/", 1)[0]
    segments = parent.strip("/").split("/")
    for depth in range(2, len(segments) + 1):
        make_dir(client, "/" + "/".join(segments[:depth]))
    client.request("PUT", url, body=data, headers=OBJECT)


def make_dir(client, ifs_path):
    """Create one directory; an existing one is fine."""
    try:
        client.request("PUT", namespace_url(ifs_path), headers=CONTAINER)
    except OneFSError as err:
        if err.status not in (409,) and "exist" not in (err.message or "").lower():
            raise


@contextmanager
def controller_lock(name, timeout=LOCK_TIMEOUT):
    """An exclusive flock on ``<state dir>/journal/<name>.lock`` for this controller."""
    if not HAS_FCNTL:
        yield
        return
    directory = os.path.join(default_state_dir(), "journal")
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o700, exist_ok=True)
    path = os.path.join(directory, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".lock")
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        if not wait_flock(fd, timeout):
            raise JournalError("journal lock %s still held after %.0f s by another run" % (path, timeout))
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


class ZoneJournal:
    """The journal of one zone on one cluster."""

    def __init__(self, client, zone):
        self.client = client
        self.zone = zone
        self.path = journal_path(zone)
        self.doc = None
        self.exists = False
        self._cluster = None
        self._held = False  # inside held(): this process has the controller lock and the newest document
        self._written = False  # a commit of this holder wrote the document

    @contextmanager
    def held(self):
        """Hold the zone's controller lock from the read to the last commit and partner copy.

        Inside, ``self.doc`` is the document on the cluster (no other writer on this controller
        can change it), so commits and the partner copy need not read it again: one GET for
        the whole lockout instead of one per commit."""
        with controller_lock(self.lock_name):
            self._held = True
            self._written = False
            try:
                self.load()
                yield self
            finally:
                self._held = False

    @property
    def lock_name(self):
        return "%s__%s" % (cluster_key(self.client.host, self.client.port), self.zone)

    def load(self):
        """Read the journal (an empty document when there is none yet)."""
        doc = read_doc(self.client, self.path)
        self.exists = doc is not None
        self.doc = doc if doc is not None else empty_doc(self.zone)
        return self.doc

    def entry(self, share):
        return (self.doc or {}).get("entries", {}).get(share)

    def preview(self, updates):
        """The document as it would be after ``updates`` (for check mode); nothing written."""
        doc = copy.deepcopy(self.doc or empty_doc(self.zone))
        _apply(doc, updates)
        return doc

    def commit(self, updates):
        """Merge ``updates`` ({share: entry dict, or None to drop}) into the journal on the
        cluster under the controller lock: re-read, apply, write once. Returns True when the
        document changed (and was written)."""
        if not updates:
            return False
        with self._lock():
            if self._held:
                fresh = copy.deepcopy(self.doc) if self.exists else None
            else:
                fresh = read_doc(self.client, self.path)
            doc = fresh if fresh is not None else empty_doc(self.zone)
            before = copy.deepcopy(doc.get("entries"))
            _apply(doc, updates)
            if fresh is not None and doc["entries"] == before:
                self.doc = doc
                return False
            if not (doc.get("cluster") or {}).get("guid"):
                if self._cluster is None:
                    self._cluster = cluster_identity(self.client)
                doc["cluster"] = self._cluster
            doc["version"] = VERSION
            doc["zone"] = self.zone
            doc["updated_at"] = utc_now()
            write_doc(self.client, self.path, doc)
            self.doc = doc
            self.exists = True
            self._written = True
            return True

    @contextmanager
    def _lock(self):
        if self._held:
            yield  # already held by held() (a second flock in this process would wait for itself)
            return
        with controller_lock(self.lock_name):
            yield

    def sync_partner(self, partner):
        """Make the partner's copy equal to this cluster's journal. Never raises: returns
        {"host", "path", "status": copied|unchanged|failed|skipped, "error"}.

        The source journal is re-read under the controller lock, so of two runs on the same
        zone the last copy carries both runs' entries."""
        status = {"host": partner.host, "path": None, "status": "skipped", "error": None}
        try:
            with self._lock():
                doc = (self.doc if self.exists else None) if self._held else read_doc(self.client, self.path)
                source = ((doc or {}).get("cluster") or {}).get("name")
                if doc is None or not source:
                    status["error"] = "no journal on the source yet"
                    return status
                path = journal_path(self.zone, source)
                status["path"] = path
                # This holder just wrote the document (a new updated_at): the copy differs.
                current = None if (self._held and self._written) else read_doc(partner, path)
                if current == doc:
                    status["status"] = "unchanged"
                    return status
                write_doc(partner, path, doc)
                status["status"] = "copied"
        except (OneFSError, JournalError) as err:
            status["status"] = "failed"
            status["error"] = str(err)
        return status


def _apply(doc, updates):
    entries = doc.setdefault("entries", {})
    for share, entry in updates.items():
        if entry is None:
            entries.pop(share, None)
        else:
            entries[share] = copy.deepcopy(entry)

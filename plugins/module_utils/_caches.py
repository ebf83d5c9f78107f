# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Controller-side caches of the PAPI client, all in the one controller state folder.

Private to the collection (the ``_`` prefix). The folder is ``limiter.default_state_dir()``
(``$ONEFS_DR_STATE_DIR``, else ``$XDG_CACHE_HOME/onefs.dr`` or ``~/.cache/onefs.dr``):

- ``sessions/``: one shared OneFS session per cluster and credentials (``SessionCache``);
- ``versions/``: each cluster's ``/platform/latest`` handler version (``VersionCache``).

The limiter's slots, its locks and the progress files live beside them (_limiter.py,
progress.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import json
import os
import threading
import time
from contextlib import suppress
from typing import Any, Dict, Optional

from ansible_collections.onefs.dr.plugins.module_utils._limiter import cluster_key, default_state_dir

# A shared session (auth_mode=session) is reused while it was last used less than this long
# ago. OneFS logs a session out after 15 minutes without a call (its default inactivity
# timeout); a session it has dropped anyway answers 401 and the client logs in again.
SHARED_SESSION_IDLE = 600.0
# How long a cluster's /platform/latest is trusted without reading it again.
LATEST_CACHE_TTL = 600.0


def state_dir() -> str:
    """The controller state folder every cache of this module lives in."""
    return default_state_dir()


class SessionCache:
    """The shared session of one cluster endpoint and one set of credentials.

    One OneFS session per cluster and credentials for every module call on the controller,
    instead of a login and a logout per module (two API calls, a TLS handshake and an
    audit-log entry each). Kept in ``<state dir>/sessions/`` (directory 0700, files 0600): the
    file name is an HMAC of (URL, username, password) under a random key of that directory,
    so other credentials never pick the session up and no password or hash of one is stored.
    Every method is best effort: a cache that cannot be read or written means a login.
    """

    def __init__(self, base_url: str, key: str, username: Optional[str], password: Optional[str],
                 directory: Optional[str] = None) -> None:
        self.base_url = base_url
        self.key = key
        self._material = "\0".join([base_url, username or "", password or ""]).encode("utf-8")
        self.directory = directory or os.path.join(state_dir(), "sessions")
        self._path = None  # type: Optional[str]

    def path(self) -> Optional[str]:
        """This session's file, or None when the folder or its key cannot be used."""
        if self._path is None:
            try:
                os.makedirs(self.directory, mode=0o700, exist_ok=True)
                key_path = os.path.join(self.directory, ".key")
                if not os.path.exists(key_path):
                    tmp = "%s.%d.tmp" % (key_path, os.getpid())
                    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(os.urandom(32))
                    try:
                        os.link(tmp, key_path)  # atomic: the first process's key wins
                    except FileExistsError:
                        pass
                    finally:
                        os.unlink(tmp)
                with open(key_path, "rb") as handle:
                    secret = handle.read()
                if len(secret) < 32:
                    return None
                digest = hmac.new(secret, self._material, hashlib.sha256).hexdigest()[:40]
                self._path = os.path.join(self.directory, "%s.%s.json" % (self.key, digest))
            except OSError:
                return None
        return self._path

    def load(self) -> Optional[Dict[str, Any]]:
        """``{"sessid", "csrf", "cluster"}`` of the shared session when it was used recently."""
        path = self.path()
        if not path:
            return None
        try:
            if time.time() - os.stat(path).st_mtime > SHARED_SESSION_IDLE:
                return None
            with open(path) as handle:
                cached = json.load(handle)
            sessid, csrf = cached["sessid"], cached.get("csrf")
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not sessid:
            return None
        identity = cached.get("cluster")
        if not (isinstance(identity, dict) and identity.get("guid")):
            identity = None
        else:
            identity = {"guid": identity.get("guid"), "name": identity.get("name")}
        return {"sessid": sessid, "csrf": csrf, "cluster": identity}

    def store(self, sessid: Optional[str], csrf: Optional[str], identity: Optional[Dict[str, Any]]) -> None:
        """Make this session the shared one (with the cluster identity it came with)."""
        path = self.path()
        if not path or not sessid:
            return
        tmp = "%s.%d.%d.tmp" % (path, os.getpid(), threading.get_ident())
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump({"sessid": sessid, "csrf": csrf, "cluster": identity}, handle)
            os.replace(tmp, path)
        except OSError:
            with suppress(OSError):
                os.unlink(tmp)

    def drop(self, sessid: str) -> None:
        """Forget the shared session when it is the one OneFS just refused."""
        path = self.path()
        if not path:
            return
        with suppress(OSError, ValueError, KeyError, TypeError):
            with open(path) as handle:
                if json.load(handle)["sessid"] == sessid:
                    os.unlink(path)

    def keep(self, sessid: Optional[str]) -> bool:
        """True (and its last use refreshed) when ``sessid`` is the shared session."""
        path = self.path()
        if not path:
            return False
        try:
            with open(path) as handle:
                if json.load(handle)["sessid"] != sessid:
                    return False
            os.utime(path, None)  # last use
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return True


class VersionCache:
    """A cluster's ``/platform/latest`` kept on disk for ``LATEST_CACHE_TTL`` seconds."""

    def __init__(self, key: str, directory: Optional[str] = None) -> None:
        self.path = os.path.join(directory or os.path.join(state_dir(), "versions"), key + ".json")

    def load(self) -> Optional[int]:
        try:
            with open(self.path) as handle:
                cached = json.load(handle)
            if time.time() - cached.get("at", 0) < LATEST_CACHE_TTL:
                return int(cached["latest"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def store(self, latest: int) -> None:
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            tmp = "%s.%d.tmp" % (self.path, os.getpid())
            with open(tmp, "w") as handle:
                json.dump({"latest": latest, "at": time.time()}, handle)
            os.replace(tmp, self.path)
        except OSError:
            pass


def endpoint_key(host: str, port: int) -> str:
    """The file-system safe name of one cluster endpoint (the limiter's, so every cache agrees)."""
    return cluster_key(host, port)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one path helper of onefs.dr: OneFS paths normalized, checked and compared.

Private to the collection (the ``_`` prefix): no compatibility promise to other collections.
Every OneFS file system path is absolute and starts with ``/ifs``; the cluster may return a
path with a trailing or doubled slash, so both sides of a comparison go through ``clean_path``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
from typing import Optional, Type

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover - Python 2 is not supported
    from urllib import quote

IFS = "/ifs"


class PathError(ValueError):
    """A user-given path that is not an absolute path under /ifs."""


def clean_path(path: Optional[str]) -> str:
    """``path`` without duplicate, trailing or ``.``/``..`` parts; ``/`` for an empty path.

    Never rejects anything: for paths read from the cluster."""
    clean = posixpath.normpath(path or "/")
    return "/" + clean.lstrip("/")


def ifs_path(path: object, field: str, error: Type[Exception] = PathError) -> str:
    """A user-given path, cleaned; ``error`` (naming ``field``) unless it is absolute and under /ifs."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise error("%s must be an absolute path under /ifs, got %r" % (field, path))
    clean = clean_path(path)
    if not is_under(clean, IFS):
        raise error(
            "%s must be an absolute path under /ifs, got %r (outside /ifs; every OneFS path starts with /ifs)"
            % (field, path)
        )
    return clean


def is_under(path: Optional[str], base: Optional[str]) -> bool:
    """True when ``path`` is ``base`` or lies inside it (both cleaned first)."""
    path = clean_path(path)
    base = clean_path(base)
    return path == base or base == "/" or path.startswith(base + "/")


def rebase(path: str, source_root: str, target_root: str) -> Optional[str]:
    """``path`` under ``source_root`` moved to the same place under ``target_root``; None when
    ``path`` is not under ``source_root``."""
    path = clean_path(path)
    source_root = clean_path(source_root)
    target_root = clean_path(target_root)
    if path == source_root:
        return target_root
    if not is_under(path, source_root):
        return None
    rest = path.lstrip("/") if source_root == "/" else path[len(source_root) + 1:]
    return clean_path(posixpath.join(target_root, rest))


def namespace_url(path: str) -> str:
    """The RAN (namespace API) URL of an /ifs path: '/ifs/a b/c' -> '/namespace/ifs/a%20b/c'."""
    return "/namespace" + quote(path, safe="/")

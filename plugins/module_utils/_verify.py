# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Write verification: was a write whose answer was lost applied anyway?

Private to the collection (the ``_`` prefix). The transport asks a check built here when a
connection dropped after a PUT or DELETE was sent (or a create answered 409): True means the
write is already applied and is not sent again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Callable, Dict, Optional

Check = Callable[[], bool]
# request(method, path, query=...) of the transport (a read, so never itself verified).
Reader = Callable[..., Any]


def is_subset(expected: Any, actual: Any) -> bool:
    """True when every value in ``expected`` is present in ``actual`` (recursively).

    Lists compare item by item, in order; dicts compare only the keys ``expected`` has,
    so an ACE given as ``{"trustee": {"id": "SID:S-1-1-0"}}`` matches the cluster's
    ``{"trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}``.
    """
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        return all(k in actual and is_subset(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return False
        return all(is_subset(e, a) for e, a in zip(expected, actual))
    return expected == actual


def first_object(body: Any) -> Optional[Dict[str, Any]]:
    """The object of an item GET: OneFS wraps it in a one-element list under the resource key."""
    if not isinstance(body, dict):
        return None
    for value in body.values():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return value[0]
        if isinstance(value, dict):
            return value
    return None


def put_check(read: Reader, path: str, query: Optional[Dict[str, Any]], body: Any) -> Optional[Check]:
    """For a PAPI PUT: the object read back holds every value of ``body``. None when no
    automatic check applies (not a PAPI dict body, or a rename, which moves the object: the
    module supplies its own check)."""
    if not isinstance(body, dict) or not path.startswith("/platform/"):
        return None
    if "name" in body and len(body) == 1:
        return None

    def check() -> bool:
        obj = first_object(read("GET", path, query=query))
        return obj is not None and is_subset(body, obj)

    return check


def delete_check(read: Reader, path: str, query: Optional[Dict[str, Any]], not_found: Callable[[Exception], bool]) -> Optional[Check]:
    """For a PAPI DELETE: the object is gone (its GET answers 404)."""
    if not path.startswith("/platform/"):
        return None

    def check() -> bool:
        try:
            read("GET", path, query=query)
        except Exception as err:  # noqa: BLE001 - not_found decides; anything else is "not known"
            if not_found(err):
                return True
            raise
        return False

    return check

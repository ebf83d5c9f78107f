# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The resource layer: which handler version and path a PAPI resource has, and how it is written.

Private to the collection (the ``_`` prefix). A ``Resource`` owns its collection path, the
key its list answers use, its access-zone query, and whether its writes are SMB share
configuration writes (``share_write``: a limiter slot, the share-write budget, 409
AEC_CONFLICT retried). Callers say *what* they write; they never build the path or remember
the flag.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Any, Callable, Dict, List, Optional, Sequence

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover - Python 2 is not supported
    from urllib import quote

# Handler versions this collection understands, per resource prefix. /platform/N/x is
# served by the highest handler version <= N, so for each resource we use the highest
# version we know that the cluster's /platform/latest also has (OneFS 9.5 = 16 ... 9.12 = 23).
RESOURCE_VERSIONS = {
    "cluster/config": (3, 17),
    "cluster/identity": (5,),
    "zones": (3,),
    "protocols/smb/shares": (12, 22),
    "protocols/smb/openfiles": (1,),
    "protocols/smb/sessions": (1,),
    "protocols/smb/settings/global": (7, 17),
    "protocols/nfs/exports": (4, 19),
    "protocols/nfs/aliases": (15,),
    "protocols/nfs/settings/global": (14, 19),
    "sync/policies": (14, 18),
    "sync/jobs": (15, 20),
    "sync/target/policies": (1, 18),
    "sync/target/reports": (1,),
    "sync/reports": (1,),
    "sync/settings": (1,),
    "network/groupnets": (12, 16, 21),
    "network/pools": (12, 16, 21),
    "network/subnets": (12, 16, 21),
    "auth/providers/ads": (14,),
    "quota/quotas": (15, 19),
    "snapshot/schedules": (3,),
    "dedupe/settings": (1,),
}

Check = Optional[Callable[[], bool]]


def pick_version(resource: str, latest: int) -> int:
    """Handler version for a resource path such as 'protocols/smb/shares/x' on a cluster whose
    ``/platform/latest`` is ``latest``: the highest version we know that the cluster has."""
    resource = resource.strip("/")
    best = None
    for prefix in RESOURCE_VERSIONS:
        matches = resource == prefix or resource.startswith(prefix + "/")
        if matches and (best is None or len(prefix) > len(best)):
            best = prefix
    if best is None:
        return latest
    known = RESOURCE_VERSIONS[best]
    usable = [v for v in known if v <= latest]
    return max(usable) if usable else min(known)


def api_path(version: int, resource: str, names: Sequence[Any] = ()) -> str:
    """'/platform/<version>/<resource>[/<quoted name>...]'."""
    path = "/platform/%d/%s" % (version, resource.strip("/"))
    for name in names:
        path += "/" + quote(str(name), safe="")
    return path


class Resource:
    """One PAPI collection on one cluster (``client``: an ``OneFSClient``)."""

    def __init__(self, client: Any, resource: str, key: str, zone: Optional[str] = None, share_write: bool = False) -> None:
        self.client = client
        self.resource = resource
        self.key = key
        self.zone = zone
        self.share_write = share_write

    def path(self, *names: Any) -> str:
        return self.client.api(self.resource, *names)

    def query(self, extra: Optional[Dict[str, Any]] = None) -> Optional[Dict[str, Any]]:
        query = dict(extra or {})
        if self.zone is not None:
            query.setdefault("zone", self.zone)
        return query or None

    def list(self, query: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        return self.client.list(self.path(), self.key, query=self.query(query))

    def get(self, name: str, query: Optional[Dict[str, Any]] = None) -> Optional[Dict[str, Any]]:
        """The object ``name``, or None when there is none (404)."""
        return self.client.item(self.path(name), self.key, query=self.query(query))

    def create(self, body: Dict[str, Any], query: Optional[Dict[str, Any]] = None, verify: Check = None) -> Any:
        return self.client.post(self.path(), body, query=self.query(query), share_write=self.share_write, verify=verify)

    def update(self, name: str, body: Dict[str, Any], query: Optional[Dict[str, Any]] = None, verify: Check = None,
               counters: Optional[Dict[str, int]] = None) -> Any:
        return self.client.put(self.path(name), body, query=self.query(query), share_write=self.share_write,
                               verify=verify, counters=counters)

    def delete(self, name: str, query: Optional[Dict[str, Any]] = None, verify: Check = None) -> Any:
        return self.client.delete(self.path(name), query=self.query(query), share_write=self.share_write, verify=verify)


def smb_shares(client: Any, zone: Optional[str] = None) -> Resource:
    """The SMB shares of ``zone``: every write is a share configuration write."""
    return Resource(client, "protocols/smb/shares", "shares", zone=zone, share_write=True)


def nfs_exports(client: Any, zone: Optional[str] = None) -> Resource:
    return Resource(client, "protocols/nfs/exports", "exports", zone=zone)


def sync_policies(client: Any) -> Resource:
    return Resource(client, "sync/policies", "policies")


def sync_target_policies(client: Any) -> Resource:
    return Resource(client, "sync/target/policies", "policies")

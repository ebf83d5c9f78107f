#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: onefs_nfs_export
short_description: Manage an NFS export and NFS aliases of a OneFS access zone
version_added: 0.1.0
description:
  - Creates, updates or deletes one NFS export of an access zone, identified by its zone and
    its set of O(paths) (OneFS export ids are integers the cluster assigns, so they cannot
    identify an export across runs or clusters).
  - Client lists are declarative. A list option given (O(clients), O(root_clients),
    O(read_only_clients), O(read_write_clients)) is the exact list the export gets; entries
    not in it are removed, and V([]) empties it. O(add_clients) and O(remove_clients) edit the
    lists incrementally instead and leave other entries alone.
  - Also manages NFS aliases of the zone (O(aliases)), each a name that NFSv4 clients mount
    instead of the path. With O(paths) omitted the module manages aliases only.
  - Reads one paged list of the zone's exports (only when O(paths) is given) and one of its
    aliases (only when O(aliases) is given), and writes only what differs.
author:
  - onefs.dr contributors (@onefs-dr)
options:
  zone:
    description: Access zone of the export and the aliases.
    type: str
    default: System
  paths:
    description:
      - The directories the export shares, each under C(/ifs) and inside the zone's base path.
      - Identify the export; the order does not matter. When more than one export of the zone
        has exactly these paths, the module fails and names their ids.
      - Required unless O(aliases) is given.
    type: list
    elements: str
  state:
    description:
      - V(present) creates or updates the export; V(absent) deletes it (and the aliases of
        O(aliases) whose own O(aliases[].state) is not set).
    type: str
    choices: [present, absent]
    default: present
  description:
    description: Description of the export.
    type: str
  clients:
    description: Exact list of hosts (names, addresses or networks) that may mount the export with its default access.
    type: list
    elements: str
  root_clients:
    description: Exact list of hosts whose root user keeps root access (no root squash).
    type: list
    elements: str
  read_only_clients:
    description: Exact list of hosts that get read-only access.
    type: list
    elements: str
  read_write_clients:
    description: Exact list of hosts that get read-write access.
    type: list
    elements: str
  add_clients:
    description:
      - Hosts to add to client lists, keeping the entries already there.
      - A list may not be given both here and as an exact option.
    type: dict
    suboptions:
      clients:
        description: Hosts to add to O(clients).
        type: list
        elements: str
      root_clients:
        description: Hosts to add to O(root_clients).
        type: list
        elements: str
      read_only_clients:
        description: Hosts to add to O(read_only_clients).
        type: list
        elements: str
      read_write_clients:
        description: Hosts to add to O(read_write_clients).
        type: list
        elements: str
  remove_clients:
    description:
      - Hosts to remove from client lists (absent entries are ignored).
      - A list may not be given both here and as an exact option, and a host may not be both
        added and removed.
    type: dict
    suboptions:
      clients:
        description: Hosts to remove from O(clients).
        type: list
        elements: str
      root_clients:
        description: Hosts to remove from O(root_clients).
        type: list
        elements: str
      read_only_clients:
        description: Hosts to remove from O(read_only_clients).
        type: list
        elements: str
      read_write_clients:
        description: Hosts to remove from O(read_write_clients).
        type: list
        elements: str
  read_only:
    description: Export read-only for every client not in O(read_write_clients).
    type: bool
  map_root:
    description: How the root user of a client is mapped (root squash).
    type: dict
    suboptions:
      enabled:
        description: Whether the mapping applies.
        type: bool
      user:
        description:
          - User to map to, as a name (V(nobody)) or a persona id (V(UID:65534), V(USER:nobody),
            V(SID:S-1-...)).
        type: str
  map_all:
    description: How every user of a client is mapped.
    type: dict
    suboptions:
      enabled:
        description: Whether the mapping applies.
        type: bool
      user:
        description: User to map to, as a name or a persona id (see O(map_root.user)).
        type: str
  security_flavors:
    description: Accepted authentication flavors (the order does not matter).
    type: list
    elements: str
    choices: [unix, krb5, krb5i, krb5p]
  aliases:
    description:
      - NFS aliases of O(zone) to manage. Aliases not listed are left alone.
    type: list
    elements: dict
    suboptions:
      name:
        description: Alias name, starting with C(/) (for example V(/projects)).
        type: str
        required: true
      path:
        description:
          - Directory the alias points to. Defaults to the first of O(paths).
        type: str
      state:
        description: V(present) or V(absent); defaults to the module's O(state).
        type: str
        choices: [present, absent]
attributes:
  check_mode:
    support: full
    details: Reads the export and alias lists and reports what would change; writes nothing.
  diff_mode:
    support: full
    details: C(diff) holds only the export fields and aliases that change.
  idempotent:
    support: full
    details: Lists compare as sets; a second run with the same arguments writes nothing.
extends_documentation_fragment:
  - onefs.dr.connection
  - onefs.dr.attributes
notes:
  - Client lists, security flavors and paths are compared as sets, so their order on the
    cluster never causes a write.
  - OneFS rejects an export whose paths do not exist or lie outside the zone's base path; the
    module reports that error with its OneFS code.
  - Needs the RBAC privilege C(ISI_PRIV_NFS) (read and write).
"""

EXAMPLES = r"""
- name: Export a project directory to two networks, root squash on
  onefs.dr.onefs_nfs_export:
    host: cluster-a.example.com
    username: admin
    password: "{{ vault_onefs_password }}"
    zone: eng
    paths: [/ifs/eng/projects]
    description: engineering projects
    clients: [10.1.0.0/16, 10.2.0.0/16]
    root_clients: []
    map_root: {enabled: true, user: nobody}
    security_flavors: [unix, krb5]
    aliases:
      - name: /projects

- name: Add one build host to the root clients, leave the rest alone
  onefs.dr.onefs_nfs_export:
    zone: eng
    paths: [/ifs/eng/projects]
    add_clients:
      root_clients: [build01.example.com]

- name: Remove the export and its alias
  onefs.dr.onefs_nfs_export:
    zone: eng
    paths: [/ifs/eng/projects]
    state: absent
    aliases:
      - name: /projects
"""

RETURN = r"""
export:
  description: The export after the task (in check mode, as it would be). Empty when absent.
  returned: when O(paths) is given
  type: dict
  sample:
    id: 7
    zone: eng
    paths: [/ifs/eng/projects]
    clients: [10.1.0.0/16]
    read_only: false
    security_flavors: [unix, krb5]
export_id:
  description: OneFS id of the export (null when absent, or created in check mode).
  returned: when O(paths) is given
  type: int
  sample: 7
aliases:
  description: The aliases of O(aliases) after the task, with their state.
  returned: when O(aliases) is given
  type: list
  elements: dict
  sample: [{name: /projects, path: /ifs/eng/projects, state: present}]
diff:
  description: What changed, export fields and aliases only.
  returned: changed and diff mode
  type: dict
  sample:
    before: {export: {clients: [10.1.0.0/16]}}
    after: {export: {clients: [10.1.0.0/16, 10.2.0.0/16]}}
"""

import copy

from ansible_collections.onefs.dr.plugins.module_utils._paths import clean_path, ifs_path
from ansible_collections.onefs.dr.plugins.module_utils.common import InputError, OneFSModule

CLIENT_LISTS = ("clients", "root_clients", "read_only_clients", "read_write_clients")
MAP_OPTIONS = ("map_root", "map_all")


def norm_path(path, field):
    """An absolute /ifs path without duplicate or trailing slashes."""
    return ifs_path(path, field, InputError)


def persona_id(user):
    """A map user option as the persona OneFS expects: {'id': 'USER:nobody'}."""
    text = user.strip()
    if ":" in text:
        prefix, dummy, rest = text.partition(":")
        return {"id": "%s:%s" % (prefix.upper(), rest)}
    return {"id": "USER:%s" % text}


def persona_matches(wanted, current):
    """True when the persona ``current`` (from the cluster) is the one ``wanted`` names."""
    current = current or {}
    want = wanted["id"]
    have = current.get("id") or ""
    if have.lower() == want.lower():
        return True
    prefix, dummy, name = want.partition(":")
    return prefix == "USER" and (current.get("name") or "").lower() == name.lower()


class ExportManager:
    def __init__(self, module):
        self.module = module
        self.client = module.client
        self.params = module.params
        self.zone = self.params["zone"]
        self.diff = {"before": {}, "after": {}}
        self.changed = False

    # ------------------------------------------------------------------ validation
    def validate(self):
        p = self.params
        if p["paths"] is not None and not p["paths"]:
            raise InputError("paths is empty; an export needs at least one path under /ifs")
        export_opts = [k for k in CLIENT_LISTS + MAP_OPTIONS + ("description", "read_only", "security_flavors",
                                                                "add_clients", "remove_clients") if p[k] is not None]
        if p["paths"] is None and export_opts:
            raise InputError("%s apply to an export: give paths too" % ", ".join(export_opts))
        if not p["paths"] and not p["aliases"]:
            raise InputError("give paths (the export) or aliases, or both")
        self.paths = None
        if p["paths"] is not None:
            self.paths = sorted(set(norm_path(x, "paths") for x in p["paths"]))
        if p["state"] == "absent" and export_opts:
            raise InputError(
                "state=absent deletes the export; remove the export settings %s from the task" % ", ".join(export_opts)
            )
        add = p["add_clients"] or {}
        remove = p["remove_clients"] or {}
        for key in CLIENT_LISTS:
            for label, edits in (("add_clients", add), ("remove_clients", remove)):
                if edits.get(key) is not None and p[key] is not None:
                    raise InputError(
                        "%s is given both as an exact list and in %s.%s; use one or the other" % (key, label, key)
                    )
            both = set(add.get(key) or []) & set(remove.get(key) or [])
            if both:
                raise InputError(
                    "add_clients.%s and remove_clients.%s both name %s; a host cannot be added and removed"
                    % (key, key, ", ".join(sorted(both)))
                )
        for key in MAP_OPTIONS:
            value = p[key]
            if value is not None and value.get("enabled") is None and value.get("user") is None:
                raise InputError("%s: give enabled, user or both" % key)
            if value is not None and value.get("user") is not None and not value["user"].strip():
                raise InputError("%s.user is empty; give a user name such as nobody, or a persona id such as UID:65534" % key)
        self.aliases = []
        seen = set()
        for index, alias in enumerate(p["aliases"] or []):
            name = alias["name"]
            field = "aliases[%d]" % index
            if not name.startswith("/") or len(name) < 2:
                raise InputError("%s.name %r must start with / (for example /projects)" % (field, name))
            if name in seen:
                raise InputError("%s.name %s is listed twice" % (field, name))
            seen.add(name)
            state = alias["state"] or p["state"]
            path = alias["path"]
            if path is not None:
                path = norm_path(path, field + ".path")
            elif state == "present":
                if not p["paths"]:
                    raise InputError("%s.path is required when paths is not given" % field)
                path = norm_path(p["paths"][0], "paths")
            self.aliases.append({"name": name, "path": path, "state": state})

    # ------------------------------------------------------------------ export
    def find_export(self):
        exports = self.client.list(self.client.api("protocols/nfs/exports"), "exports", query={"zone": self.zone})
        matches = [e for e in exports if sorted(set(clean_path(x) for x in e.get("paths") or [])) == self.paths]
        if len(matches) > 1:
            raise InputError(
                "%d exports of zone %s have exactly the paths %s (ids %s); this module manages one export per "
                "set of paths: remove the duplicates first"
                % (len(matches), self.zone, ", ".join(self.paths), ", ".join(str(e.get("id")) for e in matches))
            )
        return matches[0] if matches else None

    def desired_changes(self, current):
        """Body fields that must be written for the export to match the options.

        For a new export (``current`` None) every given option is written, so cluster
        defaults (root squash on, for one) never hide what the task asked for.
        """
        p = self.params
        new = current is None
        base = current or {}
        changes = {}
        if p["description"] is not None and (new or base.get("description", "") != p["description"]):
            changes["description"] = p["description"]
        if p["read_only"] is not None and (new or bool(base.get("read_only", False)) != p["read_only"]):
            changes["read_only"] = p["read_only"]
        if p["security_flavors"] is not None:
            wanted = list(dict.fromkeys(p["security_flavors"]))
            if new or set(base.get("security_flavors") or []) != set(wanted):
                changes["security_flavors"] = wanted
        add = p["add_clients"] or {}
        remove = p["remove_clients"] or {}
        for key in CLIENT_LISTS:
            have = list(base.get(key) or [])
            if p[key] is not None:
                wanted = list(dict.fromkeys(p[key]))
            elif add.get(key) or remove.get(key):
                drop = set(remove.get(key) or [])
                wanted = [c for c in have if c not in drop]
                wanted += [c for c in dict.fromkeys(add.get(key) or []) if c not in wanted and c not in drop]
            else:
                continue
            if set(wanted) != set(have) or (new and wanted):
                changes[key] = wanted
        for key in MAP_OPTIONS:
            opt = p[key]
            if opt is None:
                continue
            have = base.get(key) or {}
            same = not new
            if opt.get("enabled") is not None and bool(have.get("enabled")) != opt["enabled"]:
                same = False
            if opt.get("user") is not None and not persona_matches(persona_id(opt["user"]), have.get("user")):
                same = False
            if same:
                continue
            keep = ("enabled", "user", "primary_group", "secondary_groups")
            value = {k: copy.deepcopy(v) for k, v in have.items() if k in keep}
            if opt.get("enabled") is not None:
                value["enabled"] = opt["enabled"]
            if opt.get("user") is not None:
                value["user"] = persona_id(opt["user"])
            changes[key] = value
        return changes

    def ensure_export(self):
        client = self.client
        current = self.find_export()
        path = client.api("protocols/nfs/exports")
        if self.params["state"] == "absent":
            if current is None:
                return {}, None
            self.changed = True
            self.diff["before"]["export"] = {"id": current.get("id"), "paths": current.get("paths")}
            self.diff["after"]["export"] = {}
            if not self.module.check_mode:
                client.delete(client.api("protocols/nfs/exports", current["id"]), query={"zone": self.zone})
            return {}, None
        changes = self.desired_changes(current)
        if current is None:
            body = {"paths": self.paths}
            body.update(changes)
            self.changed = True
            self.diff["before"]["export"] = {}
            self.diff["after"]["export"] = copy.deepcopy(body)
            export_id = None
            if not self.module.check_mode:
                answer = client.post(path, body, query={"zone": self.zone}) or {}
                export_id = answer.get("id")
                if export_id is None:
                    found = self.find_export()
                    export_id = found.get("id") if found else None
            after = dict(body, id=export_id, zone=self.zone)
            return after, export_id
        after = copy.deepcopy(current)
        if changes:
            self.changed = True
            self.diff["before"]["export"] = {k: copy.deepcopy(current.get(k)) for k in changes}
            self.diff["after"]["export"] = copy.deepcopy(changes)
            if not self.module.check_mode:
                client.put(client.api("protocols/nfs/exports", current["id"]), changes, query={"zone": self.zone})
            after.update(copy.deepcopy(changes))
        return after, current.get("id")

    # ------------------------------------------------------------------ aliases
    def ensure_aliases(self):
        client = self.client
        query = {"zone": self.zone}
        existing = {a.get("name"): a for a in client.list(client.api("protocols/nfs/aliases"), "aliases", query=query)}
        out = []
        before, after = {}, {}
        for alias in self.aliases:
            name = alias["name"]
            have = existing.get(name)
            if alias["state"] == "absent":
                if have is not None:
                    before[name] = {"path": have.get("path")}
                    after[name] = None
                    if not self.module.check_mode:
                        client.delete(client.api("protocols/nfs/aliases", name), query=query)
                out.append({"name": name, "path": None, "state": "absent"})
                continue
            if have is None:
                before[name] = None
                after[name] = {"path": alias["path"]}
                if not self.module.check_mode:
                    client.post(client.api("protocols/nfs/aliases"), {"name": name, "path": alias["path"]}, query=query)
            elif clean_path(have.get("path")) != alias["path"]:
                before[name] = {"path": have.get("path")}
                after[name] = {"path": alias["path"]}
                if not self.module.check_mode:
                    client.put(client.api("protocols/nfs/aliases", name), {"path": alias["path"]}, query=query)
            out.append({"name": name, "path": alias["path"], "state": "present"})
        if before:
            self.changed = True
            self.diff["before"]["aliases"] = before
            self.diff["after"]["aliases"] = after
        return out

    def run(self):
        self.validate()
        result = {}
        if self.paths is not None:
            export, export_id = self.ensure_export()
            result["export"] = export
            result["export_id"] = export_id
        if self.aliases:
            result["aliases"] = self.ensure_aliases()
        result["changed"] = self.changed
        if self.changed and self.module.module._diff:
            result["diff"] = self.diff
        return result


def main():
    client_list = dict(type="list", elements="str")
    edits = dict(
        type="dict",
        options=dict((key, dict(type="list", elements="str")) for key in CLIENT_LISTS),
    )
    mapping = dict(type="dict", options=dict(enabled=dict(type="bool"), user=dict(type="str")))
    argument_spec = dict(
        zone=dict(type="str", default="System"),
        paths=dict(type="list", elements="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        description=dict(type="str"),
        clients=dict(client_list),
        root_clients=dict(client_list),
        read_only_clients=dict(client_list),
        read_write_clients=dict(client_list),
        add_clients=edits,
        remove_clients=copy.deepcopy(edits),
        read_only=dict(type="bool"),
        map_root=mapping,
        map_all=copy.deepcopy(mapping),
        security_flavors=dict(type="list", elements="str", choices=["unix", "krb5", "krb5i", "krb5p"]),
        aliases=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                path=dict(type="str"),
                state=dict(type="str", choices=["present", "absent"]),
            ),
        ),
    )
    module = OneFSModule(argument_spec, supports_check_mode=True)
    module.run(lambda m: ExportManager(m).run())


if __name__ == "__main__":
    main()

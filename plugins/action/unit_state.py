# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Load and save a failover unit's state: on its clusters, with a copy on the controller
(documentation: plugins/modules/unit_state.py).

Runs in the worker process (no module is sent anywhere). What a resumed run needs (cached
schedules, pending mirror runs, the unit's SmartConnect names, the last step) lives on both of
the unit's clusters, in ``/ifs/.onefs_dr/units/<unit>.json`` (namespace API): a re-run in a new
AWX container, with an empty controller disk, finds it there. The controller file is a cache.
Every saved document carries ``seq``: the load takes the highest one of the clusters it can
read (a cluster that was down at a save has an older copy). The unit's lease (unit_lease) makes
the run the only writer of its unit's document.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.onefs.dr.plugins.plugin_utils.clusters import connections

ARGS = ("state", "path", "mode", "directory", "clusters", "unit", "load", "step")
CLUSTER_DIR = "/ifs/.onefs_dr/units"


def state_text(state):
    """The state file's content: deterministic (sorted keys, no timestamps)."""
    return json.dumps(state, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


def _without_seq(state):
    """The content that matters for a resume: without the sequence number and the step that
    saved it (a save that changes only those is not written: fewer writes, and a rollback of a
    unit that never started writes nothing)."""
    return dict((k, v) for k, v in (state or {}).items() if k not in ("seq", "step"))


def write_atomically(path, text, mode=0o600):
    """Temporary file in the same directory, fsync, then rename; ``mode`` (0600), a new directory 0700."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        unknown = sorted(set(args) - set(ARGS))
        if unknown:
            raise AnsibleActionFail("unit_state: unknown option(s) %s; it takes state, path, mode and directory"
                                    % ", ".join(unknown))
        try:
            directory = boolean(args.get("directory", False), strict=True)
        except TypeError:
            raise AnsibleActionFail("unit_state: directory must be true or false, got %r" % (args.get("directory"),)) from None
        if directory:
            return self._directory(result, args)
        if boolean(args.get("load", False), strict=False):
            return self._load(result, args, task_vars or {})
        mode = args.get("mode", "0600")
        try:
            mode = int(str(mode), 8)
            if not 0 <= mode <= 0o777:
                raise ValueError
        except ValueError:
            raise AnsibleActionFail("unit_state: mode %r is not an octal file mode such as '0600' or '0644'" % (args.get("mode"),)) from None
        state, path = args.get("state"), args.get("path")
        if not isinstance(state, dict):
            raise AnsibleActionFail("unit_state: state must be a dict (the fact onefs_dr_unit_state), got %s"
                                    % type(state).__name__)
        if not path or not isinstance(path, str):
            raise AnsibleActionFail("unit_state: path is required (the unit's state file)")
        path = os.path.expanduser(path)
        clusters = self._connections(args.get("clusters"), task_vars or {})
        if clusters:
            return self._save_on_clusters(result, args, state, path, mode, clusters, task_vars or {})
        text = state_text(state)
        try:
            with open(path, encoding="utf-8") as handle:
                current = handle.read()
        except FileNotFoundError:
            current = None
        except OSError as err:
            raise AnsibleActionFail("unit_state: cannot read %s: %s" % (path, err)) from err
        result.update(changed=current != text, path=path)
        if current != text and not self._task.check_mode:
            try:
                write_atomically(path, text, mode)
            except OSError as err:
                raise AnsibleActionFail(
                    "unit_state: cannot write %s: %s. Set onefs_dr_state_dir to a writable directory that survives "
                    "between runs" % (path, err)) from err
        if current != text and self._task.diff:
            result["diff"] = {"before": current or "", "after": text, "before_header": path, "after_header": path}
        return result

    # ------------------------------------------------------------------ the clusters' copies
    def _connections(self, names, task_vars):
        return connections(self._templar, task_vars, names, "unit_state")

    @staticmethod
    def _cluster_path(unit):
        from ansible_collections.onefs.dr.plugins.module_utils._lease import safe_resource

        return "%s/%s.json" % (CLUSTER_DIR, safe_resource(unit))

    def _clients(self, clusters):
        from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient
        from ansible_collections.onefs.dr.plugins.module_utils.common import client_kwargs

        out = []
        for name, conn in sorted(clusters.items()):
            client = OneFSClient(**client_kwargs(dict(conn)))
            client.cluster_budget = False
            out.append((name, client))
        return out

    def _unit(self, args, task_vars):
        unit = args.get("unit") or task_vars.get("inventory_hostname")
        if not unit:
            raise AnsibleActionFail("unit_state: unit is required with clusters")
        return unit

    def _load(self, result, args, task_vars):
        """Read the unit's document from each cluster; the highest seq wins; cache it on the controller."""
        from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError
        from ansible_collections.onefs.dr.plugins.module_utils.journal import read_json

        unit = self._unit(args, task_vars)
        path = os.path.expanduser(args.get("path") or "")
        clusters = self._connections(args.get("clusters"), task_vars)
        found, unreachable = [], []
        for name, client in self._clients(clusters):
            try:
                doc = read_json(client, self._cluster_path(unit))
                if isinstance(doc, dict):
                    found.append((int(doc.get("seq") or 0), name, doc))
            except (OneFSError, ValueError) as err:
                unreachable.append("%s (%s)" % (name, err))
            finally:
                client.close()
        cached = None
        if path:
            try:
                with open(path, encoding="utf-8") as handle:
                    cached = json.load(handle)
            except (OSError, ValueError):
                cached = None
        if found:
            found.sort(key=lambda item: item[0])
            state, source = found[-1][2], "cluster %s" % found[-1][1]
        elif cached is not None and unreachable and not found:
            state, source = cached, "controller cache (no cluster could be read)"
        else:
            state, source = {"unit": unit, "schedules": {}}, "new"
        if path and cached != state and not self._task.check_mode:
            write_atomically(path, state_text(state))
        result.update(changed=False, state=state, source=source, path=path,
                      ansible_facts={"onefs_dr_unit_state": state})
        if unreachable:
            result["warnings"] = ["unit %s: its state could not be read from %s" % (unit, ", ".join(unreachable))]
        return result

    def _save_on_clusters(self, result, args, state, path, mode, clusters, task_vars):
        """Write the document to every reachable cluster when it differs from the cached copy (the
        last document written or loaded), then the cache. At least one cluster must take it."""
        from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError

        unit = self._unit(args, task_vars)
        state = dict(state)
        if args.get("step"):
            state["step"] = args["step"]
        try:
            with open(path, encoding="utf-8") as handle:
                cached = json.load(handle)
        except (OSError, ValueError):
            cached = None
        same = cached is not None and _without_seq(cached) == _without_seq(state)
        if same:
            result.update(changed=False, path=path, clusters=[])
            return result
        state["seq"] = max(int((cached or {}).get("seq") or 0), int(state.get("seq") or 0)) + 1
        result.update(changed=True, path=path)
        if self._task.diff:
            result["diff"] = {"before": state_text(_without_seq(cached or {})), "after": state_text(_without_seq(state)),
                              "before_header": unit, "after_header": unit}
        if self._task.check_mode:
            return result
        written, failed = [], []
        for name, client in self._clients(clusters):
            try:
                self._write_doc(client, self._cluster_path(unit), state)
                written.append(name)
            except OneFSError as err:
                failed.append("%s (%s)" % (name, err))
            finally:
                client.close()
        if not written:
            raise AnsibleActionFail(
                "unit %s: its state could not be saved on any of its clusters: %s. A re-run needs it: fix the "
                "connection and run again" % (unit, "; ".join(failed)))
        try:
            write_atomically(path, state_text(state), mode)
        except OSError as err:
            raise AnsibleActionFail("unit_state: cannot write the controller cache %s: %s (onefs_dr_state_dir)" % (path, err)) from err
        result["clusters"] = written
        if failed:
            result["warnings"] = ["unit %s: state not saved on %s; saved on %s" % (unit, "; ".join(failed), ", ".join(written))]
        return result

    @staticmethod
    def _write_doc(client, ifs_path, doc):
        """One PUT of the document; when its folder is missing (404), one recursive folder create
        ("Create a directory", recursive=true) and the PUT again."""
        from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSError
        from ansible_collections.onefs.dr.plugins.module_utils.journal import CONTAINER, OBJECT, namespace_url

        data = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")
        try:
            client.request("PUT", namespace_url(ifs_path), body=data, headers=OBJECT)
            return
        except OneFSError as err:
            if err.status not in (403, 404):
                raise
        client.request("PUT", namespace_url(ifs_path.rsplit("/", 1)[0]), headers=CONTAINER, query={"recursive": "true"})
        client.request("PUT", namespace_url(ifs_path), body=data, headers=OBJECT)

    def _directory(self, result, args):
        """``directory: true``: make the state directory (0700) and check that it is writable.

        Done in check mode too: it holds no cluster state, and a directory that cannot be
        written must stop the run before any cluster is touched, not after the first write.
        """
        if args.get("state") is not None:
            raise AnsibleActionFail("unit_state: directory: true makes a directory; it takes no state")
        path = args.get("path")
        if not path or not isinstance(path, str):
            raise AnsibleActionFail("unit_state: path is required (the state directory)")
        path = os.path.expanduser(path)
        existed = os.path.isdir(path)
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            # The directory holds the lockout's ACL journals: 0700 also when it already existed
            # with wider permissions (what the file module's mode did before).
            widened = existed and stat.S_IMODE(os.stat(path).st_mode) != 0o700
            if widened:
                os.chmod(path, 0o700)
            fd, probe = tempfile.mkstemp(prefix=".probe.", dir=path)
            os.close(fd)
            os.unlink(probe)
        except OSError as err:
            raise AnsibleActionFail(
                "unit_state: cannot write in the directory %s: %s. Set onefs_dr_state_dir to a writable directory that "
                "survives between runs" % (path, err)) from err
        result.update(changed=not existed or widened, path=path)
        return result

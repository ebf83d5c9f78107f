# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Capture a digital twin of a DR pair (documentation: plugins/modules/twin_capture.py).

Runs on the controller: reads each cluster with the collection's ``onefs_info`` module (run as
a module, read only), turns the results into a simulator scenario (the ``twin_scenario``
filter's code) and writes it. The facts never pass through Jinja: with thousands of shares,
templating the registered results took minutes where this takes seconds.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.onefs.dr.plugins.plugin_utils.clusters import connections

ARGS = ("clusters", "dest", "anonymize", "anonymize_key", "history", "description", "share_write_service_ms",
        "share_write_capacity", "time_scale", "mode", "compare_to")
SUBSETS = ["cluster", "zones", "sync_policies", "sync_target_policies", "sync_reports", "sync_target_reports",
           "smb_shares", "nfs_exports", "nfs_aliases", "network_groupnets", "network_subnets", "network_pools",
           "ads_providers", "quotas", "snapshot_schedules", "dedupe", "smb_openfiles", "smb_sessions",
           "protocol_settings"]


def scenario_text(scenario, dest):
    if dest.endswith(".json"):
        return json.dumps(scenario, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(scenario, Dumper=dumper, default_flow_style=False, sort_keys=True, width=160,
                     allow_unicode=True)


def load_scenario(path):
    try:
        with open(path, encoding="utf-8") as handle:
            if path.endswith(".json"):
                return json.load(handle)
            import yaml

            return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, ValueError) as err:
        raise AnsibleActionFail("twin_capture: cannot read the twin %s: %s" % (path, err)) from err


def write_file(path, text, mode):
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _plain(value):
    """The module's result as plain Python values (no tagged/lazy containers)."""
    return json.loads(json.dumps(value, default=str))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        from ansible_collections.onefs.dr.plugins.filter.twin_scenario import twin_check, twin_scenario

        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._task.args
        unknown = sorted(set(args) - set(ARGS))
        if unknown:
            raise AnsibleActionFail("twin_capture: unknown option(s) %s; it takes %s" % (", ".join(unknown), ", ".join(ARGS)))
        names = args.get("clusters")
        if args.get("compare_to") and not names:
            names = sorted(load_scenario(os.path.expanduser(args["compare_to"])).get("clusters") or {})
        if not names or not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise AnsibleActionFail("twin_capture: clusters must list keys of onefs_dr_clusters (the pair to capture)")
        dest = args.get("dest")
        if not dest or not isinstance(dest, str):
            raise AnsibleActionFail("twin_capture: dest is required (the scenario file to write, .json or .yaml)")
        if not dest.endswith((".json", ".yaml", ".yml")):
            raise AnsibleActionFail("twin_capture: dest must end with .json, .yaml or .yml, got %r" % dest)
        try:
            anonymize = boolean(args.get("anonymize", False), strict=True)
        except TypeError:
            raise AnsibleActionFail("twin_capture: anonymize must be true or false, got %r" % (args.get("anonymize"),)) from None
        key = args.get("anonymize_key") or ""
        if anonymize and not key:
            raise AnsibleActionFail("twin_capture: anonymize needs anonymize_key (a secret the team keeps: the same key "
                                    "gives the same pseudonyms in every capture)")
        try:
            history = int(args.get("history", 10))
            if history < 1:
                raise ValueError
        except (TypeError, ValueError):
            raise AnsibleActionFail("twin_capture: history must be a whole number >= 1, got %r" % (args.get("history"),)) from None
        numbers = {}
        for name in ("share_write_service_ms", "share_write_capacity", "time_scale"):
            value = args.get(name)
            if value in (None, ""):
                continue
            try:
                numbers[name] = float(value) if name != "share_write_capacity" else int(value)
                if numbers[name] <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                raise AnsibleActionFail("twin_capture: %s must be a number > 0, got %r" % (name, value)) from None
        try:
            mode = int(str(args.get("mode", "0644")), 8)
        except ValueError:
            raise AnsibleActionFail("twin_capture: mode %r is not an octal file mode" % (args.get("mode"),)) from None
        conns = connections(self._templar, task_vars, names, "twin_capture")
        facts = {}
        for name in names:
            module_args = dict(conns[name])
            module_args.update(gather_subset=SUBSETS, reports_per_policy=history)
            res = self._execute_module(module_name="onefs.dr.onefs_info", module_args=module_args,
                                       task_vars=task_vars)
            if res.get("failed"):
                raise AnsibleActionFail("twin_capture: reading %s failed: %s" % (name, res.get("msg")))
            facts[name] = _plain(dict((k, v) for k, v in res.items() if k in SUBSETS))
        scenario = twin_scenario(facts, anonymize=anonymize, anonymize_key=key,
                                 description=args.get("description") or "", **numbers)
        text = scenario_text(scenario, dest)
        dest = os.path.expanduser(dest)
        try:
            with open(dest, encoding="utf-8") as handle:
                current = handle.read()
        except FileNotFoundError:
            current = None
        except OSError as err:
            raise AnsibleActionFail("twin_capture: cannot read %s: %s" % (dest, err)) from err
        changed = current != text
        if changed and not self._task.check_mode:
            write_file(dest, text, mode)
        summary = {}
        for cname, spec in scenario["clusters"].items():
            summary[cname] = dict((k, len(spec.get(k) or [])) for k in (
                "zones", "shares", "exports", "aliases", "quotas", "policies", "target_policies", "reports",
                "target_reports"))
        result.update(changed=changed, dest=dest, clusters=summary, anonymized=anonymize, bytes=len(text.encode("utf-8")))
        if args.get("compare_to"):
            result["check"] = twin_check(scenario, load_scenario(os.path.expanduser(args["compare_to"])))
        return result

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Take, check or give back a failover unit's lease on its clusters (docs: plugins/modules/unit_lease.py).

Runs in the worker process, on the controller. Taking the lease starts the keeper process
(module_utils/_lease_keeper.py) that renews it while the playbook lives.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys
import time
from contextlib import suppress

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.onefs.dr.plugins.module_utils._lease import ClusterLease, LeaseBusy, LeaseError, holder_info
from ansible_collections.onefs.dr.plugins.module_utils._limiter import default_state_dir
from ansible_collections.onefs.dr.plugins.module_utils._watchdog import _stat
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient, OneFSError
from ansible_collections.onefs.dr.plugins.module_utils.common import client_kwargs
from ansible_collections.onefs.dr.plugins.plugin_utils.clusters import connections

ARGS = ("state", "unit", "clusters", "connections", "optional", "wait", "ttl", "run_id", "purpose", "lease", "playbook", "direction", "state_file")
STATES = ("held", "released", "check")


def _collections_root():
    # .../ansible_collections/onefs/dr/plugins/action/unit_lease.py -> the folder holding ansible_collections
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(here)))))


def lease_dir():
    path = os.path.join(default_state_dir(), "leases")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


class _Announcer:
    """Says, every 10 s at most, that a unit waits for another run's lease (the action's progress)."""

    def __init__(self, unit, cluster, lease):
        self.unit, self.cluster, self.lease = unit, cluster, lease
        self.said = None

    def __call__(self, waited, others):
        if self.said is not None and waited - self.said < 10:
            return
        self.said = waited
        who = ", ".join("entry %s (claim %d)" % (o["name"][:8], o["claim"]) for o in others) or "another run"
        Display().display("onefs.dr: unit %s waits for the lease on %s, held by %s (%.0f s so far; a holder that "
                          "stopped loses it %d s after its last renewal)"
                          % (self.unit, self.cluster, who, waited, self.lease.ttl + int(self.lease.grace)))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        unknown = sorted(set(args) - set(ARGS))
        if unknown:
            raise AnsibleActionFail("unit_lease: unknown option(s) %s" % ", ".join(unknown))
        state = args.get("state", "held")
        if state not in STATES:
            raise AnsibleActionFail("unit_lease: state must be one of %s, got %r" % (", ".join(STATES), state))
        unit = args.get("unit") or (task_vars or {}).get("inventory_hostname")
        if not unit or not isinstance(unit, str):
            raise AnsibleActionFail("unit_lease: unit is required (the failover unit's name)")
        if state == "check":
            return self._check(result, args)
        args = dict(args)
        if args.get("clusters") and not args.get("connections"):
            args["connections"] = self._connections(args["clusters"], task_vars or {})
        if state == "held":
            return self._take(result, unit, args)
        return self._release(result, args)

    def _connections(self, names, task_vars):
        return connections(self._templar, task_vars, names, "unit_lease")

    # ------------------------------------------------------------------ take
    def _take(self, result, unit, args):
        connections = args.get("connections")
        if not isinstance(connections, dict) or not connections:
            raise AnsibleActionFail("unit_lease: connections is required: {cluster name: connection options}")
        optional = set(args.get("optional") or [])
        try:
            wait = float(args.get("wait", 120))
            ttl = int(os.environ.get("ONEFS_DR_LEASE_TTL") or args.get("ttl", 60))
        except (TypeError, ValueError):
            raise AnsibleActionFail("unit_lease: wait and ttl must be numbers (onefs_dr_lease_wait, onefs_dr_lease_ttl)") from None
        if ttl < 3 or wait < 0:
            raise AnsibleActionFail("unit_lease: ttl must be at least 3 s and wait 0 or more (onefs_dr_lease_ttl, onefs_dr_lease_wait)")
        run_id = args.get("run_id") or "adhoc"
        holder = holder_info(run_id, args.get("purpose") or "unit run", unit=unit)
        if self._task.check_mode:
            result.update(changed=False, lease=None, msg="check mode: no lease taken (nothing is written)")
            return result
        taken, skipped = [], []
        # The same order for every run (cluster host and port), so two runs never each hold one
        # cluster of the pair and wait for the other.
        order = sorted(connections.items(), key=lambda kv: ("%s:%s" % (kv[1].get("host"), kv[1].get("port")), kv[0]))
        try:
            for name, conn in order:
                params = dict(conn)
                params.setdefault("host", None)
                kwargs = client_kwargs(params)
                client = OneFSClient(**kwargs)
                client.cluster_budget = False
                lease = ClusterLease(client, "unit.%s" % unit, holder, ttl=ttl)
                try:
                    lease.acquire(wait=wait, poll=2.0, on_wait=_Announcer(unit, name, lease))
                except OneFSError as err:
                    client.close()
                    if name in optional:
                        skipped.append({"cluster": name, "error": str(err)})
                        continue
                    raise AnsibleActionFail("unit %s: cannot take its lease on %s (%s): %s" % (unit, name, kwargs["host"], err)) from None
                except LeaseBusy as err:
                    client.close()
                    raise AnsibleActionFail(
                        "unit %s is in use by another run, nothing was written: %s. Wait for that run to end (or, if it "
                        "was interrupted, for its lease to expire) and run again; onefs_dr_lease_wait sets how long to wait"
                        % (unit, err)) from None
                taken.append((name, kwargs, lease))
        except (AnsibleActionFail, LeaseError):
            for _name, _kwargs, lease in taken:
                lease.release()
                lease.client.close()
            raise
        key = "%s__%s" % (run_id, unit)
        directory = lease_dir()
        heartbeat = os.path.join(directory, key + ".json")
        release_file = os.path.join(directory, key + ".held")
        with open(release_file, "w") as handle:
            handle.write(str(os.getpid()))
        main_pid = os.getppid()
        stat = _stat(main_pid)
        cfg = {
            "unit": unit, "run_id": run_id, "ttl": ttl, "holder": holder, "heartbeat": heartbeat,
            "release_file": release_file, "main_pid": main_pid, "main_start": stat[1] if stat else None,
            "state_file": args.get("state_file") or "", "playbook": args.get("playbook"),
            "direction": args.get("direction"),
            "leases": [
                {"connection": kwargs, "resource": lease.resource, "token": lease.token, "name": lease._name,
                 "ttl": ttl, "valid_for": max(0.0, lease.remaining())}
                for _name, kwargs, lease in taken
            ],
        }
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([_collections_root()] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        proc = subprocess.Popen(
            [sys.executable, "-m", "ansible_collections.onefs.dr.plugins.module_utils._lease_keeper"],
            stdin=subprocess.PIPE, start_new_session=True, env=env, close_fds=True,
        )
        proc.stdin.write(json.dumps(cfg).encode("utf-8"))
        proc.stdin.close()
        for _name, _kwargs, lease in taken:
            lease.client.close()
        # A lease changes no configuration of the clusters: never "changed" (an idempotent re-run
        # of a failover reports 0 changed).
        result.update(
            changed=False,
            lease={
                "unit": unit, "run_id": run_id, "ttl": ttl, "token": taken[0][2].token if taken else None,
                "entries": dict((name, {"host": kwargs["host"], "port": kwargs["port"], "path": lease.entry_path})
                                for name, kwargs, lease in taken),
                "skipped": skipped, "keeper_pid": proc.pid, "heartbeat": heartbeat, "release_file": release_file,
                "taken_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
        )
        if skipped:
            result["warnings"] = ["unit %s: no lease on %s (unreachable: %s); the run goes on with the lease on %s"
                                  % (unit, s["cluster"], s["error"], ", ".join(n for n, _k, _l in taken) or "no cluster")
                                  for s in skipped]
        return result

    # ------------------------------------------------------------------ check
    def _check(self, result, args):
        lease = args.get("lease")
        if not lease:
            result.update(changed=False, held=False, msg="no lease to check")
            return result
        try:
            with open(lease["heartbeat"]) as handle:
                beat = json.load(handle)
        except (OSError, ValueError, KeyError, TypeError):
            beat = {}
        if beat.get("lost") or beat.get("ended"):
            # Not a task failure: the playbook decides (it stops the unit before its next phase).
            result.update(changed=False, held=False, msg=(
                "unit %s: its lease was lost (%s); another run may have taken the unit. Nothing more is written by this "
                "run for it: check which run holds it, then run again" % (lease.get("unit"), beat.get("lost") or "keeper ended")))
            return result
        result.update(changed=False, held=True, renewed=beat.get("renewed"))
        return result

    # ------------------------------------------------------------------ release
    def _release(self, result, args):
        lease = args.get("lease")
        connections = args.get("connections") or {}
        if not lease or not isinstance(lease, dict):
            result.update(changed=False, msg="no lease held")
            return result
        release_file = lease.get("release_file")
        if release_file:
            with suppress(FileNotFoundError):
                os.unlink(release_file)
        keeper = lease.get("keeper_pid")
        deadline = time.monotonic() + 10
        while keeper and _stat(int(keeper)) is not None and time.monotonic() < deadline:
            time.sleep(0.05)  # the keeper notices the release file within 0.25 s
        released = []
        for name, entry in (lease.get("entries") or {}).items():
            conn = connections.get(name)
            if not conn:
                continue
            client = OneFSClient(**client_kwargs(dict(conn)))
            client.cluster_budget = False
            try:
                client.request("DELETE", "/namespace" + entry["path"])
                released.append(name)
            except OneFSError as err:
                result.setdefault("warnings", []).append(
                    "unit %s: lease entry %s on %s not removed (%s); it expires by itself" % (lease.get("unit"), entry["path"], name, err))
            finally:
                client.close()
        with suppress(OSError):
            os.unlink(lease.get("heartbeat") or "")
        result.update(changed=False, released=released)
        return result

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The process that keeps a run's unit leases alive between its tasks.

The ``onefs.dr.unit_lease`` action takes a unit's lease on its clusters and starts this
process (its own session, so Ctrl-C of the playbook does not reach it). It renews the lease
entries every ``lease.renew_interval(ttl)`` (40 s for a ttl of 60) for as long as the playbook's main process lives, and:

- stops when the action gives the lease back (it removes the keeper's *release file*);
- stops renewing when the playbook's main process is gone (Ctrl-C, kill, a lost AWX node):
  the entries then expire ``ttl + grace`` seconds later, so another run may take the unit. It
  prints once where the run stood and how to continue (the playbook's stdout);
- writes a heartbeat file (``<cache>/leases/<key>.json``: last renewal, valid until, lost) that
  the action's ``state: check`` reads between steps.

Started as ``python -m ansible_collections.onefs.dr.plugins.module_utils._lease_keeper`` with its
configuration as JSON on standard input (it holds the clusters' credentials: never in argv or
the environment, so no other user sees them in ``ps``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import sys
import time

from ansible_collections.onefs.dr.plugins.module_utils._lease import ClusterLease, LeaseLost, renew_interval
from ansible_collections.onefs.dr.plugins.module_utils._watchdog import _stat
from ansible_collections.onefs.dr.plugins.module_utils.client import OneFSClient, OneFSError


def write_json(path, doc):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(doc, handle)
    os.replace(tmp, path)


def alive(pid, start):
    stat = _stat(pid)
    return stat is not None and (start is None or stat[1] == start)


def rebuild(client, spec, holder):
    """A ClusterLease object for an entry the action already created (same token and name)."""
    lease = ClusterLease(client, spec["resource"], holder, capacity=1, claim=1, ttl=spec["ttl"])
    lease.token = spec["token"]
    lease._name = spec["name"]
    lease._valid_until = time.monotonic() + float(spec["valid_for"])
    return lease


def interrupted_message(cfg):
    unit = cfg["unit"]
    step = "?"
    try:
        with open(cfg["state_file"]) as handle:
            step = json.load(handle).get("step") or "?"
    except (OSError, ValueError, TypeError, KeyError):
        pass
    again = "ansible-playbook %s --limit %s" % (cfg.get("playbook") or "<the same playbook>", unit)
    return (
        "\nonefs.dr: run %(run)s was interrupted while unit %(unit)s was in progress (last step recorded: %(step)s).\n"
        "  Nothing is written for it any more: its modules stop when their playbook is gone, and its lease on the\n"
        "  clusters expires about %(expiry)d s from now, after which another run may take the unit.\n"
        "  To continue: run the same playbook again (every step decides from cluster state): %(again)s\n"
        "  Before the point of no return you may roll back instead: ansible-playbook playbooks/rollback.yml --limit %(unit)s%(back)s\n"
        % {"run": cfg.get("run_id"), "unit": unit, "step": step, "expiry": int(cfg["ttl"] * 1.5), "again": again,
           "back": " -e onefs_dr_rollback_of=failback" if cfg.get("direction") == "failback" else ""}
    )


def main():
    cfg = json.loads(sys.stdin.read())
    sys.stdin.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the playbook, not for us
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    holder = cfg["holder"]
    leases = []
    for spec in cfg["leases"]:
        client = OneFSClient(**spec["connection"])
        client.cluster_budget = False
        leases.append(rebuild(client, spec, holder))
    heartbeat, release_file = cfg["heartbeat"], cfg["release_file"]
    main_pid, main_start = cfg["main_pid"], cfg.get("main_start")
    # Ansible's workers (and so this process) have /dev/null as stdout: write to the playbook's
    # own stdout (a terminal, AWX's pipe, a log file: appended), opened while it still exists.
    out = None
    try:
        out = os.fdopen(os.open("/proc/%d/fd/1" % main_pid, os.O_WRONLY | os.O_APPEND), "w")
    except OSError:
        out = None
    # The lease stays valid for ttl - ttl/6 after a renewal was sent: renew a retry window
    # (max(2, ttl/6)) before that, and try a failed renewal again every second in the window
    # (lease.renew_interval: every 40 s for the default ttl of 60).
    interval = renew_interval(min(spec["ttl"] for spec in cfg["leases"])) if leases else 1.0
    lost = None
    last = time.monotonic()
    write_json(heartbeat, {"pid": os.getpid(), "renewed": time.time(), "lost": None})
    while not stop["now"]:
        if not os.path.exists(release_file):
            break  # the action gave the lease back
        if not alive(main_pid, main_start):
            if out is not None and cfg.get("announce", True):
                try:
                    out.write(interrupted_message(cfg))
                    out.flush()
                except OSError:
                    pass
            lost = "the playbook (pid %d) is gone" % main_pid
            break
        if time.monotonic() - last >= interval:
            last = time.monotonic()
            for lease in leases:
                try:
                    lease.renew()
                except LeaseLost as err:
                    lost = str(err)
                except OneFSError as err:
                    last = time.monotonic() - interval + 1.0  # try again in a second
                    if not lease.valid():
                        lost = "%s: renewals failed until the lease ran out (%s)" % (lease.resource, err)
            write_json(heartbeat, {"pid": os.getpid(), "renewed": time.time(), "lost": lost})
            if lost:
                break
        time.sleep(0.25)
    write_json(heartbeat, {"pid": os.getpid(), "renewed": time.time(), "lost": lost, "ended": True})
    for lease in leases:
        lease.client.close()


if __name__ == "__main__":
    main()

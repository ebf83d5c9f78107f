#!/usr/bin/env python3
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End state of the simulator's demo scenario after a failover or a failback (molecule verify).

Reads both clusters through the simulator's control API and compares them with alpha's state
before any run (``--original``, saved by create) and the data generations prepare wrote
(``--generations``). Prints one line per check and exits 1 when any check failed, saying what
was found instead.

    check_demo.py --control URL --direction failover|failback --original FILE \\
        --generations FILE --reports DIR
"""

import argparse
import json
import sys
from pathlib import Path

from onefs_sim.control_client import Control

# unit -> (policies, access zone of its shares, data paths); inventories/demo
UNITS = {
    "home": (["home_policy"], "System", ["/ifs/home"]),
    "finance": (["finance_policy"], "finance", ["/ifs/finance"]),
    "eng": (["eng_src_policy", "eng_builds_policy"], "eng", ["/ifs/eng/src", "/ifs/eng/builds"]),
}
# SmartConnect names and aliases of the zone units: they follow the data.
MOVED_NAMES = ["finance.example.com", "fin.example.com", "eng.example.com", "build.example.com", "src.example.com"]
# Names whose SPNs the demo registers on alpha's machine account before any run.
NAMES_WITH_SPNS = ["finance.example.com", "fin.example.com", "eng.example.com"]
PREFIX = "dr-"  # onefs_dr_smartconnect_prefix: the sending side keeps its names under it
WRITES_ON = ("writes_enabled", "creating_resync_policy", "resync_policy_created")
EVERYONE = "SID:S-1-1-0"
ACCOUNTS = {"alpha": "ALPHA$", "beta": "BETA$"}


class Checks:
    def __init__(self):
        self.lines = []
        self.failed = 0

    def __call__(self, ok, what, found=""):
        if not ok:
            self.failed += 1
        self.lines.append("%s %s%s" % ("ok  " if ok else "FAIL", what, "" if ok else " -- found: %s" % (found,)))


def under(path, paths):
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in paths)


def by_name(items):
    return {item["name"]: item for item in items}


def acls(state, zone, paths):
    """{share: [(trustee, permission, type), ...]} of a zone's shares under paths."""
    return {
        s["name"]: [(a["trustee"]["id"].upper(), a["permission"], a["permission_type"]) for a in s.get("permissions", [])]
        for s in state["shares"].get(zone, [])
        if under(s["path"], paths)
    }


def sc_names(state):
    names = []
    for pool in state["pools"]:
        if pool.get("sc_dns_zone"):
            names.append(pool["sc_dns_zone"].lower())
        names.extend(alias.lower() for alias in pool.get("sc_dns_zone_aliases", []))
    return names


def spns(state, account):
    return {s.lower() for s in state["forest"]["machine_accounts"].get(account, {}).get("spns", [])}


def name_spns(name):
    return {"host/" + name.split(".")[0], "host/" + name}


def last_job_id(state, policy, action):
    ids = [r.get("job_id", 0) for r in state["reports"] if r["policy_name"] == policy and r["action"] == action and r["state"] == "finished"]
    return max(ids) if ids else None


def check_policies(check, original, active, passive, back):
    a_pol, p_pol = by_name(active["policies"]), by_name(passive["policies"])
    a_tp, p_tp = by_name(active["target_policies"]), by_name(passive["target_policies"])
    orig = by_name(original["policies"])
    for unit, (policies, _zone, _paths) in UNITS.items():
        for pol in policies:
            mirror = pol + "_mirror"
            sending, old = (pol, mirror) if back else (mirror, pol)
            # The policy whose target side was opened for writes on the active cluster.
            opened = mirror if back else pol
            state = a_tp.get(opened, {}).get("failover_failback_state")
            check(state in WRITES_ON, "%s: %s writes allowed on %s" % (unit, opened, active["name"]), state)
            new = a_pol.get(sending)
            check(new is not None and new["enabled"] is True, "%s: %s enabled on %s" % (unit, sending, active["name"]), new and new["enabled"])
            if new is not None:
                check(new.get("target_host") == passive["name"], "%s: %s replicates to %s" % (unit, sending, passive["name"]), new.get("target_host"))
                want = orig[pol]["schedule"]
                check(new.get("schedule") == want, "%s: %s has the cached schedule %r" % (unit, sending, want), new.get("schedule"))
                ran = last_job_id(active, sending, "run")
                opened_at = last_job_id(active, opened, "allow_write")
                check(ran is not None and opened_at is not None and ran > opened_at,
                      "%s: %s ran on %s after writes were allowed" % (unit, sending, active["name"]), (ran, opened_at))
            prev = p_pol.get(old)
            check(prev is not None and prev["enabled"] is False and not prev.get("schedule"),
                  "%s: %s disabled with a manual schedule on %s" % (unit, old, passive["name"]),
                  prev and (prev["enabled"], prev.get("schedule")))
            state = p_tp.get(sending, {}).get("failover_failback_state")
            check(state == "writes_disabled", "%s: %s is a read-only target of %s" % (unit, passive["name"], sending), state)


def check_unit_data(check, original, active, passive, gens):
    for unit, (_policies, zone, paths) in UNITS.items():
        want = acls(original, zone, paths)
        check(bool(want), "%s: the demo has shares under %s" % (unit, paths), want)
        for state in (active, passive):
            got = acls(state, zone, paths)
            added = sorted(n for n, aces in got.items() if (EVERYONE, "full", "deny") in aces and (EVERYONE, "full", "deny") not in want.get(n, []))
            check(not added, "%s: no deny-Everyone lockout left on %s's shares" % (unit, state["name"]), added)
            diff = sorted(n for n in set(want) | set(got) if want.get(n) != got.get(n))
            check(not diff, "%s: %s's shares and ACLs are the original ones" % (unit, state["name"]),
                  {n: (got.get(n), want.get(n)) for n in diff})
        want_exports = sorted(sorted(e["paths"]) for e in original["exports"] if all(under(p, paths) for p in e["paths"]))
        got_exports = sorted(sorted(e["paths"]) for e in active["exports"] if all(under(p, paths) for p in e["paths"]))
        check(got_exports == want_exports, "%s: NFS exports on %s" % (unit, active["name"]), got_exports)
        want_q = sorted((q["type"], q["path"]) for q in original["quotas"] if under(q["path"], paths) and not q.get("linked"))
        got_q = sorted((q["type"], q["path"]) for q in active["quotas"] if under(q["path"], paths))
        check(got_q == want_q, "%s: quotas on %s" % (unit, active["name"]), got_q)
        left = sorted((q["type"], q["path"]) for q in passive["quotas"] if under(q["path"], paths))
        check(not left, "%s: no quota left on %s (SyncIQ target paths)" % (unit, passive["name"]), left)
        for path in paths:
            gen = active["generations"].get(path)
            check(gen == gens[path], "%s: %s on %s has the data written before the run (generation %s)" % (unit, path, active["name"], gens[path]), gen)
            writable = (active["writable"].get(path), passive["writable"].get(path))
            check(writable == (True, False), "%s: %s writable on %s only" % (unit, path, active["name"]), writable)


def check_names(check, active, passive, back):
    a_names, p_names = sc_names(active), sc_names(passive)
    for name in MOVED_NAMES:
        check(name in a_names and name not in p_names, "SmartConnect %s on %s only" % (name, active["name"]), (a_names, p_names))
        if not back:
            check(PREFIX + name in p_names, "SmartConnect %s%s kept on %s" % (PREFIX, name, passive["name"]), p_names)
    if back:
        prefixed = [n for n in a_names + p_names if n.startswith(PREFIX)]
        check(not prefixed, "no %s-prefixed SmartConnect name left" % PREFIX, prefixed)
    twice = sorted({n for n in a_names + p_names if (a_names + p_names).count(n) > 1})
    check(not twice, "no SmartConnect name or alias on two pools", twice)
    a_acct, p_acct = ACCOUNTS[active["name"]], ACCOUNTS[passive["name"]]
    a_spns, p_spns = spns(active, a_acct), spns(active, p_acct)
    for name in MOVED_NAMES:
        on_passive = sorted(name_spns(name) & p_spns)
        check(not on_passive, "no SPN of %s on %s" % (name, p_acct), on_passive)
    for name in NAMES_WITH_SPNS:
        missing = sorted(name_spns(name) - a_spns)
        check(not missing, "SPNs of %s on %s" % (name, a_acct), missing)


def check_bookkeeping(check, active, passive, direction, reports):
    for state in (active, passive):
        markers = [f for f in state["files"] if f.startswith("/ifs/.onefs_dr/suspend/")]
        check(not markers, "configuration sync resumed on %s (no suspend marker)" % state["name"], markers)
        busy = [(j.get("policy_name"), j.get("state")) for j in state["jobs"] if j.get("state") != "finished"]
        check(not busy, "no SyncIQ job left running on %s" % state["name"], busy)
    runs = sorted(Path(reports).glob("%s-*.json" % direction))
    check(bool(runs), "a %s report in %s" % (direction, reports), runs)
    if runs:
        units = json.loads(runs[-1].read_text())["units"]
        status = {u: units[u]["status"] for u in units}
        check(status == {u: "ok" for u in UNITS}, "%s: every unit ok" % runs[-1].name, status)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--control", required=True, help="the simulator's control API URL")
    parser.add_argument("--direction", required=True, choices=["failover", "failback"])
    parser.add_argument("--original", required=True, help="alpha's state dump before any run")
    parser.add_argument("--generations", required=True, help="{path: generation} written before the run")
    parser.add_argument("--reports", required=True, help="onefs_dr_report_dir of the run")
    args = parser.parse_args(argv)

    control = Control(args.control)
    back = args.direction == "failback"
    active, passive = (control.state("alpha"), control.state("beta")) if back else (control.state("beta"), control.state("alpha"))
    original = json.loads(Path(args.original).read_text())
    gens = json.loads(Path(args.generations).read_text())

    check = Checks()
    check_policies(check, original, active, passive, back)
    check_unit_data(check, original, active, passive, gens)
    check_names(check, active, passive, back)
    check_bookkeeping(check, active, passive, args.direction, args.reports)
    print("\n".join(check.lines))
    print("%s: %d checks, %d failed" % (args.direction, len(check.lines), check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())

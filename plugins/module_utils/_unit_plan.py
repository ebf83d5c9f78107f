# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The logic of the ``onefs.dr.unit_plan`` and ``onefs.dr.unit_clash`` filters: runbook step 2 in one pass.

The filter plugin (plugins/filter/) is a thin wrapper over this module.
Documentation: plugins/filter/unit_plan.yml and unit_clash.yml. ``r01_unit`` resolved a unit
(its SyncIQ policies, their state in this direction, its scopes) with Jinja loops over what it
read of both clusters; with ten units starting at once those loops were most of the run's
start. Here they are one Python pass over the same data, with the same results.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class UnitPlanError(ValueError):
    """Bad input to unit_plan, unit_clash (the filter plugin turns it into AnsibleFilterError)."""


# Target policy states in which writes are (being) allowed on the receiving side.
WRITES_ON = ("enabling_writes", "writes_enabled", "creating_resync_policy", "resync_policy_created")
UNIT_KEYS = ("mode", "direction", "uncontrolled", "mirror_suffix", "policy", "zone", "target_zone", "from_zone", "to_zone",
             "exclude_policies")


def _list(info, key):
    value = (info or {}).get(key) if isinstance(info, dict) else None
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _first(items, name):
    for item in items:
        if item.get("name") == name:
            return item
    return {}


def _under(path, root):
    """``path`` is ``root`` or lies below it (``root`` not empty)."""
    return bool(root) and isinstance(path, str) and (path == root or path.startswith(root.rstrip("/") + "/"))


def _unit(unit):
    if not isinstance(unit, dict):
        raise UnitPlanError("unit_plan: the unit must be a dict of %s, got %s" % (", ".join(UNIT_KEYS), type(unit).__name__))
    missing = [k for k in ("mode", "direction") if not unit.get(k)]
    if missing:
        raise UnitPlanError("unit_plan: the unit needs %s" % ", ".join(missing))
    u = dict(unit)
    u["uncontrolled"] = bool(u.get("uncontrolled"))
    u["mirror_suffix"] = u.get("mirror_suffix") or "_mirror"
    for key in ("policy", "zone", "target_zone", "from_zone", "to_zone"):
        u[key] = u.get(key) or ""
    u["target_zone"] = u["target_zone"] or u["zone"]
    excl = u.get("exclude_policies")
    u["exclude_policies"] = [x for x in excl if isinstance(x, str)] if isinstance(excl, list) else []
    return u


def _fails_back(policy):
    """OneFS fails the policy back: a sync policy, or a copy policy with ``allow_copy_fb``.

    Dell, OneFS web administration guide ("Configure basic policy settings"): "Failback is not
    supported for copy policies"; isilon_sdk SyncPolicy.allow_copy_fb: "If set to true, SyncIQ
    will allow a policy with copy action failback which is not supported by default". While a
    recovery job exists OneFS shows its name as the policy's action: anything but 'copy' is
    taken as sync. Allow-write (failover) is allowed for both.
    """
    return policy.get("action") != "copy" or bool(policy.get("allow_copy_fb"))


def exclusion_errors(src, unit):
    """What is wrong with the unit's ``exclude_policies`` (empty: nothing), one sentence each."""
    u = _unit(unit)
    raw = unit.get("exclude_policies") if isinstance(unit, dict) else None
    if raw in (None, "", []):
        return []
    if not isinstance(raw, list) or not all(isinstance(x, str) and x for x in raw):
        return ["onefs_dr_exclude_policies must be a list of policy names, not %r" % (raw,)]
    if u["mode"] != "zone":
        return ["onefs_dr_exclude_policies applies to zone units only (a policy unit is its one policy)"]
    if u["uncontrolled"]:
        return []  # the source's policies cannot be read: the names are matched against the target's
    held = [b["name"] for b in base_policies(src, {}, dict(u, exclude_policies=[]))]
    unknown = [x for x in raw if x not in held]
    if unknown:
        return ["onefs_dr_exclude_policies: %s %s not a policy of zone %s (its policies: %s)"
                % (", ".join(unknown), "is" if len(unknown) == 1 else "are", u["zone"], ", ".join(held) or "none")]
    return []


def base_policies(src, tgt, unit):
    """The unit's original policies (source-side names), sorted by name.

    Controlled: the source's policies. Uncontrolled: the target's target policies (the source
    cannot be read), whose source path is unknown ('').
    """
    u = _unit(unit)
    suffix = u["mirror_suffix"]
    if u["uncontrolled"]:
        info, zone, items, path_key = tgt, u["target_zone"], _list(tgt, "sync_target_policies"), "target_path"
    else:
        info, zone, items, path_key = src, u["zone"], _list(src, "sync_policies"), "source_root_path"
    root = _first(_list(info, "zones"), zone).get("path") or ""
    out = []
    for p in items:
        name = p.get("name") or ""
        if name.endswith(suffix):
            continue
        if name in u["exclude_policies"] and u["mode"] == "zone":
            continue
        if (u["mode"] == "policy" and name == u["policy"]) or (u["mode"] == "zone" and _under(p.get(path_key), root)):
            # Uncontrolled: the action is not known (the target's target policies do not say).
            out.append({"name": name, "source_path": "" if u["uncontrolled"] else p.get("source_root_path"),
                        "target_path": p.get("target_path"),
                        "action": "" if u["uncontrolled"] else p.get("action") or "sync",
                        "allow_copy_fb": False if u["uncontrolled"] else bool(p.get("allow_copy_fb"))})
    return sorted(out, key=lambda b: b["name"])


def unit_plan(src, tgt, unit):
    """What runbook step 2 resolves for a unit (see the filter's documentation)."""
    u = _unit(unit)
    back = u["direction"] == "failback"
    suffix = u["mirror_suffix"]
    base = base_policies(src, tgt, u)
    from_info, to_info = (tgt, src) if back else (src, tgt)
    policies, one_way = [], []
    for b in base:
        fails_back = _fails_back(b)
        if back and not fails_back:
            # OneFS cannot fail it back: it stays failed over; readiness says so and how to return it.
            tp = _first(_list(tgt, "sync_target_policies"), b["name"])
            state = tp.get("failover_failback_state", "unknown")
            one_way.append({"base": b["name"], "name": b["name"], "action": b["action"], "target_state": state,
                            "writes_on": state in WRITES_ON, "from_path": b["target_path"], "to_path": b["source_path"]})
            continue
        name = b["name"] + suffix if back else b["name"]
        counterpart = b["name"] if back else b["name"] + suffix
        fp = _first(_list(from_info, "sync_policies"), name)
        tp = _first(_list(to_info, "sync_target_policies"), name)
        cp = _first(_list(to_info, "sync_policies"), counterpart)
        state = tp.get("failover_failback_state", "unknown")
        writes_on = state in WRITES_ON
        policies.append({
            "base": b["name"], "name": name, "counterpart": counterpart,
            "from_path": b["target_path"] if back else b["source_path"],
            "to_path": b["source_path"] if back else b["target_path"],
            "from_enabled": fp.get("enabled"),
            "from_schedule": fp.get("schedule"),
            "target_state": state,
            "counterpart_enabled": cp.get("enabled"),
            "writes_on": writes_on,
            # Without failback there is no resync-prep: failed over as far as OneFS goes once writes are on.
            "resynced": (fp.get("enabled", True) is False and cp.get("enabled", False) is True) if fails_back else writes_on,
            "action": b["action"],
            "failback": fails_back,
        })
    from_zones, to_zones = _list(from_info, "zones"), _list(to_info, "zones")
    scopes = []
    if u["mode"] == "zone":
        # One scope: the zone base paths of both sides.
        scopes.append({"zone": u["from_zone"], "path": _first(from_zones, u["from_zone"]).get("path") or "",
                       "to_zone": u["to_zone"], "to_path": _first(to_zones, u["to_zone"]).get("path") or ""})
    else:
        # Every zone of the sending side whose base path holds the policy path or lies under it.
        for p in policies:
            pp = (p["from_path"] or "").rstrip("/") + "/"
            for z in from_zones:
                zp = (z.get("path") or "").rstrip("/") + "/"
                if pp != "/" and (pp.startswith(zp) or zp.startswith(pp)):
                    scopes.append({"zone": z.get("name"), "path": p["from_path"], "to_zone": z.get("name"), "to_path": p["to_path"]})
    excluded = []
    if u["mode"] == "zone" and u["exclude_policies"]:
        excluded = sorted(set(b["name"] for b in base_policies(src, tgt, dict(u, exclude_policies=[])))
                          & set(u["exclude_policies"]))
    return {
        "base_policies": base,
        "unit_policies": policies,
        "one_way_policies": one_way,
        "excluded_policies": excluded,
        "unit_errors": exclusion_errors(src if not u["uncontrolled"] else tgt, unit),
        "past_ponr": any(p["writes_on"] for p in policies),
        "scopes": scopes,
        "source_zones": _list(src, "zones"),
        "target_zones": _list(tgt, "zones"),
    }


def unit_clash(base, others, unit, info):
    """Why this unit overlaps another unit of the same cluster pair (empty: it does not).

    ``base``: this unit's base policies (``unit_plan``'s ``base_policies``). ``others``: the other
    units, dicts with ``unit``, ``mode``, ``source``, ``target``, ``policy``, ``zone``. ``info``:
    what was read of the cluster the policies came from (the source; the target when
    uncontrolled), for the other units' zone paths.
    """
    u = _unit(unit)
    if not isinstance(base, list) or not isinstance(others, list):
        raise UnitPlanError("unit_clash: base and others must be lists")
    mine = [b.get("name") for b in base]
    zones = _list(info, "zones")
    out = []
    for h in others:
        if not isinstance(h, dict) or h.get("source") != u.get("source") or h.get("target") != u.get("target"):
            continue
        name, mode = h.get("unit"), h.get("mode") or ""
        if mode == "policy" and (h.get("policy") or "") in mine:
            out.append("policy %s is also unit %s" % (h.get("policy"), name))
        elif mode == "zone" and u["mode"] == "zone" and (h.get("zone") or "") == u["zone"]:
            out.append("zone %s is also unit %s" % (u["zone"], name))
        elif mode == "zone":
            zp = _first(zones, h.get("zone") or "").get("path") or ""
            left_out = h.get("exclude") if isinstance(h.get("exclude"), list) else []
            for b in base:
                bp = b.get("target_path") if u["uncontrolled"] else b.get("source_path")
                if _under(bp, zp) and b.get("name") not in left_out:
                    out.append("policy %s lies under zone %s (%s), unit %s" % (b.get("name"), h.get("zone"), zp, name))
    return out

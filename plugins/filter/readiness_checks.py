# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``onefs.dr.readiness_checks`` filter: seed 003 steps 1, 3 and 3a, one Python pass.

Documentation: plugins/filter/readiness_checks.yml. ``s03_readiness`` evaluated its checks
with one long Jinja template per unit; with ten units starting at once that template was a
large part of the run's start. The checks, their order, statuses and wording are the same.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError

LOCAL_PROVIDER = re.compile(r"lsa-(local|file)-provider")
AD_PREFIX = re.compile(r"^lsa-activedirectory-provider:")


def _d(value):
    return value if isinstance(value, dict) else {}


def _l(value):
    return [x for x in value if x is not None] if isinstance(value, list) else []


def _first(items, key, value, default=None):
    for item in _l(items):
        if isinstance(item, dict) and item.get(key) == value:
            return item
    return default


def _under(path, root):
    """The template's test: ``path`` is ``root`` or starts with ``root`` + '/'."""
    path, root = path or "", root or ""
    return path == root or path.startswith(root.rstrip("/") + "/")


def _release(info):
    return _d(_d(_d(info).get("cluster")).get("onefs_version")).get("release")


def _service(info, protocol, default):
    value = _d(_d(_d(info).get("protocol_settings")).get(protocol)).get("service", default)
    return default if value is None else value


def _providers(zone):
    return sorted(p for p in _l(_d(zone).get("auth_providers")) if not LOCAL_PROVIDER.match(str(p)))


def _ad(info, zone):
    """The zone's own AD provider (a read of several zones holds several), else the first."""
    names = [AD_PREFIX.sub("", str(p)) for p in _l(_d(zone).get("auth_providers"))]
    ads = [a for a in _l(_d(info).get("ads_providers")) if isinstance(a, dict)]
    return ([a for a in ads if a.get("name") in names] + ads + [{}])[0]


def _replicated(path, policies, f):
    """True when a unit policy's next sync brings ``path`` to the receiving side: under its
    source root, selected by its include/exclude directories (as SyncIQ selects them)."""
    for p in policies:
        root = p.get("from_path") or ""
        if not root or not _under(path, root):
            continue
        conf = _first(_d(f).get("sync_policies"), "name", p.get("name"), {})
        include = [d for d in _l(conf.get("source_include_directories")) if d]
        exclude = [d for d in _l(conf.get("source_exclude_directories")) if d]
        if include and path != root and not any(_under(path, d) or _under(d, path) for d in include):
            continue
        if any(_under(path, d) for d in exclude):
            continue
        return True
    return False


def _share_targets(f, policies, scopes):
    """[(zone, share, target path)] of the unit's SMB shares that no unit policy replicates."""
    out = []
    for s in _l(_d(f).get("smb_shares")):
        if not isinstance(s, dict) or s.get("path") is None:
            continue
        for sc in scopes:
            if s.get("zone") == sc.get("zone") and _under(s["path"], sc.get("path")):
                if not _replicated(s["path"], policies, f):
                    target = (sc.get("to_path") or "").rstrip("/") + s["path"][len((sc.get("path") or "").rstrip("/")):]
                    out.append((s.get("zone"), s.get("name"), target))
                break
    return out


def readiness_share_paths(f, policies, scopes):
    """The target paths readiness must find on the receiving cluster: those of the unit's SMB
    shares that the final sync will not bring there (outside every unit policy's selection)."""
    policies = [p for p in _l(policies) if isinstance(p, dict)]
    scopes = [sc for sc in _l(scopes) if isinstance(sc, dict)]
    return sorted(set(target for zone, name, target in _share_targets(f, policies, scopes)))


def readiness_checks(f, t, unit):
    """The readiness checks of a unit: [{check, status, detail}] (see the filter's documentation)."""
    if not isinstance(unit, dict):
        raise AnsibleFilterError("readiness_checks: the unit must be a dict, got %s" % type(unit).__name__)
    u = unit
    f, t = _d(f), _d(t)
    frm, to = u.get("from", ""), u.get("to", "")
    source, target = u.get("source", ""), u.get("target", "")
    direction = u.get("direction") or "failover"
    past_ponr = bool(u.get("past_ponr"))
    policies = [p for p in _l(u.get("unit_policies")) if isinstance(p, dict)]
    scopes = [s for s in _l(u.get("scopes")) if isinstance(s, dict)]
    names = [p.get("name") for p in policies]
    done = "failed_back" if direction == "failback" else "failed_over"
    done_words = done.replace("_", " ")
    f_ok, t_ok = "cluster" in f, "cluster" in t
    out = []

    def add(check, status, detail):
        out.append({"check": check, "status": status, "detail": detail})

    if u.get("uncontrolled"):
        add("uncontrolled", "WARNING", "uncontrolled failover: %s is not checked; fence it before it returns" % frm)
    elif not f_ok:
        add("reachable_" + frm, "ERROR", f.get("msg", "no answer"))
    else:
        add("reachable_" + frm, "OK", "OneFS " + str(_release(f) or "?"))
    if not t_ok:
        add("reachable_" + to, "ERROR", t.get("msg", "no answer"))
    else:
        add("reachable_" + to, "OK", "OneFS " + str(_release(t) or "?"))
    if f_ok and t_ok:
        fr = ".".join(str(_release(f) or "").split(".")[:2])
        tr = ".".join(str(_release(t) or "").split(".")[:2])
        add("releases", "OK" if fr == tr else "WARNING", "%s %s, %s %s" % (frm, fr, to, tr))
    if past_ponr:
        add("already_" + done, "WARNING",
            "unit already %s: writes are enabled on %s for %s%s. A %s run continues where it stopped (a no-op when "
            "complete); to go back run the other direction"
            % (done_words, to, ", ".join(p.get("name") for p in policies if p.get("writes_on")),
               "; resync-prep done" if any(p.get("resynced") for p in policies) else "", direction))
    if f_ok:
        for n in names:
            p = _first(f.get("sync_policies"), "name", n)
            if p is None and past_ponr:
                add("policy_" + n, "OK", "policy %s not on %s (already %s)" % (n, frm, done_words))
            elif p is not None and not p.get("enabled") and past_ponr:
                add("policy_" + n, "OK", "policy %s is disabled on %s (already %s)" % (n, frm, done_words))
            elif p is None:
                add("policy_" + n, "ERROR", "policy %s does not exist on %s" % (n, frm))
            elif not p.get("enabled"):
                add("policy_" + n, "ERROR", "policy %s is disabled on %s" % (n, frm))
            elif p.get("last_job_state") != "finished":
                add("policy_" + n, "WARNING", "last job of %s: %s" % (n, p.get("last_job_state") or "never ran"))
            else:
                add("policy_" + n, "OK", "enabled, last job finished")
        running = [j.get("policy_name") for j in _l(f.get("sync_jobs")) if isinstance(j, dict) and j.get("policy_name") in names]
        add("jobs_running", "WARNING" if running else "OK", ("running: " + ", ".join(running)) if running else "no job running")
        shares, risk, open_files = [], [], []
        for s in _l(f.get("smb_shares")):
            if not isinstance(s, dict) or s.get("path") is None:
                continue
            for sc in scopes:
                if s.get("zone") == sc.get("zone") and _under(s["path"], sc.get("path")) and s.get("name") not in shares:
                    shares.append(s.get("name"))
                    if s.get("oplocks_risk"):
                        risk.append("%s:%s" % (s.get("zone"), s.get("name")))
        for o in _l(f.get("smb_openfiles")):
            if not isinstance(o, dict) or o.get("path") is None:
                continue
            for sc in scopes:
                if _under(o["path"], sc.get("path")):
                    open_files.append("%s (%s)" % (o["path"], o.get("user", "?")))
        writes = len(shares) * 3
        write_ms = u.get("share_write_ms", 40)
        try:
            est = round(writes * int(write_ms) / 1000.0, 1)
            limit = int(u.get("max_share_seconds", 600))
        except (TypeError, ValueError) as err:
            raise AnsibleFilterError("readiness_checks: share_write_ms and max_share_seconds must be integers: %s" % err) from err
        add("share_writes", "WARNING" if est > limit else "OK",
            "%d SMB shares, about %d share writes (lockout, target restore, source unlock): ~%s s of serialized "
            "share-store time at %s ms a write, at most %s in flight"
            % (len(shares), writes, est, write_ms, u.get("share_write_throttle", 10)))
        add("smb_open_files", "WARNING" if open_files else "OK",
            ("open files (seed 003 step 1): " + ", ".join(dict.fromkeys(open_files))) if open_files
            else "no open SMB file under the unit")
        add("smb_oplocks", "WARNING" if risk else "OK",
            ("oplocks on, continuous availability off (cached writes lost at failover, seed 002): " + ", ".join(risk))
            if risk else "no share at risk")
        add("protocols_" + frm, "OK", "SMB service %s, NFS service %s (seed 003 step 1: consider disabling both on the "
            "source; cluster-wide)" % ("on" if _service(f, "smb", True) else "off", "on" if _service(f, "nfs", True) else "off"))
        service = _service(f, "synciq", "on")
        add("synciq_" + frm, "OK" if service == "on" else "ERROR", "SyncIQ service %s" % service)
    if t_ok:
        for n in names:
            tp = _first(t.get("sync_target_policies"), "name", n)
            if tp is None:
                add("target_policy_" + n, "ERROR", "no target policy %s on %s (has the policy ever run?)" % (n, to))
            elif tp.get("failover_failback_state") != "writes_disabled":
                add("target_policy_" + n, "OK" if past_ponr else "ERROR", "%s is %s on %s" % (n, tp.get("failover_failback_state"), to))
            else:
                add("target_policy_" + n, "OK", "writes_disabled on " + to)
        service = _service(t, "synciq", "on")
        add("synciq_" + to, "OK" if service == "on" else "ERROR", "SyncIQ service %s" % service)
        # Configuration sync creates each share on its directory; OneFS refuses a share whose path
        # does not exist. Shares the final sync does not replicate must find theirs already there.
        if isinstance(t.get("paths"), dict) and f_ok:
            missing = ["%s:%s (%s)" % (z, n, p) for z, n, p in _share_targets(f, policies, scopes)
                       if t["paths"].get(p) is False]
            add("share_paths", "ERROR" if missing else "OK",
                ("share directories missing on %s and not replicated by the unit's policies: %s; configuration sync "
                 "would fail creating these shares: create the directories there, or replicate them" % (to, ", ".join(missing)))
                if missing else "every share directory exists on %s or comes with the final sync" % to)
        from_zones = u.get("source_zones") if frm == source else u.get("target_zones")
        for sc in scopes:
            to_zone = sc.get("to_zone")
            tz = _first(t.get("zones"), "name", to_zone)
            if tz is None:
                add("zone_%s" % to_zone, "ERROR", "zone %s does not exist on %s" % (to_zone, to))
                continue
            fz = _first(from_zones, "name", sc.get("zone"), {})
            fa, ta = _providers(fz), _providers(tz)
            tz_path = tz.get("path") or ""
            to_path = sc.get("to_path") or ""
            inside = _under(to_path, tz_path)
            if not f_ok:
                auth = "not compared: %s is not read (uncontrolled failover)" % frm
            else:
                auth = "match" if fa == ta else "differ: %s vs %s" % (",".join(fa), ",".join(ta))
            add("zone_%s" % to_zone, "ERROR" if not inside else ("OK" if fa == ta or not f_ok else "WARNING"),
                "target path %s%sbase path %s; auth providers %s" % (to_path, " inside " if inside else " NOT inside ", tz_path, auth))
            if u.get("mode") == "zone":
                for p in policies:
                    pt = p.get("to_path") or ""
                    pin = len(pt) > 0 and _under(pt, tz_path)
                    add("target_path_%s" % p.get("name"), "OK" if pin else "ERROR",
                        "target path %s of %s%sthe base path %s of zone %s on %s%s"
                        % (pt, p.get("name"), " inside " if pin else " NOT inside ", tz_path, to_zone, to,
                           "" if pin else ": wrong onefs_dr_target_zone, or the policy does not belong to this zone"))
    if u.get("smartconnect_on") and t_ok and (f_ok or frm != source):
        src, tgt = (f, t) if frm == source else (t, f)
        zname = u.get("zone") or "System"
        tname = u.get("target_zone") or zname
        spools = [p for p in _l(_d(src).get("network_pools")) if isinstance(p, dict) and p.get("access_zone") == zname]
        tpools = [p for p in _l(_d(tgt).get("network_pools")) if isinstance(p, dict) and p.get("access_zone") == tname]

        def dns_names(pools):
            found = [p.get("sc_dns_zone") for p in pools if p.get("sc_dns_zone")]
            for p in pools:
                found += _l(p.get("sc_dns_zone_aliases"))
            return [str(n).lower() for n in found]

        names_s, names_t = dns_names(spools), dns_names(tpools)
        if not spools:
            add("smartconnect", "ERROR", "no IP pool of zone %s on %s" % (zname, source))
        elif len(tpools) != 1 and not u.get("smartconnect_target_pool"):
            add("smartconnect", "ERROR", "%d pools of zone %s on %s: set onefs_dr_smartconnect_target_pool" % (len(tpools), tname, target))
        else:
            clash = [n for n in names_s if n in names_t]
            add("smartconnect", "OK" if not clash or direction != "failover" else "WARNING",
                "source names " + ", ".join(names_s) + ((" already on %s: %s" % (target, ", ".join(clash))) if clash else ""))
            ads = _ad(src, _first(u.get("source_zones"), "name", zname, {}))
            have = [str(s).lower() for s in _l(ads.get("spns"))]
            # Names already renamed by a failover carry the prefix (compared as the SmartConnect
            # module does: a literal start, any case); they need no SPN.
            prefix = u.get("smartconnect_prefix")
            prefix = ("dr-" if prefix is None else str(prefix)).lower()
            want = ["host/" + n.split(".", 1)[0] for n in names_s if not (prefix and n.startswith(prefix))]
            tads = _ad(tgt, _first(u.get("target_zones"), "name", tname, {}))
            dup = [s for s in (str(x).lower() for x in _l(tads.get("spns"))) if s in want]
            miss = [w for w in want if w not in have]
            add("spns", "OK" if not miss and not dup else "WARNING",
                (("missing on %s: %s; " % (source, ", ".join(miss))) if miss else "")
                + (("already on %s: %s" % (target, ", ".join(dup))) if dup else "no duplicate"))
    return out


class FilterModule:
    def filters(self):
        return {"readiness_checks": readiness_checks, "readiness_share_paths": readiness_share_paths}

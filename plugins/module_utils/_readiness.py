# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the ``onefs.dr.readiness_checks`` filter computes: runbook steps 1, 3 and 3a, one Python pass.

The filter plugin (plugins/filter/) is a thin wrapper over this module.
Documentation: plugins/filter/readiness_checks.yml. ``r02_readiness`` evaluated its checks
with one long Jinja template per unit; with ten units starting at once that template was a
large part of the run's start. The checks, their order, statuses and wording are the same.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


class ReadinessError(ValueError):
    """Bad input to readiness_checks, readiness_share_paths (the filter plugin turns it into AnsibleFilterError)."""


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
        raise ReadinessError("readiness_checks: the unit must be a dict, got %s" % type(unit).__name__)
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

    def add(check, status, detail, **extra):
        out.append(dict({"check": check, "status": status, "detail": detail}, **extra))

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
        add(*identity_check(f, t, u, names))
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
                        risk.append(s)
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
            raise ReadinessError("readiness_checks: share_write_ms and max_share_seconds must be integers: %s" % err) from err
        add("share_writes", "WARNING" if est > limit else "OK",
            "%d SMB shares, about %d share writes (lockout, target restore, source unlock): ~%s s of serialized "
            "share-store time at %s ms a write, at most %s in flight"
            % (len(shares), writes, est, write_ms, u.get("share_write_throttle", 10)), shares=len(shares))
        add("smb_open_files", "WARNING" if open_files else "OK",
            ("open files (runbook step 1): " + ", ".join(dict.fromkeys(open_files))) if open_files
            else "no open SMB file under the unit")
        add(**oplocks_check(f, risk))
        add("protocols_" + frm, "OK", "SMB service %s, NFS service %s (runbook step 1: consider disabling both on the "
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
            add(*spn_check(src, tgt, u, names_s, source, target))
    out.extend(_copy_and_excluded_policies(u))
    return out


def _copy_and_excluded_policies(u):
    """What the run does with the unit's copy policies and the policies it leaves out.

    OneFS fails a copy policy over (allow-write) but fails it back only when the policy sets
    allow_copy_fb (Dell: "Failback is not supported for copy policies"; isilon_sdk
    SyncPolicy.allow_copy_fb). Such a policy is a one-way trip: a WARNING (blocking by default)
    that says what will happen and how to accept it or leave the policy out.
    """
    out = []
    frm, to = u.get("from", ""), u.get("to", "")
    source, target = u.get("source", ""), u.get("target", "")
    back = (u.get("direction") or "failover") == "failback"
    for p in _l(u.get("unit_policies")):
        if not isinstance(p, dict) or p.get("action") != "copy":
            continue
        name = p.get("name") or ""
        check = "copy_policy_" + (p.get("base") or name)
        if p.get("failback", True):
            out.append({"check": check, "status": "OK", "detail":
                        "copy policy %s sets allow_copy_fb: it fails over and back like a sync policy (its mirror "
                        "copies too: files deleted on one side are not deleted on the other)" % (p.get("base") or name)})
        elif p.get("writes_on"):
            out.append({"check": check, "status": "OK", "detail":
                        "copy policy %s already failed over as far as OneFS allows (writes on %s, no resync-prep: "
                        "OneFS does not fail back copy policies without allow_copy_fb)" % (name, to)})
        else:
            out.append({"check": check, "status": "WARNING", "detail":
                        "copy policy %s: this failover runs its final sync and allows writes on %s, and runs no "
                        "resync-prep, mirror schedule or mirror run for it (OneFS does not fail back copy policies; "
                        "allow_copy_fb is not set). %s's copy of %s stays writable and is no longer updated, and a "
                        "failback leaves this policy on %s. Leave it out of the unit (onefs_dr_exclude_policies), "
                        "set allow_copy_fb on it, or accept this (onefs_dr_readiness_ignore: [%s])"
                        % (name, to, frm, p.get("from_path") or "its path", to, check)})
    for p in _l(u.get("one_way_policies")) if back else []:
        if not isinstance(p, dict):
            continue
        name = p.get("base") or p.get("name") or ""
        check = "copy_policy_" + name
        if not p.get("writes_on"):
            out.append({"check": check, "status": "OK", "detail":
                        "copy policy %s is not failed over (%s on %s): nothing to fail back"
                        % (name, p.get("target_state") or "unknown", target)})
            continue
        out.append({"check": check, "status": "WARNING", "detail":
                    "copy policy %s stays failed over: OneFS does not fail back copy policies (allow_copy_fb is not "
                    "set), so this failback does nothing for it. Its data stays writable on %s at %s and %s's copy "
                    "at %s is not updated, while the unit's names and shares go back to %s. To bring it back by "
                    "hand: copy what changed on %s to %s, then allow_write_revert of %s on %s (its copy read-only "
                    "again; OneFS discards writes made there since the failover) and restore its schedule on %s. "
                    "Accept with onefs_dr_readiness_ignore: [%s]"
                    % (name, target, p.get("from_path") or "its path", source, p.get("to_path") or "its path", source,
                       target, source, name, target, source, check)})
    excluded = [x for x in _l(u.get("excluded_policies")) if isinstance(x, str)]
    if excluded:
        out.append({"check": "excluded_policies", "status": "OK", "detail":
                    "left out of the unit by onefs_dr_exclude_policies: %s. This %s leaves their SyncIQ state as it "
                    "is (no sync, allow-write or resync-prep) while the zone's shares and names move to %s"
                    % (", ".join(excluded), "failback" if back else "failover", to)})
    return out


# ---- smb_oplocks (issue 14 point 8) ----------------------------------------------------------
OPLOCKS_SHOWN = 5


def oplocks_check(f, risk):
    """The smb_oplocks check: a summary of the unit's shares with oplocks on and continuous
    availability off, and which of them have files open now.

    Oplocks on with CA off is OneFS's default for a share, so the list alone is noise; what
    matters at failover is a file open on such a share now (a client may hold cached writes
    under an oplock or lease, lost when its session drops). OneFS's open-file list
    (GET /platform/1/protocols/smb/openfiles: file, id, locks, permissions, user; isilon-sdk
    SmbOpenfile) does not show oplocks or leases, so a handle opened with write permission is
    where cached writes can be: WARNING; read-only handles are reported, OK. The full share
    list is the check's ``shares`` (in the run's JSON report), open files per share ``open``.
    """
    if not risk:
        return {"check": "smb_oplocks", "status": "OK", "detail": "no share at risk"}
    labels = ["%s:%s" % (s.get("zone"), s.get("name")) for s in risk]
    opened = {}
    users = set()
    for o in _l(_d(f).get("smb_openfiles")):
        if not isinstance(o, dict) or not o.get("path"):
            continue
        for s, label in zip(risk, labels):
            if _under(o["path"], s.get("path")):
                write = "write" in [str(p).lower() for p in _l(o.get("permissions"))]
                opened.setdefault(label, []).append("%s (%s%s)" % (o["path"], o.get("user", "?"), ", write" if write else ""))
                users.add(str(o.get("user", "")).lower())
    writing = [label for label, files in opened.items() if any(x.endswith(", write)") for x in files)]
    shown = ", ".join(labels[:OPLOCKS_SHOWN]) + (" and %d more" % (len(labels) - OPLOCKS_SHOWN) if len(labels) > OPLOCKS_SHOWN else "")
    detail = ("%d share%s with oplocks on and continuous availability off (OneFS's default; writes a client caches under an "
              "oplock or lease are lost when its session drops at failover): %s (every one: this check's 'shares' in "
              "the run's JSON report); " % (len(labels), "" if len(labels) == 1 else "s", shown))
    if not opened:
        detail += "no file open on any of them now"
    else:
        sessions = [x for x in _l(_d(f).get("smb_sessions")) if isinstance(x, dict)
                    and str(x.get("user", "")).lower() in users and (x.get("openfiles") or 0) > 0]
        detail += "files open now on %d of them (%d for writing): %s" % (
            len(opened), len(writing), "; ".join("%s: %s" % (label, ", ".join(files)) for label, files in opened.items()))
        if sessions:
            detail += "; SMB sessions holding open files: %s" % ", ".join(
                "%s from %s" % (x.get("user", "?"), x.get("computer", "?")) for x in sessions)
    return {"check": "smb_oplocks", "status": "WARNING" if writing else "OK", "detail": detail,
            "shares": labels, "open": opened}


# ---- identity of the clusters (issue 14 point 7) ---------------------------------------------
IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def _ip_int(text):
    parts = [int(x) for x in str(text).split(".")]
    return (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]


def _answers_to(info, host):
    """Is ``host`` (a policy's target_host) a name or address of the cluster read as ``info``:
    its cluster name, a SmartConnect zone name or alias of its pools, an address in a pool's
    ranges? Compared without case and trailing dot; a short name matches its FQDN's first label."""
    h = str(host or "").lower().rstrip(".")
    if not h:
        return False
    h = h.split(":", maxsplit=1)[0] if h.count(":") == 1 else h
    name = str(_d(_d(info).get("cluster")).get("name") or "").lower()
    names = {name} if name else set()
    for p in _l(_d(info).get("network_pools")):
        if isinstance(p, dict):
            names.update(str(n).lower().rstrip(".") for n in [p.get("sc_dns_zone")] + _l(p.get("sc_dns_zone_aliases")) if n)
    if h in names or h.split(".", 1)[0] == name or any(n.split(".", 1)[0] == h for n in names):
        return True
    if IPV4.match(h):
        ip = _ip_int(h)
        for p in _l(_d(info).get("network_pools")):
            for r in _l(_d(p).get("ranges")):
                try:
                    if _ip_int(r.get("low")) <= ip <= _ip_int(r.get("high")):
                        return True
                except (AttributeError, TypeError, ValueError, IndexError):
                    continue
    return False


def identity_check(f, t, u, names):
    """The 'identity' check: are the two inventory clusters two clusters, and the ones the unit's
    policies name? Each of the sending cluster's policies names its target (target_host); each
    target policy on the receiving cluster names its source (source_cluster_guid, OneFS's
    cluster/config guid). Two inventory entries that reach one cluster: one plain ERROR."""
    frm, to = u.get("from", ""), u.get("to", "")
    fc, tc = _d(f.get("cluster")), _d(t.get("cluster"))
    fg, tg = str(fc.get("guid") or ""), str(tc.get("guid") or "")
    fn, tn = str(fc.get("name") or ""), str(tc.get("name") or "")
    if (fg and fg == tg) or (not (fg and tg) and fn and fn.lower() == tn.lower()):
        return ("identity", "ERROR",
                "%s and %s are the same cluster (%s%s): onefs_dr_clusters.%s and onefs_dr_clusters.%s must each reach their "
                "own cluster; fix the inventory" % (frm, to, fn or "?", (", GUID " + fg) if fg else "", frm, to))
    errors, warnings, proven = [], [], []
    for n in names:
        p = _first(f.get("sync_policies"), "name", n)
        tp = _first(t.get("sync_target_policies"), "name", n)
        sg = str(_d(tp).get("source_cluster_guid") or "")
        if sg and fg and sg != fg:
            errors.append("target policy %s on %s replicates from the cluster with GUID %s, not %s (GUID %s)" % (n, to, sg, frm, fg))
            continue
        host = _d(p).get("target_host")
        if host and _answers_to(f, host) and not _answers_to(t, host):
            errors.append("policy %s targets %s, a name of %s itself, not %s" % (n, host, frm, to))
        elif sg and fg:
            proven.append(n)
        elif host and not _answers_to(t, host):
            warnings.append("policy %s targets %s, which is not a name or address %s answers to (cluster name, SmartConnect "
                            "names, pool addresses), and no target policy on %s proves the pair" % (n, host, to, to))
        else:
            proven.append(n)
    if errors:
        return ("identity", "ERROR", "; ".join(errors) + ": onefs_dr_clusters.%s or .%s is not the cluster the policies name" % (frm, to))
    if warnings:
        return ("identity", "WARNING", "; ".join(warnings))
    tail = ": the policies name these clusters" if proven else ""
    return ("identity", "OK", "%s (%s) -> %s (%s)%s" % (frm, fn or "?", to, tn or "?", tail))


# ---- spns (issue 14 point 2) -----------------------------------------------------------------
def _spn_forms(name):
    """HOST/<short> and HOST/<fqdn> of a SmartConnect name, lower case (module_utils/spn.py's forms)."""
    fqdn = str(name).lower().rstrip(".")
    short = fqdn.split(".", 1)[0]
    return ["host/" + short] if short == fqdn else ["host/" + short, "host/" + fqdn]


def _accounts(info, cluster, seen):
    """[(label, {spns}, {dup_spns})] of every AD provider read on a cluster, once per machine account."""
    out = []
    for prov in _l(_d(info).get("ads_providers")):
        if not isinstance(prov, dict):
            continue
        acct = str(prov.get("machine_account") or prov.get("name") or "?")
        if acct.lower() in seen:
            continue
        seen.add(acct.lower())
        out.append(("%s (%s)" % (acct, cluster), set(str(x).lower() for x in _l(prov.get("spns"))),
                    set(str(x).lower() for x in _l(prov.get("dup_spns")))))
    return out


def spn_check(src, tgt, u, names_s, source, target):
    """The 'spns' check of a unit whose SmartConnect names move: every form of each name
    (HOST/<short>, HOST/<fqdn>, without case) on every machine account of both clusters'
    AD providers, and OneFS's duplicate-SPN check (``dup_spns`` of GET
    /platform/<v>/auth/providers/ads/<name>?check_duplicates=true: the provider's SPNs also
    registered on another account of the forest; isilon-sdk ProvidersAdsAdsItemExtended).
    A duplicate is an ERROR naming the accounts: Kerberos to that name fails, and the move would
    fail (AD refuses to add an SPN another account holds). Only the unit's own names count: a
    stale SPN of another zone on the same account is that zone's finding, not this unit's."""
    zname = u.get("zone") or "System"
    tname = u.get("target_zone") or zname
    # Names already renamed by a failover carry the prefix (compared as the SmartConnect
    # module does: a literal start, any case); they need no SPN.
    prefix = u.get("smartconnect_prefix")
    prefix = ("dr-" if prefix is None else str(prefix)).lower()
    want = []
    for n in names_s:
        if prefix and n.startswith(prefix):
            continue
        want += [w for w in _spn_forms(n) if w not in want]
    seen = set()
    accounts = _accounts(src, source, seen) + _accounts(tgt, target, seen)
    dups = []
    for w in want:
        holders = [acct[0] for acct in accounts if w in acct[1]]
        flagged = [acct[0] for acct in accounts if w in acct[2]]
        if len(holders) > 1:
            dups.append("%s on %s" % (w, " and ".join(holders)))
        elif flagged:
            dups.append("%s on %s and on another account of the forest (OneFS's duplicate-SPN check; 'setspn -Q %s' names it)"
                        % (w, " and ".join(holders or flagged), w))
    if dups:
        return ("spns", "ERROR", "duplicate SPNs of the unit's names (Kerberos to these names fails, and AD refuses to move "
                "them): " + "; ".join(dups) + ". Remove each from the account that must not hold it, then re-run readiness")
    have = [str(s).lower() for s in _l(_ad(src, _first(u.get("source_zones"), "name", zname, {})).get("spns"))]
    tads = _ad(tgt, _first(u.get("target_zones"), "name", tname, {}))
    on_target = [w for w in want if w in (str(x).lower() for x in _l(tads.get("spns")))]
    miss = [w for w in want if w not in have]
    return ("spns", "OK" if not miss and not on_target else "WARNING",
            (("missing on %s: %s; " % (source, ", ".join(miss))) if miss else "")
            + (("already on %s: %s" % (target, ", ".join(on_target))) if on_target else "no duplicate"))

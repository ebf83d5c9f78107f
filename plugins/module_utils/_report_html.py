# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The run as a page: one self-contained HTML file drawn from the JSON run report (issue 19 point 4).

Pure function ``render(report) -> str``. The page needs nothing from outside: inline CSS, inline
SVG, no script, no font, no image; its Content-Security-Policy forbids any request. Every string
of the report (unit, cluster, policy and share names come from the clusters) is escaped. The
numbers the page shows carry their JSON value in ``data-*`` attributes (tests read them back).

Sections: the run (status, estimate against actual), each unit (where it stands), the steps of
each unit on one timeline, share writes in flight per cluster over time against the limit (from
the step records' ``share_write_busy``), readiness findings by severity, what changed, and the
RTO estimate against the actual per step. docs/report.md describes the page.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import html
import re
from typing import Any

BUSY_BUCKET_S = 0.5  # plugins/module_utils/client.py's bucket width
SEVERITIES = ("ERROR", "WARNING", "OK")
# Steps whose share writes go to the receiving cluster (the others write on the sending one).
TO_SIDE = re.compile(r"(^|_)(config_sync|restore_permissions_target)$")
STATUS_COLOURS = {"ok": "#2e7d32", "changed": "#1565c0", "skipped": "#9e9e9e", "failed": "#c62828",
                  "warning": "#ef6c00", "blocked": "#6a1b9a", "rolled_back": "#ad1457", "": "#616161"}
W = 960  # SVG width
LABEL_W = 150
_PREFIX = re.compile(r"^s\d+[a-z]?_")

CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#212121;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#757575}
.badge{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
.ERROR{background:#c62828}.WARNING{background:#ef6c00}.OK{background:#2e7d32}
svg text{font:11px system-ui,sans-serif;fill:#212121}details{margin:4px 0}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _f(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _num(value: Any) -> str:
    """A number as the JSON has it (attribute value)."""
    return _e(repr(value) if isinstance(value, float) else value)


def _s(value: Any) -> str:
    """Seconds as a person reads them."""
    return "%.1f s" % _f(value)


def _units(report: dict) -> list[tuple[str, dict]]:
    units = report.get("units") if isinstance(report.get("units"), dict) else {}
    return sorted((str(k), v) for k, v in units.items() if isinstance(v, dict))


def _steps(unit: dict) -> list[dict]:
    return [s for s in unit.get("steps") or [] if isinstance(s, dict)]


def _badge(status: str) -> str:
    colour = STATUS_COLOURS.get(status, "#616161")
    return '<span class="badge" style="background:%s">%s</span>' % (colour, _e(status or "-"))


def busy_series(report: dict) -> dict[str, list[tuple[float, float]]]:
    """Per cluster, (bucket start, mean share writes in flight) from every step's
    ``share_write_busy``, sorted by time."""
    out: dict[str, dict[float, float]] = {}
    for _name, unit in _units(report):
        for step in _steps(unit):
            cluster = str(unit.get("to") if TO_SIDE.search(str(step.get("step", ""))) else unit.get("from") or "")
            for bucket, seconds in (step.get("share_write_busy") or {}).items():
                series = out.setdefault(cluster, {})
                series[_f(bucket)] = series.get(_f(bucket), 0.0) + _f(seconds) / BUSY_BUCKET_S
    return {c: sorted(v.items()) for c, v in sorted(out.items())}


def _run_section(report: dict) -> str:
    units = _units(report)
    counts = {}
    for _n, u in units:
        counts[u.get("status", "")] = counts.get(u.get("status", ""), 0) + 1
    rto = report.get("rto") if isinstance(report.get("rto"), dict) else {}
    rows = [
        "<tr><th>run</th><td>%s</td></tr>" % _e(report.get("run_id")),
        "<tr><th>playbook</th><td>%s</td></tr>" % _e(report.get("playbook")),
        "<tr><th>started</th><td>%s</td></tr>" % _e(report.get("started")),
        "<tr><th>finished</th><td>%s</td></tr>" % _e(report.get("finished")),
        "<tr><th>units</th><td>%s</td></tr>" % (" ".join(
            '<span data-status-count="%s" data-value="%d">%s %d</span>' % (_e(k), v, _badge(k), v)
            for k, v in sorted(counts.items())) or "none"),
    ]
    if rto:
        rows.append('<tr><th>RTO</th><td>estimate <b data-run-estimate-s="%s">%s</b>, actual <b data-run-actual-s="%s">'
                    "%s</b></td></tr>" % (_num(rto.get("estimate_s")), _s(rto.get("estimate_s")),
                                          _num(rto.get("actual_s")), _s(rto.get("actual_s"))))
    return "<h2>Run</h2><table>%s</table>" % "".join(rows)


def _units_section(report: dict) -> str:
    rows = []
    for name, u in _units(report):
        est = (u.get("estimate") or {}).get("total_s") if isinstance(u.get("estimate"), dict) else None
        rows.append(
            '<tr data-unit="%s"><td>%s</td><td>%s</td><td>%s &rarr; %s</td><td>%s</td><td>%s</td>'
            '<td class="n" data-field="duration_s" data-value="%s">%s</td>'
            '<td class="n" data-field="estimate_s" data-value="%s">%s</td>'
            '<td class="n" data-field="api_calls" data-value="%s">%s</td>'
            '<td class="n" data-field="conflicts_409" data-value="%s">%s</td><td>%s%s</td></tr>'
            % (_e(name), _e(name), _e(u.get("mode")), _e(u.get("from")), _e(u.get("to")), _badge(u.get("status", "")),
               ", ".join(_e(p) for p in u.get("policies") or []),
               _num(u.get("duration_s")), _s(u.get("duration_s")),
               _num(est) if est is not None else "", _s(est) if est is not None else '<span class="muted">-</span>',
               _num(u.get("api_calls")), _e(u.get("api_calls")),
               _num(u.get("conflicts_409")), _e(u.get("conflicts_409")),
               ("stopped at %s: %s. " % (_e(u.get("stopped_at")), _e(u.get("error")))) if u.get("stopped_at") else "",
               _e(u.get("where_it_stands")) or ('<span class="muted">done</span>' if u.get("status") == "ok" else "")))
    return ("<h2>Where each unit stands</h2><table><tr><th>unit</th><th>mode</th><th>direction</th><th>status</th>"
            "<th>policies</th><th>actual</th><th>estimate</th><th>API calls</th><th>409s</th><th>where it stands</th></tr>"
            "%s</table>" % "".join(rows))


def _timeline(report: dict) -> str:
    units = _units(report)
    spans = [(_f(s.get("started")), _f(s.get("ended"))) for _n, u in units for s in _steps(u) if _f(s.get("started")) > 0]
    if not spans:
        return '<h2>Timeline</h2><p class="muted">The step records carry no start times.</p>'
    t0 = min(a for a, _b in spans)
    t1 = max(b for _a, b in spans)
    scale = (W - LABEL_W - 10) / max(t1 - t0, 0.001)
    row_h = 22
    parts = []
    for i, (name, u) in enumerate(units):
        y = 20 + i * row_h
        parts.append('<text x="4" y="%d">%s</text>' % (y + 14, _e(name)))
        for s in _steps(u):
            if _f(s.get("started")) <= 0:
                continue
            x = LABEL_W + (_f(s.get("started")) - t0) * scale
            w = max(1.0, _f(s.get("duration_s")) * scale)
            parts.append(
                '<rect class="step" data-unit="%s" data-step="%s" data-duration-s="%s" x="%.1f" y="%d" width="%.1f" '
                'height="%d" fill="%s" stroke="#fff"><title>%s %s: %s, %s</title></rect>'
                % (_e(name), _e(s.get("step")), _num(s.get("duration_s")), x, y, w, row_h - 4,
                   STATUS_COLOURS.get(s.get("status", ""), "#616161"), _e(name), _e(s.get("step")), _e(s.get("status")),
                   _s(s.get("duration_s"))))
            if w > 70:  # the step's name inside its bar when it fits
                parts.append('<text x="%.1f" y="%d" fill="#fff" style="fill:#fff" pointer-events="none">%s</text>'
                             % (x + 3, y + 13, _e(_PREFIX.sub("", str(s.get("step", "")))[: int(w / 6.5)])))
    height = 30 + len(units) * row_h
    parts.append('<text x="%d" y="12">0 s</text><text x="%d" y="12" text-anchor="end">%s</text>'
                 % (LABEL_W, W - 10, _s(t1 - t0)))
    legend = "".join('<span><i style="background:%s"></i>%s</span>' % (c, _e(k)) for k, c in STATUS_COLOURS.items() if k)
    return ('<h2>Timeline</h2><p class="legend">%s</p><svg id="timeline" width="%d" height="%d" viewBox="0 0 %d %d" '
            'role="img" aria-label="steps of each unit over time" data-span-s="%s">%s</svg>'
            % (legend, W, height, W, height, _num(round(t1 - t0, 3)), "".join(parts)))


def _in_flight(report: dict) -> str:
    limit = report.get("share_write_limit")
    series = busy_series(report)
    if not series:
        return ('<h2>Share writes in flight</h2><p class="muted" id="in-flight-none">No share write recorded in this '
                "run.</p>")
    # The whole run's span (as the timeline's), else the share writes' own.
    spans = [(_f(s.get("started")), _f(s.get("ended"))) for _n, u in _units(report) for s in _steps(u)
             if _f(s.get("started")) > 0]
    t0 = min([p[0] for s in series.values() for p in s] + [a for a, _b in spans])
    t1 = max([p[0] + BUSY_BUCKET_S for s in series.values() for p in s] + [b for _a, b in spans])
    peak = max(max(v for _t, v in s) for s in series.values())
    top = max(peak, _f(limit), 1.0) * 1.1
    h = 160
    scale_x = (W - 60) / max(t1 - t0, BUSY_BUCKET_S)
    out = []
    for cluster, points in series.items():
        bars = []
        for t, v in points:
            bars.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#1565c0" opacity="0.8">'
                        "<title>%s: %.1f in flight</title></rect>"
                        % (50 + (t - t0) * scale_x, 10 + h - v / top * h, max(2.0, BUSY_BUCKET_S * scale_x - 1),
                           v / top * h, _e(cluster), v))
        limit_line = ""
        if limit is not None:
            y = 10 + h - _f(limit) / top * h
            limit_line = ('<line x1="50" x2="%d" y1="%.1f" y2="%.1f" stroke="#c62828" stroke-dasharray="4 3"/>'
                          '<text x="%d" y="%.1f" text-anchor="end">limit %s</text>' % (W - 10, y, y, W - 10, y - 3, _e(limit)))
        cpeak = max(v for _t, v in points)
        out.append(
            '<h3>%s</h3><svg class="in-flight" data-cluster="%s" data-peak="%s" data-limit="%s" width="%d" height="%d" '
            'viewBox="0 0 %d %d" role="img" aria-label="share writes in flight on %s">'
            '<line x1="50" x2="50" y1="10" y2="%d" stroke="#999"/><line x1="50" x2="%d" y1="%d" y2="%d" stroke="#999"/>'
            '<text x="4" y="%d">0</text><text x="4" y="20">%.0f</text>%s%s<text x="50" y="%d">0 s</text>'
            '<text x="%d" y="%d" text-anchor="end">%s</text></svg>'
            % (_e(cluster), _e(cluster), _num(round(cpeak, 3)), _num(limit), W, h + 40, W, h + 40, _e(cluster),
               10 + h, W - 10, 10 + h, 10 + h, 10 + h, top, "".join(bars), limit_line, h + 30, W - 10, h + 30,
               _s(t1 - t0)))
    return ("<h2>Share writes in flight</h2><p>Mean share writes in flight per half second (slot time of the "
            "collection's share writes), against the limit.</p>%s" % "".join(out))


def _readiness(report: dict) -> str:
    counts = {k: 0 for k in SEVERITIES}
    rows = {k: [] for k in SEVERITIES}
    for name, u in _units(report):
        for c in u.get("readiness") or []:
            if not isinstance(c, dict):
                continue
            sev = str(c.get("status", "OK")).upper()
            sev = sev if sev in counts else "OK"
            counts[sev] += 1
            rows[sev].append("<tr><td>%s</td><td>%s</td><td>%s</td></tr>" % (_e(name), _e(c.get("check")), _e(c.get("detail"))))
    parts = ["<h2>Readiness findings</h2><p>"]
    parts += ['<span class="badge %s" data-severity="%s" data-count="%d">%s %d</span> ' % (k, k, counts[k], k, counts[k])
              for k in SEVERITIES]
    parts.append("</p>")
    for k in SEVERITIES:
        if rows[k]:
            parts.append("<details%s><summary>%s (%d)</summary><table><tr><th>unit</th><th>check</th><th>detail</th>"
                         "</tr>%s</table></details>" % (" open" if k != "OK" else "", k, counts[k], "".join(rows[k])))
    return "".join(parts)


def _changes(report: dict) -> str:
    parts = ["<h2>What changed</h2>"]
    for name, u in _units(report):
        items = ["<li><b>%s</b>: %s</li>" % (_e(s.get("step")), "; ".join(_e(c) for c in s.get("changes") or []))
                 for s in _steps(u) if s.get("changes")]
        parts.append('<h3>%s</h3><ul data-unit-changes="%s" data-count="%d">%s</ul>'
                     % (_e(name), _e(name), sum(len(s.get("changes") or []) for s in _steps(u)),
                        "".join(items) or '<li class="muted">nothing</li>'))
    return "".join(parts)


def _rto(report: dict) -> str:
    parts = ["<h2>RTO: estimate against actual</h2>"]
    for name, u in _units(report):
        steps = _steps(u)
        if not steps:
            continue
        top = max([_f(s.get("duration_s")) for s in steps] + [_f(s.get("estimate_s")) for s in steps] + [0.001])
        rows = []
        for s in steps:
            est, act = s.get("estimate_s"), s.get("duration_s")
            chart = ('<svg width="220" height="14" viewBox="0 0 220 14"><rect x="0" y="0" width="%.1f" height="6" '
                     'fill="#9e9e9e"/><rect x="0" y="7" width="%.1f" height="6" fill="#1565c0"/></svg>'
                     % (_f(est) / top * 220, _f(act) / top * 220))
            rows.append('<tr data-unit="%s" data-step="%s"><td>%s</td><td class="n" data-field="estimate_s" data-value="%s">'
                        '%s</td><td class="n" data-field="duration_s" data-value="%s">%s</td><td>%s</td></tr>'
                        % (_e(name), _e(s.get("step")), _e(s.get("step")), _num(est) if est is not None else "",
                           _s(est) if est is not None else "-", _num(act), _s(act), chart))
        parts.append('<h3>%s</h3><p class="legend"><span><i style="background:#9e9e9e"></i>estimate</span><span>'
                     '<i style="background:#1565c0"></i>actual</span></p><table class="rto"><tr><th>step</th>'
                     "<th>estimate</th><th>actual</th><th></th></tr>%s</table>" % (_e(name), "".join(rows)))
    return "".join(parts)


def render(report: dict) -> str:
    """The page of one run report (a dict as written to ``<run-id>.json``)."""
    if not isinstance(report, dict):
        raise ValueError("report must be a dictionary (the JSON run report), got %s" % type(report).__name__)
    title = "onefs.dr %s %s" % (report.get("playbook", ""), report.get("run_id", ""))
    body = "".join([
        "<h1>%s</h1>" % _e(title), _run_section(report), _units_section(report), _timeline(report),
        _in_flight(report), _readiness(report), _changes(report), _rto(report),
        '<p class="muted">Drawn from %s.json by the onefs.dr collection.</p>' % _e(report.get("run_id")),
    ])
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
            '<link rel="icon" href="data:,">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>%s</title><style>%s</style></head>'
            "<body>%s</body></html>\n" % (_e(title), CSS, body))

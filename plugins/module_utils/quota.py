# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""SmartQuotas helpers of onefs.dr: input parsing, identity, comparison and request bodies.

A quota is identified by ``(type, path, persona)``; ``include_snapshots`` cannot be changed
in place (OneFS PUT does not accept it, nor ``type``/``path``/``persona``), so a quota whose
``include_snapshots`` differs is only replaced when the caller asks for it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.onefs.dr.plugins.module_utils._paths import clean_path, ifs_path, rebase
from ansible_collections.onefs.dr.plugins.module_utils.common import InputError

QUOTA_TYPES = ("directory", "user", "group", "default-directory", "default-user", "default-group")
PERSONA_TYPES = ("user", "group")
THRESHOLDS_ON = ("applogicalsize", "fslogicalsize", "physicalsize")
SIZE_KEYS = ("hard", "soft", "advisory")
PERCENT_KEYS = ("percent_soft", "percent_advisory")
THRESHOLD_KEYS = ("hard", "soft", "advisory", "soft_grace", "percent_soft", "percent_advisory")
# Fields a PUT may change (besides thresholds); the identity and include_snapshots are fixed.
MUTABLE_KEYS = ("enforced", "container", "thresholds_on", "description")
# Persona ids OneFS understands (anything else is taken as a user or group name).
_PERSONA_ID = re.compile(r"^(UID|GID|SID|USER|GROUP):.+$", re.IGNORECASE)

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGTPE]?)(I?B)?\s*$", re.IGNORECASE)
_UNITS = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
_DURATION = re.compile(r"^\s*(\d+)\s*([SMHDW]?)\s*$", re.IGNORECASE)
_SECONDS = {"": 1, "S": 1, "M": 60, "H": 3600, "D": 86400, "W": 604800}


class QuotaInputError(InputError):
    """A quota definition that cannot be sent; the message names the field and the fix."""


def parse_size(value, field):
    """Bytes from an int or a size string ('10G', '1.5T', '500MiB'; powers of 1024)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise QuotaInputError("%s: expected a size in bytes or a string such as '10G', got %r" % (field, value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != int(value):
            raise QuotaInputError("%s: a size in bytes must be whole, got %r" % (field, value))
        number = int(value)
    else:
        text = str(value)
        match = _SIZE.match(text)
        if not match:
            raise QuotaInputError(
                "%s: cannot read %r as a size; give bytes (10737418240) or a number with a unit "
                "K, M, G, T, P or E (powers of 1024), such as '10G' or '1.5T'" % (field, text)
            )
        amount, unit = match.group(1), match.group(2).upper()
        scaled = float(amount) * (1024 ** _UNITS[unit])
        if scaled != int(scaled):
            raise QuotaInputError("%s: %r is not a whole number of bytes" % (field, text))
        number = int(scaled)
    if number < 0:
        raise QuotaInputError("%s: a threshold cannot be negative, got %r" % (field, value))
    return number


def parse_duration(value, field):
    """Seconds from an int or a duration string ('7d', '12h', '2w', '90m', '30s')."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise QuotaInputError("%s: expected seconds or a duration such as '7d', got %r" % (field, value))
    if isinstance(value, (int, float)):
        if value != int(value):
            raise QuotaInputError("%s: seconds must be whole, got %r" % (field, value))
        number = int(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise QuotaInputError(
                "%s: cannot read %r as a duration; give seconds (604800) or a number with a unit "
                "s, m, h, d or w, such as '7d'" % (field, value)
            )
        number = int(match.group(1)) * _SECONDS[match.group(2).upper()]
    if number < 0:
        raise QuotaInputError("%s: a grace period cannot be negative, got %r" % (field, value))
    return number


def parse_thresholds(raw, where):
    """The complete desired threshold set (every key present, None = no such threshold)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise QuotaInputError("%sthresholds: expected a dictionary, got %r" % (where, raw))
    unknown = sorted(set(raw) - set(THRESHOLD_KEYS))
    if unknown:
        raise QuotaInputError(
            "%sthresholds: unknown key(s) %s; use %s" % (where, ", ".join(unknown), ", ".join(THRESHOLD_KEYS))
        )
    out = {}
    for key in SIZE_KEYS:
        out[key] = parse_size(raw.get(key), "%sthresholds.%s" % (where, key))
    out["soft_grace"] = parse_duration(raw.get("soft_grace"), "%sthresholds.soft_grace" % where)
    for key in PERCENT_KEYS:
        value = raw.get(key)
        if value is not None:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise QuotaInputError("%sthresholds.%s: expected a percentage, got %r" % (where, key, value)) from None
            if not 0 < value <= 100:
                raise QuotaInputError("%sthresholds.%s: a percentage must be above 0 and at most 100, got %s" % (where, key, value))
        out[key] = value
    prefix = "%sthresholds" % where
    for absolute, percent in (("soft", "percent_soft"), ("advisory", "percent_advisory")):
        if out[absolute] is not None and out[percent] is not None:
            raise QuotaInputError("%s: give %s or %s, not both" % (prefix, absolute, percent))
        if out[percent] is not None and out["hard"] is None:
            raise QuotaInputError("%s.%s is a percentage of the hard threshold: set %s.hard too" % (prefix, percent, prefix))
    has_soft = out["soft"] is not None or out["percent_soft"] is not None
    if has_soft and out["soft_grace"] is None:
        raise QuotaInputError(
            "%s: a soft threshold needs soft_grace (how long usage may stay above it, e.g. '7d')" % prefix
        )
    if out["soft_grace"] is not None and not has_soft:
        raise QuotaInputError("%s.soft_grace is only meaningful with soft or percent_soft" % prefix)
    if out["hard"] is not None:
        for key in ("soft", "advisory"):
            if out[key] is not None and out[key] > out["hard"]:
                raise QuotaInputError(
                    "%s.%s (%d bytes) is above hard (%d bytes): lower it or raise hard" % (prefix, key, out[key], out["hard"])
                )
    return out


def normalize_path(path, field):
    return ifs_path(path, field, QuotaInputError)


def persona_matches(wanted, current):
    """True when the persona string ``wanted`` names the cluster's persona ``current``."""
    if wanted is None:
        return not current
    if not current:
        return False
    text = wanted.strip()
    cur_id = (current.get("id") or "").lower()
    cur_name = (current.get("name") or "").lower()
    low = text.lower()
    if _PERSONA_ID.match(text):
        if cur_id == low:
            return True
        kind, rest = text.split(":", 1)
        if kind.upper() in ("USER", "GROUP"):
            return cur_name == rest.lower()
        return False
    return cur_name == low or cur_id == low


def persona_body(wanted, quota_type):
    """The persona object of a create body."""
    text = wanted.strip()
    if _PERSONA_ID.match(text):
        kind, rest = text.split(":", 1)
        if kind.upper() in ("USER", "GROUP"):
            return {"name": rest, "type": kind.lower()}
        return {"id": kind.upper() + ":" + rest}
    return {"name": text, "type": quota_type}


def persona_label(persona):
    """A stable string for a cluster persona object (id preferred)."""
    if not persona:
        return None
    return persona.get("id") or persona.get("name")


def normalize_spec(raw, where, defaults=None):
    """A validated desired quota from module input (``defaults`` fills unset keys)."""
    spec = dict(defaults or {})
    spec.update({k: v for k, v in raw.items() if v is not None})
    qtype = spec.get("type") or "directory"
    if qtype not in QUOTA_TYPES:
        raise QuotaInputError("%stype: unknown quota type %r; use one of %s" % (where, qtype, ", ".join(QUOTA_TYPES)))
    if not spec.get("path"):
        raise QuotaInputError("%spath is required" % where)
    path = normalize_path(spec["path"], "%spath" % where)
    persona = spec.get("persona")
    if qtype in PERSONA_TYPES:
        if not persona:
            raise QuotaInputError(
                "%spersona is required for a %s quota (a name, or an id such as UID:1000, GID:1000 or SID:S-1-5-...)"
                % (where, qtype)
            )
    elif persona:
        raise QuotaInputError("%spersona is only valid for user and group quotas, not %s" % (where, qtype))
    thresholds_on = spec.get("thresholds_on")
    if thresholds_on is not None and thresholds_on not in THRESHOLDS_ON:
        raise QuotaInputError("%sthresholds_on: use one of %s, got %r" % (where, ", ".join(THRESHOLDS_ON), thresholds_on))
    return {
        "type": qtype,
        "path": path,
        "persona": persona if qtype in PERSONA_TYPES else None,
        "include_snapshots": spec.get("include_snapshots"),
        "thresholds": parse_thresholds(spec.get("thresholds"), where),
        "enforced": spec.get("enforced"),
        "container": spec.get("container"),
        "thresholds_on": thresholds_on,
        "description": spec.get("description"),
    }


def identity(spec):
    return (spec["type"], spec["path"], (spec.get("persona") or "").lower())


def describe(spec):
    text = "%s quota on %s" % (spec["type"], spec["path"])
    if spec.get("persona"):
        text += " for %s" % spec["persona"]
    return text


def matches(spec, quota):
    """True when the cluster quota has the identity of the desired ``spec``."""
    if quota.get("type") != spec["type"]:
        return False
    if clean_path(quota.get("path")) != spec["path"]:
        return False
    if spec["type"] in PERSONA_TYPES:
        return persona_matches(spec["persona"], quota.get("persona"))
    return True


def current_thresholds(quota):
    thresholds = quota.get("thresholds") or {}
    return {key: thresholds.get(key) for key in THRESHOLD_KEYS}


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return float(a) == float(b)
    return a == b


def threshold_changes(desired, quota):
    """The thresholds to PUT when the desired set differs from the cluster's, else None.

    Compared exactly. When a percentage is given, the absolute value OneFS derives from it
    (``soft`` from ``percent_soft``) is not compared; the other way round likewise.
    """
    if desired is None:
        return None
    current = current_thresholds(quota)
    differs = False
    for key in THRESHOLD_KEYS:
        if key == "soft" and desired["percent_soft"] is not None:
            continue
        if key == "advisory" and desired["percent_advisory"] is not None:
            continue
        if not _same(desired[key], current[key]):
            differs = True
            break
    if not differs:
        return None
    return desired_thresholds_body(desired, current)


def desired_thresholds_body(desired, current=None):
    """Thresholds for a request: every setting key; None (JSON null) clears a threshold.

    A percentage key is sent only when it is wanted or has to be cleared, and the absolute
    value derived from a percentage is left to OneFS.
    """
    current = current or {}
    body = {}
    for key in THRESHOLD_KEYS:
        value = desired.get(key)
        if key == "soft" and desired.get("percent_soft") is not None:
            continue
        if key == "advisory" and desired.get("percent_advisory") is not None:
            continue
        if key in PERCENT_KEYS and value is None and current.get(key) is None:
            continue
        body[key] = value
    return body


def update_body(spec, quota):
    """The PUT body that brings ``quota`` to ``spec`` (empty when nothing differs)."""
    body = {}
    for key in MUTABLE_KEYS:
        value = spec.get(key)
        if value is not None and quota.get(key) != value:
            body[key] = value
    thresholds = threshold_changes(spec.get("thresholds"), quota)
    if thresholds is not None:
        body["thresholds"] = thresholds
    return body


def create_body(spec):
    body = {
        "type": spec["type"],
        "path": spec["path"],
        "include_snapshots": bool(spec.get("include_snapshots")),
    }
    if spec.get("persona"):
        body["persona"] = persona_body(spec["persona"], spec["type"])
    for key in MUTABLE_KEYS:
        if spec.get(key) is not None:
            body[key] = spec[key]
    if spec.get("thresholds") is not None:
        thresholds = {k: v for k, v in desired_thresholds_body(spec["thresholds"]).items() if v is not None}
        if thresholds:
            body["thresholds"] = thresholds
    return body


def view(quota):
    """The settings of a cluster quota, as reported in results and diffs."""
    if quota is None:
        return None
    out = {
        "id": quota.get("id"),
        "type": quota.get("type"),
        "path": quota.get("path"),
        "persona": persona_label(quota.get("persona")),
        "include_snapshots": quota.get("include_snapshots"),
        "enforced": quota.get("enforced"),
        "container": quota.get("container"),
        "thresholds_on": quota.get("thresholds_on"),
        "description": quota.get("description"),
        "thresholds": {k: v for k, v in current_thresholds(quota).items() if v is not None},
    }
    return out


def apply_update(quota, body):
    """The cluster quota as it will read after ``body`` is PUT (for check mode and diffs)."""
    after = dict(quota)
    for key, value in body.items():
        if key == "thresholds":
            merged = {k: v for k, v in (quota.get("thresholds") or {}).items() if k in THRESHOLD_KEYS}
            merged.update(value)
            after["thresholds"] = merged
        else:
            after[key] = value
    return after


def planned_quota(body):
    """The cluster quota a create body will produce (for check mode and diffs)."""
    quota = dict(body)
    persona = body.get("persona")
    if persona:
        quota["persona"] = {"id": persona.get("id"), "name": persona.get("name")}
    return quota


def translate_path(path, source_root, target_root):
    """``path`` under ``source_root`` moved under ``target_root`` (None when not under it)."""
    return rebase(path, source_root, target_root)


def spec_from_quota(quota, path):
    """A desired quota (as ``normalize_spec`` returns) copying a cluster quota to ``path``."""
    persona = quota.get("persona") or None
    thresholds = current_thresholds(quota)
    has_any = any(v is not None for v in thresholds.values())
    if thresholds.get("percent_soft") is not None:
        thresholds["soft"] = None
    if thresholds.get("percent_advisory") is not None:
        thresholds["advisory"] = None
    return {
        "type": quota.get("type"),
        "path": path,
        "persona": persona_label(persona) if quota.get("type") in PERSONA_TYPES else None,
        "include_snapshots": bool(quota.get("include_snapshots")),
        "thresholds": thresholds if has_any else {k: None for k in THRESHOLD_KEYS},
        "enforced": quota.get("enforced"),
        "container": quota.get("container"),
        "thresholds_on": quota.get("thresholds_on"),
        "description": quota.get("description"),
    }


def list_scope(paths):
    """Query for one quota list covering every path: the path itself, or a common parent."""
    paths = sorted(set(paths))
    if not paths:
        return {}
    if len(paths) == 1:
        return {"path": paths[0]}
    common = posixpath.commonpath(paths)
    if common in ("/", "/ifs"):
        return {}
    return {"path": common, "recurse_path_children": True}

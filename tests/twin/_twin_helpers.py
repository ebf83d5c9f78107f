"""Helpers of the digital-twin tests: capture a simulated pair with playbooks/capture_twin.yml and
compare two simulators' state dumps (docs/rehearsal.md, "What the twin does not reproduce")."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent

# Fields a twin's state stores explicitly while the original's scenario left them unset: the
# PAPI answers are the same (OneFS shows them with their default value at the cluster's
# handler version), only the simulator's state dump differs. docs/rehearsal.md lists them.
ONLY_IN_TWIN = {
    "pools": {"external_manager", "linklayer", "nfs_rroce_only"},
    "subnets": {"linklayer"},
    "nfs_settings": {"nfs_rdma_enabled"},
    "ads": {"zone_name"},
}


def env(tmp_path):
    full = dict(os.environ)
    full.update({
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".build" / "collections"),
        "ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ONEFS_LIMITER_DIR": str(tmp_path / "limiter"), "ONEFS_DR_STATE_DIR": str(tmp_path / "state"),
    })
    full.pop("ONEFS_DR_CONNECTION_VARS", None)
    return full


def connection_file(sim, path):
    """The connection vars file scripts/sim_inventory.py writes, for an in-process simulator."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import sim_inventory
    finally:
        sys.path.pop(0)
    path.write_text(sim_inventory.to_yaml(sim_inventory.connection_vars(sim.ready_line())))
    return path


def capture(sim, tmp_path, out, *extra):
    conn = connection_file(sim, tmp_path / "connection.yml")
    cmd = [str(BIN / "ansible-playbook"), str(REPO / "playbooks" / "capture_twin.yml"),
           "-e", "onefs_dr_connection_vars_file=%s" % conn, "-e", "onefs_dr_twin_output=%s" % out, *extra]
    proc = subprocess.run(cmd, env=env(tmp_path), capture_output=True, text=True, timeout=600, cwd=str(REPO))
    return proc


def _norm(value):
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_norm(v) for v in value]
        if all(isinstance(v, dict) for v in items):
            items.sort(key=lambda v: json.dumps([v.get("id"), v.get("name"), v.get("path")], default=str))
        return items
    return value


def _kind(path):
    for part in reversed(path):
        if part in ONLY_IN_TWIN:
            return part
    return None


def differences(original, twin):
    """Where two state dumps differ, as 'a.b[2].c: ...' lines, except the documented list."""
    out = []

    def walk(a, b, path):
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b), key=str):
                if k not in a:
                    if k not in ONLY_IN_TWIN.get(_kind(path), ()):
                        out.append("%s.%s: only in the twin" % (".".join(path), k))
                elif k not in b:
                    out.append("%s.%s: only in the original" % (".".join(path), k))
                else:
                    walk(a[k], b[k], path + [str(k)])
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, path + ["[%d]" % i])
        elif a != b:
            out.append("%s: %s != %s" % (".".join(path), json.dumps(a, default=str)[:100],
                                         json.dumps(b, default=str)[:100]))

    walk(_norm(original), _norm(twin), [])
    return out

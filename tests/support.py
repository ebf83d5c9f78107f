"""Helpers the tests import: control API client, connection options, Ansible runner."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from onefs_sim.control_client import Control  # noqa: F401 - re-exported for the tests


def connection(cluster, **extra):
    """Module connection options for a simulator cluster."""
    opts = dict(
        host=cluster.host,
        port=cluster.port,
        username=cluster.username,
        password=cluster.password,
        ca_path=cluster.ca,
    )
    if not cluster.ca:
        opts["validate_certs"] = False
    opts.update(extra)
    return opts


def _children():
    """{parent pid: [child pids]} of every process (Linux /proc)."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out.setdefault(int(fields[1]), []).append(int(entry))
    return out


def kill_run(proc, timeout=30):
    """SIGKILL an ansible-playbook started with ``start_new_session=True``, and everything it started.

    A crash of the controller, as the crash tests mean it: Ansible's workers call setsid(), so a
    kill of the run's process group misses them and their module processes, which would finish
    their writes after the "kill" (and the orphaned worker would then block for ever on the
    dead parent's result pipe). Every process of the tree is stopped first, so none can start
    another between the listing and the kill.
    """
    stopped = set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGSTOP)
    while True:
        children = _children()
        tree, todo = set(), [proc.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in tree:
                    tree.add(child)
                    todo.append(child)
        new = tree - stopped
        if not new:
            break
        for pid in new:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        stopped |= new
    for pid in stopped:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=timeout)


def onefs_env(cluster):
    """The ONEFS_* environment for a simulator cluster (ad-hoc style calls)."""
    env = {
        "ONEFS_HOST": cluster.host,
        "ONEFS_PORT": str(cluster.port),
        "ONEFS_USERNAME": cluster.username,
        "ONEFS_PASSWORD": cluster.password,
    }
    if cluster.ca:
        env["ONEFS_CA_PATH"] = cluster.ca
    else:
        env["ONEFS_VALIDATE_CERTS"] = "false"
    return env


class AnsibleRunner:
    """Runs module tasks through ansible-playbook on localhost and returns their results."""

    def __init__(self, collections_root, limiter_dir, workdir):
        self.collections_root = collections_root
        self.limiter_dir = limiter_dir
        self.workdir = Path(workdir)
        self.calls = 0

    def base_env(self, env=None):
        full = dict(os.environ)
        full.update(
            {
                "ANSIBLE_COLLECTIONS_PATH": str(self.collections_root),
                "ANSIBLE_LOCALHOST_WARNING": "false",
                "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_RETRY_FILES_ENABLED": "false",
                # The module is piped to the interpreter: no temporary directory, copy and
                # removal per task (three fewer processes per module call).
                "ANSIBLE_PIPELINING": "1",
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                "ONEFS_LIMITER_DIR": str(self.limiter_dir),
                "ONEFS_DR_STATE_DIR": str(self.workdir / "state"),
            }
        )
        full.update(env or {})
        return full

    def tasks(self, tasks, env=None, timeout=600):
        """Run ``tasks`` (list of dicts: {"module": name, "args": {...}, "check": bool,
        "diff": bool}) in one play; returns the list of registered results."""
        self.calls += 1
        out_dir = Path(tempfile.mkdtemp(prefix="results-", dir=self.workdir))
        play_tasks = []
        for index, task in enumerate(tasks):
            module = task["module"]
            if "." not in module:
                module = "onefs.dr." + module
            play_tasks.append(
                {
                    "name": "task %d" % index,
                    module: task.get("args", {}),
                    "check_mode": bool(task.get("check", False)),
                    "diff": bool(task.get("diff", True)),
                    "register": "result_%d" % index,
                    "ignore_errors": True,
                }
            )
        # One save task for all results: every task has ignore_errors, so the play gets here.
        collected = ", ".join("'%d': result_%d" % (i, i) for i in range(len(tasks)))
        play_tasks.append(
            {
                "name": "save results",
                "ansible.builtin.copy": {
                    "content": "{{ {%s} | to_json }}" % collected,
                    "dest": str(out_dir / "results.json"),
                    "mode": "0600",
                },
                "check_mode": False,
                "diff": False,
            }
        )
        playbook = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": play_tasks}]
        path = out_dir / "play.yml"
        path.write_text(yaml.safe_dump(playbook, sort_keys=False))
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(path)],
            env=self.base_env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=str(self.workdir),
        )
        result_file = out_dir / "results.json"
        if not result_file.exists():
            raise AssertionError(
                "ansible-playbook did not record the results (rc=%s)\nSTDOUT:\n%s\nSTDERR:\n%s"
                % (proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:])
            )
        saved = json.loads(result_file.read_text())
        results = [saved[str(index)] for index in range(len(tasks))]
        return results

    def run(self, module, args=None, check=False, diff=True, env=None):
        """One module call; returns its result dict."""
        return self.tasks([{"module": module, "args": args or {}, "check": check, "diff": diff}], env=env)[0]

    def idempotence(self, module, args, env=None):
        """check mode -> apply -> apply again, in one play. Returns the three results."""
        return self.tasks(
            [
                {"module": module, "args": args, "check": True},
                {"module": module, "args": args},
                {"module": module, "args": args},
            ],
            env=env,
        )

"""AWX-like job runs for the tests of tests/awx: the credential type's injectors rendered as AWX
renders them, and ansible-runner started from a private data dir as an AWX job is."""

import json
import os
import sys
from pathlib import Path

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPO = Path(__file__).resolve().parents[2]
INVENTORY = REPO / "inventories" / "demo"
CREDENTIAL_TYPE = REPO / "awx" / "credential_type.yml"


def credential_type():
    return yaml.safe_load(CREDENTIAL_TYPE.read_text())


class _Tower:
    def __init__(self, filename):
        self.filename = filename


def inject(inputs, folder):
    """Render the credential type's injectors for ``inputs`` as AWX does: the file template
    into a 0600 file of ``folder``, then the env (and extra vars) with ``tower.filename``.
    Returns (env, extra_vars, file path)."""
    ctype = credential_type()
    injectors = ctype["injectors"]
    env = ImmutableSandboxedEnvironment()
    fields = {f["id"]: f for f in ctype["inputs"]["fields"]}
    values = {k: v for k, v in inputs.items() if k in fields}
    for key in ctype["inputs"].get("required", []):
        assert values.get(key) not in (None, ""), "required input %s missing" % key
    path = None
    if "file" in injectors:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "onefs_dr_credential"
        fd = os.open(str(path), os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(env.from_string(injectors["file"]["template"]).render(**values))
    ns = dict(values, tower=_Tower(str(path)))
    out_env = {k: env.from_string(v).render(**ns) for k, v in injectors.get("env", {}).items()}
    out_extra = {k: env.from_string(v).render(**ns) for k, v in injectors.get("extra_vars", {}).items()}
    return out_env, out_extra, path


def sim_inputs(sim):
    """Credential inputs for the demo simulator's pair (alpha -> beta)."""
    alpha, beta = sim.clusters["alpha"], sim.clusters["beta"]
    return {
        "source_name": "alpha", "source_host": alpha.host, "source_port": str(alpha.port),
        "source_username": alpha.username, "source_password": alpha.password,
        "target_name": "beta", "target_host": beta.host, "target_port": str(beta.port),
        "target_username": beta.username, "target_password": beta.password,
        "ca_path": alpha.ca or "", "validate_certs": bool(alpha.ca),
        "spn_ad_user": "administrator", "spn_ad_password": "AdPass1!",
    }


def record_sessions(sim):
    """Every session id and CSRF token the simulator's clusters hand out from now on."""
    issued = []
    for cluster in sim.world.clusters.values():
        original = cluster.login

        def login(name, password, services=None, _original=original):
            res = _original(name, password, services)
            if res:
                issued.extend(res)
            return res

        cluster.login = login
    return issued


def runner_job(private_data_dir, playbook, envvars, extravars=None, verbosity=0, ident=None, collections_root=None):
    """One ansible-runner job as AWX starts it: a private data dir, the job's env and extra vars."""
    import ansible_runner

    env = {
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        "ANSIBLE_COLLECTIONS_PATH": str(collections_root),
        "ANSIBLE_PIPELINING": "1",
        "ANSIBLE_FORKS": "10",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
    }
    env.update(envvars)
    return ansible_runner.run(
        private_data_dir=str(private_data_dir),
        playbook=str(REPO / "playbooks" / playbook),
        inventory=str(INVENTORY),
        envvars=env,
        extravars=dict(extravars or {}),
        verbosity=verbosity,
        ident=ident,
        quiet=True,
        timeout=900,
    )


def stats_artifacts(job):
    """The set_stats data of a runner job (the playbook_on_stats event's artifact_data)."""
    data = {}
    for event in job.events:
        if event.get("event") == "playbook_on_stats":
            data.update(event.get("event_data", {}).get("artifact_data") or {})
    return data


def grep_tree(root, needles, skip=()):
    """[(file, needle)] for every needle found in any file under root (bytes, any encoding)."""
    hits = []
    root = Path(root)
    if not root.exists():
        return hits
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink() or any(s in path.parts for s in skip):
            continue
        try:
            blob = path.read_bytes()
        except OSError:
            continue
        for needle in needles:
            for form in {needle, json.dumps(needle)[1:-1]}:
                if form.encode() in blob:
                    hits.append((str(path), needle[:3] + "..."))
                    break
    return hits

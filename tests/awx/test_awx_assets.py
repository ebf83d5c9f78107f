"""The AWX assets of awx/: every awx.awx task of awx/configure.yml against the argument specs of
the awx.awx modules (taken from the ``ansible`` package on PyPI, which ships awx.awx), the
workflow's shape, the credential type's injector, and the execution environment definition
through ``ansible-builder create``."""

import ast
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from _awx_helpers import REPO, credential_type, inject
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

# The community package that ships awx.awx (pinned: the specs the test checks against).
ANSIBLE_PACKAGE = "ansible==12.3.0"
CACHE = REPO / ".build" / "awx"
BIN = Path(sys.executable).parent


def _awx_collection():
    """ansible_collections/awx/awx extracted from the pinned wheel (downloaded once)."""
    root = CACHE / "collections"
    done = root / "ansible_collections" / "awx" / "awx" / ".extracted"
    if done.exists():
        return done.parent
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = sorted(CACHE.glob("ansible-%s-*.whl" % ANSIBLE_PACKAGE.split("==")[1]))
    if not wheels:
        subprocess.run([str(BIN / "pip"), "download", "--no-deps", "--only-binary=:all:", "-d", str(CACHE),
                        ANSIBLE_PACKAGE], check=True, capture_output=True, timeout=600)
        wheels = sorted(CACHE.glob("ansible-%s-*.whl" % ANSIBLE_PACKAGE.split("==")[1]))
    with zipfile.ZipFile(wheels[0]) as whl:
        whl.extractall(root, [n for n in whl.namelist() if n.startswith("ansible_collections/awx/awx/")])
    done.write_text(ANSIBLE_PACKAGE)
    return done.parent


class _Captured(Exception):
    pass


def _auth_spec(collection):
    """ControllerModule.AUTH_ARGSPEC, read from controller_api.py's source."""
    tree = ast.parse((collection / "plugins" / "module_utils" / "controller_api.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "AUTH_ARGSPEC":
            return eval(compile(ast.Expression(node.value), "AUTH_ARGSPEC", "eval"),  # noqa: S307 - the module's own literal
                        {"dict": dict, "env_fallback": object()})
    raise AssertionError("AUTH_ARGSPEC not found")


def module_spec(collection, name):
    """(argument_spec, AnsibleModule kwargs, DOCUMENTATION) of awx.awx.<name>: its main() runs
    against a stand-in ControllerAPIModule that keeps what it is given."""
    source = (collection / "plugins" / "modules" / ("%s.py" % name)).read_text()
    captured = {}

    class ControllerAPIModule:
        def __init__(self, argument_spec=None, **kwargs):
            captured["spec"] = dict(_auth_spec(collection), **argument_spec)
            captured["kwargs"] = kwargs
            raise _Captured()

    source = source.replace("from ..module_utils.controller_api import ControllerAPIModule", "")
    namespace = {"__name__": "awx_%s" % name, "ControllerAPIModule": ControllerAPIModule}
    exec(compile(source, "awx.awx.%s" % name, "exec"), namespace)  # noqa: S102 - awx.awx's module source
    with pytest.raises(_Captured):
        namespace["main"]()
    for spec in captured["spec"].values():
        spec.pop("fallback", None)
    return captured["spec"], captured["kwargs"], yaml.safe_load(namespace["DOCUMENTATION"])


_PLACEHOLDER = {"int": 1, "float": 1.0, "bool": True, "list": ["x"], "dict": {"x": "x"}}


def _untemplate(value, spec):
    """A templated value ("{{ ... }}") stands for a value of the option's type."""
    if isinstance(value, str) and "{{" in value:
        return _PLACEHOLDER.get(spec.get("type", "str"), value) if spec else value
    return value


def _validate(spec, args, kwargs=None):
    params = {}
    for key, value in args.items():
        opt = spec.get(key) or next((s for s in spec.values() if key in s.get("aliases", [])), None)
        params[key] = _untemplate(value, opt)
    kwargs = {k: v for k, v in (kwargs or {}).items()
              if k in ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")}
    result = ArgumentSpecValidator(spec, **kwargs).validate(params)
    return [str(e) for e in result.errors]


def _doc_spec(options):
    """An argument spec from a DOCUMENTATION options block (for documented suboptions)."""
    spec = {}
    for name, doc in options.items():
        entry = {"type": doc.get("type", "str")}
        for key in ("required", "choices", "elements", "aliases", "default"):
            if key in doc:
                entry[key] = doc[key]
        if "suboptions" in doc:
            entry["options"] = _doc_spec(doc["suboptions"])
        spec[name] = entry
    return spec


def _awx_tasks():
    plays = yaml.safe_load((REPO / "awx" / "configure.yml").read_text())
    out = []
    for play in plays:
        for task in play.get("tasks", []):
            for key, args in task.items():
                if key.startswith("awx.awx."):
                    out.append((task["name"], key.split(".")[-1], args, task))
    return out


def test_configure_playbook_tasks_match_awx_awx_argument_specs():
    collection = _awx_collection()
    tasks = _awx_tasks()
    used = {module for _, module, _, _ in tasks}
    assert {"credential_type", "credential", "job_template", "workflow_job_template", "project",
            "inventory", "inventory_source", "execution_environment"} <= used, used
    errors = []
    for name, module, args, _task in tasks:
        spec, kwargs, doc = module_spec(collection, module)
        assert isinstance(args, dict), name
        errors += ["%s (awx.awx.%s): %s" % (name, module, e) for e in _validate(spec, args, kwargs)]
        if module == "workflow_job_template":
            node_spec = _doc_spec(doc["options"]["workflow_nodes"]["suboptions"])
            for node in args["workflow_nodes"]:
                errors += ["%s node %s: %s" % (name, node.get("identifier"), e) for e in _validate(node_spec, node)]
    assert errors == [], "\n".join(errors)


def test_a_wrong_option_is_caught():
    """The check above can fail: an unknown option and a bad choice are errors."""
    collection = _awx_collection()
    spec, kwargs, _ = module_spec(collection, "job_template")
    assert _validate(spec, {"name": "x", "playbook": "p.yml"}, kwargs) == []
    assert _validate(spec, {"name": "x", "playbok": "p.yml"}, kwargs)
    assert _validate(spec, {"name": "x", "job_type": "deploy"}, kwargs)


def test_workflow_is_readiness_approval_failover_report():
    task = next(args for _, module, args, _ in _awx_tasks() if module == "workflow_job_template")
    nodes = {n["identifier"]: n for n in task["workflow_nodes"]}

    def after(node, kind):
        return [x["identifier"] for x in nodes[node].get("related", {}).get(kind, [])]

    assert after("readiness", "success_nodes") == ["approval"]
    assert nodes["approval"]["unified_job_template"]["type"] == "workflow_approval"
    assert after("approval", "success_nodes") == ["failover"]
    assert after("failover", "always_nodes") == ["report"]
    play = yaml.safe_load((REPO / "awx" / "configure.yml").read_text())[0]
    templates = {t["playbook"] for t in play["vars"]["_templates"]}
    for playbook in templates:
        assert (REPO / playbook).is_file(), playbook
    assert {"playbooks/readiness.yml", "playbooks/failover.yml", "playbooks/failback.yml", "playbooks/rollback.yml",
            "playbooks/config_sync.yml"} <= templates


def test_credential_injector_keeps_any_password_intact(tmp_path):
    tricky = "p@ss: \"w0rd'\" {{x}} # \\ <&>"
    inputs = {"source_name": "alpha", "source_host": "a.example.com", "source_username": "dr",
              "source_password": tricky, "target_name": "beta", "target_host": "b.example.com",
              "target_username": "dr", "target_password": "plain", "validate_certs": False}
    env, extra, path = inject(inputs, tmp_path)
    assert extra == {} and env == {"ONEFS_DR_CONNECTION_VARS": str(path),
                                   "ANSIBLE_CALLBACKS_ENABLED": "onefs.dr.onefs_progress"}
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    loaded = yaml.safe_load(path.read_text())
    assert loaded["onefs_dr_clusters"]["alpha"] == {"host": "a.example.com", "port": 8080, "username": "dr",
                                                   "password": tricky, "validate_certs": False}
    assert loaded["onefs_dr_clusters"]["beta"]["password"] == "plain"
    assert "onefs_dr_spn_ad_user" not in loaded
    # Every secret input is marked secret (AWX encrypts it and shows it as $encrypted$).
    secret = {f["id"] for f in credential_type()["inputs"]["fields"] if f.get("secret")}
    assert secret == {"source_password", "target_password", "spn_ad_password"}


def test_execution_environment_is_accepted_by_ansible_builder(tmp_path):
    ee_file = REPO / "awx" / "ee" / "execution-environment.yml"
    ee = yaml.safe_load(ee_file.read_text())
    assert ee["version"] == 3
    image = ee["images"]["base_image"]["name"]
    assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), image
    # The tarball the EE installs: the one `make build` writes for galaxy.yml's version.
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path",
                    str(REPO / ".build" / "dist"), str(REPO)], check=True, capture_output=True, timeout=300)
    wanted = "/build/dist/onefs-dr-%s.tar.gz" % version
    assert [c["name"] for c in yaml.safe_load((ee_file.parent / "requirements.yml").read_text())["collections"]] == [wanted]
    context = tmp_path / "context"
    proc = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", str(ee_file), "-c", str(context)],
                          capture_output=True, text=True, timeout=300, cwd=str(REPO),
                          env=dict(os.environ, PATH=str(BIN) + os.pathsep + os.environ.get("PATH", "")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    containerfile = (context / "Dockerfile").read_text()
    assert "ARG EE_BASE_IMAGE=\"%s\"" % image in containerfile or image in containerfile
    assert (context / "_build" / "dist" / ("onefs-dr-%s.tar.gz" % version)).is_file()
    assert "requests" in (context / "_build" / "requirements.txt").read_text()

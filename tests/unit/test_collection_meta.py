# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's metadata stays consistent with its content.

- galaxy.yml carries the keys Galaxy and `ansible-galaxy collection build` need, and keeps
  development tooling (simulator, virtualenvs, test output) out of the tarball;
- meta/runtime.yml's `onefs` action group names exactly the modules in plugins/modules/, so
  `module_defaults: {group/onefs.dr.onefs: ...}` reaches every module;
- `ansible-doc -l onefs.dr` lists every module (each one's DOCUMENTATION loads).
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
MODULES_DIR = REPO / "plugins" / "modules"


def load_yaml(relpath):
    with open(REPO / relpath, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# Controller-side bookkeeping (an action plugin, no connection options): not in the group,
# where module_defaults would hand it connection options it does not take.
CONTROLLER_ONLY = {"unit_state", "unit_lease", "job_wait", "twin_capture"}
# Modules that talk DNS, not PAPI (no connection options, no action plugin): not in the group either.
DNS_ONLY = {"onefs_dns_check", "onefs_dns_delegation"}


def module_files():
    """Short names of the modules present in plugins/modules/."""
    return sorted(p.stem for p in MODULES_DIR.glob("*.py") if p.name != "__init__.py")


def cluster_modules():
    """The modules that talk to a cluster (every one takes the connection options)."""
    return sorted(set(module_files()) - CONTROLLER_ONLY - DNS_ONLY)


@pytest.fixture(scope="module")
def galaxy():
    return load_yaml("galaxy.yml")


@pytest.fixture(scope="module")
def runtime():
    return load_yaml("meta/runtime.yml")


def test_galaxy_identity(galaxy):
    assert galaxy["namespace"] == "onefs"
    assert galaxy["name"] == "dr"
    assert re.match(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", str(galaxy["version"])), galaxy["version"]


def test_galaxy_required_keys(galaxy):
    for key in ("namespace", "name", "version", "readme", "authors", "description", "license", "tags", "repository"):
        assert galaxy.get(key), "galaxy.yml: %s is missing or empty" % key
    assert galaxy["license"] == ["GPL-3.0-or-later"]
    assert (REPO / galaxy["readme"]).is_file()
    assert not galaxy.get("dependencies"), "onefs.dr depends on no other collection"
    assert {"storage", "dr", "powerscale", "onefs", "synciq"} <= set(galaxy["tags"])
    for tag in galaxy["tags"]:  # Galaxy: lowercase alphanumerics and underscores, <= 64 chars
        assert re.match(r"^[a-z0-9_]{1,64}$", tag), tag


def test_galaxy_build_ignore_keeps_tooling_out(galaxy):
    ignored = set(galaxy["build_ignore"])
    for entry in ("simulator", "benchmarks", ".venv", ".build", "tests/output", "tests/simulator", "*.tar.gz", "__pycache__", "scripts", ".ci"):
        assert entry in ignored, "galaxy.yml build_ignore lacks %s" % entry
    for entry in ("requirements.txt", "meta", "plugins", "roles", "playbooks", "docs", "README.md"):
        assert entry not in ignored, "%s must ship in the collection" % entry


def test_runtime_requires_ansible(runtime):
    assert runtime["requires_ansible"] == ">=2.19.0"


def test_action_group_lists_exactly_the_modules(runtime):
    group = runtime["action_groups"]["onefs"] or []
    assert len(group) == len(set(group)), "duplicate entries in action_groups.onefs"
    assert all(isinstance(name, str) and "." not in name for name in group), "use short module names"
    missing_files = sorted(set(group) - set(module_files()))
    assert not missing_files, "action_groups.onefs names modules with no plugins/modules/<name>.py: %s" % missing_files
    not_grouped = sorted(set(cluster_modules()) - set(group))
    assert not not_grouped, "modules missing from meta/runtime.yml action_groups.onefs: %s" % not_grouped
    assert group == sorted(group), "keep action_groups.onefs sorted"
    assert not CONTROLLER_ONLY & set(group), "controller-only modules take no connection options"
    for name in CONTROLLER_ONLY:
        assert (REPO / "plugins" / "action" / (name + ".py")).is_file(), "%s needs its action plugin" % name


def test_execution_environment_uses_runtime_requirements():
    ee = load_yaml("meta/execution-environment.yml")
    assert ee["version"] == 3
    assert ee["dependencies"]["python"] == "requirements.txt"
    runtime_reqs = (REPO / "requirements.txt").read_text(encoding="utf-8")
    names = {re.split(r"[<>=!~;\[ ]", line.strip(), maxsplit=1)[0].lower()
             for line in runtime_reqs.splitlines() if line.strip() and not line.startswith("#")}
    assert names == {"requests", "jmespath", "dnspython"}


def test_ansible_doc_lists_every_module(tmp_path):
    """What users see: `ansible-doc -l onefs.dr` shows each module (its DOCUMENTATION parses)."""
    ansible_doc = Path(sys.executable).with_name("ansible-doc")
    if not ansible_doc.exists():
        pytest.skip("ansible-doc is not installed next to %s" % sys.executable)
    link = tmp_path / "ansible_collections" / "onefs" / "dr"
    link.parent.mkdir(parents=True)
    link.symlink_to(REPO)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path), ANSIBLE_NOCOLOR="1")
    out = subprocess.run([str(ansible_doc), "-t", "module", "-l", "onefs.dr", "-j"],
                         env=env, capture_output=True, text=True, timeout=300, check=True)
    listed = json.loads(out.stdout)
    assert sorted(name.split(".")[-1] for name in listed) == module_files(), out.stderr


def test_sanity_ignore_entries_have_reasons():
    """Every `ansible-test sanity` ignore entry says why: `<path> <test>[:<code>] # <reason>`."""
    for ignore_file in sorted((REPO / "tests" / "sanity").glob("ignore-*.txt")):
        for number, line in enumerate(ignore_file.read_text(encoding="utf-8").splitlines(), start=1):
            entry, separator, reason = line.partition(" # ")
            assert separator and entry.strip() and len(entry.split(" ")) == 2 and len(reason.strip()) >= 10, (
                "%s:%d needs '<path> <test> # <reason>': %r" % (ignore_file.name, number, line))

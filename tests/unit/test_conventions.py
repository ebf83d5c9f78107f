# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conventions of a published collection that its users' tooling checks (issue 17).

- every role has a README.md, generated from its meta/argument_specs.yml and in sync with it;
- shipped files cite nothing users do not have (the project's seeds, paths outside the repo);
- the tarball ships no test that needs what the tarball leaves out (the simulator, scripts/,
  galaxy.yml, the shared fixtures of tests/conftest.py);
- docs name only folders and helpers that exist.

Not shipped (galaxy.yml build_ignore): it reads scripts/ and galaxy.yml.
"""

import ast
import fnmatch
import importlib.util
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SHIPPED_DIRS = ("plugins", "roles", "playbooks", "docs", "meta", "inventories", "changelogs", "tests")
SHIPPED_FILES = ("README.md", "CHANGELOG.md", "requirements.txt")
# What only this repository has: the project's seeds, its shared reference folder.
UNSHIPPABLE = re.compile(r"\bseeds?\b[ /]?0\d\d|\bseeds/|/work/|shared/reference|\bseed 00\d", re.IGNORECASE)


def _load_generator():
    spec = importlib.util.spec_from_file_location("role_readmes", REPO / "scripts" / "role_readmes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build_ignore():
    return yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))["build_ignore"]


def _ignored(relpath, patterns):
    """Whether ``ansible-galaxy collection build`` leaves ``relpath`` out (fnmatch on the path
    and on each of its parent folders, as build_ignore does)."""
    parts = Path(relpath).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))] + [parts[-1]]
    return any(fnmatch.fnmatch(c, p) for c in candidates for p in patterns)


def shipped_files():
    patterns = _build_ignore()
    files = [REPO / name for name in SHIPPED_FILES if (REPO / name).is_file()]
    for folder in SHIPPED_DIRS:
        files += [p for p in (REPO / folder).rglob("*") if p.is_file()]
    return sorted(p for p in files if not _ignored(str(p.relative_to(REPO)), patterns) and "__pycache__" not in p.parts)


@pytest.mark.parametrize("role", [p.name for p in _load_generator().roles(REPO)])
def test_role_readme_is_generated_from_its_argument_spec(role):
    generator = _load_generator()
    readme = REPO / "roles" / role / "README.md"
    assert readme.is_file(), "roles/%s has no README.md: run make role-readmes" % role
    assert readme.read_text(encoding="utf-8") == generator.render(REPO / "roles" / role), (
        "roles/%s/README.md is out of date with its meta/argument_specs.yml: run make role-readmes" % role)


def test_role_readme_lists_every_variable_and_entry_point():
    generator = _load_generator()
    for role_dir in generator.roles(REPO):
        specs = yaml.safe_load((role_dir / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))["argument_specs"]
        text = generator.render(role_dir)
        for entry, spec in specs.items():
            assert "## Entry point `%s`" % entry in text
            for option in (spec or {}).get("options") or {}:
                assert "| `%s` |" % option in text, (role_dir.name, option)


def test_shipped_files_cite_nothing_users_do_not_have():
    found = []
    for path in shipped_files():
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(content.splitlines(), start=1):
            if UNSHIPPABLE.search(line):
                found.append("%s:%d: %s" % (path.relative_to(REPO), number, line.strip()[:120]))
    assert not found, "shipped files cite the project's seeds or paths outside the repository:\n" + "\n".join(found)


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_shipped_tests_need_only_what_ships():
    """A shipped test imports no simulator, no tests/support.py and reads no unshipped file."""
    patterns = _build_ignore()
    shipped_tests = [p for p in shipped_files() if p.suffix == ".py" and p.parts[len(REPO.parts)] == "tests"]
    assert shipped_tests, "the unit tests ship (ansible-test runs them from the installed collection)"
    local = {p.stem for p in shipped_tests}
    bad = []
    for path in shipped_tests:
        for name in _imports(path):
            top = name.split(".")[0]
            if top in ("onefs_sim", "support") or (top.startswith("_") and top not in local):
                bad.append("%s imports %s" % (path.relative_to(REPO), name))
        content = path.read_text(encoding="utf-8")
        for needed in ("scripts/", "galaxy.yml", "simulator/"):
            if needed in content and _ignored(needed.rstrip("/"), patterns):
                bad.append("%s reads %s" % (path.relative_to(REPO), needed))
    for conftest in [p for p in (REPO / "tests").rglob("conftest.py") if p in shipped_tests]:
        if "onefs_sim" in conftest.read_text(encoding="utf-8"):
            bad.append("%s needs the simulator" % conftest.relative_to(REPO))
    assert not bad, "tests shipped in the tarball need what it leaves out:\n" + "\n".join(bad)


def test_readme_names_only_folders_that_exist():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for folder in re.findall(r"`((?:tests|plugins|roles|docs|scripts|extensions|changelogs)/[A-Za-z0-9_./-]*)`", readme):
        assert (REPO / folder.rstrip("/")).exists(), "README.md names %s, which does not exist" % folder


def test_contracts_name_only_helpers_that_exist():
    """docs/dev/contracts.md: every name it gives for a Python file, and every ``client.<name>``,
    is defined there."""
    text = (REPO / "docs" / "dev" / "contracts.md").read_text(encoding="utf-8")
    bullets = re.findall(r"^- `([^`]+\.py)` — (.*?)(?=^- |^#|\Z)", text, re.M | re.S)
    assert bullets, "contracts.md lists the layout as '- `path.py` — ...' bullets"
    for path, body in bullets:
        source = (REPO / path).read_text(encoding="utf-8")
        for name in re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", body):
            assert re.search(r"^\s*(?:def|class) %s\b|^%s = " % (name, name), source, re.M), (
                "docs/dev/contracts.md names %s in %s, which does not define it" % (name, path))
    # The facade and the layers it composes (client.py's docstring).
    client = "\n".join((REPO / "plugins" / "module_utils" / f).read_text(encoding="utf-8")
                       for f in ("client.py", "_transport.py", "_resources.py"))
    for name in sorted(set(re.findall(r"(?<![/\w])client\.([a-z_]+)\b", text))):
        assert re.search(r"def %s\(|self\.%s = " % (name, name), client), "contracts.md names client.%s" % name

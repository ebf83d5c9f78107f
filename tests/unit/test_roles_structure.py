# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the roles and playbooks fit together (issue 17, points 1-3), read from the YAML:

- no role reads another role's private (``_onefs_dr_*``) variable;
- a role reads only the step results (``onefs_dr_results.<step>``) its argument spec declares,
  and every step role declares the unit value (``onefs_dr_unit``) it works from;
- each role variable has its default in one place (one role's defaults/main.yml; its argument
  spec may document the same value), and no task repeats it with ``| default(...)``;
- includes nest at most 3 deep from the playbooks;
- the step a failure is reported at is set explicitly (step_start), never parsed from a task name.
"""

import functools
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLES = REPO / "roles"
PLAYBOOKS = REPO / "playbooks"
PRIVATE = re.compile(r"(?<![\w.])(_onefs_dr_\w+)")
RESULT_READ = re.compile(r"onefs_dr_results(?:\s*\|\s*default\(\{\}\)\s*\))?\s*(?:\.|\[['\"])(\w+)")
MAX_DEPTH = 3
# Steps: the role directories whose name is rNN_<what>, but the helpers and the report.
STEP_ROLES = sorted(p.name for p in ROLES.iterdir() if re.match(r"r\d\d_", p.name) and p.name not in ("r00_common", "r99_report"))
# Roles that work from the unit value: every step but the one that builds it.
UNIT_READERS = [r for r in STEP_ROLES if r != "r01_unit"]
# `| default(...)` of a role variable where no role is loaded yet: the run's first play.
FIRST_PLAY = {("playbooks/tasks/prefetch.yml", "onefs_dr_prefetch_readiness")}


@functools.cache
def _load(path):
    """Parsed YAML of ``path`` (read once per test session; callers do not change it)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _walk(node):
    """Every dict inside ``node`` (tasks, blocks, their args), depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _code_lines(path):
    """(line number, text) of a YAML file, comments left out."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.split(" #")[0] if not line.lstrip().startswith("#") else ""
        if text.strip():
            yield number, text


def _defined_privates(role_dir):
    """The private variables a role defines: its defaults, set_fact keys, registers, vars keys."""
    names = set()
    defaults = role_dir / "defaults" / "main.yml"
    if defaults.is_file():
        names.update(k for k in (_load(defaults) or {}) if k.startswith("_onefs_dr_"))
    for path in (role_dir / "tasks").glob("*.yml"):
        for node in _walk(_load(path)):
            for key in ("set_fact", "ansible.builtin.set_fact", "vars"):
                if isinstance(node.get(key), dict):
                    names.update(k for k in node[key] if k.startswith("_onefs_dr_"))
            if isinstance(node.get("register"), str):
                names.add(node["register"])
    return names


def _role_files(role_dir):
    return sorted(p for sub in ("tasks", "defaults", "vars", "handlers") for p in (role_dir / sub).glob("*.yml"))


def _specs(role):
    return _load(ROLES / role / "meta" / "argument_specs.yml")["argument_specs"]


def test_no_role_reads_another_roles_private_variable():
    roles = sorted(p for p in ROLES.iterdir() if p.is_dir())
    defined = {r.name: _defined_privates(r) for r in roles}
    assert any(defined.values()), "the scan found no private variable at all"
    owners = {}
    for role, names in defined.items():
        for name in names:
            owners.setdefault(name, set()).add(role)
    reads = []
    for role in roles:
        for path in _role_files(role):
            for number, text in _code_lines(path):
                for name in PRIVATE.findall(text):
                    if name not in defined[role.name] and owners.get(name):
                        reads.append("%s:%d reads %s of %s" % (path.relative_to(REPO), number, name,
                                                                ", ".join(sorted(owners[name]))))
    assert not reads, "\n".join(reads)


def _recorded_steps():
    """Step names the roles record (onefs_dr_step of their step_end), '*' for a templated tail."""
    steps = set()
    for role in ROLES.iterdir():
        for path in (role / "tasks").glob("*.yml"):
            for node in _walk(_load(path)):
                step = (node.get("vars") or {}).get("onefs_dr_step") if isinstance(node.get("vars"), dict) else None
                if isinstance(step, str) and step:
                    steps.add(re.sub(r"\{\{.*\}\}", "*", step))
    return steps


def _declared_results(role):
    declared = set()
    for spec in _specs(role).values():
        option = (spec.get("options") or {}).get("onefs_dr_results")
        if option:
            declared.update(re.findall(r"C\((r\d\d_\w+)\)", " ".join(option.get("description", []))))
    return declared


def test_roles_read_only_the_step_results_they_declare():
    steps = _recorded_steps()
    assert "r07_config_sync" in steps and "r12_restore_permissions_*" in steps, steps
    problems, reads_seen = [], 0
    for role in sorted(p.name for p in ROLES.iterdir() if p.is_dir()):
        declared = _declared_results(role)
        for step in declared:
            if not any(re.fullmatch(s.replace("*", r"\w+"), step) for s in steps):
                problems.append("%s declares the result of %s, a step no role records" % (role, step))
        for path in _role_files(ROLES / role):
            for number, text in _code_lines(path):
                for step in RESULT_READ.findall(text):
                    reads_seen += 1
                    if step not in declared:
                        problems.append("%s:%d reads onefs_dr_results.%s, not declared in its argument spec "
                                        "(option onefs_dr_results)" % (path.relative_to(REPO), number, step))
    assert reads_seen > 0, "the scan found no step result read at all"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", UNIT_READERS)
def test_step_roles_declare_the_unit_value_on_every_entry_point(role):
    for entry, spec in _specs(role).items():
        option = (spec.get("options") or {}).get("onefs_dr_unit")
        assert option and option.get("required") and option.get("type") == "dict", (role, entry)


def _literal_defaults():
    """{variable: [(role, value)]} from every roles/*/defaults/main.yml."""
    out = {}
    for path in sorted(ROLES.glob("*/defaults/main.yml")):
        for name, value in (_load(path) or {}).items():
            out.setdefault(name, []).append((path.parts[-3], value))
    return out


def test_each_default_is_defined_once():
    defaults = _literal_defaults()
    assert "onefs_dr_share_write_throttle" in defaults
    problems = ["%s has a default in %s" % (name, ", ".join(r for r, _ in where))
                for name, where in defaults.items() if len(where) > 1]
    # The argument specs document the default of the role that holds it, with the same value.
    for path in sorted(ROLES.glob("*/meta/argument_specs.yml")):
        role = path.parts[-3]
        for entry, spec in _load(path)["argument_specs"].items():
            for name, option in (spec.get("options") or {}).items():
                if "default" not in option or name not in defaults:
                    continue
                holders = dict(defaults[name])
                if role not in holders:
                    problems.append("%s (%s) documents a default for %s, which %s holds"
                                    % (role, entry, name, ", ".join(holders)))
                elif option["default"] != holders[role] and not isinstance(holders[role], str):
                    problems.append("%s (%s): spec default %r of %s differs from defaults/main.yml %r"
                                    % (role, entry, option["default"], name, holders[role]))
    # No task or playbook repeats a role default with `| default(<value>)`.
    # (another host's variable, hostvars[h].onefs_dr_..., is not this play's: left out)
    repeat = re.compile(r"(?<![\w.])(onefs_dr_\w+)\s*\|\s*default\((?!none\)|omit\))")
    for path in sorted(list(ROLES.glob("*/tasks/*.yml")) + list(PLAYBOOKS.rglob("*.yml"))):
        for number, text in _code_lines(path):
            for name in repeat.findall(text):
                if name in defaults and (str(path.relative_to(REPO)), name) not in FIRST_PLAY:
                    problems.append("%s:%d repeats the default of %s (defaults of %s)"
                                    % (path.relative_to(REPO), number, name, defaults[name][0][0]))
    assert not problems, "\n".join(problems)


def _includes(tasks):
    """(kind, target) of each include/import in a task list (blocks, rescue and always too)."""
    for node in _walk(tasks):
        for key, value in node.items():
            short = key.rsplit(".", 1)[-1]
            if short in ("import_tasks", "include_tasks"):
                target = value.get("file") if isinstance(value, dict) else value
                yield "file", target
            elif short in ("import_role", "include_role") and isinstance(value, dict):
                yield "role", (value["name"].rsplit(".", 1)[-1], value.get("tasks_from", "main"))


def _depth(path, seen=()):
    """Deepest include chain below the task file ``path`` (0: it includes nothing)."""
    if path in seen or not path.is_file():
        return 0
    deepest = 0
    for kind, target in _includes(_load(path) or []):
        if "{{" in str(target):
            continue  # a user's hook file (onefs_dr_dfs_rename_tasks ...): not ours to measure
        if kind == "file":
            child = (path.parent / target).resolve()
        else:
            role, tasks_from = target
            child = ROLES / role / "tasks" / (tasks_from if tasks_from.endswith(".yml") else tasks_from + ".yml")
        deepest = max(deepest, 1 + _depth(child, seen + (path,)))
    return deepest


def _play_depths():
    """{playbook: deepest include chain of its plays} (import_playbook is not an include of tasks)."""
    out = {}
    for book in sorted(PLAYBOOKS.glob("*.yml")):
        deepest = 0
        for play in _load(book) or []:
            for section in ("pre_tasks", "tasks", "post_tasks", "handlers"):
                for kind, target in _includes(play.get(section) or []):
                    if kind == "file":
                        child = (book.parent / target).resolve()
                    else:
                        role, tasks_from = target
                        child = ROLES / role / "tasks" / (tasks_from + ".yml")
                    deepest = max(deepest, 1 + _depth(child))
        out[book.name] = deepest
    return out


def test_includes_nest_at_most_three_deep_from_the_playbooks():
    depths = _play_depths()
    assert depths["dr_run.yml"] >= 2, depths  # the measure sees the roles below the playbooks
    assert {b: d for b, d in depths.items() if d > MAX_DEPTH} == {}, depths


@pytest.mark.parametrize("role", STEP_ROLES)
def test_each_step_starts_explicitly(role):
    """The first task of every entry point of a step role names the step (r00_common step_start)."""
    for entry in _specs(role):
        path = ROLES / role / "tasks" / ("%s.yml" % entry)
        tasks = _load(path)
        first = tasks[0]
        if role == "r12_restore_permissions" and entry == "main":
            continue  # picks target or source, each of which starts the step
        target = first.get("ansible.builtin.import_role") or {}
        assert target.get("tasks_from") == "step_start", (role, entry, first.get("name"))


def test_no_step_is_parsed_from_a_task_name():
    uses = ["%s:%d" % (p.relative_to(REPO), n)
            for p in sorted(list(ROLES.rglob("*.yml")) + list(PLAYBOOKS.rglob("*.yml")))
            for n, text in _code_lines(p) if "ansible_failed_task" in text or "ansible_parent_role_names" in text]
    assert not uses, uses

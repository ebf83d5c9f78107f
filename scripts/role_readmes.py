#!/usr/bin/env python3
# Copyright: (c) 2026, onefs.dr contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write roles/<role>/README.md from the role's meta/argument_specs.yml.

Galaxy wants a README per role; the argument spec is where a role's variables are documented
(``ansible-doc -t role`` shows the same), so the README is generated from it and never edited
by hand. ``tests/unit/test_role_readmes.py`` fails when a README is out of date.

    scripts/role_readmes.py            # (re)write every role's README.md   (= make role-readmes)
    scripts/role_readmes.py --check    # exit 1 and name the roles whose README is out of date
"""

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
NAMESPACE = "onefs.dr"
HEADER = ("<!-- Generated from meta/argument_specs.yml by scripts/role_readmes.py (make role-readmes): "
          "edit the argument spec, not this file. -->")
# Ansible documentation markup -> Markdown.
_MARKUP = [
    (re.compile(r"\b(?:C|V|O|RV|E)\(([^)]*)\)"), r"`\1`"),
    (re.compile(r"\bI\(([^)]*)\)"), r"*\1*"),
    (re.compile(r"\bB\(([^)]*)\)"), r"**\1**"),
    (re.compile(r"\bM\(([^)]*)\)"), r"`\1`"),
    (re.compile(r"\bU\(([^)]*)\)"), r"<\1>"),
    (re.compile(r"\bL\(([^,)]*),\s*([^)]*)\)"), r"[\1](\2)"),
]


def text(value):
    """One paragraph of Markdown from a description string or list of strings."""
    parts = value if isinstance(value, list) else [value]
    out = []
    for part in parts:
        line = " ".join(str(part).split())
        for pattern, repl in _MARKUP:
            line = pattern.sub(repl, line)
        out.append(line)
    return out


def cell(value):
    return " ".join(text(value)).replace("|", "\\|") if value not in (None, "", []) else ""


def _default(option):
    if "default" not in option:
        return ""
    value = option["default"]
    if isinstance(value, str):
        value = " ".join(value.split())
        return "`%s`" % value.replace("|", "\\|") if value else '`""`'
    return "`%s`" % json.dumps(value).replace("|", "\\|")


def _type(option):
    kind = option.get("type", "str")
    if option.get("elements"):
        kind += " of " + option["elements"]
    return kind


def _rows(options, prefix=""):
    for name in sorted(options):
        option = options[name] or {}
        description = cell(option.get("description"))
        if option.get("choices"):
            description += (" " if description else "") + "Choices: %s." % ", ".join("`%s`" % c for c in option["choices"])
        yield "| `%s%s` | %s | %s | %s | %s |" % (
            prefix, name, _type(option), "yes" if option.get("required") else "", _default(option), description)
        if option.get("options"):
            yield from _rows(option["options"], prefix + name + ".")


def render(role_dir):
    """The README.md text of one role directory."""
    specs = yaml.safe_load((role_dir / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))["argument_specs"]
    name = role_dir.name
    lines = ["# %s.%s" % (NAMESPACE, name), "", HEADER, ""]
    main = specs.get("main") or {}
    if main.get("short_description"):
        lines += [text(main["short_description"])[0], ""]
    lines += ["Variables: `ansible-doc -t role %s.%s` shows the same. The runbook's steps and their order "
              "are in the collection's docs/orchestration.md." % (NAMESPACE, name), ""]
    for entry in sorted(specs, key=lambda e: (e != "main", e)):
        spec = specs[entry] or {}
        usage = "`ansible.builtin.import_role: {name: %s.%s%s}`" % (
            NAMESPACE, name, "" if entry == "main" else ", tasks_from: %s" % entry)
        lines += ["## Entry point `%s`" % entry, ""]
        if entry != "main" and spec.get("short_description"):
            lines += [text(spec["short_description"])[0], ""]
        for paragraph in text(spec.get("description") or []):
            lines += [paragraph, ""]
        lines += ["Use: %s" % usage, ""]
        options = spec.get("options") or {}
        if options:
            lines += ["| Variable | Type | Required | Default | Description |",
                      "| --- | --- | --- | --- | --- |"]
            lines += list(_rows(options))
        else:
            lines += ["No variables of its own."]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def roles(root=REPO):
    return sorted(p.parent.parent for p in (root / "roles").glob("*/meta/argument_specs.yml"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report READMEs that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for role_dir in roles():
        want = render(role_dir)
        readme = role_dir / "README.md"
        have = readme.read_text(encoding="utf-8") if readme.exists() else None
        if have != want:
            stale.append(role_dir.name)
            if not args.check:
                readme.write_text(want, encoding="utf-8")
    if args.check and stale:
        print("role READMEs out of date (run make role-readmes): %s" % ", ".join(stale), file=sys.stderr)
        return 1
    if not args.check:
        print("role-readmes: %d written, %d up to date" % (len(stale), len(roles()) - len(stale)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

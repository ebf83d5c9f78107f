#!/usr/bin/env bash
# Create or refresh the project virtualenv (default .venv) with everything `make test` and
# `make demo` need.  Idempotent: a stamp keyed on the requirement files' hash makes a second
# run a no-op (well under a second) while nothing changed.
#
#   VENV=.venv PYTHON=python3.11 scripts/venv.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
venv=${VENV:-.venv}
stamp="$venv/.requirements.sha256"

# What the environment is built from: when any of these change, the venv is refreshed.
inputs=(requirements.txt requirements-test.txt)
[ -f simulator/pyproject.toml ] && inputs+=(simulator/pyproject.toml)

want=$(cat "${inputs[@]}" | sha256sum | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' 2>/dev/null; then
  exit 0
fi

# Find a Python >= 3.11: $PYTHON, python3.11 on PATH, pyenv's 3.11, then python3.
is_ok() { "$1" -c 'import sys, venv; sys.exit(sys.version_info[:2] < (3, 11))' >/dev/null 2>&1; }
find_python() {
  local c
  for c in ${PYTHON:-} python3.11; do
    if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && is_ok "$c"; then command -v "$c"; return; fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    c=$(pyenv root 2>/dev/null)/versions
    for v in $(cd "$c" 2>/dev/null && printf '%s\n' 3.11* | grep -E '^3\.11\.[0-9]+$' | sort -t. -k3,3nr); do
      if is_ok "$c/$v/bin/python3"; then echo "$c/$v/bin/python3"; return; fi
    done
  fi
  if command -v python3 >/dev/null 2>&1 && is_ok python3; then command -v python3; return; fi
  return 1
}

if [ -x "$venv/bin/python" ] && ! is_ok "$venv/bin/python"; then
  echo "venv: $venv has a Python older than 3.11; recreating it" >&2
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  py=$(find_python) || { echo "venv: no Python >= 3.11 found (install python3.11, or set PYTHON=...)" >&2; exit 1; }
  echo "venv: creating $venv with $py ($("$py" --version 2>&1))"
  "$py" -m venv "$venv"
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
pip=("$venv/bin/python" -m pip)
echo "venv: installing requirements into $venv"
"${pip[@]}" install --quiet --upgrade pip
"${pip[@]}" install --quiet -r requirements-test.txt
if [ -f simulator/pyproject.toml ]; then
  echo "venv: installing the simulator (editable) from simulator/"
  "${pip[@]}" install --quiet -e simulator
fi
"${pip[@]}" check || { echo "venv: pip check found broken requirements" >&2; exit 1; }
echo "$want" > "$stamp"
echo "venv: ready ($("$venv/bin/ansible" --version | sed -n 1p))"

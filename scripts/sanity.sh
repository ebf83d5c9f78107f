#!/usr/bin/env bash
# Run `ansible-test sanity` on the collection.
#
# ansible-test only works from inside a path ending in ansible_collections/<ns>/<name>, so the
# collection's files are copied to .build/sanity/ansible_collections/onefs/dr first: the files
# git knows about (tracked, plus new files not ignored), minus the paths listed in $skip below.
# Then sanity runs there, on Python 3.11, in ansible-test's own per-test virtualenvs
# (prepared offline by scripts/ansible_test_pip_bootstrap.py).
#
#   VENV=.venv SANITY_ARGS="--test pylint" scripts/sanity.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${VENV:-$root/.venv}
case "$venv" in /*) ;; *) venv=$root/$venv ;; esac
dest=$root/.build/sanity/ansible_collections/onefs/dr
python_version=${SANITY_PYTHON:-3.11}

# ansible-test manages the collection path itself; a path to the repo link would shadow the copy.
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS

"$venv/bin/python" "$root/scripts/ansible_test_pip_bootstrap.py"

# Paths (relative to the repo root) that are not sanity-tested:
# - not part of the collection: simulator/, benchmarks/, scripts/, .ci/, the molecule scenarios in
#   extensions/molecule/ (build_ignore in galaxy.yml; ansible-lint and ruff check them);
# - the pytest suites (tests/ except tests/sanity/): they are pytest code run by `make unit` /
#   `make integration`, linted by ruff, not ansible-test units or integration targets, and
#   ansible-core's pylint house rules (no `_` names, ...) are not theirs.
skip='^(simulator/|benchmarks/|scripts/|extensions/molecule/|\.ci/|tests/(?!sanity/)|collections/|\.build/|\.venv)'

rm -rf "$root/.build/sanity"
mkdir -p "$dest"
cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard
else
  find . -path ./.git -prune -o \( -type f -o -type l \) -print0 | sed -z 's#^\./##'
fi | grep -zPv "$skip" | while IFS= read -r -d '' f; do
  [ -e "$f" ] || [ -L "$f" ] || continue   # deleted in the work tree but still in the index
  printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$dest"

cd "$dest"
# ansible-test lists the files to check with git from the nearest .git upwards; without a
# repository of its own here it would find the outer one, where .build/ is ignored, and check
# nothing.  An empty repository makes it list every file of the copy.
git init --quiet .
echo "sanity: ansible-test sanity --python $python_version in ${dest#"$root"/}"
# shellcheck disable=SC2086  # SANITY_ARGS is a list of options
exec "$venv/bin/ansible-test" sanity --python "$python_version" --color no ${SANITY_ARGS:-}
